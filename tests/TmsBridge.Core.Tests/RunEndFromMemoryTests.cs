using System.Text.Json;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// The run end publishes the results it journalled from memory instead of parsing the journal back
/// (issue 16). What it publishes must be exactly what reading the journal gives: the same fields after
/// sanitising, the same evidence paths after confinement, the same problems.
/// </summary>
public sealed class RunEndFromMemoryTests : IDisposable
{
    private const string Secret = "s3cr3t-VALUE-42";
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.FromHours(2));
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Results with everything the journal treats specially: secrets, caps, control and lone surrogate characters, steps, evidence, nulls.</summary>
    private List<TestResultRecord> TrickyResults(RunJournal journal)
    {
        var screenshot = _dir.Combine("shot.png");
        File.WriteAllBytes(screenshot, [1, 2, 3]);
        var passed = Result("Ns.C.Passes(1, \"a\")", keys: ["DEMO-1"], covers: ["DEMO-100"]).WithParameters(("x", "1"), ("s", "a\u0000b"));
        passed.StartTime = T0;
        passed.EndTime = T0.AddMilliseconds(12.345);
        passed.DurationMs = 12.345;
        passed.StandardOutput = "token=" + Secret + "\r\n\u001b[31mred\u001b[0m \ud800 lone, \U0001F600 pair, " + new string('x', ResultSanitizer.DefaultMaxOutputChars + 10);
        passed.Attachments.Add(journal.CaptureEvidence(1, screenshot, "shot " + Secret + ".png", "after login"));
        var failed = Result("Ns.C.Fails", TestOutcome.Failed, keys: ["demo-2", "DEMO-3"], defects: ["DEMO-77"]);
        failed.ErrorMessage = "expected <1> but was <2>; password " + Secret;
        failed.ErrorStackTrace = "   at Ns.C.Fails() in /src/C.cs:line 42";
        failed.Comments = ["a comment"];
        failed.Steps =
        [
            new TestStep { Name = "open", Outcome = TestOutcome.Passed, StartTime = T0 },
            new TestStep
            {
                Name = "check", Outcome = TestOutcome.Failed, Message = "no " + Secret,
                Evidence = [journal.CaptureEvidence(2, screenshot, null, null)],
                Steps = [new TestStep { Name = "inner", Outcome = TestOutcome.Skipped }],
            },
        ];
        // A path outside the run's evidence folder: both readers drop it and say so.
        var outside = Result("Ns.C.Outside", keys: ["DEMO-4"]);
        outside.Attachments.Add(new EvidenceFile { Path = "../../etc/passwd", FileName = "passwd" });
        var unkeyed = Result("Ns.C.NoKey", TestOutcome.Skipped);
        unkeyed.RunnerOutcome = "Skipped";
        unkeyed.Defects = null!; // a caller's null list
        return [passed, failed, outside, unkeyed];
    }

    [Fact]
    public void Results_kept_after_journalling_are_what_reading_the_journal_back_gives()
    {
        var sanitizer = new ResultSanitizer(new Http.SecretRedactor([Secret]));
        var header = new RunHeader { RunId = "run-m", StartedAt = T0, Runner = "vstest", Sources = ["My.Tests.dll"] };
        var written = new List<TestResultRecord>();
        string path;
        using (var journal = RunJournal.Create(_dir.Path, header, sanitizer))
        {
            path = journal.JournalPath;
            foreach (var r in TrickyResults(journal))
            {
                journal.AppendResult(r);
                written.Add(r);
            }
        }

        // The writer's serialization-only context writes exactly what the reader's context would write.
        Assert.Equal(Json(written).Split('\n'), File.ReadAllLines(path).Skip(1).ToArray());

        var fromMemory = JournalReader.FromWritten(path, header, written);
        var fromFile = JournalReader.Read(path);

        Assert.Equal(4, fromFile.Results.Count);
        Assert.Equal(Json(fromFile.Results), Json(fromMemory.Results));
        Assert.Equal(fromFile.Problems, fromMemory.Problems);
        Assert.Contains("../../etc/passwd", Assert.Single(fromMemory.Problems));
        Assert.Contains(":4: ", fromMemory.Problems[0]); // the line the result is on (header = line 1)
        Assert.DoesNotContain(Secret, Json(fromMemory.Results));
        // Evidence resolves to the copies' full paths, steps' evidence included.
        Assert.True(File.Exists(fromMemory.Results[0].Attachments.Single().Path));
        Assert.True(File.Exists(fromMemory.Results[1].AllEvidence().Single().Path));
    }

    private static string Json(List<TestResultRecord> results) =>
        string.Join("\n", results.Select(r => JsonSerializer.Serialize(new ResultEntry { Result = r }, JournalJsonContext.Default.ResultEntry)));

    [Fact]
    public async Task The_run_end_publishes_from_memory_and_past_the_bound_from_the_journal_with_the_same_plan()
    {
        var fromMemory = await PlanOfRun("memory", keptInMemory: 20_000, damageJournal: true);
        var fromJournal = await PlanOfRun("journal", keptInMemory: 2, damageJournal: false);

        Assert.Equal(fromJournal.Plan, fromMemory.Plan);
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4"], fromMemory.Keys);
        // The damaged line appended behind the session's back was never parsed: the results came from memory.
        Assert.DoesNotContain(fromMemory.Warnings, w => w.Contains("unreadable line", StringComparison.Ordinal));
        Assert.Contains("shot.png", fromMemory.Plan); // the evidence copy, resolved like the reader resolves it
    }

    [Fact]
    public async Task Past_the_bound_the_run_end_reads_the_journal()
    {
        var run = await PlanOfRun("bound", keptInMemory: 2, damageJournal: true);
        // The journal was read: its damaged line is reported, and every result still counts.
        Assert.Contains(run.Warnings, w => w.Contains("unreadable line", StringComparison.Ordinal));
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4"], run.Keys);
    }

    private async Task<(string Plan, List<string> Keys, List<string> Warnings)> PlanOfRun(string name, int keptInMemory, bool damageJournal)
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "none")]);
        var output = new CaptureOutput();
        using var session = RunSession.Start(new RunStartInfo
        {
            TestRunDirectory = _dir.Combine(name),
            Sources = ["My.Tests.dll"],
            Runner = "vstest",
            Options = options,
            ResultsKeptInMemory = keptInMemory,
            Environment = _ => null,
            CiConsole = TextWriter.Null,
        }, output);
        var screenshot = _dir.Combine(name + ".png");
        File.WriteAllBytes(screenshot, [1, 2, 3]);
        var passed = Result("Ns.C.Passes", keys: ["DEMO-1"], covers: ["DEMO-100"]).WithParameters(("x", "1"));
        passed.StandardOutput = "out";
        passed.Attachments.Add(new EvidenceFile { Path = screenshot, OriginalPath = screenshot, FileName = "shot.png" });
        session.Record(passed);
        session.Record(Result("Ns.C.Fails", TestOutcome.Failed, keys: ["demo-2", "DEMO-3"]));
        session.Record(Result("Ns.C.NoKey", TestOutcome.Skipped));
        session.Record(Result("Ns.C.Other", keys: ["DEMO-4"]));
        // A line damaged behind the session's back (in place: the journal keeps writing at its own offset):
        // only a run end that parses the journal notices it.
        if (damageJournal) DamageLineOf(session.Journal!.JournalPath, "Ns.C.NoKey");

        var report = await session.CompleteAsync(aborted: false, Ct);

        Assert.NotNull(report);
        var plan = File.ReadAllText(report.PlanPath!).Replace(report.RunId, "<run>", StringComparison.Ordinal);
        return (plan, report.Keys.Select(k => k.Key).ToList(), output.Warnings.ToList());
    }

    private static void DamageLineOf(string journalPath, string test)
    {
        var bytes = File.ReadAllBytes(journalPath);
        var at = System.Text.Encoding.UTF8.GetString(bytes).IndexOf(test, StringComparison.Ordinal);
        Assert.True(at > 0);
        var lineStart = Array.LastIndexOf(bytes, (byte)'\n', at) + 1;
        using var stream = new FileStream(journalPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.Position = lineStart;
        stream.WriteByte((byte)'#');
    }
}

/// <summary>The report's JSON through the generated writer code (no metadata): indented, camel-cased, nulls left out, text readable.</summary>
public sealed class ReportJsonTests
{
    [Fact]
    public void The_report_is_indented_camel_cased_without_nulls_and_keeps_accents_and_apostrophes_readable()
    {
        var report = new PublishReport { RunId = "run-1", Target = "xray", JournalPath = null };
        report.Keys.Add(new KeyReport { Key = "DEMO-1", State = KeyStates.Refused, Messages = ["it's \"café\" <b>"] });

        var json = ReportJson.Serialize(report);

        Assert.Contains("\n  \"runId\": \"run-1\"", json);
        Assert.Contains("\"key\": \"DEMO-1\"", json);
        Assert.Contains("it's \\\"café\\\" <b>", json);
        Assert.DoesNotContain("journalPath", json);
        Assert.Equal("DEMO-1", System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("keys")[0].GetProperty("key").GetString());
    }

    [Fact]
    public void A_large_report_streams_in_chunks_and_reads_exactly_as_one_written_whole()
    {
        // Thousands of keys and one message longer than a chunk: the bytes must be those of one writer over one buffer.
        var report = new PublishReport { RunId = "run-1", Target = "xray" };
        for (var i = 1; i <= 3000; i++)
            report.Keys.Add(new KeyReport { Key = $"DEMO-{i}", State = KeyStates.Sent, Tests = [$"Ns.Class.Test{i}"], Messages = i == 1500 ? [new string('é', 200_000)] : [] });
        using var whole = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(whole, new System.Text.Json.JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            System.Text.Json.JsonSerializer.Serialize(writer, report, ReportJsonContext.Default.PublishReport);

        var writes = new CountingStream();
        ReportJson.Write(writes, report);

        Assert.Equal(whole.ToArray(), writes.ToArray());
        Assert.True(writes.Writes > 5, $"{writes.Writes} writes"); // in chunks, not held whole

        // Without the long message every chunk stays within the writer's buffer (64 KB).
        report.Keys[1499].Messages = [];
        var small = new CountingStream();
        ReportJson.Write(small, report);
        Assert.True(small.Writes > 5 && small.LargestWrite <= 64 * 1024, $"{small.Writes} writes, the largest {small.LargestWrite} bytes");
    }

    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }
        public int LargestWrite { get; private set; }
        public override void Write(byte[] buffer, int offset, int count) { Writes++; LargestWrite = Math.Max(LargestWrite, count); base.Write(buffer, offset, count); }
    }
}
