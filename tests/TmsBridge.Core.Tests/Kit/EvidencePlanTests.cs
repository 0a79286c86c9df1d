using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests.Kit;

public sealed class EvidencePlanTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private EvidenceFile File(string name, int bytes)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + "/" + name, new string('x', bytes));
        return new EvidenceFile { Path = path, FileName = name, Size = bytes };
    }

    private static KeyedResult Keyed(string key, params TestResultRecord[] results)
    {
        var k = new KeyedResult { Key = key };
        k.Results.AddRange(results);
        return k;
    }

    private static PublishReport Report(params string[] keys) => new() { Keys = keys.Select(k => new KeyReport { Key = k }).ToList() };

    [Fact]
    public void A_name_repeated_within_a_key_gets_the_result_sequence_and_a_missing_file_is_a_warning()
    {
        var first = Result("Ns.C.Row1", keys: ["DEMO-1"], sequence: 1);
        first.Attachments.Add(File("screen.png", 10));
        var second = Result("Ns.C.Row2", keys: ["DEMO-1"], sequence: 2);
        second.Attachments.Add(File("screen.png", 10));
        second.Attachments.Add(new EvidenceFile { Path = _dir.Combine("gone.log"), FileName = "gone.log" });
        var warnings = new List<string>();

        var named = EvidencePlan.Name([first, second], "DEMO-1", warnings);

        Assert.Equal(["screen.png", "2-screen.png"], named.Select(n => n.FileName));
        var warning = Assert.Single(warnings);
        Assert.StartsWith("DEMO-1: evidence 'gone.log' of '", warning);
        Assert.Contains("missing from the run folder", warning);
    }

    [Fact]
    public void Files_over_the_file_or_run_budget_are_skipped_with_the_reason_under_their_key()
    {
        var a = Result("Ns.C.A", keys: ["DEMO-1"], sequence: 1);
        a.Attachments.Add(File("big.bin", 2000));
        a.Attachments.Add(File("small-1.txt", 300));
        var b = Result("Ns.C.B", keys: ["DEMO-2"], sequence: 2);
        b.Attachments.Add(File("small-2.txt", 300));
        var report = Report("DEMO-1", "DEMO-2");
        var options = new TmsOptions { MaxEvidenceFileBytes = 1000, MaxEvidenceRunBytes = 500 };

        var plan = EvidencePlan.For([Keyed("DEMO-1", a), Keyed("DEMO-2", b)], options, report);

        Assert.Equal(["small-1.txt"], plan.Select(p => p.FileName));
        Assert.Equal(300, plan[0].Size);
        Assert.Collection(report.SkippedEvidence,
            s => { Assert.Equal(("DEMO-1", "big.bin"), (s.Key, s.File)); Assert.Equal("larger than maxEvidenceFileBytes (1000 bytes)", s.Reason); },
            s => { Assert.Equal(("DEMO-2", "small-2.txt"), (s.Key, s.File)); Assert.Equal("over the run's evidence budget, maxEvidenceRunBytes (500 bytes)", s.Reason); });
        Assert.Contains("evidence 'big.bin' not sent: larger than maxEvidenceFileBytes (1000 bytes)", report.FindKey("DEMO-1")!.Messages);
    }
}
