using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 9 items 2-5: what TmsBridge tells the user, and when. The statusMap form a --logger
/// parameter can carry, target problems printed when the run starts (and again at its end), the
/// key shape a target expects, and a misspelt target named (with a suggestion) rather than "none".
/// </summary>
public sealed class MessageTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string RunFolder => _dir.Combine("TestResults/tms");

    private static string Errors(TmsOptions o) => string.Join("\n", o.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Message));

    private static TmsOptions Options(params (string Key, string Value)[] values)
    {
        var layer = new ConfigurationLayer("--logger parameters");
        foreach (var (k, v) in values) layer.Add(k, v);
        return ConfigurationResolver.Resolve([layer]);
    }

    // Item 2: vstest refuses a logger whose parameter value holds '=' (SDK 10.0.401: no test runs, exit code 1),
    // and ';' separates logger parameters: Outcome:STATUS pairs separated by ',' pass through.

    [Fact]
    public void StatusMap_accepts_colon_pairs_separated_by_commas()
    {
        var o = Options(("statusMap", "Skipped:ABORTED, failed : FAIL,Inconclusive:Not Run"));

        Assert.Empty(o.Problems);
        Assert.Equal("ABORTED", o.StatusOverrides[TestOutcome.Skipped]);
        Assert.Equal("FAIL", o.StatusOverrides[TestOutcome.Failed]);
        Assert.Equal("Not Run", o.StatusOverrides[TestOutcome.Inconclusive]);
    }

    [Fact]
    public void StatusMap_keeps_the_equals_form_and_both_forms_mix()
    {
        var o = Options(("statusMap", "Skipped=ABORTED;Failed:FAIL,Passed=PASSED"));

        Assert.Empty(o.Problems);
        Assert.Equal(3, o.StatusOverrides.Count);
        Assert.Equal("ABORTED", o.StatusOverrides[TestOutcome.Skipped]);
        Assert.Equal("FAIL", o.StatusOverrides[TestOutcome.Failed]);
        Assert.Equal("PASSED", o.StatusOverrides[TestOutcome.Passed]);
    }

    [Theory]
    [InlineData("Skipped:ABORTED,Exploded:FAIL", "Exploded:FAIL")]
    [InlineData("Skipped:", "Skipped:")]
    [InlineData(":ABORTED", ":ABORTED")]
    public void A_bad_statusMap_entry_names_the_option_the_source_the_entry_and_the_form(string value, string entry)
    {
        var error = Errors(Options(("statusMap", value)));

        Assert.Contains("option 'statusMap' from --logger parameters", error);
        Assert.Contains($"bad entry '{entry}'", error);
        Assert.Contains("Skipped:ABORTED,Failed:FAIL", error);
    }

    [Fact]
    public void The_journal_keeps_a_statusMap_in_a_form_that_reads_back()
    {
        var o = Options(("statusMap", "Skipped:ABORTED,Failed:FAIL"));
        var again = Options(("statusMap", o.ToPublicDictionary()["statusMap"]));

        Assert.Empty(again.Problems);
        Assert.Equal(o.StatusOverrides, again.StatusOverrides);
    }

    // Item 5: a misspelt target.

    [Fact]
    public void A_misspelt_target_suggests_the_closest_known_one_and_is_remembered()
    {
        var o = Options(("target", "xary"));

        Assert.Contains("option 'target' from --logger parameters has the value 'xary'", Errors(o));
        Assert.Contains("did you mean 'xray'?", Errors(o));
        Assert.Equal(Targets.None, o.Target);
        Assert.Equal("xary", o.RejectedTarget);
    }

    [Fact]
    public void A_target_far_from_every_known_one_gets_no_suggestion()
    {
        var o = Options(("target", "testrail"));
        Assert.Contains("expected one of xray", Errors(o));
        Assert.DoesNotContain("did you mean", Errors(o));
    }

    [Fact]
    public async Task A_misspelt_target_is_named_in_the_summary_with_the_way_to_send_the_journal_later()
    {
        var journal = Path.Combine(RunFolder, "run-7.journal.jsonl");
        var request = TestPublishRequests.Create(RunFolder, Options(("target", "xary")), [Result("Ns.C.A", keys: ["DEMO-1"], sequence: 1)], "run-7", journalPath: journal);

        var report = await Publisher.PublishAsync(request, _output, Ct);

        Assert.True(report.PublishFailed);
        Assert.Contains(_output.Lines, l => l.Contains("nothing was sent to 'xary' because of the errors below", StringComparison.Ordinal));
        Assert.DoesNotContain(_output.Lines, l => l.Contains("nothing was sent to none", StringComparison.Ordinal));
        Assert.Contains(_output.Errors, l => l.Contains("did you mean 'xray'?", StringComparison.Ordinal));
        Assert.Contains(_output.Lines, l => l.Contains("nothing is lost", StringComparison.Ordinal) && l.Contains($"tmsbridge publish \"{journal}\"", StringComparison.Ordinal));
        Assert.Equal(KeyStates.NotSent, Assert.Single(report.Keys).State);
    }

    [Fact]
    public async Task A_clean_target_none_run_has_nothing_to_send_later()
    {
        var journal = Path.Combine(RunFolder, "run-8.journal.jsonl");
        var request = TestPublishRequests.Create(RunFolder, new TmsOptions(), [Result("Ns.C.A", keys: ["DEMO-1"], sequence: 1)], "run-8", journalPath: journal);

        await Publisher.PublishAsync(request, _output, Ct);

        Assert.DoesNotContain(_output.Lines, l => l.Contains("nothing is lost", StringComparison.Ordinal));
    }

    // Item 4: the key shape a target expects.

    [Fact]
    public void A_key_of_another_shape_says_which_shape_the_target_expects_in_the_users_project()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.Jira", keys: ["DEMO-2"], sequence: 1)], Targets.KeyRuleFor("aio-cloud"), "AIO Tests Cloud");

        var reason = Assert.Single(run.Unmapped).Reason;
        Assert.Equal("no key for this target (only DEMO-2): AIO Tests Cloud expects a test case key such as DEMO-TC-12", reason);
    }

    [Theory]
    [InlineData("xray", "DEMO-TC-4", "Xray Server/DC expects a Jira issue key such as DEMO-123")]
    [InlineData("xray-cloud", "SHOP-TC-4", "Xray Cloud expects a Jira issue key such as SHOP-123")]
    [InlineData("aio", "DEMO-2", "AIO Tests Server/DC expects a test case key such as DEMO-TC-12")]
    [InlineData("qmetry", "DEMO-2", "QMetry Server/DC expects a test case key such as DEMO-TC-12")]
    public async Task The_published_report_names_the_target_and_the_key_shape_it_expects(string target, string key, string expected)
    {
        var options = Options(("target", target), ("dryRun", "true"), ("baseUrl", "http://127.0.0.1:9/"), ("project", "DEMO"));
        var request = TestPublishRequests.Create(RunFolder, options, [Result("Ns.C.Other", keys: [key], sequence: 1)], "run-9");

        var report = await Publisher.PublishAsync(request, _output, Ct);

        Assert.Contains(expected, Assert.Single(report.Unmapped).Reason);
        Assert.Contains(_output.Lines, l => l.StartsWith("info: unmapped tests:", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void KeyRule_words_the_expected_shape_in_one_place()
    {
        Assert.Equal("a Jira issue key such as PROJ-123", KeyRule.JiraIssueKey.Expected());
        Assert.Equal("a test case key such as SHOP-TC-12", KeyRule.TestCaseKey.Expected("SHOP"));
        Assert.Equal("a qTest test case id such as TC-12", KeyRule.QTestId.Expected("SHOP"));
    }

    // Item 3: missing baseUrl / credentials printed when the run starts, and again in the summary.

    [Fact]
    public async Task Target_problems_are_printed_when_the_run_starts_and_again_in_the_summary()
    {
        var options = Options(("target", "xray"), ("project", "DEMO"));
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Runner = "vstest", Options = options }, _output);

        // Before any result: the user sees it while the tests are still running.
        var atStart = _output.Errors.ToList();
        Assert.Contains(atStart, l => l.Contains("target 'xray' needs baseUrl", StringComparison.Ordinal) && l.Contains("(publishing is disabled for this run)", StringComparison.Ordinal));
        Assert.Contains(atStart, l => l.Contains("target 'xray' needs Jira credentials", StringComparison.Ordinal));

        session.Record(Result("Ns.C.A", keys: ["DEMO-1"]));
        var report = await session.CompleteAsync(aborted: false, Ct);

        Assert.NotNull(report);
        Assert.Equal(2, _output.Errors.Count(l => l.Contains("target 'xray' needs baseUrl", StringComparison.Ordinal)));
        Assert.Equal(2, _output.Errors.Count(l => l.Contains("target 'xray' needs Jira credentials", StringComparison.Ordinal)));
        Assert.Contains(report!.Errors, e => e.Contains("needs baseUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_target_with_no_backend_is_printed_when_the_run_starts()
    {
        // Every name the design fixes is implemented now (this pinned rtm, then qtest, as not implemented):
        // a front-end setting an unknown name directly is the one way left to a target with no backend.
        var options = Options();
        options.Target = "testrail";
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Runner = "vstest", Options = options }, _output);
        Assert.Contains(_output.Errors, l => l.Contains("target 'testrail' is not a target this version of TmsBridge knows (xray, xray-cloud, aio, aio-cloud, qmetry, qmetry-cloud, qtest, rtm, rtm-cloud, none)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_complete_configuration_prints_nothing_at_start()
    {
        var options = ConfigurationResolver.Resolve([
            new ConfigurationLayer("environment", allowsSecrets: true).Add("token", "pat-0123456789"),
            new ConfigurationLayer("test").Add("target", "xray").Add("baseUrl", "http://127.0.0.1:9/").Add("project", "DEMO"),
        ]);
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Runner = "vstest", Options = options }, _output);
        Assert.Empty(_output.Lines);
    }
}
