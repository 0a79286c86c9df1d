namespace TmsBridge.Sandbox.State;

/// <summary>
/// One request the sandbox answered. Deliberately no headers, query string or body:
/// the log is shown on the HTML page and returned by /_sandbox/state, and must never
/// carry credentials or tokens.
/// </summary>
/// <param name="Status">The status the sandbox produced (for a lost response: the one the client never saw; 0 when the connection was dropped before processing).</param>
/// <param name="Dropped">The connection was aborted: the client got no response at all.</param>
/// <param name="Fault">The injected fault or limit that shaped the answer (<c>status</c>, <c>delay</c>, <c>drop</c>, <c>loseResponse</c>, <c>tooLarge</c>, <c>rateLimit</c>), or null.</param>
public sealed record RequestRecord(string Method, string Path, int Status, long Bytes, DateTimeOffset At, bool Dropped = false, string? Fault = null)
{
    /// <summary>What the client actually got: the status number, or <c>"dropped"</c>.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public object Response => Dropped ? "dropped" : Status;
}

/// <summary>Append-only log of the API requests received (not the sandbox's own /_sandbox or page requests).</summary>
public sealed class RequestLog
{
    private readonly List<RequestRecord> _records = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly object _sync = new();

    public void Add(RequestRecord record)
    {
        lock (_sync)
        {
            _records.Add(record);
            var key = $"{record.Method} {record.Path}";
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }
    }

    public IReadOnlyList<RequestRecord> Records
    {
        get { lock (_sync) return _records.ToArray(); }
    }

    /// <summary>"METHOD path" → number of requests, e.g. <c>"POST /rest/raven/2.0/import/execution": 2</c>.</summary>
    public IReadOnlyDictionary<string, int> Counts
    {
        get { lock (_sync) return new SortedDictionary<string, int>(_counts, StringComparer.Ordinal); }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _records.Clear();
            _counts.Clear();
        }
    }
}
