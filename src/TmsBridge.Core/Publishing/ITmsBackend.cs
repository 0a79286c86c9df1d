using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Journal;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Publishing;

/// <summary>
/// One TMS flavour. A backend turns the aggregated run into the fewest requests its API allows
/// and records, per key, what the server said. It never throws for server or network problems:
/// those become report entries. New TMSs are one folder under Backends/ and one line in <see cref="Targets.All"/>.
/// </summary>
internal interface ITmsBackend
{
    /// <summary>Readable name for messages, e.g. "Xray Server/DC".</summary>
    string DisplayName { get; }

    IReadOnlyDictionary<TestOutcome, string> DefaultStatuses { get; }

    /// <summary>The documented request budget of the service (null: none), used unless the rateLimit option says otherwise.</summary>
    RequestRate? DefaultRateLimit { get; }

    /// <summary>Missing or contradictory options for this target (base URL, credentials...), as errors naming the option.</summary>
    IEnumerable<string> Validate(TmsOptions options);

    /// <summary>
    /// Builds the payloads. When <see cref="PublishContext.DryRun"/> is set they are written to
    /// <see cref="PublishContext.DryRunFolder"/> instead of being sent.
    /// </summary>
    Task PublishAsync(PublishContext context, CancellationToken cancellationToken);
}

internal sealed class PublishContext(TmsOptions options, AggregatedRun run, StatusMap statuses, PublishReport report, TmsHttpClient http, string dryRunFolder)
{
    public TmsOptions Options { get; } = options;
    public AggregatedRun Run { get; } = run;
    public StatusMap Statuses { get; } = statuses;
    public PublishReport Report { get; } = report;
    public TmsHttpClient Http { get; } = http;
    public bool DryRun => Options.DryRun;
    public string DryRunFolder { get; } = dryRunFolder;
    public SecretRedactor Redactor => Http.Redactor;

    /// <summary>Test run start/end used for the execution's dates when results carry none.</summary>
    public DateTimeOffset RunStarted { get; init; }
    public DateTimeOffset RunFinished { get; init; }
    /// <summary>The run's id: marks a new execution so that a create whose answer was lost can be found.</summary>
    public string RunId { get; init; } = "";

    private readonly string? _markerId;

    /// <summary>
    /// The id of the marker a new execution carries (<see cref="Backends.Kit.RunMarker"/>: "TmsBridge run &lt;id&gt;")
    /// and is found again by: by default <see cref="RunId"/>; a group's id when several runs report into
    /// one execution, or the original run's id when a publish is replayed.
    /// </summary>
    public string MarkerId { get => _markerId ?? RunId; init => _markerId = value; }

    /// <summary>The marker of a new execution, or null without a marker id (nothing to find a create by).</summary>
    public string? Marker => Backends.Kit.RunMarker.For(MarkerId);

    /// <summary>
    /// Look up an execution carrying <see cref="Marker"/> before creating one, and report into it when
    /// found (<see cref="Backends.Kit.CreateOnce.FindOrCreateAsync"/>). Off by default: a run's own marker
    /// is new, so nothing can carry it yet.
    /// </summary>
    public bool FindBeforeCreate { get; init; }

    /// <summary>
    /// Other runs (a group's projects, frameworks, shards) report into the execution this publish may
    /// create. A target whose execution holds only the cases it was created with (RTM: a TE from a test
    /// plan) then creates it with all of the plan's cases, so that a joining run finds its own.
    /// </summary>
    public bool SharedExecution { get; init; }

    /// <summary>Called as soon as a key's fate is known, so the journal records progress even if the process dies mid-publish.</summary>
    public Action<PublishMark>? Progress { get; init; }

    /// <param name="reason">Why a key was refused or not sent (the server's words, redacted): `tmsbridge report` lists it from the journal.</param>
    public void ReportProgress(string key, string state, string? executionKey, string? reason = null) =>
        Progress?.Invoke(new PublishMark { At = DateTimeOffset.UtcNow, Target = Options.Target, Key = key, State = state, ExecutionKey = executionKey, Reason = reason });

    /// <summary>Journals the publish attempt (<see cref="PublishRequest.Attempt"/>); null for a dry run.</summary>
    public Action<PublishAttempt>? Attempt { get; init; }
    /// <summary>Keys to send only the rest of the evidence for (<see cref="PublishRequest.EvidenceOnly"/>).</summary>
    public IReadOnlyDictionary<string, ISet<string>> EvidenceOnly { get; init; } = new Dictionary<string, ISet<string>>();
    /// <summary>The execution (or cycle) this publish reports into, once a backend told (<see cref="ExecutionKnown"/>).</summary>
    public string? KnownExecution { get; private set; }

    /// <summary>A backend learnt the execution or cycle it reports into: journalled at once, so a replay reports into it.</summary>
    public void ExecutionKnown(string? key)
    {
        if (string.IsNullOrEmpty(key) || key == KnownExecution) return;
        KnownExecution = key;
        JournalAttempt(PublishAttemptStates.Execution, key);
    }

    internal void JournalAttempt(string state, string? executionKey) =>
        Attempt?.Invoke(new PublishAttempt
        {
            At = DateTimeOffset.UtcNow,
            Target = Options.Target,
            BaseUrl = Options.BaseUrl?.ToString(),
            Project = Options.Project,
            RunId = RunId,
            MarkerId = MarkerId,
            ExecutionKey = executionKey,
            State = state,
        });

    /// <summary>The name an evidence copy is journalled under when sent: "&lt;runId&gt;.evidence/&lt;file&gt;", the same wherever the run folder now is.</summary>
    public static string EvidenceId(string path) =>
        Path.GetFileName(Path.GetDirectoryName(path) ?? "") + "/" + Path.GetFileName(path);

    /// <summary>One evidence file reached the key's run: journalled so a replay does not send it again.</summary>
    public void EvidenceSent(string key, string path) =>
        Progress?.Invoke(new PublishMark { At = DateTimeOffset.UtcNow, Target = Options.Target, Key = key, State = KeyStates.EvidenceSent, File = EvidenceId(path), ExecutionKey = KnownExecution });

    /// <summary>Default summary when the summary option is not set.</summary>
    public string DefaultSummary { get; init; } = "Automated test run";

    /// <summary>
    /// The runs whose results are published: the run itself, or for `tmsbridge publish` the runs of
    /// its journals. They name the execution; <see cref="RunId"/> (the publish's own id) stays the marker.
    /// </summary>
    public IReadOnlyList<string> SourceRunIds { get; init; } = [];

    /// <summary>"MyTests: automated test run 2026-11-25 21:00 UTC (20261125T210000Z-1a2b3c4d)": a title that names the run(s), when the summary option is not set.</summary>
    /// <remarks>Without source runs the title names the marker id (by default the run id), so that a title search can find a group's execution.</remarks>
    public string DefaultTitle => $"{DefaultSummary} ({PublishRequest.RunIdsText(SourceRunIds.Count > 0 ? SourceRunIds : [MarkerId])})";

    /// <summary>Records in the report that the publish joined an execution found by its marker instead of creating one.</summary>
    public void ReportJoined(string displayName, ExecutionReference execution)
    {
        execution.Reused = true;
        execution.Joined = true;
        Report.Execution = execution;
        Report.Warnings.Add($"{displayName}: reported into {execution.Key ?? execution.Id}, the execution that already carries the marker '{Marker}', instead of creating one.");
    }

    /// <summary>Marks every key that was to be sent with the same state and message (e.g. the whole request failed).</summary>
    public void MarkAll(string state, string? message)
    {
        foreach (var k in Report.Keys.Where(k => k.State == KeyStates.NotSent))
        {
            k.State = state;
            if (message is not null) k.Messages.Add(message);
        }
    }

    /// <summary>Writes a dry-run payload (UTF-8 text: JSON bodies, never evidence bytes), redacted like everything written.</summary>
    public string WriteDryRunFile(string name, byte[] content)
    {
        Directory.CreateDirectory(DryRunFolder);
        var path = Path.Combine(DryRunFolder, name);
        File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(Redactor.Redact(System.Text.Encoding.UTF8.GetString(content))));
        return path;
    }
}
