using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>What the summary, the report and the console say is exactly what happened (issue 8, items 14 and 15).</summary>
public sealed class FidelityTests
{
    private static PublishReport SentReport(ExecutionReference? execution) => new()
    {
        Target = "aio-cloud",
        TargetName = "AIO Tests Cloud",
        Execution = execution,
        Totals = new ReportTotals { Results = 9, Keys = 7, Sent = 7 },
    };

    private static string SummaryLine(PublishReport report)
    {
        var output = new CaptureOutput();
        ConsoleSummary.Write(report, "", output, SecretRedactor.None);
        return output.Lines[0];
    }

    [Fact]
    public void Summary_names_the_execution_with_whatever_it_has_and_never_prints_a_dangling_separator()
    {
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud created DEMO-CY-10 https://aio.example/cycle/10: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference { Key = "DEMO-CY-10", Url = "https://aio.example/cycle/10" })));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud created DEMO-CY-10: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference { Key = "DEMO-CY-10" })));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud reported into https://aio.example/cycle/10: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference { Url = "https://aio.example/cycle/10", Reused = true })));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference())));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(null)));
    }
}
