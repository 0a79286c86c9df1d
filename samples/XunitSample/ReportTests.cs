using TmsBridge;
using Xunit;

namespace XunitSample;

[TestCaseKey("DEMO-7", "DEMO-TC-7", "1007")] // both tests report to DEMO-7 (Xray) / DEMO-TC-7 (AIO)
public class ReportTests
{
    [Fact]
    public void Daily_report_is_generated()
    {
        Assert.StartsWith("daily", Report("daily"));
    }

    [Fact]
    public void Weekly_report_is_generated()
    {
        Assert.StartsWith("weekly", Report("weekly"));
    }

    private static string Report(string period) => $"{period} report: 3 runs, 0 failures";
}
