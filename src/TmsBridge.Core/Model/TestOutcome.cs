namespace TmsBridge.Model;

/// <summary>
/// Runner-neutral outcome of one test result. Front-ends translate their runner's outcome
/// into one of these; the per-target status maps translate these into TMS status names.
/// </summary>
public enum TestOutcome
{
    Passed,
    Failed,
    Skipped,
    /// <summary>NUnit/MSTest "inconclusive" (VSTest reports NUnit's as None).</summary>
    Inconclusive,
    /// <summary>Known to the runner but never executed (run aborted, not found, ...).</summary>
    NotRun,
}

public static class TestOutcomes
{
    /// <summary>
    /// Severity used when several results share one key: the worst one decides the key's status.
    /// Failed beats everything (as Xray's own aggregation rule: FAIL wins, any status beats PASS).
    /// </summary>
    public static int Severity(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Failed => 4,
        TestOutcome.Inconclusive => 3,
        TestOutcome.NotRun => 2,
        TestOutcome.Skipped => 1,
        _ => 0,
    };

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static TestOutcome Worst(IEnumerable<TestOutcome> outcomes)
    {
        var worst = TestOutcome.Passed;
        var any = false;
        foreach (var o in outcomes)
        {
            if (!any || Severity(o) > Severity(worst)) worst = o;
            any = true;
        }
        return worst;
    }

    public static bool TryParse(string text, out TestOutcome outcome)
    {
        foreach (TestOutcome o in Enum.GetValues(typeof(TestOutcome)))
        {
            if (string.Equals(o.ToString(), text.Trim(), StringComparison.OrdinalIgnoreCase)) { outcome = o; return true; }
        }
        outcome = default;
        return false;
    }
}
