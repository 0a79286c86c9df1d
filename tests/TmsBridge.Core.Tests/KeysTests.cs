using TmsBridge.Keys;

namespace TmsBridge.Core.Tests;

public sealed class KeysTests
{
    [Theory]
    [InlineData("DEMO-1")]
    [InlineData("AB_2-123")]
    [InlineData("X9-10")]
    public void Jira_keys_are_valid(string key) => Assert.True(KeyRule.JiraIssueKey.IsValid(key));

    [Theory]
    [InlineData("demo-1")] // not normalised yet
    [InlineData("DEMO-0")]
    [InlineData("DEMO-01")]
    [InlineData("1DEMO-1")]
    [InlineData("DEMO1")]
    [InlineData("DEMO-")]
    [InlineData("DEMO-TC-1")]
    [InlineData("")]
    public void Malformed_jira_keys_are_invalid(string key) => Assert.False(KeyRule.JiraIssueKey.IsValid(key));

    [Theory]
    [InlineData("PROJ-TC-12", true)]
    [InlineData("PROJ-12", false)]
    [InlineData("PROJ-TC-0", false)]
    public void Test_case_keys(string key, bool valid) => Assert.Equal(valid, KeyRule.TestCaseKey.IsValid(key));

    [Theory]
    [InlineData("TC-12", true)]
    [InlineData("12", true)]
    [InlineData("0", false)]
    [InlineData("TC-", false)]
    [InlineData("PROJ-12", false)]
    public void QTest_ids(string key, bool valid) => Assert.Equal(valid, KeyRule.QTestId.IsValid(key));

    [Theory]
    [InlineData("DEMO-1", true)]
    [InlineData("PROJ-TC-1", true)]
    [InlineData("12", false)]
    public void Any_accepts_jira_and_test_case_keys(string key, bool valid) => Assert.Equal(valid, KeyRule.Any.IsValid(key));

    [Theory]
    [InlineData("  demo-12 ", "DEMO-12")]
    [InlineData("Proj-Tc-3", "PROJ-TC-3")]
    public void Normalize_trims_and_upper_cases(string raw, string expected)
    {
        Assert.Equal(expected, KeyRule.Normalize(raw));
        Assert.True(KeyRule.Any.IsValid(KeyRule.Normalize(raw)));
    }

    [Theory]
    [InlineData("DEMO-12", "DEMO")]
    [InlineData("AB_2-1", "AB_2")]
    [InlineData("nodash", null)]
    public void ProjectOf(string key, string? project) => Assert.Equal(project, KeyRule.ProjectOf(key));

    [Fact]
    public void TraitReader_splits_on_commas_and_semicolons_and_dedupes()
    {
        var keys = new List<string>();
        var covers = new List<string>();
        var defects = new List<string>();
        TraitReader.Read([
            new("TestCaseKey", "DEMO-1, DEMO-2;DEMO-3"),
            new("testcasekey", "DEMO-2"),
            new("COVERS", "DEMO-100 ; DEMO-101"),
            new("Covers", "DEMO-100"),
            new("defect", "DEMO-77,,"),
            new("Category", "DEMO-999"),
            new("TestCaseKey", null),
        ], keys, covers, defects);

        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], keys);
        Assert.Equal(["DEMO-100", "DEMO-101"], covers);
        Assert.Equal(["DEMO-77"], defects);
    }

    [Fact]
    public void TraitReader_ignores_other_traits()
    {
        var keys = new List<string>();
        TraitReader.Read([new("Owner", "bob"), new("TestCaseKeys", "DEMO-1")], keys, [], []);
        Assert.Empty(keys);
    }

    [Fact]
    public void The_hand_written_shapes_accept_exactly_what_their_patterns_accept()
    {
        // The rules as regular expressions (KeyRule's comments); the code checks them by hand for speed (issue 16).
        var jira = new System.Text.RegularExpressions.Regex(@"^[A-Z][A-Z0-9_]*-[1-9][0-9]*\z");
        var testCase = new System.Text.RegularExpressions.Regex(@"^[A-Z][A-Z0-9_]*-TC-[1-9][0-9]*\z");
        var qtest = new System.Text.RegularExpressions.Regex(@"^(TC-)?[1-9][0-9]*\z");
        // Every string of up to five characters over an alphabet that reaches every branch, and some longer ones.
        char[] alphabet = ['A', 'T', 'C', 'z', '0', '1', '9', '_', '-', ' '];
        var candidates = new List<string> { "", "DEMO-TC-12", "AB_2-TC-0", "TC-TC-5", "DEMO-12-3", "DEMO-1\n", "ÄB-1", "DEMO-١" };
        void Grow(string prefix)
        {
            candidates.Add(prefix);
            if (prefix.Length == 5) return;
            foreach (var c in alphabet) Grow(prefix + c);
        }
        Grow("");
        foreach (var k in candidates)
        {
            Assert.True(jira.IsMatch(k) == KeyRule.JiraIssueKey.IsValid(k), $"Jira issue key '{k}'");
            Assert.True(testCase.IsMatch(k) == KeyRule.TestCaseKey.IsValid(k), $"test case key '{k}'");
            Assert.True(qtest.IsMatch(k) == KeyRule.QTestId.IsValid(k), $"qTest id '{k}'");
            Assert.True((jira.IsMatch(k) || testCase.IsMatch(k)) == KeyRule.Any.IsValid(k), $"any key '{k}'");
        }
    }
}
