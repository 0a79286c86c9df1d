using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Benchmarks;

// Section "payload" (not run by default). Memory cost of building Xray import bodies with evidence, side by side:
//   streamed   - TmsBridge's writer: base64 straight from each file into the request file;
//   in-memory  - the common approach: read every file, Convert.ToBase64String, build one JSON string.
// Printed per evidence size: bytes allocated and the peak managed heap while building, and their
// ratio to the evidence size. A flat "streamed" column is the point: memory does not grow with evidence.

internal static class PayloadMemory
{
    public static void Run(int[] sizesMb)
    {
        const int FileKb = 100;
        var root = Path.Combine(Path.GetTempPath(), "tmsbridge-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            Console.WriteLine($"{"evidence",10} {"streamed alloc",15} {"streamed peak",14} {"in-memory alloc",16} {"in-memory peak",15} {"alloc ratio",12} {"streamed ms",12} {"in-memory ms",13}");
            foreach (var mb in sizesMb)
            {
                var results = MakeResults(root, mb * 1024 / FileKb, FileKb * 1024);
                var run = Aggregator.Aggregate(results, KeyRule.JiraIssueKey);
                var input = new XrayPayload.Input { Dialect = XrayDialect.Cloud, Options = new TmsOptions { Project = "BENCH" }, Keyed = run.Keyed, Statuses = new StatusMap(StatusMap.XrayCloudDefaults) };

                var streamed = Measure(() =>
                {
                    var entries = XrayPayload.Entries(input, []);
                    using var file = new FileStream(Path.Combine(root, "streamed.json"), FileMode.Create);
                    XrayPayload.Write(file, input, entries, new XrayPayload.Target(), []);
                });
                var inMemory = Measure(() =>
                {
                    var sb = new StringBuilder("{\"tests\":[");
                    foreach (var k in run.Keyed)
                    {
                        sb.Append("{\"testKey\":\"").Append(k.Key).Append("\",\"status\":\"PASSED\",\"evidence\":[");
                        foreach (var e in k.Evidence)
                            sb.Append("{\"data\":\"").Append(Convert.ToBase64String(File.ReadAllBytes(e.Path))).Append("\",\"filename\":").Append(JsonSerializer.Serialize(e.FileName)).Append('}');
                        sb.Append("]},");
                    }
                    sb.Length--;
                    sb.Append("]}");
                    File.WriteAllText(Path.Combine(root, "in-memory.json"), sb.ToString());
                });
                var evidence = (long)mb * 1024 * 1024;
                Console.WriteLine($"{mb + " MB",10} {Mb(streamed.Allocated),15} {Mb(streamed.Peak),14} {Mb(inMemory.Allocated),16} {Mb(inMemory.Peak),15} {(double)inMemory.Allocated / Math.Max(1, streamed.Allocated),11:0.0}x {streamed.Ms,12} {inMemory.Ms,13}");
                Console.WriteLine($"{"",10} {(double)streamed.Peak / evidence,14:0.00}x of evidence (streamed peak)   {(double)inMemory.Peak / evidence,8:0.00}x of evidence (in-memory peak)");
                foreach (var f in Directory.GetFiles(root)) File.Delete(f);
                foreach (var d in Directory.GetDirectories(root)) Directory.Delete(d, true);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0} MB";

    private static (long Allocated, long Peak, long Ms) Measure(Action action)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        long peak = 0;
        using var stop = new CancellationTokenSource();
        // Samples the managed heap while the action runs: the peak is what a publishing process must hold.
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
                try { await Task.Delay(1, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var watch = Stopwatch.StartNew();
        action();
        watch.Stop();
        peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
        stop.Cancel();
        sampler.Wait();
        return (GC.GetTotalAllocatedBytes(precise: true) - before, Math.Max(0, peak), watch.ElapsedMilliseconds);
    }

    private static List<TestResultRecord> MakeResults(string root, int count, int bytes)
    {
        var folder = Path.Combine(root, "evidence");
        Directory.CreateDirectory(folder);
        var random = new Random(42);
        var data = new byte[bytes];
        var list = new List<TestResultRecord>();
        for (var i = 1; i <= count; i++)
        {
            random.NextBytes(data);
            var path = Path.Combine(folder, $"shot-{i}.png");
            File.WriteAllBytes(path, data);
            list.Add(new TestResultRecord
            {
                Sequence = i,
                FullyQualifiedName = $"Bench.Case{i}",
                DisplayName = $"Case{i}",
                Outcome = TestOutcome.Passed,
                TestCaseKeys = [$"BENCH-{i}"],
                Attachments = [new EvidenceFile { Path = path, FileName = $"shot-{i}.png", ContentType = "image/png", Size = bytes }],
            });
        }
        return list;
    }
}
