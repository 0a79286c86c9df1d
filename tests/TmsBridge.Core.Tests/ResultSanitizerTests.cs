using System.Text;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 8 items 1 and 6: everything a test produced is redacted, and output is capped, before it
/// reaches the journal (and, through the Publisher, anything derived from it).
/// </summary>
public sealed class ResultSanitizerTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private const string Secret = "s3cr3t+Value";

    private static TestResultRecord Leaky(string s) => new()
    {
        Sequence = 1,
        FullyQualifiedName = $"Ns.C.M(\"{s}\")",
        DisplayName = $"M(\"{s}\")",
        Parameters = [new TestParameter("p " + s, "v " + s)],
        Source = "A.dll",
        Outcome = TestOutcome.Failed,
        ErrorMessage = "Expected " + s,
        ErrorStackTrace = "at M(" + s + ")",
        StandardOutput = "out " + s,
        StandardError = "err " + s,
        Attachments = [new EvidenceFile { Path = "run.evidence/00001-x.png", FileName = "x-" + s + ".png", Description = "d " + s, OriginalPath = "/tmp/" + s + "/x.png" }],
        TestCaseKeys = ["DEMO-1"],
    };

    [Fact]
    public void Every_text_field_of_a_result_is_redacted()
    {
        var r = new ResultSanitizer(new SecretRedactor([Secret])).Sanitize(Leaky(Secret));

        var json = System.Text.Json.JsonSerializer.Serialize(r);
        Assert.DoesNotContain("s3cr3t", json);
        Assert.Equal("M(\"***\")", r.DisplayName);
        Assert.Equal("Ns.C.M(\"***\")", r.FullyQualifiedName);
        Assert.Equal("v ***", r.Parameters[0].Value);
        Assert.Equal("x-***.png", r.Attachments[0].FileName);
        Assert.Equal("run.evidence/00001-x.png", r.Attachments[0].Path); // where the copy is read from: untouched
        Assert.Equal(["DEMO-1"], r.TestCaseKeys);
    }

    [Fact]
    public void Long_output_keeps_head_and_tail_around_a_note_of_what_was_cut()
    {
        var s = new ResultSanitizer(SecretRedactor.None, 1024);
        var text = new string('h', 600) + new string('m', 5000) + new string('t', 600);

        var kept = s.Clean(text, 1024);

        Assert.StartsWith(new string('h', 512), kept);
        Assert.EndsWith(new string('t', 512), kept);
        Assert.Equal(new string('h', 512) + new string('t', 512), System.Text.RegularExpressions.Regex.Replace(kept, @"\n\[\.\.\. .* \.\.\.\]\n", ""));
        Assert.Contains($"[... {text.Length - 1024} characters cut by TmsBridge (maxOutputChars) ...]", kept);
        Assert.Equal(kept, s.Clean(kept, 1024)); // a journal read back is not cut again
    }

    [Fact]
    public void A_secret_across_the_cut_is_masked_whole_and_no_half_character_is_kept()
    {
        var s = new ResultSanitizer(new SecretRedactor([Secret]), 1024);
        // The secret starts 3 characters before the head ends and ends 3 characters after the tail begins.
        var text = new string('a', 512 - 3) + Secret + new string('b', 10_000) + Secret + new string('c', 512 - Secret.Length + 3);
        var kept = s.Clean(text, 1024);
        Assert.DoesNotContain("s3c", kept);
        Assert.DoesNotContain("lue", kept);

        var emoji = new string('a', 511) + "😀" + new string('b', 10_000);
        var cut = s.Clean(emoji, 1024);
        Assert.False(char.IsHighSurrogate(cut[cut.IndexOf('\n') - 1]));
        Assert.Equal(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(cut)), cut);
    }

    [Fact]
    public void A_secret_straddling_a_cut_after_earlier_masks_leaves_no_part_of_itself()
    {
        // Earlier copies shrink to *** when redacted: a cut chosen after redacting would move right
        // past the start of a secret that straddles the raw cut and keep its first characters.
        const string secret = "abcdefghijklmnopqrst";
        var s = new ResultSanitizer(new SecretRedactor([secret]), 1024);
        for (var at = 480; at <= 540; at++)
        {
            var head = string.Concat(Enumerable.Repeat(secret, 20)) + new string('x', at - 400) + secret;
            var tailSide = secret + new string('y', at - 400) + string.Concat(Enumerable.Repeat(secret, 20));
            foreach (var text in new[] { head + new string('-', 20_000), new string('-', 20_000) + tailSide })
            {
                var kept = s.Clean(text, 1024);
                for (var i = 0; i + 4 <= secret.Length; i++) Assert.DoesNotContain(secret.Substring(i, 4), kept);
            }
        }
    }

    [Fact]
    public void Past_the_runs_output_budget_later_results_keep_only_a_little()
    {
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Path, Runner = "vstest", Options = WithSecret() }, new CaptureOutput());
        // Each result keeps about 4 x 64K characters of output, error and stack: the budget is used up after ~256 results.
        var big = new string('o', 200_000);
        var results = (int)(ResultSanitizer.RunBudgetChars / (4 * ResultSanitizer.DefaultMaxOutputChars)) + 50;
        for (var i = 0; i < results; i++)
        {
            var r = Results.Result("Ns.C.T" + i, keys: ["DEMO-" + (i + 1)]);
            r.StandardOutput = r.StandardError = r.ErrorMessage = r.ErrorStackTrace = big;
            session.Record(r);
        }
        var content = JournalReader.Read(session.Journal!.JournalPath);
        Assert.Equal(results, content.Results.Count);
        Assert.InRange(content.Results.Sum(ResultSanitizer.KeptChars), ResultSanitizer.RunBudgetChars, ResultSanitizer.RunBudgetChars + 100L * 4 * ResultSanitizer.DefaultMaxOutputChars);
        var last = content.Results[^1];
        Assert.InRange(last.StandardOutput!.Length, ResultSanitizer.OverBudgetChars, ResultSanitizer.OverBudgetChars + 100);
        Assert.Contains("the run's output budget is used up", last.StandardOutput);
        Assert.InRange(last.ErrorStackTrace!.Length, ResultSanitizer.OverBudgetChars, ResultSanitizer.OverBudgetChars + 100);
    }

    [Fact]
    public void Error_message_and_stack_get_a_more_generous_cap_than_output()
    {
        var s = new ResultSanitizer(SecretRedactor.None, 2048);
        var big = new string('x', 300_000);
        var r = s.Sanitize(new TestResultRecord { StandardOutput = big, StandardError = big, ErrorMessage = big, ErrorStackTrace = big });
        Assert.InRange(r.StandardOutput!.Length, 2048, 2200);
        Assert.InRange(r.StandardError!.Length, 2048, 2200);
        Assert.InRange(r.ErrorMessage!.Length, ResultSanitizer.MinErrorChars, ResultSanitizer.MinErrorChars + 200);
        Assert.InRange(r.ErrorStackTrace!.Length, ResultSanitizer.MinErrorChars, ResultSanitizer.MinErrorChars + 200);

        var off = new ResultSanitizer(SecretRedactor.None, 0).Sanitize(new TestResultRecord { StandardOutput = big });
        Assert.Equal(big, off.StandardOutput);
    }

    [Theory]
    [InlineData("65536", 65536)]
    [InlineData("64K", 65536)]
    [InlineData("1M", 1048576)]
    [InlineData("0", 0)]
    public void MaxOutputChars_is_read_from_any_layer(string value, int expected)
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("maxOutputChars", value)]);
        Assert.Empty(options.Problems);
        Assert.Equal(expected, options.MaxOutputChars);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), options.ToPublicDictionary()["maxOutputChars"]);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("-1")]
    [InlineData("lots")]
    public void A_bad_maxOutputChars_is_an_error_naming_the_option(string value)
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("maxOutputChars", value)]);
        Assert.Contains(options.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("maxOutputChars"));
        Assert.Equal(ResultSanitizer.DefaultMaxOutputChars, options.MaxOutputChars);
    }

    private static TmsOptions WithSecret(params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Secret);
        foreach (var (n, v) in extra) layer.Add(n, v);
        return ConfigurationResolver.Resolve([layer]);
    }

    [Fact]
    public void A_test_that_prints_100_MB_leaves_a_small_journal_line()
    {
        var output = new CaptureOutput();
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Path, Runner = "vstest", Options = WithSecret() }, output);
        // 100 M characters (one copy only: the machine running the tests is shared).
        var huge = string.Create(100 * 1024 * 1024, Secret, (span, s) =>
        {
            span.Fill('x');
            s.AsSpan().CopyTo(span);
            s.AsSpan().CopyTo(span[^s.Length..]);
        });
        var record = Results.Result("Ns.C.Chatty", keys: ["DEMO-1"]);
        record.StandardOutput = huge;
        record.StandardError = huge;
        session.Record(record);

        var journal = File.ReadAllText(session.Journal!.JournalPath);
        Assert.InRange(journal.Length, 1, 4 * ResultSanitizer.DefaultMaxOutputChars);
        Assert.Contains("characters cut by TmsBridge", journal);
        Assert.DoesNotContain("s3cr3t", journal);
        var read = Assert.Single(JournalReader.Read(session.Journal.JournalPath).Results);
        Assert.StartsWith("***xxx", read.StandardOutput);
        Assert.EndsWith("xxx***", read.StandardOutput);
    }

    [Fact]
    public void Many_results_with_capped_output_read_back_within_a_bounded_size()
    {
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Path, Runner = "vstest", Options = WithSecret(("maxOutputChars", "1024")) }, new CaptureOutput());
        var output = new string('o', 50_000);
        for (var i = 0; i < 2000; i++)
        {
            var r = Results.Result("Ns.C.T" + i, keys: ["DEMO-" + (i + 1)]);
            r.StandardOutput = output;
            session.Record(r);
        }
        var content = JournalReader.Read(session.Journal!.JournalPath);
        Assert.Equal(2000, content.Results.Count);
        Assert.All(content.Results, r => Assert.InRange(r.StandardOutput!.Length, 1024, 1200));
        Assert.InRange(new FileInfo(session.Journal.JournalPath).Length, 1, 2000L * 2000);
    }

    [Fact]
    public void Warnings_that_name_a_test_are_redacted_on_the_console()
    {
        var output = new CaptureOutput();
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Path, Runner = "vstest", Options = WithSecret() }, output);
        var r = Results.Result("Ns.C.M", displayName: "M(" + Secret + ")");
        r.Attachments = [new EvidenceFile { Path = "/nowhere/" + Secret + ".png", OriginalPath = "/nowhere/" + Secret + ".png", FileName = Secret + ".png" }];
        session.Record(r);

        Assert.Contains(output.Warnings, w => w.Contains("M(***)") && w.Contains("/nowhere/***.png"));
        Assert.DoesNotContain("s3cr3t", output.All);
        Assert.DoesNotContain("s3cr3t", File.ReadAllText(session.Journal!.JournalPath));
    }

    [Fact]
    public void Evidence_copies_are_named_without_the_secret()
    {
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Path, Runner = "vstest", Options = WithSecret() }, new CaptureOutput());
        var file = _dir.File("ev/shot-" + Secret + ".png", "png");
        var r = Results.Result("Ns.C.M", keys: ["DEMO-1"]);
        r.Attachments = [new EvidenceFile { Path = file, OriginalPath = file, FileName = "" }];
        session.Record(r);

        var copy = Assert.Single(Directory.GetFiles(session.Journal!.EvidenceFolder));
        Assert.DoesNotContain("s3cr3t", Path.GetFileName(copy));
        Assert.EndsWith(".png", copy);
        Assert.DoesNotContain("s3cr3t", File.ReadAllText(session.Journal.JournalPath));
    }

    [Fact]
    public async Task Results_of_a_journal_written_without_redaction_are_redacted_when_published()
    {
        // A journal of an older version: the result line holds the secret as the test printed it.
        var runFolder = _dir.Combine("old/tms");
        var header = new RunHeader { RunId = "20260101T000000Z-00000000", Runner = "vstest" };
        using (var journal = RunJournal.Create(_dir.Combine("old"), header)) journal.AppendResult(Leaky(Secret));
        var path = Path.Combine(runFolder, header.RunId + ".journal.jsonl");
        Assert.Contains("s3cr3t", File.ReadAllText(path));

        var content = JournalReader.Read(path);
        var output = new CaptureOutput();
        var report = await Publisher.PublishAsync(TestPublishRequests.Create(runFolder, WithSecret(), content.Results, runId: "publish-1"), output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        Assert.DoesNotContain("s3cr3t", File.ReadAllText(report.PlanPath!));
        Assert.DoesNotContain("s3cr3t", File.ReadAllText(Path.Combine(runFolder, "publish-1.report.json")));
        Assert.DoesNotContain("s3cr3t", output.All);
    }
}
