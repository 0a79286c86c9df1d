using System.Text;
using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 8 item 2: `tmsbridge publish` does not trust the evidence paths of a journal (often a
/// downloaded CI artifact). A crafted journal naming a file outside its run's evidence folder gets
/// that attachment refused, with a warning naming the journal line; the file is neither uploaded
/// nor planned, and the rest of the result is published.
/// </summary>
public sealed class PublishCommandEvidenceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tmsbridge-acceptance-evidence", Guid.NewGuid().ToString("N").Substring(0, 8));
    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private const string RunId = "20260101T000000Z-0000abcd";
    private const string OutsideContent = "PRIVATE KEY OF THE CI AGENT";

    /// <summary>A run folder whose journal names one real evidence copy and two files outside it.</summary>
    private (string Journal, string Outside) CraftedRun()
    {
        var tms = Path.Combine(_folder, "results", "tms");
        Directory.CreateDirectory(Path.Combine(tms, RunId + ".evidence"));
        File.WriteAllText(Path.Combine(tms, RunId + ".evidence", "00001-log.txt"), "inside");
        var outside = Path.Combine(_folder, "agent", "id_rsa");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        File.WriteAllText(outside, OutsideContent);
        object Evidence(string path) => new { path, fileName = Path.GetFileName(path), contentType = "text/plain", size = 6 };
        var journal = Path.Combine(tms, RunId + ".journal.jsonl");
        File.WriteAllLines(journal,
        [
            JsonSerializer.Serialize(new { type = "run", formatVersion = 1, runId = RunId, runner = "vstest", sources = new[] { "Crafted.dll" } }),
            JsonSerializer.Serialize(new
            {
                type = "result",
                result = new
                {
                    sequence = 1,
                    fullyQualifiedName = "Ns.C.Login",
                    displayName = "Login",
                    outcome = "Passed",
                    testCaseKeys = new[] { "DEMO-1" },
                    attachments = new[] { Evidence(RunId + ".evidence/00001-log.txt"), Evidence(outside), Evidence("../../agent/id_rsa") },
                },
            }),
        ]);
        return (journal, outside);
    }

    [Fact]
    public async Task A_crafted_journal_cannot_upload_a_file_outside_its_evidence_folder()
    {
        var (journal, outside) = CraftedRun();
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var publish = await SampleRuns.RunCliAsync(
            ["publish", journal, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString()],
            new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" },
            TimeSpan.FromMinutes(3));

        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.Contains(publish.Lines, l => l.Contains($"{journal}:2: evidence '{outside}'", StringComparison.Ordinal) && l.Contains("is not published", StringComparison.Ordinal));
        Assert.Contains(publish.Lines, l => l.Contains($"{journal}:2: evidence '../../agent/id_rsa'", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var evidence = Test(Assert.Single(Executions(state)), "DEMO-1").GetProperty("evidence");
        Assert.Equal(1, evidence.GetArrayLength()); // the real copy only
        var stateText = state.RootElement.GetRawText();
        Assert.DoesNotContain("id_rsa", stateText);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(OutsideContent)), stateText);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("xray")]
    public async Task A_crafted_journal_plans_no_file_outside_its_evidence_folder(string target)
    {
        var (journal, _) = CraftedRun();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // target none writes the neutral plan; xray with dryRun writes the import body with the evidence inlined.
        var code = await PublishCommand.RunAsync([journal, "--target", target, "--dry-run", target == "none" ? "false" : "true", "--base-url", "http://127.0.0.1:9/"], stdout, stderr);

        Assert.True(code == 0, stdout + "\n" + stderr);
        Assert.Contains($"{journal}:2: evidence", stderr.ToString());
        var runFolder = Path.GetDirectoryName(journal)!;
        var written = Directory.EnumerateFiles(runFolder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".journal.jsonl", StringComparison.Ordinal)).ToList();
        Assert.Contains(written, f => f.EndsWith(".plan.json", StringComparison.Ordinal) || f.Contains(".dryrun", StringComparison.Ordinal));
        foreach (var file in written)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("id_rsa", text);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(OutsideContent)), text);
        }
    }

    [Fact]
    public async Task A_dry_run_publish_of_journals_already_sent_leaves_them_sent()
    {
        var (journal, _) = CraftedRun();
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var credentials = new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" };
        string[] Publish(params string[] more) => ["publish", journal, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), .. more];

        var first = await SampleRuns.RunCliAsync(Publish(), credentials, TimeSpan.FromMinutes(3));
        Assert.True(first.ExitCode == 0, first.Output);
        var dry = await SampleRuns.RunCliAsync(Publish("--dry-run", "true"), credentials, TimeSpan.FromMinutes(3));
        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.DoesNotContain("\"planned\"", File.ReadAllText(journal));

        // The dry run's planned marks would have hidden the sent one: the key would go a second time.
        var again = await SampleRuns.RunCliAsync(Publish(), credentials, TimeSpan.FromMinutes(3));
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("already sent", again.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Single(Executions(state));
    }

    [Fact]
    public async Task Keys_sent_to_one_server_still_go_to_another_server_of_the_same_target()
    {
        var (journal, _) = CraftedRun();
        await using var first = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        await using var second = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var credentials = new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" };
        string[] Publish(SandboxServer to) => ["publish", journal, "--target", "xray", "--base-url", to.BaseAddress.ToString()];

        var one = await SampleRuns.RunCliAsync(Publish(first), credentials, TimeSpan.FromMinutes(3));
        Assert.True(one.ExitCode == 0, one.Output);
        // The sandbox's marks say nothing of the second server: the key goes there too.
        var two = await SampleRuns.RunCliAsync(Publish(second), credentials, TimeSpan.FromMinutes(3));
        Assert.True(two.ExitCode == 0, two.Output);
        Assert.DoesNotContain("already sent", two.Output);
        using (var state = await ReadAsync(second.BaseAddress)) Assert.Single(Executions(state));
        // And back on the first server it was sent already.
        var again = await SampleRuns.RunCliAsync(Publish(first), credentials, TimeSpan.FromMinutes(3));
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("already sent", again.Output);
        using (var state = await ReadAsync(first.BaseAddress)) Assert.Single(Executions(state));
    }
}
