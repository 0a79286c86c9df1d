using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Cli;

/// <summary>
/// `tmsbridge publish journal...`: sends results from run journals. Several journals (test
/// projects, TFMs, CI shards) are merged into one execution. Keys a journal marks as sent to the
/// same target are skipped unless --all, and their execution is reused so the rest joins it.
/// </summary>
public static class PublishCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "all", "stats");
        if (a.Positional.Count == 0) throw new UsageException("publish needs at least one journal file (<results>/tms/<runId>.journal.jsonl).");
        var journals = new List<JournalContent>();
        // Secrets come only from the environment: known before any journal is read, so that a
        // problem naming a test or a path is printed redacted too.
        var environmentOptions = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(ReadEnvironment())]);
        var redactor = new Http.SecretRedactor(environmentOptions.SecretValues(), environmentOptions.User);
        foreach (var path in a.Positional)
        {
            if (!File.Exists(path)) throw new UsageException($"journal '{path}' does not exist.");
            var content = JournalReader.Read(path);
            foreach (var problem in content.Problems) stderr.WriteLine("tmsbridge: warning: " + redactor.Redact(problem));
            if (content.Header is null) throw new UsageException($"'{path}' is not a TmsBridge run journal (no run header).");
            journals.Add(content);
        }

        var options = ResolveOptions(journals, a);
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
        string? previousExecution = null;
        var pending = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var j in journals)
        {
            var latest = new Dictionary<string, PublishMark>(StringComparer.OrdinalIgnoreCase);
            foreach (var mark in j.PublishMarks.Where(m => m.Target == options.Target)) latest[mark.Key] = mark;
            foreach (var m in latest.Values.Where(m => m.State == KeyStates.Sent)) previousExecution ??= m.ExecutionKey;
            foreach (var r in j.Results)
                foreach (var k in KeysOf(r))
                    if (!(latest.TryGetValue(k, out var m) && m.State == KeyStates.Sent)) pending.Add(k);
        }
        var all = a.Flags.Contains("all");
        if (!all && options.TestExecution is null && previousExecution is not null && options.Target != Targets.None)
        {
            options.TestExecution = previousExecution;
            stdout.WriteLine($"tmsbridge: reporting into {previousExecution}, where earlier results of these journals went.");
        }

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
        var results = new List<TestResultRecord>();
        var sequence = 0;
        foreach (var r in everything)
        {
            var keys = KeysOf(r);
            if (keys.Count > 0 && !keys.Any(chosen.Contains)) continue;
            r.Sequence = ++sequence;
            results.Add(r);
        }
        if (!results.Any(r => KeysOf(r).Count > 0) && !(options.ProvisionUnmapped && results.Count > 0))
        {
            foreach (var w in options.Problems) stdout.WriteLine("tmsbridge: warning: " + redactor.Redact(w.Message));
            stdout.WriteLine("tmsbridge: every result in these journals was already sent (use --all to send them again).");
            return 0;
        }

        var first = journals[0];
        var runId = "publish-" + RunJournal.NewRunId(DateTimeOffset.UtcNow);
        var report = await Publisher.PublishAsync(new PublishRequest
        {
            RunId = runId,
            RunFolder = Path.GetDirectoryName(Path.GetFullPath(first.Path))!,
            JournalPath = journals.Count == 1 ? Path.GetFullPath(first.Path) : null,
            Results = results,
            Options = options,
            RunStarted = journals.Min(j => j.Header!.StartedAt),
            RunFinished = journals.Max(j => j.End?.FinishedAt ?? j.Header!.StartedAt),
            // Titled like the original run(s) (their sources, start and run ids), not after this publish;
            // runId stays this publish's own, as the marker that finds a create whose answer was lost.
            DefaultSummary = RunSession.DefaultSummary(journals.SelectMany(j => j.Header!.Sources).ToList(), journals.Min(j => j.Header!.StartedAt)),
            SourceRunIds = journals.Select(j => j.Header!.RunId).Where(id => !string.IsNullOrEmpty(id)).Distinct().ToList(),
        }, new CliReporterOutput(stdout, stderr));

        foreach (var j in journals)
        {
            using var journal = RunJournal.OpenExisting(j.Path, j.Header!.RunId);
            var keysOfJournal = new HashSet<string>(j.Results.SelectMany(r => r.TestCaseKeys).Select(Keys.KeyRule.Normalize), StringComparer.OrdinalIgnoreCase);
            foreach (var k in report.Keys.Where(k => keysOfJournal.Contains(k.Key)))
                journal.AppendPublishMark(new PublishMark { At = DateTimeOffset.UtcNow, Target = report.Target, Key = k.Key, State = k.State, ExecutionKey = report.Execution?.Key, Reason = k.State is KeyStates.Refused or KeyStates.NotSent && k.Messages.Count > 0 ? string.Join(" ", k.Messages) : null });
        }
        if (a.Flags.Contains("stats"))
        {
            // For benchmarks and the large-run acceptance test: what publishing cost this process.
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            stdout.WriteLine($"tmsbridge: stats: requests={report.Requests.Count} maxRequestBytes={report.Requests.DefaultIfEmpty().Max(r => r?.RequestBytes ?? 0)} peakWorkingSetBytes={self.PeakWorkingSet64}");
        }
        return report.PublishFailed ? 1 : 0;
    }

    /// <summary>journal header options &lt; tmsbridge.json &lt; TMS_* environment &lt; command-line options.</summary>
    private static TmsOptions ResolveOptions(List<JournalContent> journals, Arguments a)
    {
        var environment = ReadEnvironment();
        var layers = new List<ConfigurationLayer>();
        var header = new ConfigurationLayer($"journal {journals[0].Path}");
        foreach (var (k, v) in journals[0].Header!.Options) header.Add(k, v);
        layers.Add(header);
        layers.AddRange(ConfigurationResolver.JsonLayers(environment, [Directory.GetCurrentDirectory()]));
        layers.Add(ConfigurationLayer.FromEnvironment(environment));
        var cli = new ConfigurationLayer("command line");
        foreach (var (k, v) in a.Named) cli.Add(KebabToCamel(k), v);
        layers.Add(cli);
        return ConfigurationResolver.Resolve(layers);
    }

    private static Dictionary<string, string> ReadEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.OrdinalIgnoreCase);

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
