using TmsBridge.Configuration;
using TmsBridge.Journal;
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
}

/// <summary>
/// One test run as seen by a front-end: start, record each result as it arrives, complete.
/// Every method is safe to call from a runner's event thread: none of them throws.
/// </summary>
public sealed class RunSession : IDisposable
{
    private readonly RunStartInfo _info;
    private readonly IReporterOutput _output;
    private readonly RunJournal? _journal;
    private readonly DateTimeOffset _started;
    private int _sequence;
    private int _completed;

    private RunSession(RunStartInfo info, IReporterOutput output, RunJournal? journal, DateTimeOffset started)
    {
        _info = info;
        _output = output;
        _journal = journal;
        _started = started;
    }

    public RunJournal? Journal => _journal;
    public TmsOptions Options => _info.Options;
    /// <summary>The session's console, redacting: front-ends print lines that name a test through it.</summary>
    public IReporterOutput Output => _output;

    public static RunSession Start(RunStartInfo info, IReporterOutput output)
    {
        // What a test produced is redacted before the journal (the journal's sanitizer) and the console (this output).
        output = RedactingReporterOutput.Wrap(output, ResultSanitizer.For(info.Options).Redactor);
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
        return new RunSession(info, output, journal, started);
    }

    /// <summary>Journals one result, copying its evidence files into the run folder first.</summary>
    public void Record(TestResultRecord result)
    {
        if (_journal is null) return;
        if (Volatile.Read(ref _completed) == 1)
        {
            _output.Warning($"test '{result.Name}' finished after the run was published; it is not in the journal or the report.");
            return;
        }
        try
        {
            result.Sequence = Interlocked.Increment(ref _sequence);
            var captured = new List<EvidenceFile>(result.Attachments.Count);
            foreach (var a in result.Attachments)
            {
                var source = a.OriginalPath ?? a.Path;
                try
                {
                    if (!File.Exists(source))
                    {
                        _output.Warning($"test '{result.Name}': evidence file '{source}' does not exist; it is not reported.");
                        continue;
                    }
                    captured.Add(_journal.CaptureEvidence(result.Sequence, source, a.FileName, a.Description));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    _output.Warning($"test '{result.Name}': evidence file '{source}' could not be copied ({e.Message}); it is not reported.");
                }
            }
            result.Attachments = captured;
            _journal.AppendResult(result);
        }
        catch (Exception e)
        {
            _output.Error($"test '{result.Name}' could not be journalled: {e.Message}");
        }
    }

    /// <summary>Ends the run: publishes from the journal, writes the report, prints the summary. Runs once.</summary>
    public async Task<PublishReport?> CompleteAsync(bool aborted, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 1 || _journal is null) return null;
        try
        {
            var finished = DateTimeOffset.UtcNow;
            _journal.AppendEnd(new RunEnd { FinishedAt = finished, Aborted = aborted, Results = _sequence });
            var content = JournalReader.Read(_journal.JournalPath);
            var report = await Publisher.PublishAsync(new PublishRequest
            {
                RunId = _journal.RunId,
                RunFolder = _journal.RunFolder,
                JournalPath = _journal.JournalPath,
                Results = content.Results,
                Options = _info.Options,
                RunStarted = _started,
                RunFinished = finished,
                DefaultSummary = DefaultSummary(_info.Sources, _started),
                HttpHandler = _info.HttpHandler,
                // Each key's fate is journalled as soon as it is known: a publish killed half-way
                // leaves a journal that says which keys already went, and to which execution.
                Progress = _journal.AppendPublishMark,
            }, _output, cancellationToken).ConfigureAwait(false);
            foreach (var k in report.Keys.Where(k => k.State is KeyStates.NotSent or KeyStates.Planned))
            {
                _journal.AppendPublishMark(new PublishMark { At = DateTimeOffset.UtcNow, Target = report.Target, Key = k.Key, State = k.State, ExecutionKey = report.Execution?.Key });
            }
            return report;
        }
        catch (Exception e)
        {
            _output.Error("internal error at the end of the run: " + e.Message);
            return null;
        }
    }

    /// <summary>"MyTests: automated test run 2026-11-25 21:00 UTC".</summary>
    public static string DefaultSummary(IReadOnlyList<string> sources, DateTimeOffset started)
    {
        var names = sources.Select(s => Path.GetFileNameWithoutExtension(s)).Where(n => !string.IsNullOrEmpty(n)).Distinct().ToList();
        var prefix = names.Count == 0 ? "" : string.Join(", ", names) + ": ";
        return $"{prefix}automated test run {started.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
    }

    public void Dispose() => _journal?.Dispose();
}
