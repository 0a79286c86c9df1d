using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 15 items 2 and 3: shard journals published as one execution by `tmsbridge publish &lt;folder&gt;`,
/// and a publish killed mid-request (the real `tmsbridge` process, killed with its process tree while the
/// sandbox holds a later request) that, run again, sends the rest exactly once: one execution, each key's
/// result once, the evidence that was pending present. Journals are crafted as a logger writes them
/// (header, results, evidence copies); everything else is real: process, loopback HTTP, sandbox.
/// </summary>
public sealed class ReplayAcceptanceTests(SampleRuns samples) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tmsbridge-acceptance-replay", Guid.NewGuid().ToString("N").Substring(0, 8));
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed record Crafted(string Fqn, string Key, string Outcome = "Passed", string? Row = null, int Minute = 0, int Files = 0, int FileBytes = 64);

    /// <summary>A run folder &lt;name&gt;/tms with one journal (and its evidence copies), as the logger leaves it with publishMode=deferred.</summary>
    private (string Journal, Dictionary<string, List<(string Name, string Sha256)>> Files) CraftRun(string name, string runId, params Crafted[] results)
    {
        var tms = Path.Combine(_folder, name, "tms");
        var evidence = Path.Combine(tms, runId + ".evidence");
        Directory.CreateDirectory(evidence);
        var files = new Dictionary<string, List<(string, string)>>();
        var lines = new List<string>
        {
            JsonSerializer.Serialize(new { type = "run", formatVersion = 1, runId, startedAt = T0, runner = "vstest", targetFramework = "net10.0", sources = new[] { "My.Tests.dll" }, options = new { publishMode = "deferred" } }),
        };
        var sequence = 0;
        foreach (var r in results)
        {
            sequence++;
            var attachments = new List<object>();
            for (var f = 1; f <= r.Files; f++)
            {
                var fileName = $"{r.Key}-{sequence}-{f}.bin";
                var bytes = RandomNumberGenerator.GetBytes(r.FileBytes);
                var copy = $"{sequence:D5}-{fileName}";
                File.WriteAllBytes(Path.Combine(evidence, copy), bytes);
                attachments.Add(new { path = $"{runId}.evidence/{copy}", fileName, contentType = "application/octet-stream", size = bytes.Length });
                if (!files.TryGetValue(r.Key, out var list)) files[r.Key] = list = [];
                list.Add((fileName, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant()));
            }
            var display = r.Row is null ? r.Fqn : $"{r.Fqn}(user: \"{r.Row}\")";
            lines.Add(JsonSerializer.Serialize(new
            {
                type = "result",
                result = new
                {
                    sequence,
                    fullyQualifiedName = r.Fqn,
                    displayName = display,
                    parameters = r.Row is null ? [] : new[] { new { name = "user", value = r.Row } },
                    source = "My.Tests.dll", // shards run the same assembly
                    outcome = r.Outcome,
                    startTime = T0.AddMinutes(r.Minute),
                    endTime = T0.AddMinutes(r.Minute).AddSeconds(1),
                    testCaseKeys = new[] { r.Key },
                    attachments,
                },
            }));
        }
        lines.Add(JsonSerializer.Serialize(new { type = "end", finishedAt = T0.AddMinutes(30), aborted = false, results = results.Length }));
        var journal = Path.Combine(tms, runId + ".journal.jsonl");
        File.WriteAllLines(journal, lines);
        return (journal, files);
    }

    private static readonly Dictionary<string, string?> XrayCredentials = new() { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" };
    private static readonly Dictionary<string, string?> AioCredentials = new() { ["TMS_TOKEN"] = "sandbox-aio-token" };

    [Fact]
    public async Task A_deferred_dotnet_test_sends_nothing_and_the_printed_command_publishes_its_folder()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, Ct);
        var environment = new Dictionary<string, string?>(XrayCredentials) { ["TMS_TARGET"] = "xray", ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(), ["TMS_PUBLISH_MODE"] = "deferred" };

        var run = await samples.RunAsync("NUnitSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using (var before = await ReadAsync(sandbox.BaseAddress))
            Assert.Empty(before.RootElement.GetProperty("requests").EnumerateArray());
        var line = Assert.Single(run.TmsLines, l => l.Contains("publishMode=deferred", StringComparison.Ordinal));
        Assert.EndsWith($"Publish later with: tmsbridge publish \"{run.RunFolder}\"", line);
        Assert.Empty(Directory.GetFiles(run.RunFolder, "*.report.json"));

        // The printed command, as the publishing step runs it (credentials in its own environment).
        var publish = await RunCliProcessAsync([run.RunFolder], XrayCredentials, TimeSpan.FromMinutes(3));

        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(7, execution.GetProperty("tests").GetArrayLength());
        Assert.Equal(3, Test(execution, "DEMO-2").GetProperty("iterations").GetArrayLength());
    }

    [Fact]
    public async Task A_folder_without_journals_or_a_missing_path_is_a_usage_error_naming_it()
    {
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);
        foreach (var (argument, expected) in new[] { (empty, $"folder '{empty}' holds no run journal (*.journal.jsonl)."), (Path.Combine(_folder, "nope"), $"journal '{Path.Combine(_folder, "nope")}' does not exist.") })
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await CliApp.RunAsync(["publish", argument, "--target", "none"], stdout, stderr);
            Assert.Equal(2, code);
            Assert.Contains("tmsbridge: " + expected, stderr.ToString());
        }
    }

    [Fact]
    public async Task Three_shard_journals_publish_as_one_execution_rows_as_iterations_and_a_retry_once()
    {
        CraftRun("shard1", "20261129T080000Z-00000001",
            new Crafted("Ns.Login.Valid", "DEMO-1"),
            new Crafted("Ns.Login.Locked", "DEMO-2", Row: "bob"),
            new Crafted("Ns.Flaky.Sometimes", "DEMO-3", "Failed", Minute: 1));
        CraftRun("shard2", "20261129T080000Z-00000002",
            new Crafted("Ns.Login.Locked", "DEMO-2", "Failed", Row: "eve"),
            new Crafted("Ns.Cart.Add", "DEMO-4"));
        // Shard 3 is shard 1's job run again for its flaky test: the later attempt passed.
        CraftRun("shard3", "20261129T080000Z-00000003",
            new Crafted("Ns.Flaky.Sometimes", "DEMO-3", "Passed", Minute: 9),
            new Crafted("Ns.Cart.Remove", "DEMO-5"));
        await using var sandbox = await SandboxServer.StartAsync(null, Ct);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RunPublishInProcessAsync([_folder, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"], XrayCredentials, stdout, stderr);

        Assert.True(code == 0, stdout + "\n" + stderr);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-5"], execution.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("testKey").GetString()).Order());
        // The key two shards ran (one data row each): one Test Run, both rows as iterations, the worst status.
        var locked = Test(execution, "DEMO-2");
        Assert.Equal("FAIL", locked.GetProperty("status").GetString());
        Assert.Equal(2, locked.GetProperty("iterations").GetArrayLength());
        // The retried test counts once, with its last attempt (attempts=last).
        var flaky = Test(execution, "DEMO-3");
        Assert.Equal("PASS", flaky.GetProperty("status").GetString());
        Assert.Equal(0, flaky.GetProperty("iterations").GetArrayLength());

        // attempts=worst over the same journals (--all sends them again, into a new execution): the failed attempt counts.
        code = await RunPublishInProcessAsync([_folder, "--all", "--attempts", "worst", "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"], XrayCredentials, stdout, stderr);
        Assert.True(code == 0, stdout + "\n" + stderr);
        using var after = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal("FAIL", Test(Executions(after).Single(e => e.GetProperty("key").GetString() != execution.GetProperty("key").GetString()), "DEMO-3").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Xray_Server_publish_killed_during_a_later_import_sends_the_rest_exactly_once_when_run_again()
    {
        // Six keys, one evidence file each, and a request budget that makes each key its own import.
        var (journal, files) = CraftRun("run", "20261129T080000Z-0000aaaa",
            [.. Enumerable.Range(1, 6).Select(i => new Crafted($"Ns.C.T{i}", $"DEMO-{i}", Files: 1, FileBytes: 6000))]);
        await using var sandbox = await SandboxServer.StartAsync(null, Ct);
        const string import = "/rest/raven/2.0/import/execution";
        // The first two imports go through; the third is held by the sandbox while the process is killed.
        await AddFaultsAsync(sandbox.BaseAddress, $$"""
            [{"method":"POST","path":"{{import}}","count":2,"action":"delay","delayMs":0},
             {"method":"POST","path":"{{import}}","count":1,"action":"delay","delayMs":600000}]
            """);
        string[] arguments = [journal, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO", "--max-request-bytes", "12KB"];

        var killed = await RunUntilHeldThenKillAsync(arguments, XrayCredentials, sandbox.BaseAddress);

        // The journal says where the first two went, and that the attempt never finished.
        var content = Journal.JournalReader.Read(journal);
        var attempt = content.Attempts.Where(a => a.ExecutionKey is not null).Select(a => a.ExecutionKey).Distinct().Single();
        Assert.DoesNotContain(content.Attempts, a => a.State == Journal.PublishAttemptStates.Finished);
        Assert.Equal(["DEMO-1", "DEMO-2"], content.PublishMarks.Where(m => m.State == "sent").Select(m => m.Key).Order());

        var again = await RunCliProcessAsync(arguments, XrayCredentials, TimeSpan.FromMinutes(3));

        Assert.True(again.ExitCode == 0, killed + "\n---\n" + again.Output);
        Assert.Contains(again.Lines, l => l.Contains($"reporting into {attempt}", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(attempt, execution.GetProperty("key").GetString());
        for (var i = 1; i <= 6; i++)
        {
            var evidence = Test(execution, $"DEMO-{i}").GetProperty("evidence").EnumerateArray().ToList();
            Assert.Equal(files[$"DEMO-{i}"].Select(f => f.Sha256), evidence.Select(e => e.GetProperty("sha256").GetString()));
        }
        // Exactly once: six imports were answered (one per key), and the held one was never processed.
        var imports = state.RootElement.GetProperty("requests").EnumerateArray().Where(r => r.GetProperty("method").GetString() == "POST" && r.GetProperty("path").GetString() == import).ToList();
        Assert.Equal(6, imports.Count(r => r.GetProperty("response").ValueKind == JsonValueKind.Number && r.GetProperty("response").GetInt32() == 200));
        Assert.Equal(7, imports.Count);
        Assert.DoesNotContain(Journal.JournalReader.Read(journal).PublishMarks.GroupBy(m => m.Key).Select(g => g.Last()), m => m.State != "sent");
    }

    [Fact]
    public async Task Aio_Cloud_publish_killed_during_an_evidence_upload_sends_only_the_pending_evidence_when_run_again()
    {
        // Three cases, two files each: their runs go in one bulk, then one upload per file.
        var (journal, files) = CraftRun("run", "20261129T080000Z-0000bbbb",
            [.. Enumerable.Range(1, 3).Select(i => new Crafted($"Ns.C.T{i}", $"DEMO-TC-{i}", i == 2 ? "Failed" : "Passed", Files: 2))]);
        await using var sandbox = await SandboxServer.StartAsync(null, Ct);
        // POSTs under testcycle/: the cycle create, the bulk, uploads 1 and 2 go through; upload 3 is held.
        await AddFaultsAsync(sandbox.BaseAddress, """
            [{"method":"POST","path":"/aio-tcms/api/v1/project/DEMO/testcycle/*","count":4,"action":"delay","delayMs":0},
             {"method":"POST","path":"/aio-tcms/api/v1/project/DEMO/testcycle/*","count":1,"action":"delay","delayMs":600000}]
            """);
        string[] arguments = [journal, "--target", "aio-cloud", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"];

        var killed = await RunUntilHeldThenKillAsync(arguments, AioCredentials, sandbox.BaseAddress);

        // Honest journal: DEMO-TC-1's two files went (sent); the others' runs went, not all their evidence.
        var content = Journal.JournalReader.Read(journal);
        var latest = content.PublishMarks.Where(m => m.State != "evidenceSent").GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Last().State);
        Assert.Equal("sent", latest["DEMO-TC-1"]);
        Assert.Equal("evidencePending", latest["DEMO-TC-2"]);
        Assert.Equal("evidencePending", latest["DEMO-TC-3"]);
        Assert.Equal(2, content.PublishMarks.Count(m => m.State == "evidenceSent"));

        var again = await RunCliProcessAsync(arguments, AioCredentials, TimeSpan.FromMinutes(3));

        Assert.True(again.ExitCode == 0, killed + "\n---\n" + again.Output);
        Assert.Contains(again.Lines, l => l.Contains("2 key(s) were sent without all their evidence (evidencePending)", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(state.RootElement.GetProperty("aio").GetProperty("cycles").EnumerateArray(), c => c.GetProperty("created").GetBoolean());
        var runs = cycle.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3"], runs.Select(r => r.GetProperty("testCaseKey").GetString()).Order()); // one run per case
        foreach (var run in runs)
        {
            var key = run.GetProperty("testCaseKey").GetString()!;
            var attached = run.GetProperty("attachments").EnumerateArray().Select(a => (a.GetProperty("filename").GetString()!, a.GetProperty("sha256").GetString()!)).Order().ToList();
            Assert.Equal(files[key].Order(), attached); // every file, each once
        }
        Assert.Equal("Failed", runs.Single(r => r.GetProperty("testCaseKey").GetString() == "DEMO-TC-2").GetProperty("status").GetString());
        // The replay sent no run again: one bulk in all.
        Assert.Single(state.RootElement.GetProperty("requests").EnumerateArray(), r => r.GetProperty("path").GetString()!.EndsWith("/bulk/testrun/update", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rtm_Server_publish_killed_during_an_evidence_upload_writes_no_result_twice_when_run_again()
    {
        // Three test cases, two files each; one key at a time, so the held upload is the first of DEMO-2.
        var (journal, files) = CraftRun("run", "20261129T080000Z-0000dddd",
            [.. Enumerable.Range(1, 3).Select(i => new Crafted($"Ns.C.T{i}", $"DEMO-{i}", i == 2 ? "Failed" : "Passed", Files: 2))]);
        await using var sandbox = await SandboxServer.StartAsync(null, Ct);
        await AddFaultsAsync(sandbox.BaseAddress, """
            [{"method":"POST","path":"/rest/rtm/1.0/api/v2/test-case-execution/*","count":2,"action":"delay","delayMs":0},
             {"method":"POST","path":"/rest/rtm/1.0/api/v2/test-case-execution/*","count":1,"action":"delay","delayMs":600000}]
            """);
        string[] arguments = [journal, "--target", "rtm", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO", "--test-plan", "DEMO-300", "--parallelism", "1"];

        var killed = await RunUntilHeldThenKillAsync(arguments, XrayCredentials, sandbox.BaseAddress);

        var content = Journal.JournalReader.Read(journal);
        var latest = content.PublishMarks.Where(m => m.State != "evidenceSent").GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Last().State);
        Assert.Equal("sent", latest["DEMO-1"]);
        Assert.Equal("evidencePending", latest["DEMO-2"]);
        Assert.False(latest.ContainsKey("DEMO-3"));

        var again = await RunCliProcessAsync(arguments, XrayCredentials, TimeSpan.FromMinutes(3));

        Assert.True(again.ExitCode == 0, killed + "\n---\n" + again.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(state.RootElement.GetProperty("rtm").GetProperty("executions").EnumerateArray());
        var tces = execution.GetProperty("testCaseExecutions").EnumerateArray().ToDictionary(t => t.GetProperty("testCaseKey").GetString()!);
        for (var i = 1; i <= 3; i++)
        {
            var tce = tces[$"DEMO-{i}"];
            Assert.Equal(1, tce.GetProperty("resultWrites").GetInt32()); // the result once, also for the key whose evidence was pending
            Assert.True(tce.GetProperty("comments").GetArrayLength() <= 1);
            var attached = tce.GetProperty("attachments").EnumerateArray().Select(a => (a.GetProperty("filename").GetString()!, a.GetProperty("sha256").GetString()!)).Order().ToList();
            Assert.Equal(files[$"DEMO-{i}"].Order(), attached);
        }
    }

    [Theory]
    [InlineData("xray")]
    [InlineData("aio-cloud")]
    public async Task A_publish_killed_after_its_create_went_finds_that_execution_by_its_marker_when_run_again(string target)
    {
        var xray = target == "xray";
        var (journal, _) = CraftRun("run", "20261129T080000Z-0000cccc",
            new Crafted("Ns.C.T1", xray ? "DEMO-1" : "DEMO-TC-1"), new Crafted("Ns.C.T2", xray ? "DEMO-2" : "DEMO-TC-2", "Failed"));
        await using var sandbox = await SandboxServer.StartAsync(null, Ct);
        // The create is processed but its answer lost; the lookup that follows is held while the process is killed:
        // the journal knows the attempt's marker, not its execution.
        var (create, lookup) = xray
            ? ("""{"method":"POST","path":"/rest/raven/2.0/import/execution","count":1,"action":"loseResponse"}""", """{"method":"GET","path":"/rest/api/2/search","count":1,"action":"delay","delayMs":600000}""")
            : ("""{"method":"POST","path":"/aio-tcms/api/v1/project/DEMO/testcycle/detail","count":1,"action":"loseResponse"}""", """{"method":"POST","path":"/aio-tcms/api/v1/project/DEMO/testcycle/search","count":1,"action":"delay","delayMs":600000}""");
        await AddFaultsAsync(sandbox.BaseAddress, $"[{create},{lookup}]");
        string[] arguments = [journal, "--target", target, "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"];

        var killed = await RunUntilHeldThenKillAsync(arguments, xray ? XrayCredentials : AioCredentials, sandbox.BaseAddress);

        var content = Journal.JournalReader.Read(journal);
        var started = Assert.Single(content.Attempts);
        Assert.Equal((Journal.PublishAttemptStates.Started, (string?)null), (started.State, started.ExecutionKey));
        Assert.StartsWith("publish-", started.MarkerId);

        var again = await RunCliProcessAsync(arguments, xray ? XrayCredentials : AioCredentials, TimeSpan.FromMinutes(3));

        Assert.True(again.ExitCode == 0, killed + "\n---\n" + again.Output);
        Assert.Contains(again.Lines, l => l.Contains("looking it up by its marker before creating one", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        if (xray)
        {
            var execution = Assert.Single(Executions(state));
            Assert.Contains("TmsBridge run " + started.MarkerId, execution.GetProperty("description").GetString());
            Assert.Equal(2, execution.GetProperty("tests").GetArrayLength());
            Assert.Equal("FAIL", Test(execution, "DEMO-2").GetProperty("status").GetString());
        }
        else
        {
            var cycle = Assert.Single(state.RootElement.GetProperty("aio").GetProperty("cycles").EnumerateArray(), c => c.GetProperty("created").GetBoolean());
            Assert.Contains("TmsBridge run " + started.MarkerId, cycle.GetProperty("objective").GetString());
            Assert.Equal(["DEMO-TC-1", "DEMO-TC-2"], cycle.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("testCaseKey").GetString()).Order());
        }
        var attempts = Journal.JournalReader.Read(journal).Attempts;
        Assert.All(attempts, a => Assert.Equal(started.MarkerId, a.MarkerId)); // the replay kept the marker
        Assert.Contains(attempts, a => a.State == Journal.PublishAttemptStates.Finished && a.ExecutionKey is not null);
    }

    private static async Task<int> RunPublishInProcessAsync(string[] arguments, Dictionary<string, string?> environment, StringWriter stdout, StringWriter stderr)
    {
        // PublishCommand reads credentials from the process environment.
        foreach (var (k, v) in environment) Environment.SetEnvironmentVariable(k, v);
        try { return await PublishCommand.RunAsync(arguments, stdout, stderr); }
        finally { foreach (var k in environment.Keys) Environment.SetEnvironmentVariable(k, null); }
    }

    private static async Task AddFaultsAsync(Uri sandbox, string rules)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync(new Uri(sandbox, "_sandbox/faults"), new StringContent(rules, Encoding.UTF8, "application/json"), Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The `tmsbridge` built beside these tests, run with `dotnet` as a user's tool would be.</summary>
    private static ProcessStartInfo CliStart(string[] arguments, Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(DotnetProcess.DotnetPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tmsbridge.dll"));
        start.ArgumentList.Add("publish");
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("TMS_", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(key);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        return start;
    }

    private static async Task<ProcessResult> RunCliProcessAsync(string[] arguments, Dictionary<string, string?> environment, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = CliStart(arguments, environment) };
        var lines = Collect(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
            lock (lines) Assert.Fail("tmsbridge publish did not end in time:\n" + string.Join("\n", lines));
        }
        process.WaitForExit();
        lock (lines) return new ProcessResult(process.ExitCode, lines.ToList(), timedOut: false);
    }

    /// <summary>
    /// Starts `tmsbridge publish`, waits (bounded) until the sandbox holds the request the last fault rule
    /// delays (every rule used up: the sandbox drops used rules), then kills the process tree mid-request,
    /// like `kill -9`. Returns what it printed.
    /// </summary>
    private static async Task<string> RunUntilHeldThenKillAsync(string[] arguments, Dictionary<string, string?> environment, Uri sandbox)
    {
        using var process = new Process { StartInfo = CliStart(arguments, environment) };
        var lines = Collect(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var held = false;
        for (var i = 0; i < 600 && !held; i++) // at most a minute
        {
            await Task.Delay(100, Ct);
            Assert.False(process.HasExited, "tmsbridge publish ended before the held request:\n" + string.Join("\n", lines));
            using var faults = JsonDocument.Parse(await http.GetStringAsync(new Uri(sandbox, "_sandbox/faults"), Ct));
            held = faults.RootElement.GetProperty("rules").GetArrayLength() == 0;
        }
        Assert.True(held, "the sandbox never received the request to hold");
        await Task.Delay(300, Ct); // the held request is in the sandbox's delay now
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(Ct);
        lock (lines) return string.Join("\n", lines);
    }

    private static List<string> Collect(Process process)
    {
        var lines = new List<string>();
        void Add(string? line) { if (line is not null) lock (lines) lines.Add(line); }
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        return lines;
    }
}
