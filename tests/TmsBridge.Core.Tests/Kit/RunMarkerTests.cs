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
}
