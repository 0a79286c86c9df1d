using TmsBridge.Keys;
using TmsBridge.Model;

namespace TmsBridge.Mapping;

/// <summary>
/// Everything that goes to the TMS for one key: the results that carry it (data rows of one
/// test, several tests with the same key), their worst outcome and the union of their links.
/// </summary>
public sealed class KeyedResult
{
    public string Key { get; set; } = "";
    public List<TestResultRecord> Results { get; } = [];
    public TestOutcome Outcome => TestOutcomes.Worst(Results.Select(r => r.Outcome));
    /// <summary>Results of more than one test method (not just data rows of one).</summary>
    public bool SpansSeveralTests => Results.Select(r => r.TestName).Distinct().Count() > 1;
    /// <summary>Several results, or a single data row: sent as iterations.</summary>
    public bool HasIterations => Results.Count > 1 || Results.Any(r => r.Parameters.Count > 0);
    public List<string> Requirements { get; } = [];
    public List<string> Defects { get; } = [];
    public DateTimeOffset? Start => Results.Where(r => r.StartTime.HasValue).Select(r => r.StartTime).Min();
    public DateTimeOffset? Finish => Results.Where(r => r.EndTime.HasValue).Select(r => r.EndTime).Max();
    public IEnumerable<EvidenceFile> Evidence => Results.SelectMany(r => r.AllEvidence());
}

/// <summary>A test without a key (or whose keys are all malformed), grouped by fully qualified name.</summary>
public sealed class UnmappedTest
{
    public string FullyQualifiedName { get; set; } = "";
    public List<TestResultRecord> Results { get; } = [];
    public string Reason { get; set; } = "";
    /// <summary>It had keys, all malformed: a typo, so it is never provisioned as a new test.</summary>
    public bool HasMalformedKeys { get; set; }
    public List<string> Requirements { get; } = [];
    public List<string> Defects { get; } = [];
}

public sealed class AggregatedRun
{
    public List<KeyedResult> Keyed { get; } = [];
    public List<UnmappedTest> Unmapped { get; } = [];
    /// <summary>Malformed keys and links, each naming the test and the value.</summary>
    public List<string> Warnings { get; } = [];
    public int ResultCount { get; set; }
    /// <summary>Earlier (attempts=last) or better (attempts=worst) attempts of retried tests, left out.</summary>
    public int SupersededAttempts { get; set; }
    public DateTimeOffset? Start { get; set; }
    public DateTimeOffset? Finish { get; set; }
}

/// <summary>Which attempt of a retried test counts (the attempts option).</summary>
public enum AttemptPolicy
{
    /// <summary>The latest attempt (by end time, then order of arrival): a retry that passed makes the test pass.</summary>
    Last,
    /// <summary>The worst attempt: a test that failed once stays failed however it was retried.</summary>
    Worst,
}

public static class AttemptPolicies
{
    public static bool TryParse(string value, out AttemptPolicy policy)
    {
        var v = value.Trim();
        if (string.Equals(v, "last", StringComparison.OrdinalIgnoreCase)) { policy = AttemptPolicy.Last; return true; }
        if (string.Equals(v, "worst", StringComparison.OrdinalIgnoreCase)) { policy = AttemptPolicy.Worst; return true; }
        policy = AttemptPolicy.Last;
        return false;
    }

    public static string Name(AttemptPolicy policy) => policy == AttemptPolicy.Worst ? "worst" : "last";

    /// <summary>
    /// One result per attempt group: the same test (fully qualified name), data row (display name and
    /// parameters), assembly and target framework seen more than once is a retry (a runner's retry, or
    /// a CI job run again whose journals are all published). Each group keeps the attempt the policy
    /// picks, where the first attempt stood; everything else keeps its order.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static List<TestResultRecord> Pick(IEnumerable<TestResultRecord> results, AttemptPolicy policy, out int superseded)
    {
        var list = results.ToList();
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var id = Identity(list[i]);
            if (!groups.TryGetValue(id, out var g)) groups[id] = g = [];
            g.Add(i);
        }
        superseded = 0;
        if (groups.Count == list.Count) return list;
        var keep = new TestResultRecord?[list.Count];
        foreach (var g in groups.Values)
        {
            var chosen = g[0];
            foreach (var i in g.Skip(1))
            {
                var (a, b) = (list[chosen], list[i]);
                var later = Compare(b, a) >= 0; // i comes after chosen in input order, so ties go to the later
                chosen = policy == AttemptPolicy.Last
                    ? (later ? i : chosen)
                    : (TestOutcomes.Severity(b.Outcome) > TestOutcomes.Severity(a.Outcome) || (TestOutcomes.Severity(b.Outcome) == TestOutcomes.Severity(a.Outcome) && later) ? i : chosen);
            }
            keep[g[0]] = list[chosen];
            superseded += g.Count - 1;
        }
        return keep.Where(r => r is not null).Select(r => r!).ToList();
    }

    /// <summary>When an attempt happened: its end (or start) time; results without times compare equal (input order decides).</summary>
    private static int Compare(TestResultRecord a, TestResultRecord b)
    {
        var ta = a.EndTime ?? a.StartTime;
        var tb = b.EndTime ?? b.StartTime;
        return ta is null || tb is null ? 0 : ta.Value.CompareTo(tb.Value);
    }

    /// <remarks>
    /// The keys count too: two results of one test that carry different keys (a key chosen at run time
    /// per data row through Tms.Key, where the rows share a display name) are two results, not a retry.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static string Identity(TestResultRecord r)
    {
        // Built by hand, not with LINQ and joins: this runs for every result at the run end.
        var b = new System.Text.StringBuilder(r.FullyQualifiedName.Length + r.DisplayName.Length + 64);
        b.Append(r.FullyQualifiedName).Append('\u0001').Append(r.DisplayName).Append('\u0001');
        for (var i = 0; i < r.Parameters.Count; i++)
        {
            if (i > 0) b.Append('\u0002');
            b.Append(r.Parameters[i].Name).Append('=').Append(r.Parameters[i].Value);
        }
        b.Append('\u0001').Append(Path.GetFileName(r.Source ?? "")).Append('\u0001').Append(r.TargetFramework ?? "").Append('\u0001');
        if (r.TestCaseKeys.Count == 1) b.Append(r.TestCaseKeys[0].Trim().ToUpperInvariant());
        else if (r.TestCaseKeys.Count > 1)
        {
            var keys = r.TestCaseKeys.Select(k => k.Trim().ToUpperInvariant()).ToList();
            keys.Sort(StringComparer.Ordinal);
            b.Append(string.Join("\u0002", keys));
        }
        return b.ToString();
    }
}

/// <summary>
/// Turns the run's results into what a TMS wants: one entry per key. A test with several keys
/// gives each key its own entry; several results with one key (data rows, or several tests)
/// become one entry whose status is the worst of them, each result an iteration.
/// </summary>
public static class Aggregator
{
    /// <param name="targetName">The target as the user knows it ("AIO Tests Cloud"), named when a test carries only keys of another TMS's shape.</param>
    /// <param name="attempts">Which attempt of a retried test counts (<see cref="AttemptPolicies.Pick"/>); the others are left out.</param>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static AggregatedRun Aggregate(IEnumerable<TestResultRecord> results, KeyRule keyRule, string? targetName = null, AttemptPolicy attempts = AttemptPolicy.Last)
    {
        var run = new AggregatedRun();
        results = AttemptPolicies.Pick(results.OrderBy(r => r.Sequence), attempts, out var superseded);
        run.SupersededAttempts = superseded;
        var byKey = new Dictionary<string, KeyedResult>(StringComparer.Ordinal);
        var unmapped = new Dictionary<string, UnmappedTest>(StringComparer.Ordinal);
        var warned = new HashSet<string>(StringComparer.Ordinal);

        foreach (var r in results.OrderBy(r => r.Sequence))
        {
            run.ResultCount++;
            if (r.StartTime is { } s && (run.Start is null || s < run.Start)) run.Start = s;
            if (r.EndTime is { } e && (run.Finish is null || e > run.Finish)) run.Finish = e;

            var keys = new List<string>();
            var malformed = new List<string>();
            var foreign = new List<string>();
            foreach (var raw in r.TestCaseKeys)
            {
                var k = KeyRule.Normalize(raw);
                if (keyRule.IsValid(k)) { if (!keys.Contains(k)) keys.Add(k); }
                // A key in another TMS's shape (DEMO-TC-1 when publishing to Xray) is not a typo:
                // one test may carry keys for several systems. It is left out quietly.
                else if (KeyRule.IsAnyKnownShape(k)) foreign.Add(k);
                else malformed.Add(raw);
            }
            var requirements = ValidLinks(r, r.Covers, "requirement", run, warned);
            var defects = ValidLinks(r, r.Defects, "defect", run, warned);
            foreach (var bad in malformed)
            {
                if (warned.Add("key|" + r.FullyQualifiedName + "|" + bad))
                    run.Warnings.Add($"test '{r.FullyQualifiedName}' has the malformed key '{bad}' (expected {keyRule.Expected()}); " +
                                     (keys.Count == 0 ? "the test is reported as unmapped." : "that key is skipped."));
            }

            if (keys.Count == 0)
            {
                if (!unmapped.TryGetValue(r.TestName, out var u))
                {
                    u = new UnmappedTest
                    {
                        FullyQualifiedName = r.TestName,
                        Reason = malformed.Count > 0 ? "malformed key " + string.Join(", ", malformed.Select(m => $"'{m}'"))
                            : foreign.Count > 0 ? "no key for this target (only " + string.Join(", ", foreign) + "): "
                                + (targetName ?? "the target") + " expects " + keyRule.Expected(KeyRule.ProjectOf(foreign[0]))
                            : "no TestCaseKey",
                        // Keys of another system's shape are deliberate, not missing: never provision those either.
                        HasMalformedKeys = malformed.Count > 0 || foreign.Count > 0,
                    };
                    unmapped.Add(r.TestName, u);
                    run.Unmapped.Add(u);
                }
                u.Results.Add(r);
                AddDistinct(u.Requirements, requirements);
                AddDistinct(u.Defects, defects);
                continue;
            }

            foreach (var key in keys)
            {
                if (!byKey.TryGetValue(key, out var kr))
                {
                    kr = new KeyedResult { Key = key };
                    byKey.Add(key, kr);
                    run.Keyed.Add(kr);
                }
                kr.Results.Add(r);
                AddDistinct(kr.Requirements, requirements);
                AddDistinct(kr.Defects, defects);
            }
        }
        return run;
    }

    /// <summary>Requirement and defect links must be Jira issue keys whatever the target.</summary>
    private static List<string> ValidLinks(TestResultRecord r, IEnumerable<string> values, string kind, AggregatedRun run, HashSet<string> warned)
    {
        var list = new List<string>();
        foreach (var raw in values)
        {
            var k = KeyRule.Normalize(raw);
            if (KeyRule.JiraIssueKey.IsValid(k)) { if (!list.Contains(k)) list.Add(k); continue; }
            if (warned.Add(kind + "|" + r.FullyQualifiedName + "|" + raw))
                run.Warnings.Add($"test '{r.FullyQualifiedName}' has the malformed {kind} key '{raw}' (expected a Jira issue key such as PROJ-123); the link is skipped.");
        }
        return list;
    }

    private static void AddDistinct(List<string> into, IEnumerable<string> values)
    {
        foreach (var v in values) if (!into.Contains(v)) into.Add(v);
    }
}
