using System.Text.Json.Nodes;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 15 items 2 and 3 in Core: publishMode=deferred, attempts=last|worst, the publish-attempt
/// journal entries, and evidencePending (AIO: the run went, not all its evidence) with the
/// evidence-only replay that sends just the missing files.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    private readonly List<PublishMark> _marks = [];
    private readonly List<PublishAttempt> _attempts = [];
    public void Dispose() => _dir.Dispose();

    private const string Token = "aio-token-0123456789abcdef";
    private string RunFolder => _dir.Combine("TestResults/tms");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TmsOptions Resolve(params (string Name, string Value)[] values)
    {
        var layer = new ConfigurationLayer("test");
        foreach (var (name, value) in values) layer.Add(name, value);
        return ConfigurationResolver.Resolve([new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Token), layer]);
    }

    private static TmsOptions Cloud(FakeAio aio, params (string Name, string Value)[] extra) =>
        Resolve([("target", "aio-cloud"), ("baseUrl", aio.BaseUrl.ToString()), ("project", "DEMO"), ("timeout", "30"), .. extra]);

    private PublishRequest Request(TmsOptions options, IReadOnlyList<TestResultRecord> results)
    {
        var request = TestPublishRequests.Create(RunFolder, options, results, progress: m => { lock (_marks) _marks.Add(m); });
        request.Attempt = a => { lock (_attempts) _attempts.Add(a); };
        return request;
    }

    private List<TestResultRecord> WithEvidence(params TestResultRecord[] results)
    {
        foreach (var r in results)
        {
            var path = _dir.File($"TestResults/tms/run1.evidence/{r.Sequence:D5}-log-{r.Sequence}.txt", $"evidence of {r.Sequence}\n");
            r.Attachments = [new EvidenceFile { Path = path, FileName = $"log-{r.Sequence}.txt", ContentType = "text/plain", Size = new FileInfo(path).Length }];
        }
        return [.. results];
    }

    // ---- options ----

    [Theory]
    [InlineData("publishMode", "later", "atEnd (publish at the end of the test run) or deferred")]
    [InlineData("attempts", "best", "last (the latest attempt of a retried test counts) or worst")]
    public void A_bad_publishMode_or_attempts_is_an_error_naming_the_option_and_the_values(string name, string value, string expected)
    {
        var o = Resolve((name, value));
        var problem = Assert.Single(o.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Contains($"option '{name}' from test has the value '{value}'", problem.Message);
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void PublishMode_and_attempts_read_any_case_and_show_in_the_public_options()
    {
        var o = Resolve(("publishMode", "Deferred"), ("attempts", "WORST"));
        Assert.Empty(o.Problems);
        Assert.Equal(PublishModes.Deferred, o.PublishMode);
        Assert.Equal(AttemptPolicy.Worst, o.Attempts);
        Assert.Equal("deferred", o.ToPublicDictionary()["publishMode"]);
        Assert.Equal("worst", o.ToPublicDictionary()["attempts"]);
        Assert.Equal("atEnd", new TmsOptions().ToPublicDictionary()["publishMode"]);
        Assert.Equal("TMS_PUBLISH_MODE", OptionCatalog.PublishMode.EnvironmentVariable);
    }

    // ---- attempts ----

    private static TestResultRecord Attempt(string fqn, TestOutcome outcome, int minute, string key = "DEMO-1", string? tfm = "net8.0")
    {
        var r = Result(fqn, outcome, keys: [key]);
        r.EndTime = TestPublishRequests.T0.AddMinutes(minute);
        r.Source = "My.Tests.dll";
        r.TargetFramework = tfm;
        return r;
    }

    [Fact]
    public void A_retried_test_counts_once_its_last_attempt_by_default_and_its_worst_with_attempts_worst()
    {
        // Journal order is not time order: the shard that ran the retry may be read first.
        var results = new List<TestResultRecord> { Attempt("Ns.C.M", TestOutcome.Passed, 5), Attempt("Ns.C.M", TestOutcome.Failed, 1), Attempt("Ns.C.Other", TestOutcome.Passed, 2) };

        var last = Aggregator.Aggregate(results, KeyRule.JiraIssueKey);
        var k = Assert.Single(last.Keyed);
        Assert.Equal(2, k.Results.Count); // Ns.C.M once, Ns.C.Other
        Assert.Equal(TestOutcome.Passed, k.Outcome);
        Assert.Equal(1, last.SupersededAttempts);

        var worst = Aggregator.Aggregate(results, KeyRule.JiraIssueKey, attempts: AttemptPolicy.Worst);
        Assert.Equal(2, worst.Keyed.Single().Results.Count);
        Assert.Equal(TestOutcome.Failed, worst.Keyed.Single().Outcome);
    }

    [Fact]
    public void Data_rows_and_target_frameworks_are_results_of_their_own_not_attempts()
    {
        var results = new List<TestResultRecord>
        {
            Attempt("Ns.C.M", TestOutcome.Passed, 1).WithParameters(("user", "bob")),
            Attempt("Ns.C.M", TestOutcome.Failed, 2).WithParameters(("user", "eve")),
            Attempt("Ns.C.M", TestOutcome.Failed, 3, tfm: "net9.0").WithParameters(("user", "bob")),
        };
        results[1].DisplayName = "Ns.C.M(user: \"eve\")";
        results[0].DisplayName = results[2].DisplayName = "Ns.C.M(user: \"bob\")";
        var run = Aggregator.Aggregate(results, KeyRule.JiraIssueKey);
        Assert.Equal(3, run.Keyed.Single().Results.Count);
        Assert.Equal(0, run.SupersededAttempts);
    }

    [Fact]
    public void Results_of_one_test_with_other_keys_are_results_of_their_own_not_attempts()
    {
        // A key chosen at run time per data row (Tms.Key), where the rows share a display name.
        var results = new List<TestResultRecord> { Attempt("Ns.C.M", TestOutcome.Passed, 1, key: "DEMO-1"), Attempt("Ns.C.M", TestOutcome.Failed, 2, key: "DEMO-2") };
        var run = Aggregator.Aggregate(results, KeyRule.JiraIssueKey);
        Assert.Equal(["DEMO-1", "DEMO-2"], run.Keyed.Select(k => k.Key).Order());
        Assert.Equal(0, run.SupersededAttempts);
    }

    [Fact]
    public void An_attempt_is_the_same_test_file_and_keys_however_they_are_written()
    {
        // Compared field by field (issue 16): the same rules as the identity string it replaced.
        var a = Attempt("Ns.C.M", TestOutcome.Failed, 1);
        a.Source = "/agent/work/bin/My.Tests.dll"; // a journal written by an older version kept the path
        a.TestCaseKeys = ["demo-2 ", "DEMO-1"];
        var b = Attempt("Ns.C.M", TestOutcome.Passed, 2);
        b.TestCaseKeys = ["DEMO-1", "DEMO-2"];
        var other = Attempt("Ns.C.M", TestOutcome.Failed, 3);
        other.TestCaseKeys = ["DEMO-1", "DEMO-3"];
        var otherFile = Attempt("Ns.C.M", TestOutcome.Failed, 4);
        otherFile.Source = "Other.Tests.dll";
        otherFile.TestCaseKeys = ["DEMO-1", "DEMO-2"];

        var run = Aggregator.Aggregate([a, b, other, otherFile], KeyRule.JiraIssueKey);

        Assert.Equal(1, run.SupersededAttempts); // a and b are one test's attempts; b, the later, counts
        var demo2 = run.Keyed.Single(k => k.Key == "DEMO-2");
        Assert.Equal([b, otherFile], demo2.Results);
        Assert.Equal(3, run.Keyed.Single(k => k.Key == "DEMO-1").Results.Count);
    }

    // ---- deferred ----

    [Fact]
    public async Task Deferred_journals_only_sends_nothing_and_prints_the_publish_command_for_the_run_folder()
    {
        using var aio = new FakeAio();
        var options = Cloud(aio, ("publishMode", "deferred"));
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Sources = ["My.Tests.dll"], Runner = "vstest", TargetFramework = "net8.0", Options = options }, _output);
        session.Record(Result("Ns.C.A", keys: ["DEMO-TC-1"]));

        var report = await session.CompleteAsync(aborted: false, Ct);

        Assert.Null(report);
        Assert.Empty(aio.Requests);
        var folder = Path.Combine(_dir.Combine("TestResults"), "tms");
        Assert.Contains(_output.Lines, l => l.Contains("publishMode=deferred", StringComparison.Ordinal) && l.EndsWith($"Publish later with: tmsbridge publish \"{folder}\"", StringComparison.Ordinal));
        var journal = JournalReader.Read(Directory.GetFiles(folder, "*.journal.jsonl").Single());
        Assert.Single(journal.Results);
        Assert.Equal("net8.0", journal.Results[0].TargetFramework);
        Assert.NotNull(journal.End);
        Assert.Empty(journal.PublishMarks);
        Assert.Empty(journal.Attempts);
        Assert.Empty(Directory.GetFiles(folder, "*.report.json"));
    }

    // ---- attempts journalled ----

    [Fact]
    public async Task The_attempt_is_journalled_before_the_first_request_then_its_cycle_then_its_end()
    {
        using var aio = new FakeAio();
        var report = await Publisher.PublishAsync(Request(Cloud(aio), [Result("Ns.C.A", keys: ["DEMO-TC-1"])]), _output, Ct);

        Assert.Equal(KeyStates.Sent, report.Keys.Single().State);
        Assert.Equal([PublishAttemptStates.Started, PublishAttemptStates.Execution, PublishAttemptStates.Finished], _attempts.Select(a => a.State));
        Assert.All(_attempts, a =>
        {
            Assert.Equal("aio-cloud", a.Target);
            Assert.Equal(aio.BaseUrl.ToString(), a.BaseUrl);
            Assert.Equal("DEMO", a.Project);
            Assert.Equal("20260506T070809Z-ab12cd34", a.MarkerId);
        });
        Assert.Null(_attempts[0].ExecutionKey);
        var cycle = (string?)aio.Cycles.Single()["key"];
        Assert.Equal(cycle, _attempts[1].ExecutionKey);
        Assert.Equal(cycle, _attempts[2].ExecutionKey);
        // The create carried the marker the attempt names.
        Assert.Contains("TmsBridge run 20260506T070809Z-ab12cd34", (string?)aio.Cycles.Single()["objective"]);
    }

    [Fact]
    public async Task The_run_end_journals_its_attempt_so_tmsbridge_publish_can_resume_a_killed_one()
    {
        using var aio = new FakeAio();
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Sources = ["My.Tests.dll"], Runner = "vstest", Options = Cloud(aio) }, _output);
        session.Record(Result("Ns.C.A", keys: ["DEMO-TC-1"]));
        var report = await session.CompleteAsync(aborted: false, Ct);

        var journal = JournalReader.Read(report!.JournalPath!);
        Assert.Equal([PublishAttemptStates.Started, PublishAttemptStates.Execution, PublishAttemptStates.Finished], journal.Attempts.Select(a => a.State));
        Assert.All(journal.Attempts, a => Assert.Equal(journal.Header!.RunId, a.MarkerId));
        Assert.Equal(report.Execution!.Key, journal.Attempts[^1].ExecutionKey);
    }

    [Fact]
    public void Attempt_lines_round_trip_and_a_journal_without_them_still_reads()
    {
        var header = new RunHeader { RunId = "run1", StartedAt = TestPublishRequests.T0, Runner = "vstest" };
        using (var journal = RunJournal.Create(_dir.Combine("TestResults"), header))
        {
            journal.AppendResult(Result("Ns.C.A", keys: ["DEMO-1"]));
            journal.AppendAttempt(new PublishAttempt { At = TestPublishRequests.T0, Target = "xray", BaseUrl = "http://127.0.0.1:1/", Project = "DEMO", RunId = "run1", MarkerId = "run1" });
            journal.AppendPublishMark(new PublishMark { Target = "xray", Key = "DEMO-1", State = KeyStates.EvidenceSent, File = "run1.evidence/00001-a.png" });
        }
        var content = JournalReader.Read(Path.Combine(RunFolder, "run1.journal.jsonl"));
        Assert.Empty(content.Problems);
        var attempt = Assert.Single(content.Attempts);
        Assert.Equal(("xray", "run1", PublishAttemptStates.Started, (string?)null), (attempt.Target, attempt.MarkerId, attempt.State, attempt.ExecutionKey));
        Assert.Equal("run1.evidence/00001-a.png", content.PublishMarks.Single().File);

        // The first format: no attempts, no targetFramework, no file on marks.
        var old = _dir.File("old/tms/r.journal.jsonl",
            """{"type":"run","formatVersion":1,"runId":"r","runner":"vstest","targetFramework":"net8.0","sources":["A.dll"]}""" + "\n" +
            """{"type":"result","result":{"sequence":1,"fullyQualifiedName":"Ns.C.A","displayName":"A","outcome":"Passed","testCaseKeys":["DEMO-1"]}}""" + "\n" +
            """{"type":"publish","target":"xray","key":"DEMO-1","state":"sent","executionKey":"DEMO-1000"}""" + "\n");
        var read = JournalReader.Read(old);
        Assert.Empty(read.Problems);
        Assert.Empty(read.Attempts);
        Assert.Null(read.Results.Single().TargetFramework);
        Assert.Null(read.PublishMarks.Single().File);
    }

    // ---- evidencePending ----

    [Fact]
    public async Task A_key_whose_evidence_upload_failed_for_now_is_evidencePending_not_sent_and_each_file_that_went_is_journalled()
    {
        using var aio = new FakeAio();
        aio.FailAttachment["log-2.txt"] = 503;
        var results = WithEvidence(Result("Ns.C.A", keys: ["DEMO-TC-1"], sequence: 1), Result("Ns.C.B", keys: ["DEMO-TC-2"], sequence: 2));
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("maxRetries", "0")), results), _output, Ct);

        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-TC-1")!.State);
        Assert.Equal(KeyStates.EvidencePending, report.FindKey("DEMO-TC-2")!.State);
        Assert.Equal(1, report.Totals.Sent);
        Assert.Equal(1, report.Totals.EvidencePending);
        Assert.True(report.PublishFailed);
        Assert.Contains(_output.Lines, l => l.Contains("1 sent, 1 sent without all their evidence yet (evidencePending)", StringComparison.Ordinal));
        // Journal: each key evidencePending once its run went, DEMO-TC-1 then sent, with its file named.
        Assert.Equal([KeyStates.EvidencePending, KeyStates.EvidenceSent, KeyStates.Sent], _marks.Where(m => m.Key == "DEMO-TC-1").Select(m => m.State));
        Assert.Equal("run1.evidence/00001-log-1.txt", _marks.Single(m => m.State == KeyStates.EvidenceSent).File);
        Assert.Equal([KeyStates.EvidencePending], _marks.Where(m => m.Key == "DEMO-TC-2").Select(m => m.State));
    }

    [Fact]
    public async Task An_evidence_only_replay_posts_no_run_and_uploads_only_the_files_not_yet_sent()
    {
        using var aio = new FakeAio();
        var cycle = aio.AddCycle("existing");
        aio.Runs.Add(new FakeAio.Run(100, (string)cycle["key"]!, "DEMO-TC-1", "Passed", 1, []));
        var results = WithEvidence(Result("Ns.C.A", keys: ["DEMO-TC-1"], sequence: 1), Result("Ns.C.B", keys: ["DEMO-TC-1"], sequence: 2));
        var request = Request(Cloud(aio, ("testExecution", (string)cycle["key"]!)), results);
        request.EvidenceOnly = new Dictionary<string, ISet<string>> { ["DEMO-TC-1"] = new HashSet<string> { "run1.evidence/00001-log-1.txt" } };

        var report = await Publisher.PublishAsync(request, _output, Ct);

        Assert.Empty(aio.Bulks); // the run is not sent again
        var upload = Assert.Single(aio.Attachments);
        Assert.Equal((100L, "log-2.txt"), (upload.RunId, upload.FileName));
        Assert.Equal(KeyStates.Sent, report.Keys.Single().State);
        Assert.Single(aio.Runs);
    }
}
