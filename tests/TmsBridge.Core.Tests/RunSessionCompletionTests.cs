using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// The run end through RunSession, as both front-ends use it: bounded by publishTimeout plus a
/// short grace whatever the backend does, the journal saying what was not sent; and Record racing
/// CompleteAsync from many threads without a result landing after `end` unnoticed.
/// </summary>
public sealed class RunSessionCompletionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    private readonly StuckHandler _stuck = new();

    public void Dispose()
    {
        _stuck.Dispose(); // lets the abandoned publish finish, before the folder goes
        _dir.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TmsOptions Xray(Uri server, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", "xray").Add("baseUrl", new Uri(server, "jira/").ToString()).Add("project", "DEMO");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("environment", allowsSecrets: true).Add("token", "pat-TOKEN-0123456789"), layer]);
        Assert.Empty(o.Problems);
        return o;
    }

    private RunSession Start(TmsOptions options, HttpMessageHandler? handler = null) =>
        RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Sources = ["My.Tests.dll"], Runner = "vstest", Options = options, HttpHandler = handler }, _output);

    [Fact]
    public async Task A_backend_stuck_past_the_deadline_does_not_hold_the_run_and_the_journal_marks_every_key_notSent()
    {
        var options = Xray(new Uri("http://127.0.0.1:9/"), ("publishTimeout", "2"));
        using var session = Start(options, _stuck);
        session.Record(Result("Ns.C.A", keys: ["DEMO-1"]));
        session.Record(Result("Ns.C.B", TestOutcome.Failed, keys: ["demo-2", "DEMO-3"]));
        session.ReportInternalError("handling a test result", new InvalidOperationException("boom"));

        var watch = Stopwatch.StartNew();
        var report = await session.CompleteAsync(aborted: false, Ct);
        watch.Stop();

        Assert.True(_stuck.Calls > 0, "the publish should have reached the network stack");
        // publishTimeout (2 s) plus the grace (5 s), with room for a slow machine; never the stuck call's minutes.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) + RunSession.PublishGrace + TimeSpan.FromSeconds(5));
        Assert.NotNull(report);
        Assert.True(report!.PublishFailed);
        Assert.Contains(report.Errors, e => e.Contains("did not finish within the publishTimeout deadline (2 s)", StringComparison.Ordinal));
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], report.Keys.Select(k => k.Key));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.Contains(_output.Errors, l => l.Contains("the run goes on", StringComparison.Ordinal) && l.Contains("tmsbridge publish", StringComparison.Ordinal));

        var journal = JournalReader.Read(session.Journal!.JournalPath);
        Assert.NotNull(journal.End);
        Assert.Equal(2, journal.End!.Results);
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], journal.PublishMarks.Select(m => m.Key).Order());
        Assert.All(journal.PublishMarks, m =>
        {
            Assert.Equal(KeyStates.NotSent, m.State);
            Assert.Equal("xray", m.Target);
            Assert.Contains("publishTimeout deadline", m.Reason);
        });

        // The publish that never returned writes neither its report nor the stack traces it was handed: the give-up does.
        var written = File.ReadAllText(Path.Combine(session.Journal.RunFolder, session.Journal.RunId + ".report.json"));
        Assert.Contains("did not finish within the publishTimeout deadline", written, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", written, StringComparison.Ordinal);
        Assert.Contains("boom", File.ReadAllText(Path.Combine(session.Journal.RunFolder, session.Journal.RunId + ".internal-errors.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_ends_at_the_deadline_with_the_reason_in_the_journal()
    {
        using var server = new TinyHttpServer(_ => (TinyHttpServer.Reply?)null);
        using var session = Start(Xray(server.BaseUrl, ("publishTimeout", "2"), ("timeout", "60")));
        session.Record(Result("Ns.C.A", keys: ["DEMO-1"]));

        var watch = Stopwatch.StartNew();
        var report = await session.CompleteAsync(aborted: false, Ct);

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2) + RunSession.PublishGrace);
        Assert.Contains(report!.Errors, e => e.Contains("publishing stopped at the publishTimeout deadline (2 s)", StringComparison.Ordinal));
        var mark = Assert.Single(JournalReader.Read(session.Journal!.JournalPath).PublishMarks);
        Assert.Equal((KeyStates.NotSent, "DEMO-1"), (mark.State, mark.Key));
        Assert.Contains("publishTimeout deadline", mark.Reason);
    }

    /// <summary>
    /// Issue 16: with target none (or dryRun) nothing is sent, and `tmsbridge publish` treats a key without
    /// a mark like a planned one, so the journal holds the results and `end` only: one line per result, not two.
    /// A key that should have gone and did not still gets its notSent mark with the reason.
    /// </summary>
    [Theory]
    [InlineData("none")]
    [InlineData("dryRun")]
    public async Task A_run_that_sends_nothing_writes_no_publish_mark_per_key(string mode)
    {
        var options = mode == "none"
            ? ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "none")])
            : Xray(new Uri("http://127.0.0.1:9/"), ("dryRun", "true"));
        using var session = Start(options);
        for (var i = 1; i <= 20; i++) session.Record(Result($"Ns.C.T{i}", keys: [$"DEMO-{i}"]));

        var report = await session.CompleteAsync(aborted: false, Ct);

        Assert.Equal(20, report!.Keys.Count);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Planned, k.State));
        var lines = File.ReadAllLines(session.Journal!.JournalPath);
        Assert.Equal(1 + 20 + 1, lines.Length); // run header, 20 results, end
        Assert.Empty(JournalReader.Read(session.Journal.JournalPath).PublishMarks);
    }

    [Fact]
    public async Task A_key_that_could_not_be_sent_still_gets_its_notSent_mark()
    {
        // No baseUrl: the target's problem stops the publish; every key is marked notSent.
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "xray").Add("project", "DEMO")]);
        using var session = Start(options);
        session.Record(Result("Ns.C.A", keys: ["DEMO-1"]));

        await session.CompleteAsync(aborted: false, Ct);

        var mark = Assert.Single(JournalReader.Read(session.Journal!.JournalPath).PublishMarks);
        Assert.Equal((KeyStates.NotSent, "DEMO-1", "xray"), (mark.State, mark.Key, mark.Target));
    }

    [Fact]
    public async Task A_deadline_started_before_publishing_counts_for_the_publish()
    {
        // The run end starts the deadline; time spent before the backend (journal, aggregation) is part of it.
        using var server = new TinyHttpServer(_ => new TinyHttpServer.Reply(200, "{}"));
        using var deadline = PublishDeadline.Start(TimeSpan.FromMilliseconds(1));
        await Task.Delay(50, Ct);
        var request = TestPublishRequests.Create(_dir.Combine("TestResults/tms"), Xray(server.BaseUrl), [Result("Ns.C.A", keys: ["DEMO-1"], sequence: 1)]);
        request.StartedDeadline = deadline;
        var report = await Publisher.PublishAsync(request, _output, Ct);

        Assert.Empty(server.Requests);
        Assert.Equal(KeyStates.NotSent, Assert.Single(report.Keys).State);
        Assert.Contains(report.Errors, e => e.Contains("publishTimeout deadline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Results_recorded_from_many_threads_while_completing_land_before_end_or_are_warned()
    {
        var evidence = _dir.File("shot.png", new byte[256]); // evidence copying widens the window a late result can slip through
        using var session = Start(ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "none")]));
        var recorded = new ConcurrentBag<string>();
        const int Threads = 8, PerThread = 300;
        var threads = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                var r = Result($"Ns.C.T{t}_{i}", keys: [$"DEMO-{t * PerThread + i + 1}"]);
                r.Attachments = [new EvidenceFile { Path = evidence, OriginalPath = evidence, FileName = "shot.png" }];
                recorded.Add(r.FullyQualifiedName);
                session.Record(r);
            }
        }, Ct)).ToList();
        Assert.True(SpinWait.SpinUntil(() => recorded.Count >= 300, TimeSpan.FromSeconds(30)), "the threads should have started");

        var report = await session.CompleteAsync(aborted: false, Ct);
        await Task.WhenAll(threads);

        // The journal in file order: no result after `end`.
        var lines = File.ReadAllLines(session.Journal!.JournalPath).Select(l => JsonNode.Parse(l)!).ToList();
        var end = lines.FindIndex(l => (string?)l["type"] == "end");
        Assert.True(end > 0, "the journal has an end line");
        Assert.DoesNotContain(lines.Skip(end + 1), l => (string?)l["type"] == "result");
        var journalled = lines.Take(end).Where(l => (string?)l["type"] == "result").Select(l => (string)l["result"]!["fullyQualifiedName"]!).ToList();
        var sequences = lines.Take(end).Where(l => (string?)l["type"] == "result").Select(l => (int)l["result"]!["sequence"]!).ToList();

        // Every result either landed before `end` (and is in the report) or was warned about; never both.
        const string Late = "' finished after the run was published";
        var warned = _output.Warnings.Where(w => w.Contains(Late, StringComparison.Ordinal))
            .Select(w => w.Substring(w.IndexOf('\'') + 1, w.IndexOf(Late, StringComparison.Ordinal) - w.IndexOf('\'') - 1)).ToList();
        Assert.Equal(Threads * PerThread, recorded.Count);
        Assert.Equal(recorded.Count, journalled.Count + warned.Count);
        Assert.Empty(journalled.Intersect(warned));
        Assert.Equal(recorded.Order(), journalled.Concat(warned).Order());
        Assert.Equal(journalled.Count, sequences.Distinct().Count());
        Assert.Equal(journalled.Count, (int)lines[end]["results"]!);
        Assert.Equal(journalled.Count, report!.Totals.Results);
        Assert.Equal(journalled.Count, report.Keys.Count);
        Assert.NotEmpty(warned); // the run end really raced the recording threads

        // Evidence of refused results is not left behind.
        var copies = Directory.GetFiles(session.Journal.EvidenceFolder).Length;
        Assert.Equal(journalled.Count, copies);
    }

    [Fact]
    public async Task CompleteAsync_runs_once_even_when_called_in_parallel()
    {
        using var session = Start(ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "none")]));
        session.Record(Result("Ns.C.A", keys: ["DEMO-1"]));
        var reports = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => session.CompleteAsync(false, Ct), Ct)));
        Assert.Single(reports, r => r is not null);
        Assert.Single(File.ReadAllLines(session.Journal!.JournalPath), l => l.Contains("\"type\":\"end\"", StringComparison.Ordinal));
    }
}
