using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Cli;

/// <summary>
/// What earlier publishes to one target left in a set of journals: the keys still to send, the keys
/// whose result went but not all their evidence (with the files that did go), the execution they went
/// to, and the publish attempts (so that a publish killed half-way is resumed, not repeated).
/// </summary>
internal sealed class JournalState
{
    /// <summary>Keys some journal has not sent (its latest mark for the key is neither sent nor evidencePending, or there is none).</summary>
    public HashSet<string> Pending { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Keys whose latest mark is evidencePending, each with the evidence copies already sent ("&lt;runId&gt;.evidence/&lt;file&gt;").</summary>
    public Dictionary<string, HashSet<string>> EvidencePending { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The execution a sent (or evidencePending) key went to, if any.</summary>
    public string? SentExecution { get; private set; }
    public List<PublishAttempt> Attempts { get; } = [];

    /// <remarks>
    /// A mark counts only for the destination it was sent to: it belongs to the latest publish attempt
    /// written before it, and an attempt to another base URL or project (the sandbox, a staging server
    /// under the same target name) sent nothing to this one. Marks with no attempt before them (journals
    /// of older versions) count as before.
    /// </remarks>
    public static JournalState Of(IEnumerable<JournalContent> journals, TmsOptions options, Func<TestResultRecord, List<string>> keysOf)
    {
        var target = options.Target;
        var state = new JournalState();
        var files = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var j in journals)
        {
            var latest = new Dictionary<string, PublishMark>(StringComparer.OrdinalIgnoreCase);
            var attempts = j.Attempts.Where(a => a.Target == target).OrderBy(a => a.At).ToList();
            bool SentElsewhere(PublishMark mark) => attempts.LastOrDefault(a => a.At <= mark.At) is { } owner && !SameDestination(owner, options);
            foreach (var mark in j.PublishMarks.Where(m => m.Target == target))
            {
                if (SentElsewhere(mark)) continue;
                if (mark.State == KeyStates.EvidenceSent)
                {
                    if (mark.File is { Length: > 0 } file)
                    {
                        if (!files.TryGetValue(mark.Key, out var set)) files[mark.Key] = set = new(StringComparer.Ordinal);
                        set.Add(file);
                    }
                    continue;
                }
                latest[mark.Key] = mark;
            }
            foreach (var m in latest.Values.Where(m => m.State is KeyStates.Sent or KeyStates.EvidencePending)) state.SentExecution ??= m.ExecutionKey;
            foreach (var r in j.Results)
                foreach (var k in keysOf(r))
                {
                    if (!latest.TryGetValue(k, out var m) || m.State is not (KeyStates.Sent or KeyStates.EvidencePending)) state.Pending.Add(k);
                    else if (m.State == KeyStates.EvidencePending && !state.EvidencePending.ContainsKey(k)) state.EvidencePending[k] = new(StringComparer.Ordinal);
                }
            state.Attempts.AddRange(j.Attempts.Where(a => a.Target == target));
        }
        foreach (var (key, sent) in state.EvidencePending)
            if (files.TryGetValue(key, out var f)) sent.UnionWith(f);
        return state;
    }

    /// <summary>
    /// The latest publish attempt to the same target, base URL and project (each attempt's lines merged:
    /// it is written to every journal, started, then its execution, then finished), or null.
    /// </summary>
    public PublishAttempt? LatestAttempt(TmsOptions options)
    {
        var same = Attempts.Where(a => SameDestination(a, options) && a.MarkerId.Length > 0).ToList();
        if (same.Count == 0) return null;
        var marker = same.OrderBy(a => a.At).Last().MarkerId;
        var lines = same.Where(a => a.MarkerId == marker).OrderBy(a => a.At).ToList();
        return new PublishAttempt
        {
            At = lines[^1].At,
            Target = lines[^1].Target,
            BaseUrl = lines[^1].BaseUrl,
            Project = lines[^1].Project,
            RunId = lines.Select(l => l.RunId).LastOrDefault(r => !string.IsNullOrEmpty(r)),
            MarkerId = marker,
            ExecutionKey = lines.Select(l => l.ExecutionKey).LastOrDefault(k => !string.IsNullOrEmpty(k)),
            State = lines.Any(l => l.State == PublishAttemptStates.Finished) ? PublishAttemptStates.Finished : lines[^1].State,
        };
    }

    /// <summary>The attempt went to the base URL and project of these options.</summary>
    private static bool SameDestination(PublishAttempt attempt, TmsOptions options) =>
        string.Equals(attempt.BaseUrl, options.BaseUrl?.ToString(), StringComparison.OrdinalIgnoreCase)
        && string.Equals(attempt.Project ?? "", options.Project ?? "", StringComparison.OrdinalIgnoreCase);
}
