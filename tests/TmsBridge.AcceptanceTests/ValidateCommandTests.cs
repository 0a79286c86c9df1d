using System.Text.Json;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 15 item 4: `tmsbridge validate` and `tmsbridge statuses`, run as the installed tool runs
/// (its own process, options from TMS_* and --options), against the sandbox for every target: a good
/// configuration passes, a bad secret fails naming the credentials, an unknown key fails naming the
/// key where the TMS can look keys up (AIO through its case search, RTM Cloud one GET a key), and the
/// sandbox's state is byte-for-byte the same afterwards.
/// </summary>
public sealed class ValidateCommandTests(SampleRuns samples) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tmsbridge-acceptance-validate", Guid.NewGuid().ToString("N").Substring(0, 8));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static TheoryData<string> AllTargets => new(DemoCommand.Targets.Select(t => t.Name));

    /// <summary>Targets whose API lets TmsBridge look keys up (the others say so in a skipped line).</summary>
    private static readonly string[] LooksUpKeys = ["xray", "xray-cloud", "qtest", "rtm", "aio", "aio-cloud", "rtm-cloud", "qmetry-cloud"];

    /// <summary>A key of the sandbox's seed in the target's shape, and one that does not exist.</summary>
    private static (string Known, string Unknown) KeysOf(string target) => target switch
    {
        "qtest" => ("TC-1", "TC-99999"),
        "aio" or "aio-cloud" or "qmetry" or "qmetry-cloud" => ("DEMO-TC-1", "DEMO-TC-9999"),
        _ => ("DEMO-1", "DEMO-999"),
    };

    /// <summary>The secret the target's sandbox account uses, to break it.</summary>
    private static string SecretVariable(IReadOnlyDictionary<string, string?> environment) =>
        new[] { "TMS_API_KEY", "TMS_CLIENT_SECRET", "TMS_TOKEN", "TMS_PASSWORD" }.First(environment.ContainsKey);

    private string Journal(params string[] keys)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N").Substring(0, 8) + ".journal.jsonl");
        File.WriteAllLines(path,
        [
            JsonSerializer.Serialize(new { type = "run", formatVersion = 1, runId = "20260101T000000Z-0000beef", runner = "vstest", sources = new[] { "Checked.Tests.dll" } }),
            .. keys.Select((k, i) => JsonSerializer.Serialize(new { type = "result", result = new { sequence = i + 1, fullyQualifiedName = $"Ns.Checks.Test{i + 1}", displayName = $"Test{i + 1}", outcome = "Passed", testCaseKeys = new[] { k } } })),
        ]);
        return path;
    }

    /// <summary>
    /// The sandbox's state without its accounting of the requests it received (the log, the counts and
    /// the rate-limit windows every request uses up): everything a TMS stores.
    /// </summary>
    private static async Task<string> TmsDataAsync(Uri sandbox)
    {
        using var state = await ReadAsync(sandbox);
        var data = System.Text.Json.Nodes.JsonNode.Parse(state.RootElement.GetRawText())!.AsObject();
        data.Remove("requests");
        data.Remove("requestCounts");
        data.Remove("limits");
        return data.ToJsonString();
    }

    /// <summary>What the probe sent, from the sandbox's request log: GETs, and POSTs only to sign-in and search endpoints.</summary>
    private static async Task AssertOnlyReadsAsync(Uri sandbox)
    {
        using var state = await ReadAsync(sandbox);
        var requests = state.RootElement.GetProperty("requests").EnumerateArray().Select(r => (Method: r.GetProperty("method").GetString()!, Path: r.GetProperty("path").GetString()!)).ToList();
        Assert.NotEmpty(requests);
        foreach (var (method, path) in requests)
            Assert.True(method == "GET" || method == "POST" && (path.EndsWith("/authenticate", StringComparison.Ordinal) || path.EndsWith("/graphql", StringComparison.Ordinal) || path.EndsWith("/search", StringComparison.Ordinal) || path == "/oauth/token"),
                $"validate sent {method} {path}");
    }

    /// <summary>The tmsbridge built beside this test project, as its own process, in a folder with no tmsbridge.json above it.</summary>
    private Task<ProcessResult> Tool(string[] arguments, IReadOnlyDictionary<string, string?> environment)
    {
        Directory.CreateDirectory(_folder);
        return DotnetProcess.RunAsync([Path.Combine(AppContext.BaseDirectory, "tmsbridge.dll"), .. arguments], _folder, environment, timeout: TimeSpan.FromMinutes(2));
    }

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task A_good_configuration_passes_and_writes_nothing(string target)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = DemoCommand.Targets.Single(t => t.Name == target).Environment(sandbox.BaseAddress);
        var before = await TmsDataAsync(sandbox.BaseAddress);

        var run = await Tool(["validate", Journal(KeysOf(target).Known)], environment);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(run.Lines, l => l.StartsWith("ok      credentials:", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("ok      reachability:", StringComparison.Ordinal));
        if (LooksUpKeys.Contains(target)) Assert.Contains(run.Lines, l => l.StartsWith("ok      keys: 1 key exists", StringComparison.Ordinal));
        else Assert.Contains(run.Lines, l => l.StartsWith("skipped keys: not looked up", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.Contains("nothing was written", StringComparison.Ordinal));
        Assert.Equal(before, await TmsDataAsync(sandbox.BaseAddress));
        await AssertOnlyReadsAsync(sandbox.BaseAddress);
        foreach (var secret in environment.Where(e => e.Key is "TMS_PASSWORD" or "TMS_TOKEN" or "TMS_CLIENT_SECRET" or "TMS_API_KEY" or "TMS_QMETRY_OPEN_API_KEY"))
            Assert.DoesNotContain(secret.Value!, run.Output);
    }

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task A_bad_secret_fails_naming_the_credentials(string target)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = DemoCommand.Targets.Single(t => t.Name == target).Environment(sandbox.BaseAddress);
        var variable = SecretVariable(environment);
        environment[variable] = "wrong-secret-4711";

        var run = await Tool(["validate", Journal(KeysOf(target).Known)], environment);

        Assert.True(run.ExitCode == 1, run.Output);
        var line = Assert.Single(run.Lines, l => l.StartsWith("failed  credentials:", StringComparison.Ordinal));
        Assert.Contains(variable, line);
        Assert.DoesNotContain("wrong-secret-4711", run.Output);
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("ok      keys", StringComparison.Ordinal)); // nothing is looked up without credentials
    }

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task An_unknown_key_fails_naming_the_key_where_the_TMS_can_look_it_up(string target)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = DemoCommand.Targets.Single(t => t.Name == target).Environment(sandbox.BaseAddress);
        var (known, unknown) = KeysOf(target);
        var before = await TmsDataAsync(sandbox.BaseAddress);

        var run = await Tool(["validate", Journal(known, unknown)], environment);

        if (LooksUpKeys.Contains(target))
        {
            Assert.True(run.ExitCode == 1, run.Output);
            var line = Assert.Single(run.Lines, l => l.StartsWith("failed  keys:", StringComparison.Ordinal));
            Assert.Contains($"key {unknown} (test Ns.Checks.Test2 in ", line);
            Assert.DoesNotContain(known + " ", line);
        }
        else
        {
            // QMetry Server/DC: the import API has no key lookup and no Open API key is taken there; the line says so, the verdict stands.
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains(run.Lines, l => l.StartsWith("skipped keys: not looked up", StringComparison.Ordinal));
        }
        Assert.Equal(before, await TmsDataAsync(sandbox.BaseAddress));
        await AssertOnlyReadsAsync(sandbox.BaseAddress);
    }

    [Fact]
    public async Task Options_name_what_is_wrong_project_test_plan_status_map_and_a_key_of_the_wrong_shape()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var xray = DemoCommand.Targets.Single(t => t.Name == "xray").Environment(sandbox.BaseAddress);
        var run = await Tool(["validate", Journal("DEMO-1", "demo_9"), "--project", "NOPE", "--test-plan", "DEMO-9998"], xray);
        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Contains(run.Lines, l => l.StartsWith("failed  project: project 'NOPE' does not exist", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("failed  testPlan: testPlan 'DEMO-9998' does not exist", StringComparison.Ordinal) && l.Contains("TMS_TEST_PLAN", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("failed  keys: 'DEMO_9' (test Ns.Checks.Test2", StringComparison.Ordinal));

        // AIO lists its run statuses: a mapped status the project lacks is named with the valid ones.
        var aio = DemoCommand.Targets.Single(t => t.Name == "aio-cloud").Environment(sandbox.BaseAddress);
        var statuses = await Tool(["validate", "--status-map", "Passed=Pass", "--test-execution", "DEMO-CY-99"], aio);
        Assert.True(statuses.ExitCode == 1, statuses.Output);
        Assert.Contains(statuses.Lines, l => l.StartsWith("failed  statuses: the run status 'Pass' (for Passed) is not among project DEMO's run statuses: 'Not Run', 'In Progress', 'Passed'", StringComparison.Ordinal));
        Assert.Contains(statuses.Lines, l => l.StartsWith("failed  testExecution: cycle 'DEMO-CY-99' does not exist", StringComparison.Ordinal));

        // A misspelt option is a failed configuration check; nothing is sent at all.
        var typo = await Tool(["validate", "--projet", "DEMO"], xray);
        Assert.True(typo.ExitCode == 1, typo.Output);
        Assert.Contains(typo.Lines, l => l.StartsWith("failed  configuration:", StringComparison.Ordinal) && l.Contains("projet", StringComparison.Ordinal));
        Assert.DoesNotContain(typo.Lines, l => l.Contains("reachability", StringComparison.Ordinal));

        var usage = await Tool(["validate", Path.Combine(_folder, "missing.journal.jsonl")], xray);
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains(usage.Lines, l => l.Contains("missing.journal.jsonl' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keys_are_read_from_a_built_test_assembly_without_running_it()
    {
        await samples.EnsureBuiltAsync("NUnitSample");
        var assembly = Directory.GetFiles(samples.WorkFolder, "NUnitSample.dll", SearchOption.AllDirectories).First(p => p.Contains(Path.Combine("bin", "NUnitSample"), StringComparison.Ordinal));
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await Tool(["validate", assembly], DemoCommand.Targets.Single(t => t.Name == "xray").Environment(sandbox.BaseAddress));

        // DEMO-1..DEMO-6 on methods, DEMO-7 on a class; DEMO-TC-n and 100n are other targets' keys; demo_9 is malformed on purpose.
        Assert.True(run.ExitCode == 1, run.Output);
        Assert.True(run.Lines.Any(l => l.StartsWith("ok      keys: 7 keys exist in Jira.", StringComparison.Ordinal)), run.Output);
        Assert.True(run.Lines.Any(l => l.StartsWith("skipped keys: 14 keys have another target's shape", StringComparison.Ordinal)), run.Output);
        Assert.True(run.Lines.Any(l => l.StartsWith("failed  keys: 'DEMO_9' (test NUnitSample.", StringComparison.Ordinal) && l.Contains(assembly, StringComparison.Ordinal)), run.Output);
    }

    [Fact]
    public async Task A_dead_server_fails_reachability()
    {
        var xray = DemoCommand.Targets.Single(t => t.Name == "xray").Environment(SampleRuns.DeadLoopbackUrl());
        var run = await Tool(["validate"], xray);
        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Contains(run.Lines, l => l.StartsWith("failed  reachability: Xray Server/DC could not be reached at http://127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Statuses_come_from_the_project_where_the_API_lists_them_else_the_defaults_said_so()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var aio = await Tool(["statuses"], DemoCommand.Targets.Single(t => t.Name == "aio-cloud").Environment(sandbox.BaseAddress));
        Assert.True(aio.ExitCode == 0, aio.Output);
        Assert.Equal("AIO Tests Cloud: the run statuses of project DEMO (read from the project):", aio.Lines[0]);
        Assert.Contains("  In Progress", aio.Lines);
        Assert.Contains(aio.Lines, l => l.StartsWith("statusMap in force: Passed=Passed;Failed=Failed;Skipped=Not Run", StringComparison.Ordinal));

        // Xray lists none TmsBridge reads: the defaults, with no connection options needed at all.
        var xray = await Tool(["statuses", "--target", "xray-cloud"], new Dictionary<string, string?>());
        Assert.True(xray.ExitCode == 0, xray.Output);
        Assert.StartsWith("Xray Cloud: the API TmsBridge uses does not list statuses; these are the built-in defaults", xray.Lines[0]);
        Assert.Equal(["  PASSED", "  FAILED", "  TODO"], xray.Lines.Skip(1).Take(3));

        // With nothing to read, a bad option is still named, not passed over with the defaults shown as in force.
        var misspelt = await Tool(["statuses", "--target", "xray-cloud", "--status-mapp", "Failed=BROKEN"], new Dictionary<string, string?>());
        Assert.True(misspelt.ExitCode == 1, misspelt.Output);
        Assert.Contains(misspelt.Lines, l => l.StartsWith("tmsbridge: failed  configuration:", StringComparison.Ordinal) && l.Contains("unknown option 'statusMapp'", StringComparison.Ordinal));
        Assert.DoesNotContain(misspelt.Lines, l => l.StartsWith("statusMap in force", StringComparison.Ordinal));

        var bad = DemoCommand.Targets.Single(t => t.Name == "aio").Environment(sandbox.BaseAddress);
        bad["TMS_PASSWORD"] = "wrong-secret-4711";
        var refused = await Tool(["statuses"], bad);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(refused.Lines, l => l.Contains("failed  credentials:", StringComparison.Ordinal));

        var none = await Tool(["statuses"], new Dictionary<string, string?>());
        Assert.Equal(2, none.ExitCode);
        Assert.Contains(none.Lines, l => l.Contains("statuses needs a target", StringComparison.Ordinal));
    }
}
