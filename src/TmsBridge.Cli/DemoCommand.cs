using System.Text.Json;
using TmsBridge.Sandbox;

namespace TmsBridge.Cli;

/// <summary>
/// `tmsbridge demo`: the whole product in one command, with no Jira at hand. Starts the sandbox,
/// runs each sample with `dotnet test --logger tms` against it and shows what arrived.
/// </summary>
public static class DemoCommand
{
    public static readonly string[] Samples = ["NUnitSample", "XunitSample", "XunitV2Sample", "MSTestSample"];

    /// <summary>The sandbox's built-in demo account (not a secret: it exists only in the emulator).</summary>
    public const string SandboxUser = "admin";
    public const string SandboxPassword = "admin";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "keep");
        var repo = a.Named.TryGetValue("samples", out var s) ? Path.GetFullPath(Path.Combine(s, "..")) : FindRepositoryRoot(Directory.GetCurrentDirectory());
        if (repo is null) throw new UsageException("run the demo from the TmsBridge repository (a folder containing Reporters.sln and samples/), or pass --samples DIR.");
        var port = a.Named.TryGetValue("port", out var p) ? (int.TryParse(p, out var n) && n is >= 0 and < 65536 ? n : throw new UsageException("--port takes a number from 0 to 65535.")) : 0;

        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Url = $"http://127.0.0.1:{port}" });
        stdout.WriteLine($"TmsBridge demo: sandbox (Xray Server/DC emulator) listening on {sandbox.BaseAddress}");
        var results = Path.Combine(Path.GetTempPath(), "tmsbridge-demo", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss"));
        var failures = 0;
        foreach (var sample in Samples)
        {
            var project = Path.Combine(repo, "samples", sample);
            stdout.WriteLine();
            stdout.WriteLine($"== {sample}: dotnet test --logger tms (target=xray) ==");
            var run = await DotnetProcess.RunAsync(
                ["test", project, "--logger", "tms", "--results-directory", Path.Combine(results, sample)],
                repo,
                new Dictionary<string, string?>
                {
                    ["TMS_TARGET"] = "xray",
                    ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(),
                    ["TMS_USER"] = SandboxUser,
                    ["TMS_PASSWORD"] = SandboxPassword,
                    ["TMS_SUMMARY"] = $"{sample}: TmsBridge demo run",
                    ["TMS_ENVIRONMENTS"] = "demo;linux",
                },
                line =>
                {
                    var t = line.TrimStart();
                    if (t.StartsWith("TmsBridge:", StringComparison.Ordinal) || t.StartsWith("Passed!", StringComparison.Ordinal) || t.StartsWith("Failed!", StringComparison.Ordinal) || t.Contains(": error ", StringComparison.Ordinal))
                        stdout.WriteLine("  " + t);
                });
            var published = run.Lines.Any(l => l.Contains("TmsBridge:", StringComparison.Ordinal) && l.Contains("created", StringComparison.Ordinal));
            if (!published)
            {
                failures++;
                stderr.WriteLine($"  {sample}: no execution was published (dotnet test exit code {run.ExitCode}). Last lines:");
                foreach (var l in run.Lines.TakeLast(15)) stderr.WriteLine("    " + l);
            }
            else
            {
                stdout.WriteLine($"  (dotnet test exit code {run.ExitCode}: the sample fails one test on purpose; reporting never changes it)");
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("== What the sandbox received ==");
        await PrintStateAsync(sandbox.BaseAddress, stdout);
        stdout.WriteLine();
        stdout.WriteLine($"Sandbox page: {sandbox.BaseAddress}   state JSON: {sandbox.BaseAddress}_sandbox/state");
        if (a.Flags.Contains("keep"))
        {
            stdout.WriteLine("--keep: the sandbox stays up; press Ctrl+C to stop it.");
            await SandboxCommand.WaitForCtrlC();
        }
        return failures == 0 ? 0 : 1;
    }

    private static async Task PrintStateAsync(Uri sandbox, TextWriter stdout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(sandbox, "_sandbox/state")));
        foreach (var exec in doc.RootElement.GetProperty("xray").GetProperty("executions").EnumerateArray())
        {
            stdout.WriteLine($"{exec.GetProperty("key").GetString()}  {exec.GetProperty("summary").GetString()}");
            // Sorted by key number (DEMO-2 before DEMO-10) so runs of different frameworks read alike.
            foreach (var t in exec.GetProperty("tests").EnumerateArray().OrderBy(t => KeyNumber(t.GetProperty("testKey").GetString())))
            {
                var iterations = t.TryGetProperty("iterations", out var it) ? it.GetArrayLength() : 0;
                var evidence = t.TryGetProperty("evidence", out var ev) ? ev.GetArrayLength() : 0;
                var defects = t.TryGetProperty("defects", out var d) && d.ValueKind == JsonValueKind.Array ? string.Join(",", d.EnumerateArray().Select(x => x.GetString())) : "";
                stdout.WriteLine($"    {t.GetProperty("testKey").GetString(),-9} {t.GetProperty("status").GetString(),-6} iterations={iterations} evidence={evidence}{(defects.Length > 0 ? " defects=" + defects : "")}");
            }
        }
    }

    private static int KeyNumber(string? key) =>
        key is not null && int.TryParse(key.Substring(key.LastIndexOf('-') + 1), out var n) ? n : int.MaxValue;

    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reporters.sln")) && Directory.Exists(Path.Combine(dir.FullName, "samples"))) return dir.FullName;
        }
        return null;
    }
}
