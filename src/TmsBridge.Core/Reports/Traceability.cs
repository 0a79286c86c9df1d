using TmsBridge.Journal;
using TmsBridge.Keys;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Reports;

/// <summary>A requirement's coverage, from the latest results of the tests that cover it.</summary>
public static class CoverageStates
{
    /// <summary>Every covering test passed.</summary>
    public const string Passed = "passed";
    /// <summary>At least one covering test failed.</summary>
    public const string Failed = "failed";
    /// <summary>None failed, but at least one was skipped, inconclusive or not run.</summary>
    public const string NotRun = "notRun";
    /// <summary>Known to the report (named by --requirements, or covered in an older journal), but no test's latest result covers it.</summary>
    public const string NotCovered = "notCovered";

    public static string Label(string state) => state switch
    {
        Passed => "passed",
        Failed => "failed",
        NotRun => "not run",
        _ => "not covered",
    };
}

/// <summary>One test as its latest journal knows it.</summary>
public sealed class TraceTest
{
    /// <summary>The test's name without data-row arguments (rows of one test are one test here).</summary>
    public string Name { get; set; } = "";
    public string? Source { get; set; }
    /// <summary>The worst outcome of the test's results in its latest journal (rows, retries, frameworks).</summary>
    public TestOutcome Outcome { get; set; }
    public int Results { get; set; }
    public List<string> Keys { get; set; } = [];
    public List<string> Requirements { get; set; } = [];
    public string RunId { get; set; } = "";
    public DateTimeOffset RunStarted { get; set; }

    /// <summary>passed, failed or notRun (a skipped, inconclusive or never executed test did not verify anything).</summary>
    public string Coverage => Outcome switch
    {
        TestOutcome.Passed => CoverageStates.Passed,
        TestOutcome.Failed => CoverageStates.Failed,
        _ => CoverageStates.NotRun,
    };
}

public sealed class TraceRequirement
{
    public string Key { get; set; } = "";
    public string State { get; set; } = CoverageStates.NotCovered;
    public List<TraceTest> Tests { get; set; } = [];
}

/// <summary>A key the TMS refused, from a journal's latest publish mark for it.</summary>
public sealed class TraceRefusal
{
    public string Key { get; set; } = "";
    public string Target { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string RunId { get; set; } = "";
}

/// <summary>Requirement → tests → latest status, over one or more run journals.</summary>
public sealed class TraceabilityReport
{
    public List<string> Journals { get; set; } = [];
    public List<TraceRequirement> Requirements { get; set; } = [];
    public List<TraceTest> Tests { get; set; } = [];
    public List<TraceRefusal> Refused { get; set; } = [];

    public IEnumerable<TraceTest> TestsWithoutKeys => Tests.Where(t => t.Keys.Count == 0);
    public int CountOf(string state) => Requirements.Count(r => r.State == state);
}

/// <summary>
/// Builds the traceability view from journals. What journals can know decides the meanings:
/// a test's latest status is its worst outcome in the most recent journal (by run start) that
/// has it; a requirement is any Jira issue key in a [Covers] (attribute or Tms.Covers) of any
/// result read, plus those the caller names; "not covered" is a requirement known that way that
/// no test's latest result covers (the journals cannot list a TMS's requirements by themselves).
/// </summary>
public static class Traceability
{
    public static TraceabilityReport Build(IReadOnlyList<JournalContent> journals, IEnumerable<string>? requirements = null)
    {
        var report = new TraceabilityReport { Journals = journals.Select(j => j.Path).ToList() };
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in requirements ?? []) if (Requirement(r) is { } k) known.Add(k);

        var latest = new Dictionary<string, TraceTest>(StringComparer.Ordinal);
        var ordered = journals.Where(j => j.Header is not null).OrderBy(j => j.Header!.StartedAt).ThenBy(j => j.Path, StringComparer.Ordinal);
        foreach (var journal in ordered)
        {
            var header = journal.Header!;
            var rule = Targets.KeyRuleFor(header.Options.TryGetValue("target", out var t) ? t : Targets.None);
            foreach (var group in journal.Results.GroupBy(r => r.TestName, StringComparer.Ordinal))
            {
                var results = group.ToList();
                foreach (var req in results.SelectMany(r => r.Covers)) if (Requirement(req) is { } k) known.Add(k);
                // A later journal replaces what an earlier one said of the same test.
                latest[group.Key] = new TraceTest
                {
                    Name = group.Key,
                    Source = results.Select(r => r.Source).FirstOrDefault(s => !string.IsNullOrEmpty(s)) is { } s ? Path.GetFileName(s) : null,
                    Outcome = TestOutcomes.Worst(results.Select(r => r.Outcome)),
                    Results = results.Count,
                    Keys = results.SelectMany(r => r.TestCaseKeys).Select(KeyRule.Normalize).Where(rule.IsValid).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList(),
                    Requirements = results.SelectMany(r => r.Covers).Select(Requirement).OfType<string>().Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList(),
                    RunId = header.RunId,
                    RunStarted = header.StartedAt,
                };
            }
        }
        report.Tests = latest.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        foreach (var key in known.OrderBy(k => k, KeyOrder.Instance))
        {
            var tests = report.Tests.Where(t => t.Requirements.Contains(key)).ToList();
            report.Requirements.Add(new TraceRequirement { Key = key, Tests = tests, State = tests.Count == 0 ? CoverageStates.NotCovered : State(tests.Select(x => x.Coverage)) });
        }

        // Refused keys: a key whose latest mark (per target, over every journal) says refused.
        var marks = new Dictionary<string, (PublishMark Mark, string RunId)>(StringComparer.OrdinalIgnoreCase);
        foreach (var journal in journals)
            foreach (var m in journal.PublishMarks)
            {
                var id = m.Target + "|" + m.Key;
                if (!marks.TryGetValue(id, out var seen) || m.At >= seen.Mark.At) marks[id] = (m, journal.Header?.RunId ?? "");
            }
        report.Refused = marks.Values.Where(m => m.Mark.State == KeyStates.Refused)
            .Select(m => new TraceRefusal { Key = m.Mark.Key, Target = m.Mark.Target, Reason = m.Mark.Reason ?? "", At = m.Mark.At, RunId = m.RunId })
            .OrderBy(r => r.Key, KeyOrder.Instance).ThenBy(r => r.Target, StringComparer.Ordinal).ToList();
        return report;
    }

    /// <summary>
    /// The coverage line of one publish: requirements by state, from the run's results (a test's
    /// several results count by their worst outcome). Null when no result covers a requirement.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static ReportCoverage? Coverage(IEnumerable<TestResultRecord> results)
    {
        // No [Covers] anywhere (many suites): no grouping of every result by test name for nothing.
        if (!results.Any(r => r.Covers.Count > 0)) return null;
        var byRequirement = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var test in results.GroupBy(r => r.TestName, StringComparer.Ordinal))
        {
            var coverage = new TraceTest { Outcome = TestOutcomes.Worst(test.Select(r => r.Outcome)) }.Coverage;
            foreach (var req in test.SelectMany(r => r.Covers).Select(Requirement).OfType<string>().Distinct())
            {
                if (!byRequirement.TryGetValue(req, out var list)) byRequirement[req] = list = [];
                list.Add(coverage);
            }
        }
        if (byRequirement.Count == 0) return null;
        var states = byRequirement.Values.Select(State).ToList();
        return new ReportCoverage
        {
            Requirements = states.Count,
            Passed = states.Count(s => s == CoverageStates.Passed),
            Failed = states.Count(s => s == CoverageStates.Failed),
            NotRun = states.Count(s => s == CoverageStates.NotRun),
        };
    }

    /// <summary>As Xray's requirement status: any failed test fails it; else any test that did not run leaves it not run; else passed.</summary>
    public static string State(IEnumerable<string> testCoverages)
    {
        var list = testCoverages.ToList();
        if (list.Contains(CoverageStates.Failed)) return CoverageStates.Failed;
        if (list.Count == 0 || list.Contains(CoverageStates.NotRun)) return CoverageStates.NotRun;
        return CoverageStates.Passed;
    }

    /// <summary>A requirement link as the publish sends it: a Jira issue key, upper case; anything else is no requirement.</summary>
    private static string? Requirement(string raw)
    {
        var k = KeyRule.Normalize(raw);
        return KeyRule.JiraIssueKey.IsValid(k) ? k : null;
    }

    /// <summary>DEMO-2 before DEMO-10: project, then number.</summary>
    private sealed class KeyOrder : IComparer<string>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var (px, nx) = Split(x ?? "");
            var (py, ny) = Split(y ?? "");
            var c = string.CompareOrdinal(px, py);
            if (c != 0) return c;
            c = nx.CompareTo(ny);
            return c != 0 ? c : string.CompareOrdinal(x, y);
        }

        private static (string Prefix, long Number) Split(string key)
        {
            var dash = key.LastIndexOf('-');
            return dash > 0 && long.TryParse(key.Substring(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? (key.Substring(0, dash), n) : (key, 0);
        }
    }
}
