using System.Text.Json.Serialization;

namespace TmsBridge.Publishing;

/// <summary>
/// &lt;TestRunDirectory&gt;/tms/&lt;runId&gt;.report.json: per key, what was sent and what the server answered.
/// Never contains secrets (messages pass through the redactor first).
/// </summary>
public sealed class PublishReport
{
    public string RunId { get; set; } = "";
    public string Target { get; set; } = "none";
    public string? TargetName { get; set; }
    public bool DryRun { get; set; }
    public DateTimeOffset GeneratedAt { get; set; }
    public string? JournalPath { get; set; }
    public string? PlanPath { get; set; }
    public ExecutionReference? Execution { get; set; }
    public ReportTotals Totals { get; set; } = new();
    public List<KeyReport> Keys { get; set; } = [];
    public List<UnmappedReport> Unmapped { get; set; } = [];
    public List<string> Warnings { get; set; } = [];
    public List<string> Errors { get; set; } = [];
    public List<RequestReport> Requests { get; set; } = [];
    /// <summary>Evidence that was not sent, each with its reason (size budgets, missing files, failed follow-up requests).</summary>
    public List<SkippedEvidenceReport> SkippedEvidence { get; set; } = [];
    public SortedDictionary<string, string> Options { get; set; } = [];
    /// <summary>
    /// Unexpected exceptions inside TmsBridge, with their whole (redacted) stack trace. Each also has a
    /// short line in <see cref="Errors"/>, the form the console shows. Null (absent from the JSON) when there was none.
    /// </summary>
    public List<InternalErrorReport>? InternalErrors { get; set; }
    /// <summary>Requirements covered by the run's results ([Covers], Tms.Covers), by state; null when no result covers one.</summary>
    public ReportCoverage? Coverage { get; set; }

    /// <summary>True when something that should have been published was not (errors or refused/unsent keys).</summary>
    [JsonIgnore]
    public bool PublishFailed => Errors.Count > 0 || Keys.Any(k => k.State is KeyStates.Refused or KeyStates.NotSent or KeyStates.EvidencePending);

    // FindKey's index (case-insensitive key → first entry with that key). Backends look a key up per
    // result, per answer and per evidence file, so a linear search made large runs quadratic. Keys stays
    // a plain list (the report JSON and every caller are unchanged): the index follows it lazily, adding
    // the entries appended since the last lookup and rebuilding when the list was replaced or shrank.
    private readonly object _indexGate = new();
    private readonly Dictionary<string, KeyReport> _index = new(StringComparer.OrdinalIgnoreCase);
    private List<KeyReport>? _indexedList;
    private int _indexedCount;

    /// <summary>The entry of a key (case-insensitive; the first one if the key occurs twice), or null.</summary>
    public KeyReport? FindKey(string key)
    {
        lock (_indexGate)
        {
            var keys = Keys;
            if (!ReferenceEquals(keys, _indexedList) || keys.Count < _indexedCount) Reindex(keys, 0);
            else if (keys.Count > _indexedCount) Reindex(keys, _indexedCount);
            if (_index.TryGetValue(key, out var found) && string.Equals(found.Key, key, StringComparison.OrdinalIgnoreCase)) return found;
            // A miss, or an entry renamed since it was indexed. The index cannot see an entry replaced
            // in place or renamed, so a miss is confirmed by the linear search (misses are rare: backends
            // look up keys of the run) and the index rebuilt when that finds something.
            found = keys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase));
            if (found is not null) Reindex(keys, 0);
            return found;
        }
    }

    private void Reindex(List<KeyReport> keys, int from)
    {
        if (from == 0) _index.Clear();
        for (var i = from; i < keys.Count; i++)
        {
            var k = keys[i];
            if (!_index.ContainsKey(k.Key)) _index[k.Key] = k;
        }
        _indexedList = keys;
        _indexedCount = keys.Count;
    }
}

public static class KeyStates
{
    public const string Sent = "sent";
    public const string Refused = "refused";
    /// <summary>
    /// The key's result reached the TMS, some of its evidence (uploaded in separate calls: AIO) not yet:
    /// `tmsbridge publish` sends only the missing files, never the result again.
    /// </summary>
    public const string EvidencePending = "evidencePending";
    /// <summary>Only in the journal: a mark naming one evidence file that reached the key's run.</summary>
    public const string EvidenceSent = "evidenceSent";
    public const string NotSent = "notSent";
    /// <summary>Dry run or target none: the payload was written, not sent.</summary>
    public const string Planned = "planned";
}

public sealed class ExecutionReference
{
    public string? Key { get; set; }
    public string? Id { get; set; }
    public string? Url { get; set; }
    /// <summary>True when the run was reported into an execution given by the testExecution option.</summary>
    public bool Reused { get; set; }
    /// <summary>True when the execution was not given but found by its marker before creating (a group's or a replayed publish's execution).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Joined { get; set; }
    /// <summary>What the TMS said it made of an import, by name (QMetry: testCasesCreated, testCaseVersionsReused, ...); null when it says nothing.</summary>
    public SortedDictionary<string, int>? Counts { get; set; }
}

public sealed class ReportTotals
{
    public int Results { get; set; }
    public int Keys { get; set; }
    public int UnmappedTests { get; set; }
    public int Sent { get; set; }
    public int Refused { get; set; }
    public int NotSent { get; set; }
    /// <summary>Keys whose result was sent but some evidence not yet (see <see cref="KeyStates.EvidencePending"/>).</summary>
    public int EvidencePending { get; set; }
    /// <summary>Attempts of retried tests left out by the attempts option (earlier ones with last, better ones with worst).</summary>
    public int SupersededAttempts { get; set; }
}

/// <summary>The coverage line: requirements passed / failed / not run (see Reports.Traceability for the rules).</summary>
public sealed class ReportCoverage
{
    public int Requirements { get; set; }
    public int Passed { get; set; }
    public int Failed { get; set; }
    public int NotRun { get; set; }
}

public sealed class KeyReport
{
    public string Key { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string? Status { get; set; }
    public int Results { get; set; }
    public int Iterations { get; set; }
    public int Evidence { get; set; }
    public List<string> Requirements { get; set; } = [];
    public List<string> Defects { get; set; } = [];
    public List<string> Tests { get; set; } = [];
    public string State { get; set; } = KeyStates.NotSent;
    public List<string> Messages { get; set; } = [];
}

public sealed class UnmappedReport
{
    public string Test { get; set; } = "";
    public string Reason { get; set; } = "";
    public int Results { get; set; }
    public string Outcome { get; set; } = "";
    /// <summary>Set when provisionUnmapped sent the test so the TMS could create or match it.</summary>
    public string? State { get; set; }
}

/// <summary>An unexpected exception inside TmsBridge: the console shows <see cref="Summary"/>, the report keeps all of it.</summary>
public sealed class InternalErrorReport
{
    /// <summary>What TmsBridge was doing: "handling a test result", "publishing", ...</summary>
    public string While { get; set; } = "";
    public string Type { get; set; } = "";
    public string Message { get; set; } = "";
    /// <summary>Exception.ToString(): type, message, inner exceptions and every stack frame, redacted.</summary>
    public string StackTrace { get; set; } = "";

    /// <summary>"internal error while handling a test result: InvalidOperationException: message".</summary>
    [JsonIgnore]
    public string Summary => $"internal error while {While}: {Type}: {Message}";

    public static InternalErrorReport From(string activity, Exception exception, Http.SecretRedactor redactor) => new()
    {
        While = activity,
        Type = exception.GetType().Name,
        Message = redactor.Redact(exception.Message),
        StackTrace = redactor.Redact(exception.ToString()),
    };
}

public sealed class SkippedEvidenceReport
{
    /// <summary>The key (or test name) whose Test Run the file belongs to.</summary>
    public string Key { get; set; } = "";
    public string File { get; set; } = "";
    public long Bytes { get; set; }
    public string Reason { get; set; } = "";
}

public sealed class RequestReport
{
    public string Method { get; set; } = "";
    public string Url { get; set; } = "";
    public int? Status { get; set; }
    public long RequestBytes { get; set; }
    public long DurationMs { get; set; }
    /// <summary>1 for the first try of a call, 2+ for retries.</summary>
    public int Attempt { get; set; } = 1;
    public string? Error { get; set; }
}

// Serialization only: the report is written, never read back. With the readable encoder on the writer (not in the
// options, which the generated fast path must match) the report goes through the generated writer code directly:
// no property metadata is built and compiled at the run end (issue 16).
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(PublishReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

/// <summary>The report's serialisation: source-generated, indented, with readable (not \u-escaped) quotes and accents.</summary>
internal static class ReportJson
{
    private static readonly System.Text.Json.JsonWriterOptions Writer = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the report's UTF-8 JSON to <paramref name="stream"/>, as it is produced.</summary>
    public static void Write(Stream stream, PublishReport report)
    {
        // The generated serializer writes the whole report before it flushes: over a stream, the writer would
        // hold all of it (megabytes for thousands of keys, in a buffer grown by doubling). Through this buffer
        // writer every full chunk goes to the stream instead (issue 16).
        using var chunks = new StreamingBufferWriter(stream);
        using var writer = new System.Text.Json.Utf8JsonWriter(chunks, Writer);
        System.Text.Json.JsonSerializer.Serialize(writer, report, ReportJsonContext.Default.PublishReport);
    }

    public static string Serialize(PublishReport report)
    {
        using var buffer = new MemoryStream();
        Write(buffer, report);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
