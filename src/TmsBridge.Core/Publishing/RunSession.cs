using System.Collections.Concurrent;
using System.Text;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Journal;
using TmsBridge.Keys;
using TmsBridge.Model;

namespace TmsBridge.Publishing;

public sealed class RunStartInfo
{
    /// <summary>The runner's results directory; the run folder is its "tms" subfolder.</summary>
    public string TestRunDirectory { get; set; } = "";
    /// <summary>Test assembly paths.</summary>
    public IReadOnlyList<string> Sources { get; set; } = [];
    /// <summary>"vstest" or "mtp".</summary>
    public string Runner { get; set; } = "";
    public string? TargetFramework { get; set; }
    public TmsOptions Options { get; set; } = new();
    public HttpMessageHandler? HttpHandler { get; set; }
    /// <summary>Test hook: the clock for retry waits, Retry-After and rate limits (the product uses the system clock).</summary>
    public TimeProvider? TimeProvider { get; set; }
    /// <summary>
    /// What identifies the `dotnet test` invocation this run belongs to (every test project and target
    /// framework of it gives the same; a later invocation another): VSTest's test session correlation id,
    /// or in MTP mode the parent `dotnet test` process. Null: unknown, the run is its own invocation.
    /// </summary>
    public string? InvocationId { get; set; }
    /// <summary>Test hook: reads environment variables (the CI run's id, the CI job-page summary); the product reads the process's.</summary>
    public Func<string, string?>? Environment { get; set; }
    /// <summary>Test hook: where Azure Pipelines logging commands go (null: the process's standard output).</summary>
    public TextWriter? CiConsole { get; set; }
    /// <summary>
    /// How many journalled results the run end publishes from memory; a larger run reads its journal
    /// back instead, so the memory a session holds stays bounded (test hook: the product keeps 20,000).
    /// </summary>
    internal int ResultsKeptInMemory { get; set; } = 20_000;
}

/// <summary>
/// One test run as seen by a front-end: start, record each result as it arrives, complete.
/// Every method is safe to call from a runner's event thread: none of them throws. Record may be
/// called from any thread, also while CompleteAsync runs: a result either lands in the journal
/// before its `end` line (and is published) or is refused with a warning; never after `end`.
/// </summary>
public sealed class RunSession : IDisposable
{
    /// <summary>
    /// How long completion waits beyond the publishTimeout deadline for a publish that does not
    /// stop (a backend stuck in synchronous work) before it returns anyway.
    /// </summary>
    public static readonly TimeSpan PublishGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long completion lets results still being recorded (evidence being copied) land before it writes `end`.</summary>
    internal static readonly TimeSpan RecordDrainWait = TimeSpan.FromSeconds(5);

    private readonly RunStartInfo _info;
    private readonly IReporterOutput _output;
    private readonly RunJournal? _journal;
    private readonly DateTimeOffset _started;
    private int _sequence;
    // The gate orders Record's append against the `end` line. Under it: _closing (completion has
    // started: new results are refused), _ended (`end` is written: nothing more is appended), the
    // results in flight (entered but not yet appended or refused) and the count journalled.
    private readonly object _gate = new();
    private bool _closing;
    private bool _ended;
    private int _inFlight;
    private int _journalled;
    private TaskCompletionSource<bool>? _drained;
    // The results as journalled (RunJournal.AppendResult sanitises them in place), in journal order: the
    // run end publishes these instead of parsing the journal back, which was a third of its time on the
    // test run's critical path (issue 16). Past RunStartInfo.ResultsKeptInMemory results (or after a failed append)
    // the list is dropped and the run end reads the journal, as `tmsbridge publish` always does.
    private List<TestResultRecord>? _written = [];
    // Keys recorded (normalised) and keys with a publish mark, so a completion cut off at the
    // deadline can still mark every unmarked key notSent.
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _marked = new(StringComparer.OrdinalIgnoreCase);
    private readonly SecretRedactor _redactor;
    private readonly KeyRule _keyRule;
    private readonly object _internalErrorsGate = new();
    private readonly List<InternalErrorReport> _internalErrors = [];
    private bool _internalErrorsPublished;

    private RunSession(RunStartInfo info, IReporterOutput output, RunJournal? journal, DateTimeOffset started)
    {
        _info = info;
        _output = output;
        _journal = journal;
        _started = started;
        _redactor = ResultSanitizer.For(info.Options).Redactor; // the run's one redactor: the Publisher's too
        _keyRule = Targets.KeyRuleFor(info.Options.Target); // once, not per result
    }

    public RunJournal? Journal => _journal;
    public TmsOptions Options => _info.Options;
    /// <summary>The session's console, redacting: front-ends print lines that name a test through it.</summary>
    public IReporterOutput Output => _output;

    public static RunSession Start(RunStartInfo info, IReporterOutput output)
    {
        // What a test produced is redacted before the journal (the journal's sanitizer) and the console (this output).
        // On Azure Pipelines its warnings and errors become logging commands (the job page lists them).
        var ci = CiEnvironment.Detect(info.Environment ?? System.Environment.GetEnvironmentVariable);
        output = RedactingReporterOutput.Wrap(AzurePipelinesReporterOutput.Wrap(output, ci, info.CiConsole), ResultSanitizer.For(info.Options).Redactor);
        var started = DateTimeOffset.UtcNow;
        RunJournal? journal = null;
        try
        {
            var header = new RunHeader
            {
                RunId = RunJournal.NewRunId(started),
                StartedAt = started,
                Runner = info.Runner,
                TargetFramework = info.TargetFramework,
                Sources = info.Sources.ToList(),
                MachineName = Environment.MachineName,
                Options = info.Options.ToPublicDictionary(),
            };
            journal = RunJournal.Create(info.TestRunDirectory, header, ResultSanitizer.For(info.Options));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            output.Error($"the run journal could not be created under '{RunJournal.RunFolderFor(info.TestRunDirectory)}' ({e.Message}); results of this run will not be published.");
        }
        // Configuration problems are shown at the start, while the user is still watching.
        foreach (var p in info.Options.Problems)
        {
            if (p.Severity == ProblemSeverity.Error) output.Error(p.Message + " (publishing is disabled for this run)");
            else output.Warning(p.Message);
        }
        // So are the target's own needs (a missing baseUrl or credentials, a target not implemented
        // yet): the publish at the end reports them again, in the summary and the report.
        try
        {
            foreach (var problem in Publisher.TargetProblems(info.Options)) output.Error(problem + " (publishing is disabled for this run)");
        }
        catch (Exception e)
        {
            output.Error($"the target's configuration could not be checked ({e.Message}); the publish at the end of the run checks it again.");
        }
        // The run end's first-time cost (loading, JIT) is paid now, beside the tests, not after them.
        if (journal is not null && RehearsesRunEnd(info.Options)) RunEndRehearsal.Start();
        return new RunSession(info, output, journal, started);
    }

    /// <summary>A deferred run's end only closes the journal: no reading back or publish to warm up, so no rehearsal taking CPU from the tests.</summary>
    internal static bool RehearsesRunEnd(TmsOptions options) => options.PublishMode != PublishModes.Deferred;

    /// <summary>Journals one result, copying its evidence files into the run folder first.</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public void Record(TestResultRecord result)
    {
        if (_journal is null) return;
        if (!TryEnter())
        {
            WarnLate(result);
            return;
        }
        try
        {
            result.Sequence = Interlocked.Increment(ref _sequence);
            // Two target frameworks' results of one test are two results, not a retry (AttemptPolicies.Pick).
            result.TargetFramework ??= _info.TargetFramework;
            // Most results have no evidence and no steps: nothing is allocated for them here (issue 16).
            List<EvidenceFile>? captured = null;
            if (result.Attachments.Count > 0) result.Attachments = Capture(result, result.Attachments, captured = new List<EvidenceFile>(result.Attachments.Count));
            // Evidence attached inside a runtime step (Tms.Attach) is copied the same way, kept on its step.
            if (result.Steps.Count > 0)
            {
                captured ??= [];
                foreach (var step in result.Steps.SelectMany(s => s.SelfAndDescendants()))
                    step.Evidence = Capture(result, step.Evidence, captured);
            }
            if (!TryAppend(result))
            {
                WarnLate(result);
                if (captured is not null) DeleteCopies(captured);
            }
        }
        catch (Exception e)
        {
            _output.Error($"test '{result.Name}' could not be journalled: {e.Message}");
        }
        finally
        {
            Leave();
        }
    }

    private bool TryEnter()
    {
        lock (_gate)
        {
            if (_closing) return false;
            _inFlight++;
            return true;
        }
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_inFlight == 0) _drained?.TrySetResult(true);
        }
    }

    /// <summary>Appends the result unless `end` is already written: the check and the append are one step under the gate.</summary>
    private bool TryAppend(TestResultRecord result)
    {
        lock (_gate)
        {
            if (_ended) return false;
            try
            {
                _journal!.AppendResult(result);
            }
            catch
            {
                _written = null; // what the journal holds now is for its reader to tell
                throw;
            }
            _journalled++;
            if (_written is not null)
            {
                if (_written.Count < _info.ResultsKeptInMemory) _written.Add(result);
                else _written = null;
            }
        }
        foreach (var k in result.TestCaseKeys)
        {
            var key = KeyRule.Normalize(k);
            if (_keyRule.IsValid(key)) _keys.TryAdd(key, 0);
        }
        return true;
    }

    private void WarnLate(TestResultRecord result) =>
        _output.Warning($"test '{result.Name}' finished after the run was published; it is not in the journal or the report.");

    /// <summary>Copies <paramref name="files"/> into the run folder; returns the copies (also added to
    /// <paramref name="all"/>), warning about each file that is gone or unreadable.</summary>
    private List<EvidenceFile> Capture(TestResultRecord result, List<EvidenceFile> files, List<EvidenceFile> all)
    {
        var copies = new List<EvidenceFile>(files.Count);
        foreach (var a in files)
        {
            var source = a.OriginalPath ?? a.Path;
            try
            {
                if (!File.Exists(source))
                {
                    _output.Warning($"test '{result.Name}': evidence file '{source}' does not exist; it is not reported.");
                    continue;
                }
                var copy = _journal!.CaptureEvidence(result.Sequence, source, a.FileName, a.Description);
                // A type the test named (Tms.Attach(bytes, name, contentType)) wins over the guess from the name.
                if (a.ContentType is { Length: > 0 } type && type != "application/octet-stream") copy.ContentType = type;
                copies.Add(copy);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                _output.Warning($"test '{result.Name}': evidence file '{source}' could not be copied ({e.Message}); it is not reported.");
            }
        }
        all.AddRange(copies);
        return copies;
    }

    private void DeleteCopies(List<EvidenceFile> copies)
    {
        foreach (var c in copies)
        {
            try { File.Delete(Path.Combine(_journal!.RunFolder, c.Path)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { }
        }
    }

    /// <summary>
    /// A front-end's guard caught an unexpected exception. The console gets the short form
    /// ("internal error while handling a test result: Type: message"); the whole stack trace, redacted,
    /// goes into the report's internalErrors, or, when no report is coming any more (the run was
    /// already published, or there is no journal), into &lt;runId&gt;.internal-errors.log in the run folder.
    /// Never throws.
    /// </summary>
    public void ReportInternalError(string activity, Exception exception)
    {
        try
        {
            var error = InternalErrorReport.From(activity, exception, _redactor);
            lock (_internalErrorsGate)
            {
                if (!_internalErrorsPublished && _journal is not null)
                {
                    _internalErrors.Add(error);
                    _output.Error(error.Summary);
                    return;
                }
            }
            var file = WriteInternalErrorFile(error);
            _output.Error(file is null ? error.Summary : $"{error.Summary} (stack trace in {file})");
        }
        catch (Exception e)
        {
            _output.Error($"internal error while {activity}: {exception.GetType().Name}: {_redactor.Redact(exception.Message)} (its stack trace could not be kept: {e.Message})");
        }
    }

    /// <summary>Appends the error to &lt;run folder&gt;/&lt;runId&gt;.internal-errors.log; null when it cannot be written.</summary>
    private string? WriteInternalErrorFile(InternalErrorReport error)
    {
        try
        {
            var folder = _journal?.RunFolder ?? RunJournal.RunFolderFor(_info.TestRunDirectory);
            var path = Path.Combine(folder, (_journal is null ? "" : _journal.RunId + ".") + "internal-errors.log");
            Directory.CreateDirectory(folder);
            var text = $"{DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)} {error.Summary}{Environment.NewLine}{error.StackTrace}{Environment.NewLine}{Environment.NewLine}";
            lock (_internalErrorsGate) File.AppendAllText(path, text, new UTF8Encoding(false));
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ends the run: writes `end`, publishes from the journal, writes the report, prints the summary.
    /// Runs once. Bounded for every front-end: the publishTimeout deadline starts here and covers
    /// reading the journal back, aggregation, payloads, evidence and HTTP; if the publish has not
    /// finished by the deadline plus <see cref="PublishGrace"/>, this returns anyway with a report
    /// that says so, and every key without a publish mark gets a `notSent` mark in the journal.
    /// </summary>
    public async Task<PublishReport?> CompleteAsync(bool aborted, CancellationToken cancellationToken = default)
    {
        if (_journal is null) return null;
        Task drained;
        lock (_gate)
        {
            if (_closing) return null;
            _closing = true;
            drained = _inFlight == 0 ? Task.CompletedTask : (_drained = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        PublishDeadline? deadline = null;
        try
        {
            deadline = PublishDeadline.Start(_info.Options.PublishTimeout, _info.TimeProvider);
            // On the thread pool: a backend stuck in synchronous work cannot hold the caller.
            var work = Task.Run(() => PublishFromJournalAsync(aborted, drained, deadline, cancellationToken));
            var bound = deadline.Span + PublishGrace;
            if (await Task.WhenAny(work, Task.Delay(bound)).ConfigureAwait(false) == work)
            {
                var report = await work.ConfigureAwait(false);
                deadline.Dispose();
                return report;
            }
            // The publish goes on in the background until the process ends; its token is left
            // undisposed for it. Whatever it still writes to the journal after Dispose is dropped.
            return GiveUp(deadline);
        }
        catch (Exception e)
        {
            ReportUnpublishedInternalErrors("ending the run", e);
            return null;
        }
    }

    private async Task<PublishReport?> PublishFromJournalAsync(bool aborted, Task drained, PublishDeadline deadline, CancellationToken cancellationToken)
    {
        var journal = _journal!;
        try
        {
            // Results already being recorded (evidence still copying) get a moment to land before `end`;
            // any that is later than that is refused with a warning.
            await Task.WhenAny(drained, Task.Delay(RecordDrainWait, deadline.Token)).ConfigureAwait(false);
            var finished = DateTimeOffset.UtcNow;
            lock (_gate)
            {
                _ended = true;
                journal.AppendEnd(new RunEnd { FinishedAt = finished, Aborted = aborted, Results = _journalled });
            }
            if (_info.Options.PublishMode == PublishModes.Deferred)
            {
                // Journal only: the CI job (or a person) publishes this folder later, with the other
                // projects' and shards' journals, as one execution.
                _output.Info($"publishMode=deferred: {_journalled} results journalled in {journal.JournalPath}, nothing sent. Publish later with: tmsbridge publish \"{journal.RunFolder}\"");
                return null;
            }
            List<TestResultRecord>? written;
            lock (_gate) written = _written;
            var fromMemory = written is not null && journal.Header is not null;
            var content = fromMemory
                ? JournalReader.FromWritten(journal.JournalPath, journal.Header!, written!)
                : JournalReader.Read(journal.JournalPath);
            // Lines that could not be read back (or evidence refused) must not vanish without a word.
            foreach (var problem in content.Problems) _output.Warning(problem);
            List<InternalErrorReport> internalErrors;
            lock (_internalErrorsGate)
            {
                // From here on a new internal error goes to the run folder: this report is on its way.
                _internalErrorsPublished = true;
                internalErrors = [.. _internalErrors];
            }
            // One execution per invocation and per pipeline: the group's lock and state in the run folder.
            var group = ExecutionGroup.For(_info.Options, _info.InvocationId, _info.Environment ?? System.Environment.GetEnvironmentVariable);
            // A run that cannot publish (bad options, no credentials) takes no turn: it would hold the others up for nothing.
            using var lease = group is null || _info.Options.HasErrors || Publisher.TargetProblems(_info.Options).Count > 0
                ? null
                : await group.EnterAsync(journal.RunFolder, _info.Options.Target, deadline, _output).ConfigureAwait(false);
            var report = await Publisher.PublishAsync(new PublishRequest
            {
                RunId = journal.RunId,
                // Runs of one invocation on this machine meet through the lock and state files only: the
                // execution keeps the creator's run marker and title, and nothing extra is asked of the TMS.
                // An executionGroup (shards elsewhere) marks it with the group, looks it up before creating
                // and, on RTM, creates the TE from the whole plan.
                MarkerId = group is { AcrossMachines: true } ? group.MarkerId : null,
                FindBeforeCreate = group is { AcrossMachines: true },
                SharedExecution = group is { AcrossMachines: true },
                JoinExecution = lease?.ExecutionKey,
                RunFolder = journal.RunFolder,
                JournalPath = journal.JournalPath,
                Results = content.Results,
                // From memory: sanitised by this session's sanitizer when journalled (RunJournal.AppendResult).
                ResultsSanitized = fromMemory,
                Options = _info.Options,
                RunStarted = _started,
                RunFinished = finished,
                // A pipeline's execution is not this project's: its title names none.
                DefaultSummary = DefaultSummary(group is { AcrossMachines: true } ? [] : _info.Sources, _started),
                HttpHandler = _info.HttpHandler,
                StartedDeadline = deadline,
                // Each key's fate is journalled as soon as it is known: a publish killed half-way
                // leaves a journal that says which keys already went, and to which execution.
                Progress = lease is { Leads: true } ? mark => { lease.Observe(mark); Mark(mark); } : Mark,
                Attempt = journal.AppendAttempt,
                InternalErrors = internalErrors,
                Environment = _info.Environment,
                CiConsole = _info.CiConsole,
            }, _output, cancellationToken).ConfigureAwait(false);
            lease?.Settle(report.Execution?.Key ?? report.Execution?.Id, DateTimeOffset.UtcNow);
            // Only a key that should have gone and did not gets a mark (with its reason). A planned key
            // (target none, dryRun) gets none: `tmsbridge publish` treats a key without a mark exactly like
            // a planned one (not sent yet), so the mark was one more journal line per key for nothing.
            foreach (var k in report.Keys.Where(k => k.State is KeyStates.NotSent))
            {
                Mark(new PublishMark { At = DateTimeOffset.UtcNow, Target = report.Target, Key = k.Key, State = k.State, ExecutionKey = report.Execution?.Key, Reason = k.Messages.FirstOrDefault() });
            }
            return report;
        }
        catch (Exception e)
        {
            ReportUnpublishedInternalErrors("ending the run", e);
            return null;
        }
    }

    /// <summary>No report is coming: the stack traces (this one, and any the report was to carry) go to the run folder.</summary>
    private void ReportUnpublishedInternalErrors(string activity, Exception e)
    {
        List<InternalErrorReport> pending;
        lock (_internalErrorsGate)
        {
            pending = _internalErrorsPublished ? [] : [.. _internalErrors];
            _internalErrorsPublished = true;
        }
        foreach (var error in pending) WriteInternalErrorFile(error);
        ReportInternalError(activity, e);
    }

    private void Mark(PublishMark mark)
    {
        // Nothing sent on purpose (dryRun): no mark, as for target none (an unmarked key is not sent yet).
        if (mark.State == KeyStates.Planned) return;
        // One step with GiveUp's "no mark yet?" check: a notSent mark never lands after the publish marked the key sent.
        lock (_marked)
        {
            _marked.TryAdd(mark.Key, 0);
            _journal!.AppendPublishMark(mark);
        }
    }

    /// <summary>The publish did not return in time: say so, and leave a journal that tells `tmsbridge publish` what to send.</summary>
    private PublishReport GiveUp(PublishDeadline deadline)
    {
        var journal = _journal!;
        var reason = FormattableString.Invariant($"publishing did not finish within the publishTimeout deadline ({deadline.Span.TotalSeconds:0} s) plus {PublishGrace.TotalSeconds:0} s");
        _output.Error($"{reason}; the run goes on. The journal '{journal.JournalPath}' keeps every result: `tmsbridge publish` can send what was not sent.");
        var report = new PublishReport
        {
            RunId = journal.RunId,
            Target = _info.Options.Target,
            DryRun = _info.Options.DryRun,
            JournalPath = journal.JournalPath,
            GeneratedAt = DateTimeOffset.UtcNow,
            Options = _info.Options.ToPublicDictionary(),
        };
        report.Errors.Add(reason + "; what was not sent stays in the journal.");
        foreach (var key in _keys.Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase))
        {
            lock (_marked)
            {
                if (_marked.ContainsKey(key)) continue;
                Mark(new PublishMark { At = DateTimeOffset.UtcNow, Target = report.Target, Key = key, State = KeyStates.NotSent, Reason = reason });
            }
            report.Keys.Add(new KeyReport { Key = key, State = KeyStates.NotSent, Messages = [reason] });
        }
        report.Totals.Keys = report.Keys.Count;
        report.Totals.NotSent = report.Keys.Count;
        // The publish that did not return may never write its report or its internal errors: write them now.
        List<InternalErrorReport> pending;
        lock (_internalErrorsGate)
        {
            pending = [.. _internalErrors];
            _internalErrors.Clear();
            _internalErrorsPublished = true;
        }
        foreach (var error in pending)
        {
            report.Errors.Add(error.Summary);
            (report.InternalErrors ??= []).Add(error);
            WriteInternalErrorFile(error);
        }
        Publisher.WriteReport(report, Path.Combine(journal.RunFolder, journal.RunId + ".report.json"), _redactor, _output);
        CiSummary.Write(report, journal.RunFolder, CiEnvironment.Detect(_info.Environment ?? System.Environment.GetEnvironmentVariable), _redactor, _output, _info.CiConsole);
        return report;
    }

    /// <summary>
    /// "MyTests: automated test run 2026-11-25 21:00 UTC", in the invariant culture: it becomes the Xray
    /// summary and the AIO cycle title, and under th-TH the current culture would write the year 2569.
    /// </summary>
    public static string DefaultSummary(IReadOnlyList<string> sources, DateTimeOffset started)
    {
        var names = sources.Select(s => Path.GetFileNameWithoutExtension(s)).Where(n => !string.IsNullOrEmpty(n)).Distinct().ToList();
        var prefix = names.Count == 0 ? "" : string.Join(", ", names) + ": ";
        return prefix + "automated test run " + started.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC";
    }

    public void Dispose() => _journal?.Dispose();
}
