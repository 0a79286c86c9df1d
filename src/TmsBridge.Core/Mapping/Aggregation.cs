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
    public TestOutcome Outcome
    {
        get
        {
            // A loop, not Worst(Select(...)): read several times per key at the run end (issue 16).
            if (Results.Count == 1) return Results[0].Outcome;
            var worst = TestOutcome.Passed;
            for (var i = 0; i < Results.Count; i++)
                if (i == 0 || TestOutcomes.Severity(Results[i].Outcome) > TestOutcomes.Severity(worst)) worst = Results[i].Outcome;
            return worst;
        }
    }
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
        var groups = new Dictionary<TestResultRecord, List<int>>(AttemptIdentity.Instance);
        for (var i = 0; i < list.Count; i++)
        {
            if (!groups.TryGetValue(list[i], out var g)) groups[list[i]] = g = [];
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

    /// <summary>
    /// Two results are attempts of one test when they have the same fully qualified name, display name,
    /// parameters, assembly file, target framework and keys. Compared field by field, not through a key
    /// string built per result: this runs for every result at the run end (issue 16).
    /// </summary>
    /// <remarks>
    /// The keys count too: two results of one test that carry different keys (a key chosen at run time
    /// per data row through Tms.Key, where the rows share a display name) are two results, not a retry.
    /// </remarks>
    internal sealed class AttemptIdentity : IEqualityComparer<TestResultRecord>
    {
        public static readonly AttemptIdentity Instance = new();

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public bool Equals(TestResultRecord? a, TestResultRecord? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null) return false;
            if (!string.Equals(a.FullyQualifiedName, b.FullyQualifiedName, StringComparison.Ordinal)
                || !string.Equals(a.DisplayName, b.DisplayName, StringComparison.Ordinal)
                || !string.Equals(a.TargetFramework ?? "", b.TargetFramework ?? "", StringComparison.Ordinal)
                || a.Parameters.Count != b.Parameters.Count
                || a.TestCaseKeys.Count != b.TestCaseKeys.Count
                || !string.Equals(FileOf(a), FileOf(b), StringComparison.Ordinal))
                return false;
            for (var i = 0; i < a.Parameters.Count; i++)
            {
                if (!string.Equals(a.Parameters[i].Name ?? "", b.Parameters[i].Name ?? "", StringComparison.Ordinal)
                    || !string.Equals(a.Parameters[i].Value ?? "", b.Parameters[i].Value ?? "", StringComparison.Ordinal))
                    return false;
            }
            return a.TestCaseKeys.Count switch
            {
                0 => true,
                1 => string.Equals(KeyRule.Normalize(a.TestCaseKeys[0]), KeyRule.Normalize(b.TestCaseKeys[0]), StringComparison.Ordinal),
                _ => SortedKeys(a).SequenceEqual(SortedKeys(b), StringComparer.Ordinal),
            };
        }

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public int GetHashCode(TestResultRecord r)
        {
            // The name, row and key decide almost always; the rest is left to Equals.
            unchecked
            {
                var hash = StringComparer.Ordinal.GetHashCode(r.FullyQualifiedName);
                hash = hash * 31 + StringComparer.Ordinal.GetHashCode(r.DisplayName);
                hash = hash * 31 + r.TestCaseKeys.Count;
                if (r.TestCaseKeys.Count == 1) hash = hash * 31 + StringComparer.Ordinal.GetHashCode(KeyRule.Normalize(r.TestCaseKeys[0]));
                return hash;
            }
        }

        // Path.GetFileName returns the same string when there is no folder in it (journals hold file names).
        private static string FileOf(TestResultRecord r) => Path.GetFileName(r.Source ?? "");

        private static List<string> SortedKeys(TestResultRecord r)
        {
            var keys = r.TestCaseKeys.Select(KeyRule.Normalize).ToList();
            keys.Sort(StringComparer.Ordinal);
            return keys;
        }
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
        results = AttemptPolicies.Pick(InSequence(results), attempts, out var superseded);
        run.SupersededAttempts = superseded;
        var byKey = new Dictionary<string, KeyedResult>(StringComparer.Ordinal);
        var unmapped = new Dictionary<string, UnmappedTest>(StringComparer.Ordinal);
        var warned = new HashSet<string>(StringComparer.Ordinal);

        // Scratch lists for one result at a time, cleared rather than built per result (issue 16).
        var keys = new List<string>();
        var malformed = new List<string>();
        var foreign = new List<string>();
        foreach (var r in InSequence(results))
        {
            run.ResultCount++;
            if (r.StartTime is { } s && (run.Start is null || s < run.Start)) run.Start = s;
            if (r.EndTime is { } e && (run.Finish is null || e > run.Finish)) run.Finish = e;

            keys.Clear();
            malformed.Clear();
            foreign.Clear();
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

    /// <summary>
    /// The results in journal order (by sequence; equal sequences keep their order). Results published from
    /// a session's memory already are: then they are not sorted again (twice per run end, issue 16).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static IEnumerable<TestResultRecord> InSequence(IEnumerable<TestResultRecord> results)
    {
        if (results is not IReadOnlyList<TestResultRecord> list) return results.OrderBy(r => r.Sequence);
        for (var i = 1; i < list.Count; i++)
            if (list[i].Sequence < list[i - 1].Sequence) return list.OrderBy(r => r.Sequence);
        return list;
    }

    /// <summary>Shared by every result without links; only ever read.</summary>
    private static readonly List<string> NoLinks = [];

    /// <summary>Requirement and defect links must be Jira issue keys whatever the target.</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static List<string> ValidLinks(TestResultRecord r, List<string> values, string kind, AggregatedRun run, HashSet<string> warned)
    {
        if (values.Count == 0) return NoLinks; // most results: nothing to check, nothing to build
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

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static void AddDistinct(List<string> into, IEnumerable<string> values)
    {
        foreach (var v in values) if (!into.Contains(v)) into.Add(v);
    }
}
