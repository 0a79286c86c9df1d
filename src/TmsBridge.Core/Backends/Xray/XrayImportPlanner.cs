using TmsBridge.Backends.Kit;

namespace TmsBridge.Backends.Xray;

/// <summary>One request's worth of tests.</summary>
internal sealed class PlannedImport
{
    public List<XrayEntry> Entries { get; } = [];
    public long EstimatedBytes { get; set; }
}

/// <summary>Evidence that is not sent, and why: it appears in the report, never silently dropped.</summary>
internal sealed class SkippedEvidence(string owner, string fileName, long bytes, string reason)
{
    public string Owner { get; } = owner;
    public string FileName { get; } = fileName;
    public long Bytes { get; } = bytes;
    public string Reason { get; } = reason;
}

/// <summary>
/// Splits a run into imports that each stay under the byte budget (maxRequestBytes). Whole Test
/// Runs are packed greedily; a Test Run whose evidence alone exceeds the budget is sent with the
/// evidence that fits, and the rest follows in later requests against the same Test Run.
/// Evidence over the per-file or per-run budget, or too large for any request, is skipped with a reason.
/// </summary>
internal static class XrayImportPlanner
{
    /// <summary>Room for the top level when the caller does not measure it (testExecutionKey, info, brackets).</summary>
    public const long DefaultEnvelopeBytes = 8 * 1024;

    public static List<PlannedImport> Plan(
        IReadOnlyList<XrayEntry> entries,
        Func<XrayEntry, long> measureWithoutEvidence,
        long maxRequestBytes,
        long maxEvidenceFileBytes,
        long maxEvidenceRunBytes,
        List<SkippedEvidence> skipped,
        long envelopeBytes = DefaultEnvelopeBytes)
    {
        var imports = new List<PlannedImport>();
        var continuations = new List<PlannedImport>();
        var current = new PlannedImport();
        var budget = Math.Max(256, maxRequestBytes - envelopeBytes);
        long runEvidence = 0;

        foreach (var entry in entries)
        {
            var baseBytes = measureWithoutEvidence(entry);
            var kept = new List<XrayEvidence>();
            foreach (var e in entry.Evidence)
            {
                var over = EvidencePlan.TooLarge(e.Size, maxEvidenceFileBytes)
                    ?? (baseBytes + e.EncodedSize > budget ? $"too large for one request even alone: {e.EncodedSize} bytes encoded, maxRequestBytes is {maxRequestBytes}" : null)
                    ?? EvidencePlan.PastRunBudget(e.Size, runEvidence, maxEvidenceRunBytes);
                if (over is not null) skipped.Add(new(entry.Name, e.FileName, e.Size, over));
                else
                {
                    kept.Add(e);
                    runEvidence += e.Size;
                }
            }

            // Group the evidence so that each group plus the entry fits one request.
            var groups = new List<List<XrayEvidence>> { new() };
            var groupBytes = baseBytes;
            foreach (var e in kept)
            {
                if (groupBytes + e.EncodedSize > budget && groups[groups.Count - 1].Count > 0)
                {
                    groups.Add([]);
                    groupBytes = baseBytes;
                }
                groups[groups.Count - 1].Add(e);
                groupBytes += e.EncodedSize;
            }

            // Re-planned after a 413, a follow-up part stays a follow-up part.
            var first = entry.WithEvidence(groups[0], continuation: entry.IsContinuation);
            var firstBytes = baseBytes + groups[0].Sum(e => e.EncodedSize);
            if (current.Entries.Count > 0 && current.EstimatedBytes + firstBytes > budget)
            {
                imports.Add(current);
                current = new PlannedImport();
            }
            current.Entries.Add(first);
            current.EstimatedBytes += firstBytes;

            // Continuations go after every first part, so a Test Run always exists before more evidence joins it.
            foreach (var g in groups.Skip(1))
            {
                var part = new PlannedImport { EstimatedBytes = baseBytes + g.Sum(e => e.EncodedSize) };
                part.Entries.Add(entry.WithEvidence(g, continuation: true));
                continuations.Add(part);
            }
        }
        if (current.Entries.Count > 0) imports.Add(current);
        imports.AddRange(continuations);
        foreach (var i in imports) i.EstimatedBytes += envelopeBytes;
        return imports;
    }
}
