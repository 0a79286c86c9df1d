using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Model;

namespace TmsBridge.Publishing;

/// <summary>
/// Rehearses the run end once per process, on a thread-pool thread, while the tests run.
/// vstest.console hands a logger its events on one queue thread and waits only for the run end
/// (issue 16): what the run end does the first time (loading and JIT-compiling the journal reader,
/// the aggregation, the plan, the report and the summary: most of its cost) is on the test run's
/// critical path, while the run itself leaves a core idle for it. The rehearsal publishes a
/// two-result run with target none into a temporary folder it deletes, with a silent console: no
/// network, no secret, nothing of the real run. Never throws; a failed rehearsal only costs time.
/// </summary>
public static class RunEndRehearsal
{
    private static readonly object Gate = new();
    /// <summary>The rehearsal's temporary folder starts with this (and is deleted when it ends).</summary>
    internal static readonly string FolderPrefix = CommonPrefix + CurrentProcessId().ToString(System.Globalization.CultureInfo.InvariantCulture) + "-";
    private const string CommonPrefix = "tmsbridge-rehearsal-";
    private static Task? _task;

    /// <summary>The rehearsal of this process, or null before the first run session.</summary>
    internal static Task? Current { get { lock (Gate) return _task; } }

    /// <summary>The rehearsal of this process (started by the first call); completed when it is done.</summary>
    public static Task Start()
    {
        lock (Gate) return _task ??= Task.Run(RehearseAsync);
    }

    /// <summary>One rehearsal (<see cref="Start"/> runs it once per process; tests run it again).</summary>
    internal static async Task RehearseAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N").Substring(0, 8));
        try
        {
            try { RemoveLeftovers(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException) { } // the warm-up goes on
            var options = ConfigurationResolver.Resolve([new ConfigurationLayer("rehearsal").Add("target", Targets.None)]);
            var now = DateTimeOffset.UtcNow;
            // The real run end's path: the results as journalled, published from memory (JournalReader.FromWritten).
            var header = new RunHeader { RunId = "rehearsal", StartedAt = now, Runner = "rehearsal" };
            List<TestResultRecord> written =
            [
                new TestResultRecord { Sequence = 1, FullyQualifiedName = "Rehearsal.Passes", DisplayName = "Passes(1)", Outcome = TestOutcome.Passed, StartTime = now, EndTime = now, TestCaseKeys = ["REHEARSAL-1"] },
                new TestResultRecord { Sequence = 2, FullyQualifiedName = "Rehearsal.Fails", DisplayName = "Fails", Outcome = TestOutcome.Failed, ErrorMessage = "rehearsal", StandardOutput = "output", StartTime = now, EndTime = now, TestCaseKeys = ["REHEARSAL-2"] },
            ];
            string journalPath;
            using (var journal = RunJournal.Create(folder, header, ResultSanitizer.For(options)))
            {
                journalPath = journal.JournalPath;
                // One piece of evidence, so the evidence path is compiled too: its copy here, its confinement
                // at the run end (JournalReader), its count in the report and its name in the plan.
                var evidence = Path.Combine(folder, "rehearsal.txt");
                File.WriteAllText(evidence, "rehearsal");
                written[1].Attachments.Add(journal.CaptureEvidence(written[1].Sequence, evidence, null, null));
                foreach (var result in written) journal.AppendResult(result);
                journal.AppendEnd(new RunEnd { FinishedAt = now, Results = written.Count });
            }
            var content = JournalReader.FromWritten(journalPath, header, written);
            await Publisher.PublishAsync(new PublishRequest
            {
                RunId = "rehearsal",
                RunFolder = Path.Combine(folder, "tms"),
                JournalPath = journalPath,
                Results = content.Results,
                Options = options,
                RunStarted = now,
                RunFinished = now,
                DefaultSummary = "rehearsal",
                // No CI: on GitHub Actions the publish would append its summary to the job's
                // $GITHUB_STEP_SUMMARY, on Azure Pipelines print ##vso lines to the process's standard output.
                Environment = _ => null,
                CiConsole = TextWriter.Null,
            }, new SilentOutput()).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Only a warm-up: the real run end does the same work and reports its own problems.
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Deletes the folders of rehearsals whose process has ended: a process that exits (a short run, a
    /// killed test application) before its rehearsal is done leaves its folder behind, and the temporary
    /// folder of a CI agent that runs tests all day must not fill with them. A live process's folder is kept.
    /// </summary>
    internal static void RemoveLeftovers()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), CommonPrefix + "*"))
        {
            var rest = Path.GetFileName(dir).Substring(CommonPrefix.Length);
            var dash = rest.IndexOf('-');
            if (dash <= 0 || !int.TryParse(rest.Substring(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) || IsAlive(pid)) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; } // no such process
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return true; } // cannot tell: keep it
    }

    private static int CurrentProcessId()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.Id;
    }

    private sealed class SilentOutput : IReporterOutput
    {
        public void Info(string message) { }
        public void Warning(string message) { }
        public void Error(string message) { }
    }
}
