using TmsBridge.Backends.Kit;

namespace TmsBridge.Core.Tests.Kit;

public sealed class RunMarkerTests
{
    [Fact]
    public void The_marker_names_the_run_and_there_is_none_without_a_run_id()
    {
        Assert.Equal("TmsBridge run 20260506T070809Z-ab12cd34", RunMarker.For("20260506T070809Z-ab12cd34"));
        Assert.Null(RunMarker.For(""));
        Assert.Equal("20260506T070809Z-ab12cd34", RunMarker.Word(RunMarker.Of("20260506T070809Z-ab12cd34")));
    }

    [Fact]
    public void Appended_after_a_blank_line_or_alone_when_there_is_no_text()
    {
        var marker = RunMarker.Of("r1");
        Assert.Equal("Nightly\n\n(TmsBridge run r1)", RunMarker.Append("Nightly", $"({marker})", "alone"));
        Assert.Equal("alone", RunMarker.Append(null, $"({marker})", "alone"));
    }

    [Fact]
    public void Found_only_as_the_exact_marker()
    {
        var marker = RunMarker.Of("r1");
        Assert.True(RunMarker.IsIn("Nightly\n\nTmsBridge run r1", marker));
        Assert.False(RunMarker.IsIn("TmsBridge run R1", marker));
        Assert.False(RunMarker.IsIn("TmsBridge run", marker));
        Assert.False(RunMarker.IsIn(null, marker));
    }

    [Fact]
    public void A_marker_is_not_found_inside_a_longer_one()
    {
        // Group ids are not of one length like run ids: the group "ci-12" must not adopt the execution of "ci-123".
        var marker = RunMarker.Of("ci-12");
        Assert.False(RunMarker.IsIn("TmsBridge run ci-123", marker));
        Assert.False(RunMarker.IsIn("(TmsBridge run ci-12.1)", marker));
        Assert.True(RunMarker.IsIn("TmsBridge run ci-123 and TmsBridge run ci-12", marker));
        Assert.True(RunMarker.IsIn("Created by TmsBridge (TmsBridge run ci-12).", marker));
        Assert.True(RunMarker.IsIn("{\"text\":\"TmsBridge run ci-12\"}", marker));
    }

    [Theory]
    [InlineData("20260506T070809Z-ab12cd34", null)]
    [InlineData("gh-123456789-2", null)]
    [InlineData("", "it is empty")]
    [InlineData("my group", "it may hold only letters, digits, '-', '_' and '.'")]
    [InlineData("a\"b", "it may hold only letters, digits, '-', '_' and '.'")]
    public void A_marker_id_is_one_word_for_Jira_s_word_search(string id, string? problem) =>
        Assert.Equal(problem, RunMarker.IdProblem(id));

    [Fact]
    public void Any_text_becomes_a_marker_id_and_different_texts_stay_apart()
    {
        Assert.Equal("gh-1234-1", RunMarker.IdOf("gh-1234-1"));
        var spaced = RunMarker.IdOf("jenkins-my job-12");
        var slashed = RunMarker.IdOf("jenkins-my/job-12");
        Assert.Null(RunMarker.IdProblem(spaced));
        Assert.Null(RunMarker.IdProblem(slashed));
        Assert.StartsWith("jenkins-my-job-12-", spaced);
        Assert.NotEqual(spaced, slashed);
        var longId = RunMarker.IdOf(new string('x', 300));
        Assert.Equal(RunMarker.MaxIdLength, longId.Length);
        Assert.Null(RunMarker.IdProblem(longId));
    }
}
