using System.Diagnostics;
using System.Globalization;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using TmsBridge.Publishing;
using TmsBridge.TestLogger;
using ObjectModelResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace TmsBridge.Benchmarks;

/// <summary>
/// Section "inproc": the VSTest logger driven in this process as vstest.console drives it, so the
/// cost can be judged by counts that a busy machine does not blur: assemblies loaded by each phase
/// (initialise, run start, results, run end), bytes allocated per result, and journal lines written.
/// </summary>
internal static class InProcessLogger
{
    public static void Run(BenchOptions o)
    {
        var n = o.Quick ? 500 : 5000;
        Console.WriteLine($"== logger in process (VSTest front-end, target=none, {n} results shaped like the generated suite): counts, not timings");
        var folder = Path.Combine(o.Work, "inproc");
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Directory.CreateDirectory(folder);
        var attachment = Path.Combine(folder, "attachment.txt");
        File.WriteAllText(attachment, new string('a', 4096));
        var source = Path.Combine(folder, "Bench.Tests.dll");
        // Results built before measuring: vstest.console builds them, not the logger.
        var results = Enumerable.Range(1, n).Select(i => MakeResult(i, source, attachment)).ToList();

        var loaded = new List<string>();
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => { lock (loaded) loaded.Add(e.LoadedAssembly.GetName().Name ?? "?"); };
        // Twice in this process: the first (cold) pays what vstest.console pays, loading and JIT included;
        // the second (warm) only the steady work. Their difference is the logger's one-time cost.
        var cold = Cycle(Path.Combine(folder, "cold"), source, results, loaded);
        var warm = Cycle(Path.Combine(folder, "warm"), source, results, loaded);
        Console.WriteLine($"{"phase",-24} {"assemblies loaded",17} {"allocated",12} {"cold ms",8} {"warm ms",8}");
        for (var i = 0; i < cold.Phases.Count; i++)
        {
            var (phase, assemblies, bytes, ms) = cold.Phases[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase,-24} {assemblies,17} {bytes / 1024.0 / 1024.0,9:0.0} MB {ms,8:0} {warm.Phases[i].Ms,8:0}"));
        }
        var perResult = warm.Phases.Single(p => p.Phase.EndsWith("results", StringComparison.Ordinal)).Bytes / (double)n;
        var lines = File.ReadLines(cold.Journal).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"allocated per result: {perResult / 1024.0:0.0} KB; journal: {lines.Count} lines ({lines.Count(l => l.StartsWith("{\"type\":\"result\"", StringComparison.Ordinal))} results, {lines.Count(l => l.StartsWith("{\"type\":\"publish\"", StringComparison.Ordinal))} publish marks), {new FileInfo(cold.Journal).Length / 1024.0 / 1024.0:0.0} MB"));
        var skip = 0;
        lock (loaded)
            foreach (var p in cold.Phases)
            {
                Console.WriteLine($"  loaded by {p.Phase}: {(p.Assemblies == 0 ? "-" : string.Join(", ", loaded.Skip(skip).Take(p.Assemblies)))}");
                skip += p.Assemblies;
            }
    }

    private static (List<(string Phase, int Assemblies, long Bytes, double Ms)> Phases, string Journal) Cycle(string folder, string source, List<ObjectModelResult> results, List<string> loaded)
    {
        Directory.CreateDirectory(folder);
        var events = new Events();
        var phases = new List<(string Phase, int Assemblies, long Bytes, double Ms)>();
        void Phase(string name, Action action)
        {
            int before;
            lock (loaded) before = loaded.Count;
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            action();
            watch.Stop();
            int after;
            lock (loaded) after = loaded.Count;
            phases.Add((name, after - before, GC.GetTotalAllocatedBytes(precise: true) - bytes, watch.Elapsed.TotalMilliseconds));
        }

        TmsLogger? logger = null;
        Phase("construct + initialise", () =>
        {
            logger = new TmsLogger(new SilentOutput(), () => new Dictionary<string, string> { ["TMS_TARGET"] = "none" });
            logger.Initialize(events, new Dictionary<string, string?> { ["TestRunDirectory"] = folder });
        });
        Phase("run start", () => events.RaiseStart([source]));
        Phase($"{results.Count} results", () => { foreach (var r in results) events.RaiseResult(r); });
        Phase("run end (target none)", () => events.RaiseComplete());
        return (phases, Directory.GetFiles(folder, "*.journal.jsonl", SearchOption.AllDirectories).Single());
    }

    private static ObjectModelResult MakeResult(int i, string source, string attachment)
    {
        var testCase = new TestCase($"Bench.Case{(i - 1) / 100}.Test{i}", new Uri("executor://NUnit3TestExecutor"), source) { DisplayName = $"Test{i}" };
        testCase.Traits.Add("TestCaseKey", $"BENCH-{i}");
        var result = new ObjectModelResult(testCase)
        {
            Outcome = i % 50 == 0 ? TestOutcome.Failed : TestOutcome.Passed,
            Duration = TimeSpan.FromMilliseconds(1),
            StartTime = DateTimeOffset.UtcNow,
            EndTime = DateTimeOffset.UtcNow,
        };
        if (i % 50 == 0) { result.ErrorMessage = $"test {i} fails on purpose"; result.ErrorStackTrace = "   at Bench.Work.Do(Int32 i) in Tests.cs:line 12"; }
        if (i % 10 == 0) result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, $"output of test {i}: " + new string('x', 200)));
        if (i % 100 == 0)
        {
            var set = new AttachmentSet(new Uri("executor://NUnit3TestExecutor"), "Attachments");
            set.Attachments.Add(new UriDataAttachment(new Uri(attachment), null));
            result.Attachments.Add(set);
        }
        return result;
    }

    private sealed class SilentOutput : IReporterOutput
    {
        public void Info(string message) { }
        public void Warning(string message) { }
        public void Error(string message) => Console.Error.WriteLine("  logger error: " + message);
    }

    private sealed class Events : TestLoggerEvents
    {
        public override event EventHandler<TestRunStartEventArgs>? TestRunStart;
        public override event EventHandler<TestResultEventArgs>? TestResult;
        public override event EventHandler<TestRunCompleteEventArgs>? TestRunComplete;
        public override event EventHandler<TestRunMessageEventArgs>? TestRunMessage { add { } remove { } }
        public override event EventHandler<DiscoveryStartEventArgs>? DiscoveryStart { add { } remove { } }
        public override event EventHandler<TestRunMessageEventArgs>? DiscoveryMessage { add { } remove { } }
        public override event EventHandler<DiscoveredTestsEventArgs>? DiscoveredTests { add { } remove { } }
        public override event EventHandler<DiscoveryCompleteEventArgs>? DiscoveryComplete { add { } remove { } }
        public void RaiseStart(IEnumerable<string> sources) => TestRunStart?.Invoke(this, new TestRunStartEventArgs(new TestRunCriteria(sources, 10, false, "<RunSettings />")));
        public void RaiseResult(ObjectModelResult result) => TestResult?.Invoke(this, new TestResultEventArgs(result));
        public void RaiseComplete() => TestRunComplete?.Invoke(this, new TestRunCompleteEventArgs(null, false, false, null, null, TimeSpan.FromSeconds(1)));
    }
}
