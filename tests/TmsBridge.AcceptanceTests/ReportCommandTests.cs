using TmsBridge.Cli;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.AcceptanceTests;

/// <summary>`tmsbridge report` in process, on journals written by the real journal writer.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tmsbridge-report-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private string WriteJournal(string folder)
    {
        var started = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
        using var journal = RunJournal.Create(Path.Combine(_dir, folder), new RunHeader { RunId = "run-" + folder, StartedAt = started, Options = new() { ["target"] = "xray" } });
        journal.AppendResult(new TestResultRecord { Sequence = 1, FullyQualifiedName = "Ns.C.Logs_in", Outcome = TestOutcome.Passed, TestCaseKeys = ["DEMO-1"], Covers = ["DEMO-100"] });
        journal.AppendResult(new TestResultRecord { Sequence = 2, FullyQualifiedName = "Ns.C.Pays|fast", Outcome = TestOutcome.Failed, Covers = ["DEMO-100"] });
        journal.AppendPublishMark(new PublishMark { At = started, Target = "xray", Key = "DEMO-1", State = KeyStates.Refused, Reason = "Issue DEMO-1 is not a Test" });
        return journal.JournalPath;
    }

    private Task<int> Run(params string[] args) => CliApp.RunAsync(["report", .. args], _out, _err);

    [Fact]
    public async Task Markdown_to_the_console_from_a_journal_file()
    {
        var exit = await Run(WriteJournal("a"));

        Assert.Equal(0, exit);
        var md = _out.ToString();
        Assert.Contains("| DEMO-100 | failed | Ns.C.Logs\\_in (passed, DEMO-1)<br>Ns.C.Pays\\|fast (failed) |", md);
        Assert.Contains("| Ns.C.Pays\\|fast | failed | DEMO-100 |", md);
        Assert.Contains("| DEMO-1 | xray | Issue DEMO-1 is not a Test | 2026-05-06 07:08 UTC |", md);
    }

    [Fact]
    public async Task Html_when_the_out_file_says_so_from_folders_searched_for_journals()
    {
        WriteJournal("a");
        WriteJournal("b");
        var html = Path.Combine(_dir, "out", "trace.html");

        var exit = await Run(_dir, "--out", html);

        Assert.Equal(0, exit);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html));
        Assert.Contains("2 journals", _out.ToString());
    }

    [Theory]
    [InlineData("--format", "pdf", "--format 'pdf' is not md or html.")]
    [InlineData("--colour", "red", "report has no option --colour")]
    public async Task Bad_options_are_usage_errors_naming_the_option(string name, string value, string message)
    {
        var exit = await Run(WriteJournal("a"), name, value);

        Assert.Equal(2, exit);
        Assert.Contains(message, _err.ToString());
    }

    [Fact]
    public async Task A_folder_without_journals_or_a_missing_path_is_named()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        Assert.Equal(2, await Run(Path.Combine(_dir, "empty")));
        Assert.Contains("holds no run journal", _err.ToString());
        Assert.Equal(2, await Run(Path.Combine(_dir, "nowhere")));
        Assert.Contains("nowhere' is neither a journal file nor a folder", _err.ToString());
        Assert.Equal(2, await Run());
    }
}
