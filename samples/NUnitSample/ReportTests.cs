using NUnit.Framework;
using TmsBridge;

namespace NUnitSample;

[TestFixture]
[TestCaseKey("DEMO-7", "DEMO-TC-7", "1007")] // both tests report to DEMO-7 (Xray) / DEMO-TC-7 (AIO)
public class ReportTests
{
    [Test]
    public void Daily_report_is_generated()
    {
        Assert.That(Report("daily"), Does.StartWith("daily"));
    }

    [Test]
    public void Weekly_report_is_generated()
    {
        Assert.That(Report("weekly"), Does.StartWith("weekly"));
    }

    private static string Report(string period) => $"{period} report: 3 runs, 0 failures";
}
