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
    public TestResultRecord Result { get; set; } = new();
}

/// <summary>Written after publishing, one per key, so a later `tmsbridge publish` sends only what is missing.</summary>
public sealed class PublishMark
{
    public string Type { get; set; } = "publish";
    public DateTimeOffset At { get; set; }
    public string Target { get; set; } = "";
    public string Key { get; set; } = "";
    /// <summary>sent, refused, notSent or planned (see KeyStates).</summary>
    public string State { get; set; } = "";
    public string? ExecutionKey { get; set; }
    /// <summary>Why a key was not sent, when known (e.g. the run end gave up at the deadline).</summary>
    public string? Reason { get; set; }
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
[JsonSerializable(typeof(EntryType))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
