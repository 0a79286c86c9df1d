using TmsBridge.Publishing;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// Per-key state of a publish whose keys travel in several parts (chunks, follow-up requests):
/// each part notes what the TMS did with the key (stored, refused with its words, not sent and
/// why); when the key's last part has settled, its state and messages go into the report and the
/// progress mark is written. Refused wins over not sent, which wins over sent.
/// </summary>
internal sealed class KeyLedger
{
    private readonly PublishContext _context;
    private readonly Dictionary<string, int> _remaining = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _stored = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<string>> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<string>> _notSent = new(StringComparer.OrdinalIgnoreCase);

    private readonly ISet<string> _evidenceFollows;

    /// <param name="context">The publish.</param>
    /// <param name="parts">One entry per part a key travels in (a key listed twice has two parts).</param>
    /// <param name="evidenceFollows">Keys whose evidence is uploaded in separate calls after their result: stored, they settle
    /// as evidencePending (not sent) until the evidence step settles them (<see cref="Settle"/>).</param>
    public KeyLedger(PublishContext context, IEnumerable<string> parts, ISet<string>? evidenceFollows = null)
    {
        _context = context;
        _evidenceFollows = evidenceFollows ?? new HashSet<string>();
        foreach (var key in parts) _remaining[key] = (_remaining.TryGetValue(key, out var n) ? n : 0) + 1;
    }

    public void Stored(string key) => _stored[key] = (_stored.TryGetValue(key, out var n) ? n : 0) + 1;
    public void Refused(string key, string message) => Note(_refused, key, message);
    public void NotSent(string key, string message) => Note(_notSent, key, message);

    /// <summary>
    /// These parts went out (a key once per part): a key whose parts all went out is settled in the
    /// report, with a progress mark naming <paramref name="where"/> (the execution or cycle).
    /// </summary>
    public void PartsDone(IEnumerable<string> keys, string? where)
    {
        foreach (var group in keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase))
        {
            var key = group.Key;
            _remaining[key] = (_remaining.TryGetValue(key, out var n) ? n : 0) - group.Count();
            if (_remaining[key] > 0) continue;
            if (_refused.TryGetValue(key, out var why)) Settle(_context, key, KeyStates.Refused, why.Concat(_notSent.TryGetValue(key, out var lost) ? lost : []).ToList(), where);
            else if (_notSent.TryGetValue(key, out var lost2)) Settle(_context, key, KeyStates.NotSent, lost2, where);
            else Settle(_context, key, _evidenceFollows.Contains(key) ? KeyStates.EvidencePending : KeyStates.Sent, [], where);
        }
    }

    /// <summary>How many parts of each key the TMS stored, for the keys neither refused nor left unsent.</summary>
    public Dictionary<string, int> StoredKeys()
    {
        var stored = new Dictionary<string, int>(_stored, StringComparer.OrdinalIgnoreCase);
        foreach (var key in _refused.Keys.Concat(_notSent.Keys)) stored.Remove(key);
        return stored;
    }

    /// <summary>Sets one key's state and messages in the report and writes its progress mark.</summary>
    public static void Settle(PublishContext context, string key, string state, IReadOnlyList<string> messages, string? where)
    {
        var k = context.Report.FindKey(key);
        if (k is null) return;
        k.State = state;
        k.Messages.AddRange(messages);
        context.ReportProgress(k.Key, state, where, state == KeyStates.Sent || messages.Count == 0 ? null : context.Redactor.Redact(string.Join(" ", messages)));
    }

    private static void Note(Dictionary<string, List<string>> into, string key, string message)
    {
        if (!into.TryGetValue(key, out var list)) into[key] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }
}
