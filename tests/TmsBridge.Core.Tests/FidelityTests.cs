using System.Diagnostics;
using System.Text.Json;
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

    [Fact]
    public void FindKey_follows_the_key_list_as_it_grows_is_replaced_or_changes_in_place()
    {
        var report = new PublishReport();
        Assert.Null(report.FindKey("DEMO-1"));
        var first = new KeyReport { Key = "DEMO-1" };
        report.Keys.Add(first);
        Assert.Same(first, report.FindKey("demo-1"));
        var second = new KeyReport { Key = "DEMO-2" };
        report.Keys.Add(second);
        report.Keys.Add(new KeyReport { Key = "demo-1" }); // a repeated key: the first entry answers, as before
        Assert.Same(second, report.FindKey("DEMO-2"));
        Assert.Same(first, report.FindKey("DEMO-1"));

        var replaced = new KeyReport { Key = "DEMO-3" };
        report.Keys[1] = replaced;
        Assert.Same(replaced, report.FindKey("DEMO-3"));
        Assert.Null(report.FindKey("DEMO-2"));

        first.Key = "DEMO-9";
        Assert.Equal("demo-1", report.FindKey("DEMO-1")!.Key);
        Assert.Same(first, report.FindKey("DEMO-9"));

        report.Keys = [new KeyReport { Key = "DEMO-4" }];
        Assert.Null(report.FindKey("DEMO-1"));
        Assert.Equal("DEMO-4", report.FindKey("DEMO-4")!.Key);
        report.Keys.Clear();
        Assert.Null(report.FindKey("DEMO-4"));
    }

    [Fact]
    public void FindKey_is_not_linear_per_lookup_and_the_report_json_is_unchanged()
    {
        const int count = 50_000;
        var report = new PublishReport();
        for (var i = 0; i < count; i++) report.Keys.Add(new KeyReport { Key = $"BIG-{i}" });
        var before = JsonSerializer.Serialize(report, ReportJson.TypeInfo);

        // A lookup per key: 1.25 billion string comparisons with a linear search (many seconds), milliseconds with the index.
        var clock = Stopwatch.StartNew();
        for (var i = count - 1; i >= 0; i--) Assert.NotNull(report.FindKey($"big-{i}"));
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{count} lookups took {clock.Elapsed}");

        Assert.Equal(before, JsonSerializer.Serialize(report, ReportJson.TypeInfo));
        using var doc = JsonDocument.Parse(before);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("keys").ValueKind);
        Assert.Equal(count, doc.RootElement.GetProperty("keys").GetArrayLength());
    }
}
