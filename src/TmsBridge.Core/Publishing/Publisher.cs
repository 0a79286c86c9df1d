using System.Text;
using System.Text.Json;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Journal;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Publishing;

/// <summary>What to publish: the results of one run (read back from its journal) and the options in force.</summary>
public sealed class PublishRequest
{
    private const int RunIdsNamed = 3;

    /// <summary>"a, b, c" or, for many shards, "a, b, c and 5 more": a title stays readable (and within AIO's title length).</summary>
    public static string RunIdsText(IReadOnlyList<string> runIds) =>
        string.Join(", ", runIds.Take(RunIdsNamed))
        + (runIds.Count > RunIdsNamed ? FormattableString.Invariant($" and {runIds.Count - RunIdsNamed} more") : "");

    public string RunId { get; set; } = "";
    /// <summary>
    /// The id of the marker a new execution carries and is found by (null: <see cref="RunId"/>, nothing
    /// changes): a group's id, or the id a crashed publish used. Letters, digits, '-', '_' and '.' only.
    /// </summary>
    public string? MarkerId { get; set; }
    /// <summary>Look up an execution carrying the marker before creating one, and report into it when found.</summary>
    public bool FindBeforeCreate { get; set; }
    /// <summary>Other runs report into the execution this publish may create (a group): see <see cref="PublishContext.SharedExecution"/>.</summary>
    public bool SharedExecution { get; set; }
    /// <summary>
    /// An execution of this run's group that another run created (the group's state file): reported into
    /// like a testExecution, and said to be joined. Ignored when the testExecution option is set.
    /// </summary>
    public string? JoinExecution { get; set; }
    public string RunFolder { get; set; } = "";
    public string? JournalPath { get; set; }
    public IReadOnlyList<TestResultRecord> Results { get; set; } = [];
    /// <summary>
    /// The results were sanitised by this run's own sanitizer already (a logger's run end publishing what it
    /// journalled): not again. Internal: no caller outside Core can skip the redaction; results read from a
    /// journal, or built by a caller, are always sanitised.
    /// </summary>
    internal bool ResultsSanitized { get; set; }
    public TmsOptions Options { get; set; } = new();
    public DateTimeOffset RunStarted { get; set; }
    public DateTimeOffset RunFinished { get; set; }
    public string DefaultSummary { get; set; } = "Automated test run";
    /// <summary>The runs the results come from, when not this run (`tmsbridge publish`): they title a new execution or cycle.</summary>
    public IReadOnlyList<string> SourceRunIds { get; set; } = [];
    /// <summary>Test hook: replaces the network stack (the product always uses real sockets).</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
    /// <summary>Bound on the whole publish, so a dead server can never hold the test run (null: the publishTimeout option).</summary>
    public TimeSpan? Deadline { get; set; }
    /// <summary>A deadline that started earlier (the run end): used instead of <see cref="Deadline"/>, so the time spent before publishing counts too.</summary>
    public PublishDeadline? StartedDeadline { get; set; }
    /// <summary>Test hook: the clock for retry waits, Retry-After and rate limits (the product uses the system clock).</summary>
    public TimeProvider? TimeProvider { get; set; }
    /// <summary>Journals each key's fate as soon as it is known.</summary>
    public Action<Journal.PublishMark>? Progress { get; set; }
    /// <summary>Journals the publish attempt: before anything is sent, when the execution becomes known, and at the end (see <see cref="Journal.PublishAttempt"/>).</summary>
    public Action<Journal.PublishAttempt>? Attempt { get; set; }
    /// <summary>
    /// Keys whose result an earlier publish sent but not all their evidence (evidencePending), each with
    /// the evidence copies already sent ("&lt;runId&gt;.evidence/&lt;file&gt;"): only the rest of their evidence goes.
    /// </summary>
    public IReadOnlyDictionary<string, ISet<string>> EvidenceOnly { get; set; } = new Dictionary<string, ISet<string>>();
    /// <summary>Test hook: the first retry delay (the product uses one second).</summary>
    public TimeSpan? RetryBaseDelay { get; set; }
    /// <summary>Test hook: reads the environment for the CI job-page summary (null: the process environment).</summary>
    public Func<string, string?>? Environment { get; set; }
    /// <summary>Test hook: where Azure Pipelines logging commands go (null: the process's standard output).</summary>
    public TextWriter? CiConsole { get; set; }
    /// <summary>Internal errors a front-end caught during the run (already redacted), for the report.</summary>
    public IReadOnlyList<InternalErrorReport> InternalErrors { get; set; } = [];
}

/// <summary>
/// Run end: aggregate, map statuses, publish through the target's backend, write the report
/// and print the summary. Shared by every front-end and by `tmsbridge publish`. Never throws.
/// </summary>
public static class Publisher
{
    public static async Task<PublishReport> PublishAsync(PublishRequest request, IReporterOutput output, CancellationToken cancellationToken = default)
    {
        var options = request.Options;
        // The run's one redactor (shared with its journal and console): tokens a service issues while
        // publishing are learnt once and masked everywhere, the journal's publish marks included.
        var sanitizer = ResultSanitizer.For(options);
        var redactor = sanitizer.Redactor;
        // On Azure Pipelines warnings and errors become logging commands; inside the redaction, so those lines are masked too.
        var ci = CiEnvironment.Detect(request.Environment ?? Environment.GetEnvironmentVariable);
        output = RedactingReporterOutput.Wrap(AzurePipelinesReporterOutput.Wrap(output, ci, request.CiConsole), redactor); // live: also masks tokens a service issues while publishing
        var report = new PublishReport
        {
            RunId = request.RunId,
            Target = options.Target,
            DryRun = options.DryRun,
            JournalPath = request.JournalPath,
            Options = options.ToPublicDictionary(),
        };
        var reportPath = Path.Combine(request.RunFolder, request.RunId + ".report.json");
        using var ownDeadline = request.StartedDeadline is null ? PublishDeadline.Start(request.Deadline ?? options.PublishTimeout, request.TimeProvider) : null;
        var deadline = request.StartedDeadline ?? ownDeadline!;
        // The loops live in the helpers, not in this async method: a state machine with loops is compiled
        // fully optimised at its first call (no on-stack replacement for it), which cost the run-end rehearsal
        // tens of milliseconds of a core beside the tests (issue 16).
        Task<string>? planFile = null;
        try
        {
            var planned = Plan(request, report, sanitizer);
            if (report.Errors.Count > 0 || planned.Backend is null)
            {
                SetStates(report, report.Errors.Count > 0 ? KeyStates.NotSent : KeyStates.Planned);
                // target=none: the plan is still being written on another core; the report is written beside it
                // and names it (the run end is on the test run's critical path, issue 16). Awaited below.
                planFile = planned.PlanFile;
                if (planFile is not null) report.PlanPath = PlanPathOf(request);
            }
            else if (planned.Run.Keyed.Count == 0 && !(planned.Options.ProvisionUnmapped && planned.Run.Unmapped.Count > 0))
            {
                report.Warnings.Add("no result carries a valid TestCaseKey: there was nothing to publish.");
            }
            else
            {
                await PublishToBackendAsync(request, planned, report, redactor, output, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // The last line of defence: a bug here must never break the test run. The errors (and
            // so the console) get the short form, the report's internalErrors the stack trace.
            AddInternalError(report, InternalErrorReport.From("publishing", e, redactor));
        }
        // After the publish: an internal error while handling one result must not stop the others from going.
        AddFrontEndErrors(report, request.InternalErrors);
        CountTotals(report);
        report.GeneratedAt = DateTimeOffset.UtcNow;
        var reportFile = reportPath;
        reportPath = WriteReport(report, reportFile, redactor, output);
        if (planFile is not null && !await PlanWrittenAsync(planFile, report, redactor).ConfigureAwait(false))
            reportPath = WriteReport(report, reportFile, redactor, output); // it named a plan that is not there: written again with the error
        ConsoleSummary.Write(report, reportPath, output, redactor);
        CiSummary.Write(report, request.RunFolder, ci, redactor, output, request.CiConsole);
        return report;
    }

    /// <summary>Waits for the target=none plan; when it could not be written the report loses its path and gets the error.</summary>
    private static async Task<bool> PlanWrittenAsync(Task<string> planFile, PublishReport report, SecretRedactor redactor)
    {
        try
        {
            await planFile.ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            report.PlanPath = null;
            AddInternalError(report, InternalErrorReport.From("publishing", e, redactor));
            return false;
        }
    }

    private static string PlanPathOf(PublishRequest request) => Path.Combine(request.RunFolder, request.RunId + ".plan.json");

    /// <summary>What the publish is to do, worked out before anything is sent.</summary>
    private sealed class PlannedPublish(TmsOptions options, ITmsBackend? backend, AggregatedRun run, StatusMap statuses, bool joining, Task<string>? planFile)
    {
        /// <summary>The options in force: a joined group's execution is their testExecution.</summary>
        public TmsOptions Options { get; } = options;
        public ITmsBackend? Backend { get; } = backend;
        public AggregatedRun Run { get; } = run;
        public StatusMap Statuses { get; } = statuses;
        public bool Joining { get; } = joining;
        /// <summary>target=none: the plan file being written (its path when done).</summary>
        public Task<string>? PlanFile { get; } = planFile;
    }

    /// <summary>Sanitising, aggregation, statuses and the planned report: everything before the backend.</summary>
    private static PlannedPublish Plan(PublishRequest request, PublishReport report, ResultSanitizer sanitizer)
    {
        var options = request.Options;
        var redactor = sanitizer.Redactor;
        // Results read from a journal of an older version (or built by a caller) are redacted and capped
        // like the journal's own, before anything derived from them is sent, written or printed.
        if (!request.ResultsSanitized) SanitizeAll(sanitizer, request.Results);
        foreach (var p in options.Problems) (p.Severity == ProblemSeverity.Error ? report.Errors : report.Warnings).Add(redactor.Redact(p.Message));

        var joining = request.JoinExecution is not null && options.TestExecution is null;
        if (joining) options = options.WithTestExecution(request.JoinExecution!);
        var backend = options.Target == Targets.None ? null : BackendRegistry.Create(options.Target);
        report.TargetName = TargetName(options, backend);

        var run = Aggregator.Aggregate(request.Results, Targets.KeyRuleFor(options.Target), report.TargetName, options.Attempts);
        report.Totals.SupersededAttempts = run.SupersededAttempts;
        var statuses = BuildStatusMap(backend, options, report);
        report.Errors.AddRange(TargetProblems(options, backend));
        if (request.MarkerId is { } markerId && Backends.Kit.RunMarker.IdProblem(markerId) is { } markerProblem)
            report.Errors.Add($"the execution marker id '{markerId}' cannot be used: {markerProblem}.");

        // target=none: the plan is written on another core while this one builds the report (both only read
        // the aggregated run). The run end is on the test run's critical path (issue 16).
        var planFile = backend is null && report.Errors.Count == 0 ? Task.Run(() => WritePlan(request, run, statuses)) : null;
        report.Coverage = Reports.Traceability.Coverage(request.Results);
        report.Warnings.AddRange(run.Warnings);
        FillPlannedReport(report, run, statuses, options);
        return new PlannedPublish(options, backend, run, statuses, joining, planFile);
    }

    private static async Task PublishToBackendAsync(PublishRequest request, PlannedPublish planned, PublishReport report, SecretRedactor redactor, IReporterOutput output, PublishDeadline deadline, CancellationToken cancellationToken)
    {
        var options = planned.Options;
        var backend = planned.Backend!;
        var run = planned.Run;
        using var http = new TmsHttpClient(options.Timeout, redactor, report.Requests, request.HttpHandler,
            rate: options.RateLimit ?? backend.DefaultRateLimit, maxRetries: options.MaxRetries, baseDelay: request.RetryBaseDelay,
            deadline: deadline.At, timeProvider: deadline.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var progress = new PublishProgress(report, backend.DisplayName, output, deadline.Time);
        http.RequestEnded = progress.OnRequest;
        var context = new PublishContext(options, run, planned.Statuses, report, http, Path.Combine(request.RunFolder, request.RunId + ".dryrun"))
        {
            RunId = request.RunId,
            MarkerId = request.MarkerId ?? request.RunId,
            FindBeforeCreate = request.FindBeforeCreate,
            SharedExecution = request.SharedExecution,
            Progress = mark =>
            {
                request.Progress?.Invoke(mark);
                progress.OnMark(mark);
            },
            RunStarted = run.Start ?? request.RunStarted,
            RunFinished = run.Finish ?? request.RunFinished,
            DefaultSummary = request.DefaultSummary,
            SourceRunIds = request.SourceRunIds,
            Attempt = options.DryRun ? null : request.Attempt,
            EvidenceOnly = request.EvidenceOnly,
        };
        // Before the first request: the marker this publish creates with, so a publish killed from
        // here on is replayed with the same marker and finds what it created.
        context.JournalAttempt(PublishAttemptStates.Started, options.TestExecution);
        try
        {
            await backend.PublishAsync(context, linked.Token).ConfigureAwait(false);
            if (planned.Joining && report.Execution is { } joined)
            {
                joined.Joined = true;
                output.Info($"reported into {joined.Key ?? joined.Id}, the execution of this run's group ('{request.MarkerId}') that another run created.");
            }
            if (options.DryRun) report.PlanPath = context.DryRunFolder;
        }
        catch (Exception e) when (e is TmsHttpException or OperationCanceledException)
        {
            var message = deadline.Reached
                ? FormattableString.Invariant($"publishing stopped at the publishTimeout deadline ({deadline.Span.TotalSeconds:0} s); what was not sent stays in the journal")
                : redactor.Redact(e.Message);
            report.Errors.Add($"{backend.DisplayName}: {message}");
            context.MarkAll(KeyStates.NotSent, message);
            if (deadline.Reached && report.Keys.Any(k => k.State == KeyStates.EvidencePending))
                report.Errors.Add($"{backend.DisplayName}: {report.Keys.Count(k => k.State == KeyStates.EvidencePending)} key(s) were sent without all their evidence at the deadline (evidencePending); `tmsbridge publish` sends only the missing files. Raise publishTimeout to send everything at once.");
            else if (deadline.Reached && report.Keys.Any(k => k.State == KeyStates.Sent && k.Evidence > 0))
                report.Errors.Add($"{backend.DisplayName}: keys already sent may lack evidence that was still to be uploaded at the deadline; the files stay in the run folder's evidence copies. Raise publishTimeout to send everything.");
        }
        context.JournalAttempt(PublishAttemptStates.Finished, report.Execution?.Key ?? context.KnownExecution);
    }

    private static void SetStates(PublishReport report, string state)
    {
        foreach (var k in report.Keys) k.State = state;
    }

    private static void AddInternalError(PublishReport report, InternalErrorReport error)
    {
        report.Errors.Add(error.Summary);
        (report.InternalErrors ??= []).Add(error);
        foreach (var k in report.Keys.Where(k => k.State == KeyStates.NotSent && k.Messages.Count == 0)) k.Messages.Add("not sent: internal error");
    }

    private static void AddFrontEndErrors(PublishReport report, IReadOnlyList<InternalErrorReport> errors)
    {
        foreach (var error in errors)
        {
            report.Errors.Add(error.Summary);
            (report.InternalErrors ??= []).Add(error);
        }
    }

    private static void CountTotals(PublishReport report)
    {
        report.Totals.Sent = report.Keys.Count(k => k.State == KeyStates.Sent);
        report.Totals.Refused = report.Keys.Count(k => k.State == KeyStates.Refused);
        report.Totals.NotSent = report.Keys.Count(k => k.State == KeyStates.NotSent);
        report.Totals.EvidencePending = report.Keys.Count(k => k.State == KeyStates.EvidencePending);
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static void SanitizeAll(ResultSanitizer sanitizer, IReadOnlyList<TestResultRecord> results)
    {
        foreach (var r in results) sanitizer.Sanitize(r);
    }

    /// <summary>Writes the report, redacted, to its path; returns the path, or "" (with an error line) when it cannot be written.</summary>
    internal static string WriteReport(PublishReport report, string reportPath, SecretRedactor redactor, IReporterOutput output)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
            if (redactor.HasSecrets)
            {
                File.WriteAllText(reportPath, redactor.Redact(ReportJson.Serialize(report)), new UTF8Encoding(false));
            }
            else
            {
                // Nothing to mask (target none, no credentials): straight to the file, without a copy of the text
                // in memory (a run of 5,000 keys has a report of megabytes, written at the run end: issue 16).
                using var file = new FileStream(reportPath, FileMode.Create, FileAccess.Write, FileShare.Read);
                ReportJson.Write(file, report);
            }
            return reportPath;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Error($"the publish report could not be written to {reportPath}: {e.Message}");
            return "";
        }
    }

    /// <summary>
    /// What stops the target from being published to, beyond the option problems: a target with
    /// no backend, a missing baseUrl or credentials. RunSession prints these when the run
    /// starts (while the user is watching) and the publish reports them again at the end.
    /// </summary>
    public static IReadOnlyList<string> TargetProblems(TmsOptions options) =>
        TargetProblems(options, options.Target == Targets.None ? null : BackendRegistry.Create(options.Target));

    private static List<string> TargetProblems(TmsOptions options, ITmsBackend? backend)
    {
        var problems = new List<string>();
        if (options.Target != Targets.None && backend is null)
            // Every name the design fixes is implemented; a name outside Targets.All can only come from code setting TmsOptions.Target (the resolver refuses it).
            problems.Add($"target '{options.Target}' is not a target this version of TmsBridge knows ({string.Join(", ", Targets.Known)}), so nothing is sent to it.");
        if (backend is not null) problems.AddRange(backend.Validate(options));
        return problems;
    }

    /// <summary>The target as the summary names it: the backend's name, or the rejected value (target=xary) rather than the "none" it fell back to.</summary>
    private static string TargetName(TmsOptions options, ITmsBackend? backend) =>
        backend?.DisplayName
        ?? (options.RejectedTarget is { } rejected ? $"'{rejected}'"
            : options.Target == Targets.None ? "none (dry run)" : options.Target);

    private static StatusMap BuildStatusMap(ITmsBackend? backend, TmsOptions options, PublishReport report)
    {
        var defaults = backend?.DefaultStatuses ?? StatusMap.NeutralDefaults;
        return new StatusMap(defaults, options.StatusOverrides);
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static void FillPlannedReport(PublishReport report, AggregatedRun run, StatusMap statuses, TmsOptions options)
    {
        report.Totals.Results = run.ResultCount;
        report.Totals.Keys = run.Keyed.Count;
        report.Totals.UnmappedTests = run.Unmapped.Count;
        foreach (var k in run.Keyed)
        {
            var outcome = k.Outcome;
            report.Keys.Add(new KeyReport
            {
                Key = k.Key,
                Outcome = outcome.ToString(),
                Status = statuses[outcome],
                Results = k.Results.Count,
                Iterations = k.HasIterations ? k.Results.Count : 0,
                Evidence = EvidenceOf(k.Results),
                Requirements = options.LinkRequirements ? [.. k.Requirements] : [],
                Defects = [.. k.Defects],
                Tests = TestsOf(k.Results),
            });
        }
        foreach (var u in run.Unmapped)
        {
            report.Unmapped.Add(new UnmappedReport
            {
                Test = u.FullyQualifiedName,
                Reason = u.Reason,
                Results = u.Results.Count,
                Outcome = TestOutcomes.Worst(u.Results.Select(r => r.Outcome)).ToString(),
            });
        }
    }

    // Loops, not LINQ: once per key at the run end, 5,000 keys in a large run (issue 16).
    private static int EvidenceOf(List<TestResultRecord> results)
    {
        var count = 0;
        foreach (var r in results) count += r.EvidenceCount();
        return count;
    }

    /// <summary>The results' test names, each once, in the order they first appear.</summary>
    private static List<string> TestsOf(List<TestResultRecord> results)
    {
        if (results.Count == 1) return [results[0].TestName];
        var tests = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in results)
            if (seen.Add(r.TestName)) tests.Add(r.TestName);
        return tests;
    }

    // The plan's property names, encoded once: the writer otherwise transcodes and checks each name every time it
    // writes it, eight times per result in a plan of thousands (issue 16).
    private static class PlanNames
    {
        public static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");
        public static readonly JsonEncodedText Outcome = JsonEncodedText.Encode("outcome");
        public static readonly JsonEncodedText Results = JsonEncodedText.Encode("results");
        public static readonly JsonEncodedText Test = JsonEncodedText.Encode("test");
        public static readonly JsonEncodedText DisplayName = JsonEncodedText.Encode("displayName");
        public static readonly JsonEncodedText Parameters = JsonEncodedText.Encode("parameters");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
        public static readonly JsonEncodedText Evidence = JsonEncodedText.Encode("evidence");
        public static readonly JsonEncodedText Requirements = JsonEncodedText.Encode("requirements");
        public static readonly JsonEncodedText Defects = JsonEncodedText.Encode("defects");
        public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    }

    /// <summary>target=none: the neutral plan of what each key would get, for a look before configuring a target.</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static string WritePlan(PublishRequest request, AggregatedRun run, StatusMap statuses)
    {
        var path = PlanPathOf(request);
        Directory.CreateDirectory(request.RunFolder);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("runId", request.RunId);
        w.WriteString("note", "target=none: nothing was sent. Set target (and baseUrl, credentials) to publish; see docs/configuration.md.");
        w.WriteStartArray("keys");
        foreach (var k in run.Keyed)
        {
            w.WriteStartObject();
            w.WriteString(PlanNames.Key, k.Key);
            w.WriteString(PlanNames.Outcome, k.Outcome.ToString());
            w.WriteStartArray(PlanNames.Results);
            foreach (var r in k.Results)
            {
                w.WriteStartObject();
                w.WriteString(PlanNames.Test, r.FullyQualifiedName);
                w.WriteString(PlanNames.DisplayName, r.DisplayName);
                w.WriteString(PlanNames.Outcome, r.Outcome.ToString());
                w.WriteStartArray(PlanNames.Parameters);
                foreach (var p in r.Parameters) { w.WriteStartObject(); w.WriteString(PlanNames.Name, p.Name); w.WriteString(PlanNames.Value, p.Value); w.WriteEndObject(); }
                w.WriteEndArray();
                w.WriteStartArray(PlanNames.Evidence);
                foreach (var e in r.Attachments) w.WriteStringValue(e.FileName);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteStrings(w, PlanNames.Requirements, k.Requirements);
            WriteStrings(w, PlanNames.Defects, k.Defects);
            w.WriteEndObject();
            // To the file as it grows, not one buffer of the whole plan (megabytes for thousands of keys).
            if (w.BytesPending > 64 * 1024) w.Flush();
        }
        w.WriteEndArray();
        w.WriteStartArray("unmapped");
        foreach (var u in run.Unmapped) { w.WriteStartObject(); w.WriteString(PlanNames.Test, u.FullyQualifiedName); w.WriteString(PlanNames.Reason, u.Reason); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WriteEndObject();
        return path;
    }

    private static void WriteStrings(Utf8JsonWriter w, JsonEncodedText name, List<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
