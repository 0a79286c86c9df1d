using System.Globalization;

namespace TmsBridge.Benchmarks;

/// <summary>
/// Issue 16's goals, checked against what the sections measured in this run and printed last, so a
/// run's verdict is read off its own output rather than worked out from the tables. A check is strict
/// (a median of 1.051 against 1.05 is "not met"); the tables beside it show how far rounds spread.
/// </summary>
internal static class Goals
{
    private sealed record Check(int Goal, string What, double Measured, double Limit, string Format);

    private static readonly List<Check> Checks = [];

    /// <summary>Goal <paramref name="goal"/> holds for <paramref name="what"/> if <paramref name="measured"/> ≤ <paramref name="limit"/>.</summary>
    /// <remarks><paramref name="what"/> is formatted culture-invariantly (its counts print as 10,000 on any machine).</remarks>
    public static void AtMost(int goal, FormattableString what, double measured, double limit, string format = "0.000") =>
        Checks.Add(new Check(goal, FormattableString.Invariant(what), measured, limit, format));

    private static readonly string[] Titles =
    [
        "",
        "logger overhead: median tms/none <= 1.05 at 500 and 5,000 tests, and no worse than the peer, on each runner",
        "publish efficiency: wall <= 1.2 x the bound (requests x latency / parallelism)",
        "memory: peak RSS < 300 MB; journal size and write and publish time per result flat as the journal grows (its largest size against the one before)",
    ];

    public static void Print()
    {
        if (Checks.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("== goals (issue 16), as measured in this run");
        foreach (var goal in Checks.GroupBy(c => c.Goal).OrderBy(g => g.Key))
        {
            var missed = goal.Where(c => c.Measured > c.Limit).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"goal {goal.Key}: {(missed.Count == 0 ? "met" : "NOT met")}, {goal.Count() - missed.Count} of {goal.Count()} checks within their limit ({Titles[goal.Key]})"));
            foreach (var c in missed)
            {
                // One more digit where the printed value would equal the limit (1.0504 against 1.05).
                var format = c.Measured.ToString(c.Format, CultureInfo.InvariantCulture) == c.Limit.ToString(c.Format, CultureInfo.InvariantCulture) ? c.Format + "0" : c.Format;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   over: {c.What} {c.Measured.ToString(format, CultureInfo.InvariantCulture)} (limit {c.Limit.ToString(c.Format, CultureInfo.InvariantCulture)})"));
            }
        }
    }
}
