using TmsBridge.Configuration;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Kit;

/// <summary>An evidence file that exists, with the name it is sent under (unique among its owner's files).</summary>
internal sealed record NamedEvidence(TestResultRecord Result, EvidenceFile File, string FileName);

/// <summary>One file to send: its key, result, file, the name it is sent under and its size.</summary>
internal sealed record PlannedEvidence(KeyedResult Keyed, TestResultRecord Result, EvidenceFile File, string FileName, long Size);

/// <summary>
/// Which evidence files a run sends: files missing from the run folder are warned about, names
/// are made unique per key ("&lt;sequence&gt;-name" for a repeat), and files over maxEvidenceFileBytes
/// or past the run's maxEvidenceRunBytes are skipped with the reason in the report.
/// </summary>
internal static class EvidencePlan
{
    /// <summary>The existing files of an owner's results, each under a name unique among them; a missing copy is a warning naming the owner.</summary>
    public static List<NamedEvidence> Name(IEnumerable<TestResultRecord> results, string owner, List<string> warnings)
    {
        var list = new List<NamedEvidence>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in results)
        {
            // A step's evidence (Tms.Attach inside Tms.Step) goes on the test too: no backend yet sends it per step.
            foreach (var a in r.AllEvidence())
            {
                // A copy deleted from the run folder costs that file, never the result.
                if (!File.Exists(a.Path))
                {
                    warnings.Add($"{owner}: evidence '{a.FileName}' of '{r.Name}' is missing from the run folder ({a.Path}); it is not sent.");
                    continue;
                }
                var name = a.FileName;
                // Two rows attaching "screen.png" must stay two files in the TMS.
                if (!names.Add(name)) { name = $"{r.Sequence}-{name}"; names.Add(name); }
                list.Add(new NamedEvidence(r, a, name));
            }
        }
        return list;
    }

    /// <summary>Every key's files under the per-file and per-run budgets; the others are reported as skipped.</summary>
    public static List<PlannedEvidence> For(IEnumerable<KeyedResult> keyed, TmsOptions options, PublishReport report)
    {
        var list = new List<PlannedEvidence>();
        long runBytes = 0;
        foreach (var k in keyed)
        {
            foreach (var e in Name(k.Results, k.Key, report.Warnings))
            {
                var size = new FileInfo(e.File.Path).Length;
                var over = TooLarge(size, options.MaxEvidenceFileBytes) ?? PastRunBudget(size, runBytes, options.MaxEvidenceRunBytes);
                if (over is not null) Skip(report, k.Key, e.FileName, size, over);
                else
                {
                    runBytes += size;
                    list.Add(new PlannedEvidence(k, e.Result, e.File, e.FileName, size));
                }
            }
        }
        return list;
    }

    /// <summary>Why a file is not sent for its own size, or null when it fits maxEvidenceFileBytes.</summary>
    public static string? TooLarge(long size, long maxFileBytes) =>
        size > maxFileBytes ? $"larger than maxEvidenceFileBytes ({maxFileBytes} bytes)" : null;

    /// <summary>Why a file is not sent after <paramref name="runBytes"/> were planned, or null when it fits maxEvidenceRunBytes.</summary>
    public static string? PastRunBudget(long size, long runBytes, long maxRunBytes) =>
        runBytes + size > maxRunBytes ? $"over the run's evidence budget, maxEvidenceRunBytes ({maxRunBytes} bytes)" : null;

    /// <summary>Reports a file that is not sent: in the skipped evidence, and as a message of its key.</summary>
    public static void Skip(PublishReport report, string key, string file, long bytes, string reason)
    {
        report.SkippedEvidence.Add(new SkippedEvidenceReport { Key = key, File = file, Bytes = bytes, Reason = reason });
        report.FindKey(key)?.Messages.Add($"evidence '{file}' not sent: {reason}");
    }
}
