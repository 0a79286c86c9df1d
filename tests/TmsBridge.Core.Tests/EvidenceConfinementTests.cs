using System.Text.Json;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 8 item 2: a journal is often a downloaded CI artifact, so its evidence paths are not
/// trusted. An attachment must resolve inside the run's own &lt;runId&gt;.evidence folder, or it is
/// dropped (the result stays) with a problem naming the journal line and the path.
/// </summary>
public sealed class EvidenceConfinementTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private const string RunId = "20260101T000000Z-0000abcd";

    private string Journal(string runId, params string[] evidencePaths)
    {
        var lines = new List<string> { JsonSerializer.Serialize(new { type = "run", formatVersion = 1, runId, runner = "vstest" }) };
        var n = 0;
        foreach (var p in evidencePaths)
        {
            n++;
            lines.Add(JsonSerializer.Serialize(new
            {
                type = "result",
                result = new
                {
                    sequence = n,
                    fullyQualifiedName = "Ns.C.T" + n,
                    displayName = "T" + n,
                    outcome = "Passed",
                    testCaseKeys = new[] { "DEMO-" + n },
                    attachments = new[] { new { path = p, fileName = Path.GetFileName(p), contentType = "text/plain", size = 6 } },
                },
            }));
        }
        var path = _dir.Combine("tms/" + RunId + ".journal.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Evidence_through_a_symbolic_link_is_refused()
    {
        var outside = _dir.File("private/id_rsa", "SECRET");
        _dir.File("private/keys/id_ed25519", "SECRET2");
        _dir.File($"tms/{RunId}.evidence/00001-ok.txt", "inside");
        File.CreateSymbolicLink(_dir.Combine($"tms/{RunId}.evidence/00002-link.txt"), outside);
        Directory.CreateSymbolicLink(_dir.Combine($"tms/{RunId}.evidence/sub"), _dir.Combine("private/keys"));
        var journal = Journal(RunId, $"{RunId}.evidence/00001-ok.txt", $"{RunId}.evidence/00002-link.txt", $"{RunId}.evidence/sub/id_ed25519");

        var content = JournalReader.Read(journal);

        Assert.Single(content.Results[0].Attachments);
        Assert.Empty(content.Results[1].Attachments);
        Assert.Empty(content.Results[2].Attachments);
        Assert.Equal(2, content.Problems.Count(p => p.Contains("symbolic link", StringComparison.Ordinal)));

        // A whole evidence folder that is a link (an artifact unpacked with `<runId>.evidence -> /home/runner`).
        var linkedRun = "20260101T000000Z-0000ffff";
        Directory.CreateSymbolicLink(_dir.Combine($"tms/{linkedRun}.evidence"), _dir.Combine("private"));
        var linkedJournal = _dir.Combine($"tms/{linkedRun}.journal.jsonl");
        File.WriteAllText(linkedJournal, File.ReadAllText(journal).Replace(RunId, linkedRun, StringComparison.Ordinal).Replace("00001-ok.txt", "id_rsa", StringComparison.Ordinal));
        Assert.All(JournalReader.Read(linkedJournal).Results, r => Assert.Empty(r.Attachments));
    }

    [Fact]
    public void Evidence_outside_the_runs_evidence_folder_is_refused_naming_the_line()
    {
        var outside = _dir.File("private/id_rsa", "SECRET");
        _dir.File("tms/other.evidence/x.txt", "other");
        _dir.File($"tms/{RunId}.evidence/00001-ok.txt", "inside");
        var journal = Journal(RunId,
            $"{RunId}.evidence/00001-ok.txt",
            outside,                                       // absolute
            "../private/id_rsa",                           // up and out
            $"{RunId}.evidence/../../private/id_rsa",      // in, then out
            "other.evidence/x.txt",                        // another run's folder
            $"{RunId}.evidence",                           // the folder itself
            $"{RunId}.evidence/sub/../00001-ok.txt");      // stays inside: fine

        var content = JournalReader.Read(journal);

        Assert.Equal(7, content.Results.Count); // results are never dropped
        Assert.Equal(Path.Combine(_dir.Path, "tms", RunId + ".evidence", "00001-ok.txt"), Assert.Single(content.Results[0].Attachments).Path);
        Assert.Equal(Path.Combine(_dir.Path, "tms", RunId + ".evidence", "00001-ok.txt"), Assert.Single(content.Results[6].Attachments).Path);
        foreach (var i in new[] { 1, 2, 3, 4, 5 }) Assert.Empty(content.Results[i].Attachments);
        Assert.Equal(5, content.Problems.Count);
        Assert.Contains($"{journal}:3: evidence '{outside}'", content.Problems[0]);
        Assert.Contains($"{journal}:4: evidence '../private/id_rsa'", content.Problems[1]);
        Assert.Contains($"{journal}:5: evidence '{RunId}.evidence/../../private/id_rsa'", content.Problems[2]);
        Assert.All(content.Problems, p => Assert.Contains($"is not inside the run's evidence folder '{RunId}.evidence' (or passes through a symbolic link); it is not published", p));
    }

    [Fact]
    public void A_runtime_steps_evidence_is_confined_and_resolved_like_the_tests_own()
    {
        var outside = _dir.File("private/id_rsa", "SECRET");
        _dir.File($"tms/{RunId}.evidence/00001-shot.png", "inside");
        var line = JsonSerializer.Serialize(new
        {
            type = "result",
            result = new
            {
                sequence = 1, fullyQualifiedName = "Ns.C.T", displayName = "T", outcome = "Failed", testCaseKeys = new[] { "DEMO-8" },
                steps = new[]
                {
                    new
                    {
                        name = "Pay", outcome = "Failed",
                        evidence = new[] { new { path = $"{RunId}.evidence/00001-shot.png", fileName = "shot.png" }, new { path = outside, fileName = "id_rsa" } },
                        steps = Array.Empty<object>(),
                    },
                },
            },
        });
        var journal = Journal(RunId);
        File.AppendAllLines(journal, [line]);

        var content = JournalReader.Read(journal);

        var step = Assert.Single(Assert.Single(content.Results).Steps);
        Assert.Equal(Path.Combine(_dir.Path, "tms", RunId + ".evidence", "00001-shot.png"), Assert.Single(step.Evidence).Path);
        Assert.Contains($"evidence '{outside}' of test 'T' is not inside the run's evidence folder", Assert.Single(content.Problems));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../tms")]
    [InlineData("")]
    public void A_run_id_that_is_not_a_plain_name_refuses_all_evidence(string runId)
    {
        _dir.File($"{runId}.evidence/00001-ok.txt", "x");
        var content = JournalReader.Read(Journal(runId, $"{runId}.evidence/00001-ok.txt"));
        Assert.Empty(Assert.Single(content.Results).Attachments);
        Assert.Single(content.Problems);
    }

    [Fact]
    public async Task A_line_with_nulls_for_lists_is_read_and_published_without_an_internal_error()
    {
        var path = _dir.Combine("tms/" + RunId + ".journal.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path,
        [
            JsonSerializer.Serialize(new { type = "run", formatVersion = 1, runId = RunId }),
            """{"type":"result","result":{"sequence":1,"fullyQualifiedName":"Ns.C.T","outcome":"Passed","testCaseKeys":["DEMO-1"],"attachments":null,"parameters":null,"covers":null}}""",
            """{"type":"result","result":{"sequence":2,"fullyQualifiedName":"Ns.C.U","outcome":"Passed","testCaseKeys":["DEMO-2"],"attachments":[null,{"path":null}],"parameters":[null]}}""",
        ]);
        var content = JournalReader.Read(path);
        Assert.Equal(2, content.Results.Count);
        var report = await Publishing.Publisher.PublishAsync(TestPublishRequests.Create(_dir.Combine("tms"), Configuration.ConfigurationResolver.Resolve([]), content.Results),
            new CaptureOutput(), TestContext.Current.CancellationToken);
        Assert.Empty(report.Errors);
        Assert.Equal(2, report.Keys.Count);
    }

    [Fact]
    public async Task A_refused_file_is_neither_planned_nor_sent()
    {
        var outside = _dir.File("private/id_rsa", "SECRET");
        var content = JournalReader.Read(Journal(RunId, outside));
        var options = Configuration.ConfigurationResolver.Resolve([]);
        var report = await Publishing.Publisher.PublishAsync(TestPublishRequests.Create(_dir.Combine("tms"), options, content.Results), new CaptureOutput(), TestContext.Current.CancellationToken);

        Assert.Equal(0, Assert.Single(report.Keys).Evidence);
        Assert.DoesNotContain("id_rsa", File.ReadAllText(report.PlanPath!));
    }
}
