using TmsBridge.Core.Tests.Support;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

public sealed class DataRowParserTests
{
    private static (string, string)[] Parse(string displayName) => DataRowParser.Parse(displayName).Select(p => (p.Name, p.Value)).ToArray();

    [Fact]
    public void XUnit_named_arguments_keep_their_names_and_lose_quotes() =>
        Assert.Equal([("user", "bob"), ("n", "2")], Parse("Ns.LoginTests.M(user: \"bob\", n: 2)"));

    [Fact]
    public void NUnit_positional_arguments_are_numbered() =>
        Assert.Equal([("arg1", "bob"), ("arg2", "2")], Parse("M(\"bob\",2)"));

    [Fact]
    public void MSTest_unquoted_arguments_after_a_space() =>
        Assert.Equal([("arg1", "bob"), ("arg2", "2")], Parse("M (bob,2)"));

    [Fact]
    public void Commas_and_brackets_inside_strings_and_nested_brackets_do_not_split() =>
        Assert.Equal(
            [("s", "a, (b"), ("list", "[1, 2]"), ("tuple", "(x, y)"), ("d", "{ k = 1, j = 2 }")],
            Parse("M(s: \"a, (b\", list: [1, 2], tuple: (x, y), d: { k = 1, j = 2 })"));

    [Fact]
    public void Escaped_quotes_stay_inside_the_string() =>
        Assert.Equal([("s", "say \"hi\", bye")], Parse("M(s: \"say \\\"hi\\\", bye\")"));

    [Fact]
    public void Colons_in_values_do_not_make_names() =>
        Assert.Equal([("arg1", "http://x:80"), ("arg2", "12:30")], Parse("M(\"http://x:80\", 12:30)"));

    [Fact]
    public void Char_arguments_are_unquoted() =>
        Assert.Equal([("c", "x")], Parse("M(c: 'x')"));

    [Theory]
    [InlineData("M")]
    [InlineData("M()")]
    [InlineData("M(  )")]
    [InlineData("")]
    [InlineData("M(unclosed")]
    public void No_arguments_give_no_parameters(string displayName) => Assert.Empty(Parse(displayName));

    [Fact]
    public void MSTest_values_may_contain_apostrophes() =>
        Assert.Equal([("arg1", "O'Brien"), ("arg2", "2")], Parse("M (O'Brien,2)"));
}

public sealed class AggregatorTests
{
    [Fact]
    public void A_test_with_several_keys_gives_one_entry_per_key()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-1", "demo-2", " DEMO-1 "], covers: ["DEMO-100"], defects: ["DEMO-77"])], KeyRule.JiraIssueKey);
        Assert.Equal(["DEMO-1", "DEMO-2"], run.Keyed.Select(k => k.Key));
        Assert.All(run.Keyed, k =>
        {
            Assert.Single(k.Results);
            Assert.False(k.HasIterations);
            Assert.Equal(["DEMO-100"], k.Requirements);
            Assert.Equal(["DEMO-77"], k.Defects);
        });
        Assert.Empty(run.Unmapped);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void Data_rows_become_one_key_with_iterations()
    {
        var run = Aggregator.Aggregate([
            Result("Ns.C.Rows(\"bob\")", displayName: "Rows(\"bob\")", keys: ["DEMO-2"]).WithParameters(("arg1", "bob")),
            Result("Ns.C.Rows(\"eve\")", TestOutcome.Failed, displayName: "Rows(\"eve\")", keys: ["DEMO-2"]).WithParameters(("arg1", "eve")),
        ], KeyRule.JiraIssueKey);
        var k = Assert.Single(run.Keyed);
        Assert.Equal(2, k.Results.Count);
        Assert.True(k.HasIterations);
        Assert.False(k.SpansSeveralTests);
        Assert.Equal(TestOutcome.Failed, k.Outcome);
        Assert.Equal(2, run.ResultCount);
    }

    [Fact]
    public void A_single_data_row_is_still_an_iteration()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.Rows", keys: ["DEMO-2"]).WithParameters(("n", "1"))], KeyRule.JiraIssueKey);
        Assert.True(Assert.Single(run.Keyed).HasIterations);
    }

    [Theory]
    [InlineData(TestOutcome.Passed, TestOutcome.Skipped, TestOutcome.Skipped)]
    [InlineData(TestOutcome.Skipped, TestOutcome.Failed, TestOutcome.Failed)]
    [InlineData(TestOutcome.Inconclusive, TestOutcome.NotRun, TestOutcome.Inconclusive)]
    [InlineData(TestOutcome.Passed, TestOutcome.Passed, TestOutcome.Passed)]
    public void Several_tests_with_one_key_get_the_worst_status(TestOutcome a, TestOutcome b, TestOutcome expected)
    {
        var run = Aggregator.Aggregate([Result("Ns.C.A", a, keys: ["DEMO-3"]), Result("Ns.C.B", b, keys: ["DEMO-3"])], KeyRule.JiraIssueKey);
        var k = Assert.Single(run.Keyed);
        Assert.True(k.SpansSeveralTests);
        Assert.Equal(expected, k.Outcome);
    }

    [Fact]
    public void A_malformed_key_is_a_warning_naming_test_and_key_and_the_test_is_unmapped()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.Typo", keys: ["DEMO 5"])], KeyRule.JiraIssueKey);
        Assert.Empty(run.Keyed);
        var u = Assert.Single(run.Unmapped);
        Assert.Equal("Ns.C.Typo", u.FullyQualifiedName);
        Assert.Contains("DEMO 5", u.Reason);
        var w = Assert.Single(run.Warnings);
        Assert.Contains("Ns.C.Typo", w);
        Assert.Contains("'DEMO 5'", w);
        Assert.Contains("unmapped", w);
    }

    [Fact]
    public void A_malformed_key_beside_a_good_one_is_skipped_with_a_warning()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-1", "oops"])], KeyRule.JiraIssueKey);
        Assert.Equal("DEMO-1", Assert.Single(run.Keyed).Key);
        Assert.Empty(run.Unmapped);
        Assert.Contains("that key is skipped", Assert.Single(run.Warnings));
    }

    [Fact]
    public void The_key_rule_depends_on_the_target()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-TC-4"])], KeyRule.JiraIssueKey);
        Assert.Single(run.Unmapped);
        run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-TC-4"])], KeyRule.TestCaseKey);
        Assert.Equal("DEMO-TC-4", Assert.Single(run.Keyed).Key);
    }

    [Fact]
    public void Malformed_covers_and_defect_links_are_skipped_with_a_warning()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-1"], covers: ["REQ 1", "DEMO-100"], defects: ["bug#7", "DEMO-77"])], KeyRule.JiraIssueKey);
        var k = Assert.Single(run.Keyed);
        Assert.Equal(["DEMO-100"], k.Requirements);
        Assert.Equal(["DEMO-77"], k.Defects);
        Assert.Equal(2, run.Warnings.Count);
        Assert.Contains(run.Warnings, w => w.Contains("requirement key 'REQ 1'") && w.Contains("Ns.C.M"));
        Assert.Contains(run.Warnings, w => w.Contains("defect key 'bug#7'") && w.Contains("Ns.C.M"));
    }

    [Fact]
    public void Unmapped_results_are_grouped_by_test_name_without_arguments()
    {
        var run = Aggregator.Aggregate([
            Result("Ns.C.Rows(1)"),
            Result("Ns.C.Rows(2)", TestOutcome.Failed),
            Result("Ns.C.Other"),
        ], KeyRule.JiraIssueKey);
        Assert.Equal(["Ns.C.Rows", "Ns.C.Other"], run.Unmapped.Select(u => u.FullyQualifiedName));
        Assert.Equal(2, run.Unmapped[0].Results.Count);
        Assert.Equal("no TestCaseKey", run.Unmapped[0].Reason);
    }

    [Fact]
    public void Run_span_is_the_earliest_start_and_latest_end()
    {
        var t0 = new DateTimeOffset(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);
        var a = Result("Ns.C.A", keys: ["DEMO-1"]);
        a.StartTime = t0.AddSeconds(5); a.EndTime = t0.AddSeconds(6);
        var b = Result("Ns.C.B");
        b.StartTime = t0; b.EndTime = t0.AddSeconds(9);
        var run = Aggregator.Aggregate([a, b], KeyRule.JiraIssueKey);
        Assert.Equal(t0, run.Start);
        Assert.Equal(t0.AddSeconds(9), run.Finish);
    }
}

public sealed class StatusMapTests
{
    [Fact]
    public void Xray_server_defaults_are_PASS_FAIL_TODO()
    {
        var map = new StatusMap(StatusMap.XrayServerDefaults);
        Assert.Equal("PASS", map[TestOutcome.Passed]);
        Assert.Equal("FAIL", map[TestOutcome.Failed]);
        Assert.Equal("TODO", map[TestOutcome.Skipped]);
        Assert.Equal("TODO", map[TestOutcome.Inconclusive]);
        Assert.Equal("TODO", map[TestOutcome.NotRun]);
    }

    [Fact]
    public void Overrides_replace_single_entries()
    {
        var map = new StatusMap(StatusMap.XrayServerDefaults, new Dictionary<TestOutcome, string> { [TestOutcome.Skipped] = "ABORTED" });
        Assert.Equal("ABORTED", map[TestOutcome.Skipped]);
        Assert.Equal("PASS", map[TestOutcome.Passed]);
        Assert.Equal("TODO", map[TestOutcome.NotRun]);
    }

    [Fact]
    public void A_map_missing_an_outcome_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new StatusMap(new Dictionary<TestOutcome, string> { [TestOutcome.Passed] = "PASS" }));
        Assert.Contains("Failed", e.Message);
    }

    [Fact]
    public void Neutral_defaults_name_the_outcomes() => Assert.Equal("Inconclusive", new StatusMap(StatusMap.NeutralDefaults)[TestOutcome.Inconclusive]);
}

public sealed class TestOutcomesTests
{
    [Fact]
    public void Worst_of_nothing_is_passed() => Assert.Equal(TestOutcome.Passed, TestOutcomes.Worst([]));

    [Fact]
    public void Failed_beats_everything() =>
        Assert.Equal(TestOutcome.Failed, TestOutcomes.Worst([TestOutcome.Passed, TestOutcome.Inconclusive, TestOutcome.Failed, TestOutcome.NotRun, TestOutcome.Skipped]));

    [Fact]
    public void Order_is_failed_inconclusive_notrun_skipped_passed()
    {
        Assert.Equal(TestOutcome.Inconclusive, TestOutcomes.Worst([TestOutcome.NotRun, TestOutcome.Inconclusive, TestOutcome.Skipped]));
        Assert.Equal(TestOutcome.NotRun, TestOutcomes.Worst([TestOutcome.Skipped, TestOutcome.NotRun, TestOutcome.Passed]));
        Assert.Equal(TestOutcome.Skipped, TestOutcomes.Worst([TestOutcome.Passed, TestOutcome.Skipped]));
    }

    [Theory]
    [InlineData(" failed ", TestOutcome.Failed)]
    [InlineData("NOTRUN", TestOutcome.NotRun)]
    public void TryParse_is_case_insensitive(string text, TestOutcome expected)
    {
        Assert.True(TestOutcomes.TryParse(text, out var o));
        Assert.Equal(expected, o);
    }

    [Fact]
    public void TryParse_refuses_unknown_words() => Assert.False(TestOutcomes.TryParse("Exploded", out _));
}
