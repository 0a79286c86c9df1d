using System.Text.Json.Serialization;
using TmsBridge.Model;

namespace TmsBridge.Journal;

/// <summary>First line of a journal: who wrote it and with which (non-secret) options.</summary>
public sealed class RunHeader
{
    public string Type { get; set; } = "run";
    public int FormatVersion { get; set; } = 1;
    public string RunId { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>"vstest" or "mtp".</summary>
    public string Runner { get; set; } = "";
    public string? TargetFramework { get; set; }
    public List<string> Sources { get; set; } = [];
    public string? MachineName { get; set; }
    public SortedDictionary<string, string> Options { get; set; } = [];
}

public sealed class ResultEntry
{
    public string Type { get; set; } = "result";
    /// <summary>
    /// The result; null only on a damaged line without one. No default record: the writer sets its own,
    /// and a default would be built and dropped once per journalled result (issue 16).
    /// </summary>
    public TestResultRecord? Result { get; set; }
}

/// <summary>Written after publishing, one per key, so a later `tmsbridge publish` sends only what is missing.</summary>
public sealed class PublishMark
{
    public string Type { get; set; } = "publish";
    public DateTimeOffset At { get; set; }
    public string Target { get; set; } = "";
    public string Key { get; set; } = "";
    /// <summary>sent, evidencePending, refused, notSent or planned (see KeyStates); evidenceSent for a mark that names one <see cref="File"/>.</summary>
    public string State { get; set; } = "";
    public string? ExecutionKey { get; set; }
    /// <summary>Why a key was not sent, when known (e.g. the run end gave up at the deadline).</summary>
    public string? Reason { get; set; }
    /// <summary>With state evidenceSent: the evidence copy (path relative to the run folder, as in its result) that reached the key's run, so a replay does not send it twice.</summary>
    public string? File { get; set; }
}

/// <summary>
/// Written before a publish sends anything, and again when it learns its execution and when it ends:
/// a publish killed half-way leaves an unfinished attempt, whose marker (run id) and execution a later
/// `tmsbridge publish` reuses, so that it finds what was created instead of creating it twice.
/// </summary>
public sealed class PublishAttempt
{
    public string Type { get; set; } = "attempt";
    public DateTimeOffset At { get; set; }
    public string Target { get; set; } = "";
    public string? BaseUrl { get; set; }
    public string? Project { get; set; }
    /// <summary>The publish's run id (the name of its report).</summary>
    public string? RunId { get; set; }
    /// <summary>The marker id: a new execution or cycle carries "TmsBridge run &lt;markerId&gt;" and is found again by it.</summary>
    public string MarkerId { get; set; } = "";
    /// <summary>The execution (Xray), cycle (AIO, QMetry, qTest) or Test Execution (RTM), once known.</summary>
    public string? ExecutionKey { get; set; }
    /// <summary>started, execution (the execution became known) or finished.</summary>
    public string State { get; set; } = PublishAttemptStates.Started;
}

public static class PublishAttemptStates
{
    public const string Started = "started";
    public const string Execution = "execution";
    public const string Finished = "finished";
}

public sealed class RunEnd
{
    public string Type { get; set; } = "end";
    public DateTimeOffset FinishedAt { get; set; }
    public bool Aborted { get; set; }
    public int Results { get; set; }
}

/// <summary>Only used to read the "type" discriminator of a line.</summary>
public sealed class EntryType
{
    public string Type { get; set; } = "";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunHeader))]
[JsonSerializable(typeof(ResultEntry))]
[JsonSerializable(typeof(PublishMark))]
[JsonSerializable(typeof(RunEnd))]
[JsonSerializable(typeof(PublishAttempt))]
[JsonSerializable(typeof(EntryType))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;

/// <summary>
/// The journal's writer: the same options as <see cref="JournalJsonContext"/> (so the same bytes), serialization only.
/// Writing then runs the generated writer code without building and compiling the property metadata that
/// reading needs, inside the runner's process while tests run (issue 16). Readers use <see cref="JournalJsonContext"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(RunHeader))]
[JsonSerializable(typeof(ResultEntry))]
[JsonSerializable(typeof(PublishMark))]
[JsonSerializable(typeof(RunEnd))]
[JsonSerializable(typeof(PublishAttempt))]
internal sealed partial class JournalWriteContext : JsonSerializerContext;
