using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.QTest;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Demo;

/// <summary>
/// `demo` (repository only: dotnet run --project src/TmsBridge.Demo -- demo): the whole product in one command, with no Jira at hand. Starts the sandbox,
/// runs each sample with `dotnet test --logger tms` against it and shows what arrived.
/// </summary>
public static class DemoCommand
{
    public static readonly string[] Samples = ["NUnitSample", "XunitSample", "XunitV2Sample", "MSTestSample"];

    /// <summary>The sandbox's built-in demo account (not a secret: it exists only in the emulator).</summary>
    public const string SandboxUser = "admin";
    public const string SandboxPassword = "admin";

    /// <summary>A target the demo publishes to: its sandbox credentials and where its state shows.</summary>
    public sealed record DemoTarget(string Name, string StateSection, Func<Uri, Dictionary<string, string?>> Environment)
    {
        /// <summary>From the target's descriptor, so the demo names it as the rest of TmsBridge does.</summary>
        public string DisplayName => TmsBridge.Publishing.Targets.Find(Name)?.DisplayName ?? Name;
    }

    /// <summary>Every implemented target (<see cref="TmsBridge.Publishing.Targets.Implemented"/>; a test checks none is missing), with the sandbox's built-in demo accounts (not secrets: they exist only in the emulator).</summary>
    public static readonly DemoTarget[] Targets =
    [
        new("xray", "xray", sandbox => new()
        {
            ["TMS_TARGET"] = "xray", ["TMS_BASE_URL"] = sandbox.ToString(),
            ["TMS_USER"] = SandboxUser, ["TMS_PASSWORD"] = SandboxPassword,
        }),
        new("xray-cloud", "xrayCloud", sandbox => new()
        {
            ["TMS_TARGET"] = "xray-cloud", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_PROJECT"] = "DEMO",
            ["TMS_CLIENT_ID"] = SandboxSeed.DemoCloudClientId, ["TMS_CLIENT_SECRET"] = SandboxSeed.DemoCloudClientSecret,
        }),
        new("aio-cloud", "aio", sandbox => new()
        {
            ["TMS_TARGET"] = "aio-cloud", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_PROJECT"] = "DEMO",
            ["TMS_TOKEN"] = SandboxSeed.DemoAioToken,
        }),
        new("aio", "aioServer", sandbox => new()
        {
            ["TMS_TARGET"] = "aio", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_PROJECT"] = "DEMO",
            ["TMS_USER"] = SandboxUser, ["TMS_PASSWORD"] = SandboxPassword,
        }),
        new("qtest", "qTest", sandbox => new()
        {
            ["TMS_TARGET"] = "qtest", ["TMS_BASE_URL"] = sandbox.ToString(),
            ["TMS_PROJECT"] = QTestSeed.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TMS_TOKEN"] = QTestSeed.DemoToken,
        }),
        new("rtm", "rtm", sandbox => new()
        {
            ["TMS_TARGET"] = "rtm", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_TEST_PLAN"] = "DEMO-300",
            ["TMS_USER"] = SandboxUser, ["TMS_PASSWORD"] = SandboxPassword,
        }),
        // The sandbox serves RTM Cloud under /rtm-cloud/, standing in for https://rtm-api.hexygen.com.
        new("rtm-cloud", "rtmCloud", sandbox => new()
        {
            ["TMS_TARGET"] = "rtm-cloud", ["TMS_BASE_URL"] = new Uri(sandbox, "rtm-cloud/").ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_TEST_PLAN"] = "DEMO-300",
            ["TMS_TOKEN"] = SandboxSeed.DemoRtmToken,
        }),
        new("qmetry-cloud", "qmetry", sandbox => new()
        {
            ["TMS_TARGET"] = "qmetry-cloud", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_API_KEY"] = SandboxSeed.DemoQMetryApiKey,
            ["TMS_QMETRY_OPEN_API_KEY"] = SandboxSeed.DemoQMetryOpenApiKey,
        }),
        new("qmetry", "qmetryServer", sandbox => new()
        {
            ["TMS_TARGET"] = "qmetry", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_API_KEY"] = SandboxSeed.DemoQMetryApiKey,
            ["TMS_USER"] = SandboxUser, ["TMS_PASSWORD"] = SandboxPassword,
        }),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "keep");
        var repo = a.Named.TryGetValue("samples", out var s) ? Path.GetFullPath(Path.Combine(s, "..")) : FindRepositoryRoot(Directory.GetCurrentDirectory());
        if (repo is null) throw new UsageException("run the demo from the TmsBridge repository (a folder containing Reporters.sln and samples/), or pass --samples DIR.");
        var port = a.Named.TryGetValue("port", out var p) ? (int.TryParse(p, out var n) && n is >= 0 and < 65536 ? n : throw new UsageException("--port takes a number from 0 to 65535.")) : 0;
        var targets = Targets;
        if (a.Named.TryGetValue("targets", out var names))
        {
            var wanted = names.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()).ToList();
            var unknown = wanted.Where(w => !Targets.Any(t => t.Name == w)).ToList();
            if (unknown.Count > 0) throw new UsageException($"--targets: unknown {string.Join(", ", unknown)}; the demo knows {string.Join(", ", Targets.Select(t => t.Name))}.");
            targets = Targets.Where(t => wanted.Contains(t.Name)).ToArray();
        }

        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Url = $"http://127.0.0.1:{port}" });
        stdout.WriteLine($"TmsBridge demo: sandbox (emulator of {string.Join(", ", targets.Select(t => t.DisplayName))}) listening on {sandbox.BaseAddress}");
        var results = Path.Combine(Path.GetTempPath(), "tmsbridge-demo", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var failures = 0;
        foreach (var sample in Samples)
        {
            var project = Path.Combine(repo, "samples", sample);
            var built = false;
            foreach (var target in targets)
            {
                stdout.WriteLine();
                stdout.WriteLine($"== {sample} → {target.DisplayName}: dotnet test --logger tms (target={target.Name}) ==");
                var environment = target.Environment(sandbox.BaseAddress);
                environment["TMS_SUMMARY"] = $"{sample}: TmsBridge demo run";
                if (target.Name.StartsWith("xray", StringComparison.Ordinal)) environment["TMS_ENVIRONMENTS"] = "demo;linux";
                string[] arguments = ["test", project, "--logger", "tms", "--results-directory", Path.Combine(results, sample, target.Name)];
                // Build once per sample; the other targets reuse the build.
                if (built) arguments = [.. arguments, "--no-build"];
                var run = await DotnetProcess.RunAsync(arguments, repo, environment, line =>
                {
                    var t = line.TrimStart();
                    if (t.StartsWith("TmsBridge:", StringComparison.Ordinal) || t.StartsWith("Passed!", StringComparison.Ordinal) || t.StartsWith("Failed!", StringComparison.Ordinal) || t.Contains(": error ", StringComparison.Ordinal))
                        stdout.WriteLine("  " + t);
                });
                built = true;
                var published = run.Lines.Any(l => l.Contains("TmsBridge:", StringComparison.Ordinal) && l.Contains("created", StringComparison.Ordinal));
                if (!published)
                {
                    failures++;
                    stderr.WriteLine($"  {sample} → {target.DisplayName}: nothing was published (dotnet test exit code {run.ExitCode}). Last lines:");
                    foreach (var l in run.Lines.TakeLast(15)) stderr.WriteLine("    " + l);
                }
                else
                {
                    stdout.WriteLine($"  (dotnet test exit code {run.ExitCode}: the sample fails one test on purpose; reporting never changes it)");
                }
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("== What the sandbox received ==");
        await PrintStateAsync(sandbox.BaseAddress, targets, stdout);
        stdout.WriteLine();
        stdout.WriteLine($"Sandbox page: {sandbox.BaseAddress}   state JSON: {sandbox.BaseAddress}_sandbox/state");
        if (a.Flags.Contains("keep"))
        {
            stdout.WriteLine("--keep: the sandbox stays up; press Ctrl+C to stop it.");
            await SandboxCommand.WaitForCtrlC();
        }
        return failures == 0 ? 0 : 1;
    }

    private static async Task PrintStateAsync(Uri sandbox, IEnumerable<DemoTarget> targets, TextWriter stdout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(sandbox, "_sandbox/state")));
        foreach (var target in targets)
        {
            if (!doc.RootElement.TryGetProperty(target.StateSection, out var section)) continue;
            if (section.TryGetProperty("testCases", out _))
            {
                // qTest: the cycles the demo created, each case's last log.
                foreach (var cycle in section.GetProperty("cycles").EnumerateArray().Where(c => c.GetProperty("created").GetBoolean()))
                {
                    stdout.WriteLine($"{target.DisplayName}  {cycle.GetProperty("pid").GetString()}  {cycle.GetProperty("name").GetString()}");
                    foreach (var run in cycle.GetProperty("runs").EnumerateArray().OrderBy(r => KeyNumber(r.GetProperty("testCase").GetString())))
                    {
                        var log = run.GetProperty("logs").EnumerateArray().Last();
                        stdout.WriteLine($"    {run.GetProperty("testCase").GetString(),-11} {log.GetProperty("status").GetString(),-8} attachments={log.GetProperty("attachments").GetArrayLength()}");
                    }
                }
            }
            else if (section.TryGetProperty("executions", out var executions))
            {
                foreach (var exec in executions.EnumerateArray())
                {
                    stdout.WriteLine($"{target.DisplayName}  {exec.GetProperty("key").GetString()}  {exec.GetProperty("summary").GetString()}");
                    if (exec.TryGetProperty("testCaseExecutions", out var tces))
                    {
                        // RTM: one Test Case Execution per key.
                        foreach (var t in tces.EnumerateArray().OrderBy(t => KeyNumber(t.GetProperty("testCaseKey").GetString())))
                        {
                            var result = t.GetProperty("result").ValueKind == JsonValueKind.String ? t.GetProperty("result").GetString() : "not run";
                            var defects = string.Join(",", t.GetProperty("defects").EnumerateArray().Select(x => x.GetString()));
                            stdout.WriteLine($"    {t.GetProperty("testCaseKey").GetString(),-11} {result,-8} comments={t.GetProperty("comments").GetArrayLength()} evidence={t.GetProperty("attachments").GetArrayLength()}{(defects.Length > 0 ? " defects=" + defects : "")}");
                        }
                        continue;
                    }
                    // Sorted by key number (DEMO-2 before DEMO-10) so runs of different frameworks read alike.
                    foreach (var t in exec.GetProperty("tests").EnumerateArray().OrderBy(t => KeyNumber(t.GetProperty("testKey").GetString())))
                    {
                        var iterations = t.TryGetProperty("iterations", out var it) ? it.GetArrayLength() : 0;
                        var evidence = t.TryGetProperty("evidence", out var ev) ? ev.GetArrayLength() : 0;
                        var defects = t.TryGetProperty("defects", out var d) && d.ValueKind == JsonValueKind.Array ? string.Join(",", d.EnumerateArray().Select(x => x.GetString())) : "";
                        stdout.WriteLine($"    {t.GetProperty("testKey").GetString(),-11} {t.GetProperty("status").GetString(),-8} iterations={iterations} evidence={evidence}{(defects.Length > 0 ? " defects=" + defects : "")}");
                    }
                }
            }
            else if (section.TryGetProperty("cycles", out var cycles))
            {
                foreach (var cycle in cycles.EnumerateArray())
                {
                    // AIO cycles have a title and runs; QMetry cycles a summary and executions.
                    var title = cycle.TryGetProperty("title", out var ti) ? ti.GetString() : cycle.GetProperty("summary").GetString();
                    stdout.WriteLine($"{target.DisplayName}  {cycle.GetProperty("key").GetString()}  {title}");
                    var runs = cycle.TryGetProperty("runs", out var r0) ? r0 : cycle.GetProperty("executions");
                    foreach (var run in runs.EnumerateArray().OrderBy(r => KeyNumber(r.GetProperty("testCaseKey").GetString())))
                    {
                        var attachments = run.TryGetProperty("attachments", out var at) ? at.GetArrayLength() : 0;
                        stdout.WriteLine($"    {run.GetProperty("testCaseKey").GetString(),-11} {run.GetProperty("status").GetString(),-8} attachments={attachments}");
                    }
                }
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
