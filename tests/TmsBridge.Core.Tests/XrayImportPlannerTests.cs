using TmsBridge.Backends.Xray;
using TmsBridge.Mapping;
using TmsBridge.Model;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Byte-budget planning of imports. Evidence sizes are given (no files are read) and each entry
/// measures a fixed 100 bytes without evidence, so every split point can be computed by hand.
/// </summary>
public sealed class XrayImportPlannerTests
{
    private const long Base = 100;
    /// <summary>The planner's default reserve for the top level of a request, read off a plan (not from a constant name).</summary>
    private static readonly long Envelope = XrayImportPlanner.Plan([Entry("DEMO-0")], _ => Base, 1 << 30, long.MaxValue, long.MaxValue, [])[0].EstimatedBytes - Base;

    /// <summary>maxRequestBytes giving a usable budget of <paramref name="budget"/> after the envelope reserve.</summary>
    private static long Max(long budget) => budget + Envelope;

    private static XrayEvidence Ev(string name, long size) =>
        new(new EvidenceFile { Path = "/nowhere/" + name, FileName = name, ContentType = ContentTypes.FromFileName(name), Size = size }, name);

    private static XrayEntry Entry(string key, params XrayEvidence[] evidence)
    {
        var keyed = new KeyedResult { Key = key };
        keyed.Results.Add(Result("Ns.C." + key.Replace("-", "_"), keys: [key], sequence: 1));
        return new XrayEntry { Keyed = keyed, Evidence = [.. evidence] };
    }

    private static List<PlannedImport> Plan(IReadOnlyList<XrayEntry> entries, long maxRequestBytes, List<SkippedEvidence> skipped,
        long maxFile = long.MaxValue, long maxRun = long.MaxValue) =>
        XrayImportPlanner.Plan(entries, _ => Base, maxRequestBytes, maxFile, maxRun, skipped);

    private static string Shape(IEnumerable<PlannedImport> imports) =>
        string.Join(" | ", imports.Select(i => string.Join(",", i.Entries.Select(e =>
            (e.IsContinuation ? "+" : "") + e.Name + (e.Evidence.Count > 0 ? "[" + string.Join(" ", e.Evidence.Select(x => x.FileName)) + "]" : "")))));

    [Fact]
    public void Everything_in_one_import_when_it_fits()
    {
        var skipped = new List<SkippedEvidence>();
        var imports = Plan([Entry("DEMO-1", Ev("a.png", 300)), Entry("DEMO-2"), Entry("DEMO-3")], Max(10_000), skipped);
        Assert.Equal("DEMO-1[a.png],DEMO-2,DEMO-3", Shape(imports));
        Assert.Empty(skipped);
        Assert.Equal(3 * Base + Ev("a.png", 300).EncodedSize + Envelope, imports[0].EstimatedBytes);
    }

    [Fact]
    public void Whole_test_runs_are_packed_greedily_under_the_budget()
    {
        var entries = Enumerable.Range(1, 25).Select(i => Entry("DEMO-" + i)).ToList();
        var imports = Plan(entries, Max(2000), []);
        // 2000 / 100 = 20 entries fit exactly; the 21st opens the next import.
        Assert.Equal([20, 5], imports.Select(i => i.Entries.Count));
        Assert.Equal(entries.Select(e => e.Name), imports.SelectMany(i => i.Entries).Select(e => e.Name)); // order kept
        Assert.All(imports, i => Assert.True(i.EstimatedBytes <= Max(2000)));
        Assert.All(imports.SelectMany(i => i.Entries), e => Assert.False(e.IsContinuation));
    }

    [Fact]
    public void Evidence_that_does_not_fit_one_request_follows_in_a_continuation_of_the_same_test_run()
    {
        var (a, b, c) = (Ev("a.png", 450), Ev("b.png", 450), Ev("c.png", 450));
        Assert.True(Base + a.EncodedSize + b.EncodedSize <= 1500 && Base + a.EncodedSize + b.EncodedSize + c.EncodedSize > 1500, "premise: two of them fit, three do not");

        var imports = Plan([Entry("DEMO-1", a, b, c)], Max(1500), []);

        Assert.Equal("DEMO-1[a.png b.png] | +DEMO-1[c.png]", Shape(imports));
        var continuation = imports[1].Entries.Single();
        Assert.True(continuation.IsContinuation);
        Assert.Same(imports[0].Entries[0].Keyed, continuation.Keyed); // same key, same results: status and iterations are repeated
        Assert.Equal(Base + c.EncodedSize + Envelope, imports[1].EstimatedBytes);
        Assert.All(imports, i => Assert.True(i.EstimatedBytes <= Max(1500)));
    }

    [Fact]
    public void Continuations_come_after_every_first_part()
    {
        var big = Enumerable.Range(1, 4).Select(i => Ev($"shot{i}.png", 450)).ToArray();
        var imports = Plan([Entry("DEMO-1", big), Entry("DEMO-2"), Entry("DEMO-3", Ev("x.log", 10))], Max(1500), []);

        var shape = Shape(imports);
        Assert.StartsWith("DEMO-1[shot1.png shot2.png]", shape);
        var lastFirstPart = imports.FindLastIndex(i => i.Entries.Any(e => !e.IsContinuation));
        var firstContinuation = imports.FindIndex(i => i.Entries.Any(e => e.IsContinuation));
        Assert.True(lastFirstPart < firstContinuation, shape);
        Assert.Contains("+DEMO-1[shot3.png shot4.png]", shape);
        Assert.All(imports.Where(i => i.Entries.Any(e => e.IsContinuation)), i => Assert.Single(i.Entries));
    }

    [Fact]
    public void Files_over_maxEvidenceFileBytes_are_skipped_with_the_reason()
    {
        var skipped = new List<SkippedEvidence>();
        var imports = Plan([Entry("DEMO-1", Ev("small.png", 10), Ev("video.mp4", 5000))], Max(100_000), skipped, maxFile: 4096);

        Assert.Equal("DEMO-1[small.png]", Shape(imports));
        var s = Assert.Single(skipped);
        Assert.Equal(("DEMO-1", "video.mp4", 5000L), (s.Owner, s.FileName, s.Bytes));
        Assert.Contains("maxEvidenceFileBytes (4096 bytes)", s.Reason);
    }

    [Fact]
    public void Files_past_the_run_budget_are_skipped_in_order_of_arrival()
    {
        var skipped = new List<SkippedEvidence>();
        var imports = Plan([Entry("DEMO-1", Ev("one.png", 600)), Entry("DEMO-2", Ev("two.png", 600), Ev("tiny.txt", 300))], Max(100_000), skipped, maxRun: 1000);

        Assert.Equal("DEMO-1[one.png],DEMO-2[tiny.txt]", Shape(imports)); // 600 + 300 fit 1000; the second 600 does not
        var s = Assert.Single(skipped);
        Assert.Equal(("DEMO-2", "two.png"), (s.Owner, s.FileName));
        Assert.Contains("maxEvidenceRunBytes (1000 bytes)", s.Reason);
    }

    [Fact]
    public void A_file_too_large_for_any_request_is_skipped_and_does_not_use_the_run_budget()
    {
        var skipped = new List<SkippedEvidence>();
        var imports = Plan([Entry("DEMO-1", Ev("huge.bin", 3000), Ev("ok.png", 600))], Max(2000), skipped, maxRun: 700);

        Assert.Equal("DEMO-1[ok.png]", Shape(imports));
        var s = Assert.Single(skipped);
        Assert.Equal("huge.bin", s.FileName);
        Assert.Contains("too large for one request even alone", s.Reason);
        Assert.Contains($"maxRequestBytes is {Max(2000)}", s.Reason);
    }

    [Fact]
    public void Every_file_is_planned_once_or_skipped_once_and_no_import_exceeds_the_budget()
    {
        var random = new Random(1234);
        var entries = Enumerable.Range(1, 40).Select(i =>
            Entry("DEMO-" + i, Enumerable.Range(1, random.Next(0, 5)).Select(j => Ev($"f{i}-{j}.png", random.Next(1, 3000))).ToArray())).ToList();
        var skipped = new List<SkippedEvidence>();
        var max = Max(4000);
        var imports = Plan(entries, max, skipped, maxFile: 2500, maxRun: 60_000);

        var planned = imports.SelectMany(i => i.Entries).SelectMany(e => e.Evidence.Select(x => x.FileName)).ToList();
        var all = entries.SelectMany(e => e.Evidence.Select(x => x.FileName)).ToList();
        Assert.Equal(planned.Count, planned.Distinct().Count());
        Assert.Equal(all.OrderBy(x => x), planned.Concat(skipped.Select(s => s.FileName)).OrderBy(x => x));
        Assert.All(imports, i => Assert.True(i.EstimatedBytes <= max, $"{i.EstimatedBytes} > {max}"));
        Assert.All(imports, i => Assert.Equal(Envelope + i.Entries.Sum(e => Base + e.Evidence.Sum(x => x.EncodedSize)), i.EstimatedBytes));
        // Every key has exactly one first part.
        Assert.Equal(entries.Select(e => e.Name), imports.SelectMany(i => i.Entries).Where(e => !e.IsContinuation).Select(e => e.Name));
    }

    [Fact]
    public void A_budget_smaller_than_the_envelope_still_plans_every_entry()
    {
        Assert.True(Envelope > 2048, "premise: the default reserve is larger than this maxRequestBytes");
        var imports = Plan([Entry("DEMO-1"), Entry("DEMO-2")], 2048, []);
        Assert.Equal(["DEMO-1", "DEMO-2"], imports.SelectMany(i => i.Entries).Select(e => e.Name));
    }

    [Fact]
    public void Re_planning_a_continuation_keeps_it_a_continuation()
    {
        var (a, b, c) = (Ev("a.png", 450), Ev("b.png", 450), Ev("c.png", 450));
        var first = Plan([Entry("DEMO-1", a, b, c)], Max(1500), []);
        var continuation = first[1];
        Assert.True(continuation.Entries[0].IsContinuation);

        var again = Plan(continuation.Entries, Max(1000), []);
        Assert.All(again.SelectMany(i => i.Entries), e => Assert.True(e.IsContinuation));
    }
}
