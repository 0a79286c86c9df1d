using System.Text.Json;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 15 item 7: the tool as users get it. `dotnet pack` of src/TmsBridge.Cli, then
/// `dotnet tool install` from that folder (offline: a NuGet.config with no other source), then the
/// installed `tmsbridge` shim runs `--help` and a publish against the sandbox. The tool must need
/// only the .NET runtime: its runtimeconfig names Microsoft.NETCore.App alone (the sandbox, an
/// ASP.NET Core app, stays in the repository's src/TmsBridge.Demo).
/// </summary>
public sealed class ToolInstallTests(SampleRuns samples)
{
    [Fact]
    public async Task The_packed_tool_installs_offline_needs_only_the_NET_runtime_and_publishes()
    {
        var root = Path.Combine(samples.WorkFolder, "tool-install");
        var feed = Path.Combine(root, "feed");
        var tools = Path.Combine(root, "tools");
        Directory.CreateDirectory(root);
        var version = "0.1.0-tool." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + Random.Shared.Next(1000, 9999);
        var pack = await DotnetProcess.RunAsync(
            ["pack", Path.Combine(SampleRuns.RepositoryRoot, "src", "TmsBridge.Cli"), "-o", feed, $"-p:Version={version}", "--artifacts-path", Path.Combine(root, "artifacts")],
            SampleRuns.RepositoryRoot, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(5));
        Assert.True(pack.ExitCode == 0, pack.Output);

        // Only the folder feed: a tool package carries its dependencies, so nothing else is needed
        // and the install works with no network.
        var config = Path.Combine(root, "NuGet.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="tmsbridge-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var install = await DotnetProcess.RunAsync(
            ["tool", "install", "--tool-path", tools, "TmsBridge.Cli", "--version", version, "--add-source", feed, "--configfile", config],
            root, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.Output);

        var runtimeConfig = Assert.Single(Directory.GetFiles(Path.Combine(tools, ".store"), "tmsbridge.runtimeconfig.json", SearchOption.AllDirectories));
        using (var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig)))
        {
            var options = json.RootElement.GetProperty("runtimeOptions");
            var frameworks = options.TryGetProperty("frameworks", out var many)
                ? many.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList()
                : [options.GetProperty("framework").GetProperty("name").GetString()];
            Assert.Equal(["Microsoft.NETCore.App"], frameworks);
        }
        var toolFolder = Path.GetDirectoryName(runtimeConfig)!;
        Assert.False(File.Exists(Path.Combine(toolFolder, "TmsBridge.Sandbox.dll")), "the sandbox must not ship in the tool");
        Assert.DoesNotContain("Microsoft.AspNetCore", File.ReadAllText(Path.Combine(toolFolder, "tmsbridge.deps.json")), StringComparison.Ordinal);

        // The shim finds the runtime this test runs on (DOTNET_ROOT, as on an agent with a private install).
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var shim = Path.Combine(tools, OperatingSystem.IsWindows() ? "tmsbridge.exe" : "tmsbridge");
        var help = await DotnetProcess.RunProgramAsync(shim, ["--help"], root, new Dictionary<string, string?> { ["DOTNET_ROOT"] = dotnetRoot }, timeout: TimeSpan.FromMinutes(1));
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains(help.Lines, l => l.TrimStart().StartsWith("publish ", StringComparison.Ordinal));
        Assert.DoesNotContain(help.Lines, l => l.TrimStart().StartsWith("demo ", StringComparison.Ordinal));

        var journal = WriteJournal(Path.Combine(root, "results", "tms"));
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var publish = await DotnetProcess.RunProgramAsync(shim,
            ["publish", journal, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"],
            root,
            new Dictionary<string, string?> { ["DOTNET_ROOT"] = dotnetRoot, ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" },
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal("PASS", Test(Assert.Single(Executions(state)), "DEMO-1").GetProperty("status").GetString());
    }

    /// <summary>A one-result run journal, as the logger writes it.</summary>
    private static string WriteJournal(string runFolder)
    {
        const string runId = "20260101T000000Z-00007001";
        Directory.CreateDirectory(runFolder);
        var journal = Path.Combine(runFolder, runId + ".journal.jsonl");
        File.WriteAllLines(journal,
        [
            JsonSerializer.Serialize(new { type = "run", formatVersion = 1, runId, runner = "vstest", sources = new[] { "Installed.Tests.dll" } }),
            JsonSerializer.Serialize(new { type = "result", result = new { sequence = 1, fullyQualifiedName = "Ns.C.Login", displayName = "Login", outcome = "Passed", testCaseKeys = new[] { "DEMO-1" } } }),
        ]);
        return journal;
    }
}
