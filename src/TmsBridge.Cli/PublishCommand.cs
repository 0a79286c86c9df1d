using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Cli;

/// <summary>
/// `tmsbridge publish journal-or-folder...`: sends results from run journals. Several journals (test
/// projects, TFMs, CI shards; a folder stands for every journal below it) are merged into one
/// execution. Keys a journal marks as sent to the same target are skipped unless --all, and their
/// execution is reused so the rest joins it; a publish that was killed is resumed (see <see cref="JournalState"/>).
/// </summary>
public static class PublishCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "all", "stats");
        if (a.Positional.Count == 0) throw new UsageException("publish needs at least one journal file (<results>/tms/<runId>.journal.jsonl) or a folder holding journals.");
        var journals = new List<JournalContent>();
        // Secrets come only from the environment: known before any journal is read, so that a
        // problem naming a test or a path is printed redacted too.
        var redactor = CliOptions.EnvironmentRedactor();
        foreach (var path in JournalInputs.Paths(a.Positional))
        {
            var content = JournalInputs.Read(path, stderr, redactor);
            // Results journalled before they carried their target framework take the journal's: two
            // frameworks' results of one test are two results, not a retry.
            foreach (var r in content.Results) r.TargetFramework ??= content.Header!.TargetFramework;
            journals.Add(content);
        }

        var options = CliOptions.Resolve(journals[0], a);
        // Options are checked before anything else, whatever the journals hold: a misspelt option
        // must not pass unnoticed because every result happens to be sent already.
        var errors = options.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Message)
            .Concat(Publisher.TargetProblems(options)).Select(redactor.Redact).ToList();
        if (errors.Count > 0)
        {
            foreach (var w in options.Problems.Where(p => p.Severity == ProblemSeverity.Warning)) stderr.WriteLine("tmsbridge: warning: " + redactor.Redact(w.Message));
            foreach (var e in errors) stderr.WriteLine("tmsbridge: error: " + e);
            stderr.WriteLine("tmsbridge: nothing was published; the journals are unchanged. Fix the options above and run the command again.");
            return 2;
        }
        var rule = Targets.KeyRuleFor(options.Target);
        List<string> KeysOf(TestResultRecord r) => r.TestCaseKeys.Select(Keys.KeyRule.Normalize).Where(rule.IsValid).Distinct().ToList();

        // What each journal already sent (its latest mark per key, for this target). A key counts as
        // done only for the journal that sent it: another shard's result for the same key still has to go.
        // A key whose result went but not all its evidence (evidencePending) sends only the missing files.
        var state = JournalState.Of(journals, options, KeysOf);
        var all = a.Flags.Contains("all");
        var pending = state.Pending;
        var previousExecution = state.SentExecution;

        // An earlier publish of these journals to the same place: its execution is reported into, and if
        // it never learnt its execution (killed during the create), its marker is reused and looked up
        // before anything is created, so the create it may have made is found instead of made twice.
        var attempt = all ? null : state.LatestAttempt(options);
        if (attempt?.ExecutionKey is { } attemptExecution) previousExecution = attemptExecution;
        var resumeMarker = attempt is not null && previousExecution is null && options.TestExecution is null ? attempt.MarkerId : null;
        if (!all && options.TestExecution is null && previousExecution is not null && options.Target != Targets.None)
        {
            options.TestExecution = previousExecution;
            stdout.WriteLine($"tmsbridge: reporting into {previousExecution}, where earlier results of these journals went.");
        }
        else if (resumeMarker is not null)
            stdout.WriteLine($"tmsbridge: resuming the publish {attempt!.RunId ?? resumeMarker}, which did not learn its execution: looking it up by its marker before creating one.");

        // A key that goes again goes with every result for it from every journal (its status is the
        // worst of all shards), and so does every other key those results carry, since a re-import
        // replaces a Test Run's iterations.
        var everything = journals.SelectMany(j => j.Results).ToList();
        var chosen = all ? everything.SelectMany(KeysOf).ToHashSet(StringComparer.OrdinalIgnoreCase) : pending;
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var r in everything)
            {
                var keys = KeysOf(r);
                if (keys.Any(chosen.Contains) && !keys.All(chosen.Contains))
                {
                    foreach (var k in keys) grew |= chosen.Add(k);
                }
            }
        }
        // Keys whose result went but not all their evidence, and that do not go again for another reason.
        var evidenceOnly = all ? [] : state.EvidencePending.Where(e => !chosen.Contains(e.Key))
            .ToDictionary(e => e.Key, e => (ISet<string>)e.Value, StringComparer.OrdinalIgnoreCase);
        var results = new List<TestResultRecord>();
        var sequence = 0;
        foreach (var r in everything)
        {
            var keys = KeysOf(r);
            if (keys.Count > 0 && !keys.Any(k => chosen.Contains(k) || evidenceOnly.ContainsKey(k))) continue;
            r.Sequence = ++sequence;
            results.Add(r);
        }
        if (!results.Any(r => KeysOf(r).Count > 0) && !(options.ProvisionUnmapped && results.Count > 0))
        {
            foreach (var w in options.Problems) stdout.WriteLine("tmsbridge: warning: " + redactor.Redact(w.Message));
            stdout.WriteLine("tmsbridge: every result in these journals was already sent (use --all to send them again).");
            return 0;
        }
        if (evidenceOnly.Count > 0)
            stdout.WriteLine($"tmsbridge: {evidenceOnly.Count} key(s) were sent without all their evidence (evidencePending): only their missing files are sent.");

        var first = journals[0];
        var runId = "publish-" + RunJournal.NewRunId(DateTimeOffset.UtcNow);
        // Each key's fate (and each evidence file sent) is journalled as soon as it is known, in every
        // journal that holds the key; the attempt in every journal: a publish killed half-way leaves
        // journals that say what already went, and where.
        var writers = journals.ToDictionary(j => j, j => RunJournal.OpenExisting(j.Path, j.Header!.RunId));
        var journalsOfKey = new Dictionary<string, List<RunJournal>>(StringComparer.OrdinalIgnoreCase);
        foreach (var j in journals)
            foreach (var k in j.Results.SelectMany(r => r.TestCaseKeys).Select(Keys.KeyRule.Normalize).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!journalsOfKey.TryGetValue(k, out var list)) journalsOfKey[k] = list = [];
                list.Add(writers[j]);
            }
        var marked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var gate = new object();
        void Mark(PublishMark mark)
        {
            // A dry run (or target none) sends nothing: a planned mark would hide an earlier sent one, and
            // the next real publish would send that key again.
            if (mark.State == KeyStates.Planned) return;
            lock (gate)
            {
                if (mark.State != KeyStates.EvidenceSent) marked.Add(mark.Key);
                // The reason can quote the server: redacted like everything written.
                if (mark.Reason is not null) mark.Reason = redactor.Redact(mark.Reason);
                if (journalsOfKey.TryGetValue(mark.Key, out var list))
                    foreach (var w in list) w.AppendPublishMark(new PublishMark { At = mark.At, Target = mark.Target, Key = mark.Key, State = mark.State, ExecutionKey = mark.ExecutionKey, Reason = mark.Reason, File = mark.File });
            }
        }
        void Attempt(PublishAttempt entry)
        {
            lock (gate)
                foreach (var w in writers.Values) w.AppendAttempt(entry);
        }
        PublishReport report;
        try
        {
            report = await Publisher.PublishAsync(new PublishRequest
            {
                RunId = runId,
                RunFolder = Path.GetDirectoryName(Path.GetFullPath(first.Path))!,
                JournalPath = journals.Count == 1 ? Path.GetFullPath(first.Path) : null,
                Results = results,
                Options = options,
                RunStarted = journals.Min(j => j.Header!.StartedAt),
                RunFinished = journals.Max(j => j.End?.FinishedAt ?? j.Header!.StartedAt),
                // Titled like the original run(s) (their sources, start and run ids), not after this publish;
                // runId stays this publish's own (its report; and its marker, unless an earlier attempt is resumed).
                DefaultSummary = RunSession.DefaultSummary(journals.SelectMany(j => j.Header!.Sources).ToList(), journals.Min(j => j.Header!.StartedAt)),
                SourceRunIds = journals.Select(j => j.Header!.RunId).Where(id => !string.IsNullOrEmpty(id)).Distinct().ToList(),
                Progress = Mark,
                Attempt = Attempt,
                EvidenceOnly = evidenceOnly,
                // Resuming: the earlier attempt's marker, looked up before anything is created.
                MarkerId = resumeMarker,
                FindBeforeCreate = resumeMarker is not null,
            }, new CliReporterOutput(stdout, stderr));

            // Keys the backend did not mark as it went (not sent at all, planned): marked now.
            foreach (var k in report.Keys.Where(k => !marked.Contains(k.Key)))
                Mark(new PublishMark { At = DateTimeOffset.UtcNow, Target = report.Target, Key = k.Key, State = k.State, ExecutionKey = report.Execution?.Key, Reason = k.State is KeyStates.Refused or KeyStates.NotSent && k.Messages.Count > 0 ? string.Join(" ", k.Messages) : null });
        }
        finally
        {
            foreach (var w in writers.Values) w.Dispose();
        }
        if (a.Flags.Contains("stats"))
        {
            // For benchmarks and the large-run acceptance test: what publishing cost this process.
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            stdout.WriteLine($"tmsbridge: stats: requests={report.Requests.Count} maxRequestBytes={report.Requests.DefaultIfEmpty().Max(r => r?.RequestBytes ?? 0)} peakWorkingSetBytes={self.PeakWorkingSet64}");
        }
        return report.PublishFailed ? 1 : 0;
    }

    /// <summary>--base-url → baseUrl (camelCase names are accepted as they are).</summary>
    public static string KebabToCamel(string name)
    {
        var parts = name.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 ? name : parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));
    }
}

/// <summary>Console lines of the CLI, in the same "TmsBridge: ..." form as the loggers.</summary>
public sealed class CliReporterOutput(TextWriter stdout, TextWriter stderr) : IReporterOutput
{
    public void Info(string message) => stdout.WriteLine("TmsBridge: " + message);
    public void Warning(string message) => stdout.WriteLine("TmsBridge: warning: " + message);
    public void Error(string message) => stderr.WriteLine("TmsBridge: error: " + message);
}
