using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Model;

namespace TmsBridge.Core.Tests;

public sealed class JournalTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private RunJournal NewJournal(string runId = "run-1") => RunJournal.Create(_dir.Path, new RunHeader
    {
        RunId = runId,
        StartedAt = T0,
        Runner = "vstest",
        TargetFramework = ".NETCoreApp,Version=v10.0",
        Sources = ["/x/My.Tests.dll"],
        Options = new() { ["target"] = "none", ["project"] = "DEMO" },
    });

    private static TestResultRecord Sample(int sequence) => new()
    {
        Sequence = sequence,
        FullyQualifiedName = $"Ns.C.M{sequence}",
        DisplayName = $"M{sequence}(x: 1)",
        Parameters = [new("x", "1")],
        Outcome = TestOutcome.Failed,
        RunnerOutcome = "Failed",
        StartTime = T0,
        EndTime = T0.AddSeconds(1),
        DurationMs = 1000,
        ErrorMessage = "boom \"quoted\"\nline 2",
        TestCaseKeys = ["DEMO-1"],
        Covers = ["DEMO-100"],
        Defects = ["DEMO-77"],
    };

    [Fact]
    public void A_publish_marks_reason_is_redacted_like_everything_else()
    {
        const string secret = "pa55+word";
        var sanitizer = new ResultSanitizer(new Http.SecretRedactor([secret]));
        string path;
        using (var journal = RunJournal.Create(_dir.Path, new RunHeader { RunId = "run-r", StartedAt = T0, Runner = "vstest" }, sanitizer))
        {
            path = journal.JournalPath;
            // A server's words, as a key's notSent reason, may echo what it was sent.
            journal.AppendPublishMark(new PublishMark { At = T0, Target = "xray", Key = "DEMO-1", State = "notSent", Reason = "HTTP 400: bad password '" + secret + "'" });
        }
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("pa55", text);
        Assert.Contains("bad password '***'", Assert.Single(JournalReader.Read(path).PublishMarks).Reason);
    }

    [Fact]
    public void Header_results_publish_marks_and_end_round_trip()
    {
        string path;
        using (var journal = NewJournal())
        {
            path = journal.JournalPath;
            Assert.Equal(Path.Combine(_dir.Path, "tms", "run-1.journal.jsonl"), path);
            journal.AppendResult(Sample(1));
            journal.AppendResult(Sample(2));
            journal.AppendPublishMark(new PublishMark { At = T0, Target = "xray", Key = "DEMO-1", State = "sent", ExecutionKey = "DEMO-9" });
            journal.AppendEnd(new RunEnd { FinishedAt = T0.AddMinutes(1), Results = 2 });
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(5, lines.Length);
        Assert.Contains("\"type\":\"run\"", lines[0]);
        Assert.Contains("\"type\":\"result\"", lines[1]);
        Assert.Contains("\"outcome\":\"Failed\"", lines[1]);
        Assert.Contains("\"type\":\"publish\"", lines[3]);
        Assert.Contains("\"type\":\"end\"", lines[4]);

        var content = JournalReader.Read(path);
        Assert.Empty(content.Problems);
        Assert.Equal("run-1", content.Header!.RunId);
        Assert.Equal("vstest", content.Header.Runner);
        Assert.Equal("DEMO", content.Header.Options["project"]);
        Assert.Equal(T0, content.Header.StartedAt);
        Assert.Equal([1, 2], content.Results.Select(r => r.Sequence));
        var r = content.Results[0];
        Assert.Equal("Ns.C.M1", r.FullyQualifiedName);
        Assert.Equal(TestOutcome.Failed, r.Outcome);
        Assert.Equal("boom \"quoted\"\nline 2", r.ErrorMessage);
        Assert.Equal(T0.AddSeconds(1), r.EndTime);
        Assert.Equal("x", Assert.Single(r.Parameters).Name);
        Assert.Equal(["DEMO-1"], r.TestCaseKeys);
        Assert.Equal(["DEMO-100"], r.Covers);
        Assert.Equal(["DEMO-77"], r.Defects);
        var mark = Assert.Single(content.PublishMarks);
        Assert.Equal(("DEMO-1", "sent", "DEMO-9"), (mark.Key, mark.State, mark.ExecutionKey));
        Assert.Equal(2, content.End!.Results);
    }

    [Fact]
    public void Results_are_on_disk_before_the_journal_is_disposed()
    {
        using var journal = NewJournal();
        journal.AppendResult(Sample(1));
        var content = JournalReader.Read(journal.JournalPath); // reader shares the file with the writer
        Assert.Single(content.Results);
    }

    [Fact]
    public void A_torn_last_line_keeps_earlier_results_and_is_reported()
    {
        string path;
        using (var journal = NewJournal())
        {
            path = journal.JournalPath;
            journal.AppendResult(Sample(1));
            journal.AppendResult(Sample(2));
        }
        // A writer killed mid-line: half a result, no newline.
        File.AppendAllText(path, "{\"type\":\"result\",\"result\":{\"sequence\":3,\"fullyQualifiedName\":\"Ns.C.M3\",\"outc");

        var content = JournalReader.Read(path);
        Assert.Equal([1, 2], content.Results.Select(r => r.Sequence));
        var problem = Assert.Single(content.Problems);
        Assert.Contains(":4:", problem);
        Assert.Contains("unreadable line", problem);
        Assert.Null(content.End);
    }

    [Fact]
    public void Marks_appended_after_a_torn_last_line_start_on_a_line_of_their_own()
    {
        string path;
        using (var journal = NewJournal())
        {
            path = journal.JournalPath;
            journal.AppendResult(Sample(1));
        }
        // The logger (or an earlier publish) killed mid-line: half a line, no newline.
        File.AppendAllText(path, "{\"type\":\"publish\",\"target\":\"xr");

        // tmsbridge publish then appends its attempt and marks: glued to the torn line they would be
        // unreadable, and a replay would not know the key went (and send it twice).
        using (var journal = RunJournal.OpenExisting(path, "run-1"))
        {
            journal.AppendAttempt(new PublishAttempt { At = T0, Target = "xray", MarkerId = "run-1" });
            journal.AppendPublishMark(new PublishMark { At = T0, Target = "xray", Key = "DEMO-1", State = "sent", ExecutionKey = "DEMO-9" });
        }

        var content = JournalReader.Read(path);
        Assert.Single(content.Problems); // the torn line only
        Assert.Equal("run-1", Assert.Single(content.Attempts).MarkerId);
        Assert.Equal("sent", Assert.Single(content.PublishMarks).State);
    }

    [Fact]
    public void Unknown_entry_types_are_reported_and_skipped()
    {
        string path;
        using (var journal = NewJournal()) path = journal.JournalPath;
        File.AppendAllText(path, "{\"type\":\"future\",\"x\":1}\n\n");
        var content = JournalReader.Read(path);
        Assert.NotNull(content.Header);
        Assert.Contains("unknown entry type 'future'", Assert.Single(content.Problems));
    }

    [Fact]
    public void A_result_line_without_its_result_is_reported_not_read_as_an_empty_result()
    {
        string path;
        using (var journal = NewJournal()) path = journal.JournalPath;
        File.AppendAllText(path, "{\"type\":\"result\"}\n");
        var content = JournalReader.Read(path);
        Assert.Empty(content.Results);
        Assert.Contains("result line without a result", Assert.Single(content.Problems));
    }

    [Fact]
    public void CaptureEvidence_copies_the_bytes_and_describes_the_copy()
    {
        var bytes = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 1, 2, 255 };
        var source = _dir.File("src/screen.png", bytes);
        using var journal = NewJournal();

        var e = journal.CaptureEvidence(7, source, null, "login page");
        var copy = Path.Combine(journal.RunFolder, e.Path);

        // Stored relative to the run folder, so a moved run folder can still be published.
        Assert.False(Path.IsPathRooted(e.Path));
        Assert.Equal(bytes, File.ReadAllBytes(copy));
        Assert.StartsWith(journal.EvidenceFolder, copy);
        Assert.Equal("00007-screen.png", Path.GetFileName(e.Path));
        Assert.Equal("screen.png", e.FileName);
        Assert.Equal("image/png", e.ContentType);
        Assert.Equal(bytes.Length, e.Size);
        Assert.Equal("login page", e.Description);
        Assert.Equal(source, e.OriginalPath);

        File.Delete(source); // the test deleting its file later loses nothing
        Assert.Equal(bytes, File.ReadAllBytes(copy));
    }

    [Fact]
    public void CaptureEvidence_keeps_files_with_the_same_name_apart()
    {
        var a = _dir.File("a/log.txt", "first");
        var b = _dir.File("b/log.txt", "second");
        var c = _dir.File("c/other.bin", "third");
        using var journal = NewJournal();

        var e1 = journal.CaptureEvidence(3, a, null, null);
        var e2 = journal.CaptureEvidence(3, b, null, null);
        var e3 = journal.CaptureEvidence(3, c, "log.txt", null); // explicit name colliding too

        Assert.Equal(3, new[] { e1.Path, e2.Path, e3.Path }.Distinct().Count());
        Assert.Equal("first", File.ReadAllText(Path.Combine(journal.RunFolder, e1.Path)));
        Assert.Equal("second", File.ReadAllText(Path.Combine(journal.RunFolder, e2.Path)));
        Assert.Equal("third", File.ReadAllText(Path.Combine(journal.RunFolder, e3.Path)));
        Assert.All(new[] { e1, e2, e3 }, e => Assert.Equal("log.txt", e.FileName));
        Assert.Equal("00003-2-log.txt", Path.GetFileName(e2.Path));
    }

    [Fact]
    public void A_moved_run_folder_still_resolves_its_evidence()
    {
        var source = _dir.File("src/log.txt", "moved with the run folder");
        string journalPath;
        using (var journal = NewJournal())
        {
            var r = Sample(1);
            r.Attachments = [journal.CaptureEvidence(1, source, null, null)];
            journal.AppendResult(r);
            journalPath = journal.JournalPath;
        }
        var moved = _dir.Combine("elsewhere");
        Directory.Move(Path.GetDirectoryName(journalPath)!, moved);

        var content = JournalReader.Read(Path.Combine(moved, Path.GetFileName(journalPath)));

        var evidence = Assert.Single(Assert.Single(content.Results).Attachments);
        Assert.StartsWith(moved, evidence.Path);
        Assert.Equal("moved with the run folder", File.ReadAllText(evidence.Path));
    }

    [Fact]
    public void CaptureEvidence_of_a_missing_file_throws_an_IO_error_for_the_caller()
    {
        using var journal = NewJournal();
        Assert.ThrowsAny<IOException>(() => journal.CaptureEvidence(1, _dir.Combine("missing.png"), null, null));
    }

    [Fact]
    public void Run_ids_sort_by_time_and_are_unique()
    {
        var a = RunJournal.NewRunId(T0);
        var b = RunJournal.NewRunId(T0);
        Assert.StartsWith("20260304T050607Z-", a);
        Assert.NotEqual(a, b);
        Assert.True(string.CompareOrdinal(a, RunJournal.NewRunId(T0.AddSeconds(1))) < 0);
    }

    /// <summary>
    /// Issue 16: lines are serialised straight to UTF-8 into one reused buffer (no string per result).
    /// Each line is still exactly what JsonSerializer.Serialize writes for it, escapes included, also a
    /// short line after a multi-megabyte one (the buffer shrinks back) and a line with a secret-like
    /// value, quotes, a line break and non-ASCII text.
    /// </summary>
    [Fact]
    public void Each_line_is_the_serialiser_s_own_json_after_large_and_small_lines_alike()
    {
        var big = Sample(2);
        big.StandardOutput = new string('x', 3 * 1024 * 1024) + " <end> é \u2028 \"q\"";
        var small = Sample(3);
        small.DisplayName = "Grüße \"quoted\" <tag> & 'x'\n\u2028";
        var expected = new List<string>();
        string path;
        using (var journal = NewJournal())
        {
            path = journal.JournalPath;
            foreach (var r in new[] { Sample(1), big, small })
            {
                journal.AppendResult(r);
                expected.Add(System.Text.Json.JsonSerializer.Serialize(new ResultEntry { Result = r }, JournalJsonContext.Default.ResultEntry));
            }
            var end = new RunEnd { FinishedAt = T0, Results = 3 };
            journal.AppendEnd(end);
            expected.Add(System.Text.Json.JsonSerializer.Serialize(end, JournalJsonContext.Default.RunEnd));
        }
        var lines = File.ReadAllText(path).Split('\n');
        Assert.Equal("", lines[^1]); // every line ends with \n, the last too
        Assert.Equal(expected, lines.Skip(1).Take(4));
        Assert.Equal(3, JournalReader.Read(path).Results.Count);
    }
}
