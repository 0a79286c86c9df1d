using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.QTest;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Benchmarks;

/// <summary>
/// Section "publish": each backend publishes N results (with and without evidence) to the sandbox,
/// which delays every API request by <see cref="LatencyMs"/> (a delay fault on every path). Beside the
/// wall time: the requests sent, the lower bound those requests allow (requests × latency /
/// parallelism), the ratio to it, and what a naive publisher sending one request per result would need.
/// Rate limits are off on both sides (sandbox and client): the bound is the latency's, not a quota's.
/// </summary>
internal static class PublishEfficiency
{
    public const int LatencyMs = 50;

    /// <summary>What the sandbox needs from a publish of each target, and the key shape it takes. qTest is absent:
    /// the sandbox's qTest project has seven fixed automated cases, so it cannot take N distinct keys.</summary>
    private static readonly (string Target, Func<int, string> Key, int Parallelism, Func<Uri, Dictionary<string, string>> Environment)[] All =
    [
        ("xray", i => $"DEMO-{1000 + i}", 1, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" }),
        ("xray-cloud", i => $"DEMO-{1000 + i}", 1, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_CLIENT_ID"] = SandboxSeed.DemoCloudClientId, ["TMS_CLIENT_SECRET"] = SandboxSeed.DemoCloudClientSecret }),
        ("aio-cloud", i => $"DEMO-TC-{i}", 1, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_TOKEN"] = SandboxSeed.DemoAioToken }),
        ("aio", i => $"DEMO-TC-{i}", 1, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" }),
        ("rtm", i => $"DEMO-{1000 + i}", 4, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_TEST_PLAN"] = "DEMO-300", ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" }),
        ("rtm-cloud", i => $"DEMO-{1000 + i}", 4, s => new() { ["TMS_BASE_URL"] = new Uri(s, "rtm-cloud/").ToString(), ["TMS_PROJECT"] = "DEMO", ["TMS_TEST_PLAN"] = "DEMO-300", ["TMS_TOKEN"] = SandboxSeed.DemoRtmToken }),
        ("qmetry-cloud", i => $"DEMO-TC-{i}", 1, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_API_KEY"] = SandboxSeed.DemoQMetryApiKey, ["TMS_QMETRY_OPEN_API_KEY"] = SandboxSeed.DemoQMetryOpenApiKey }),
        ("qmetry", i => $"DEMO-TC-{i}", 1, s => new() { ["TMS_BASE_URL"] = s.ToString(), ["TMS_API_KEY"] = SandboxSeed.DemoQMetryApiKey, ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" }),
    ];

    public static async Task RunAsync(BenchOptions o)
    {
        int[] sizes = o.Quick ? [100] : [100, 1000, 10000];
        var targets = All.Where(t => o.Targets.Count == 0 || o.Targets.Contains(t.Target)).ToList();
        Console.WriteLine($"== publish efficiency: sandbox with {LatencyMs} ms latency per request, rate limits off; evidence = one 10 KB file on every 10th result");
        Console.WriteLine("   bound = requests x latency / parallelism; naive = one request per result (and per evidence file), sequential: requests x latency");
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Seed = Seed(sizes.Max()),
            XrayCloudRateLimit = new RateLimit { Requests = 10_000_000 },
            AioRateLimit = new RateLimit { Requests = 10_000_000 },
        });
        using var control = new HttpClient { BaseAddress = sandbox.BaseAddress };
        Console.WriteLine("   in-flight = time requests were in flight (their durations / parallelism: latency + the sandbox's own work); own = wall - in-flight (TmsBridge's CPU and waits)");
        Console.WriteLine($"{"target",-13} {"results",7} {"evidence",8} | {"requests",8} {"wall s",7} {"bound s",7} {"ratio",6} | {"in-flight",9} {"own s",6} | {"naive req",9} {"naive s",8} {"vs naive",8} | result");
        foreach (var target in targets)
            foreach (var (n, evidence, warmUp) in new[] { (10, false, true) }.Concat(sizes.SelectMany(n => new[] { (n, false, false), (n, true, false) })))
                {
                    (await control.PostAsync("/_sandbox/reset", null)).EnsureSuccessStatusCode();
                    (await control.PostAsJsonAsync("/_sandbox/faults", new { path = "/*", count = -1, action = "delay", delayMs = LatencyMs })).EnsureSuccessStatusCode();
                    var folder = Path.Combine(o.Work, "publish", $"{target.Target}-{n}-{(evidence ? "ev" : "plain")}");
                    var journalPath = WriteJournal(folder, n, evidence, target.Key, 10 * 1024);
                    var content = JournalReader.Read(journalPath);
                    var environment = target.Environment(sandbox.BaseAddress);
                    environment["TMS_TARGET"] = target.Target;
                    environment["TMS_RATE_LIMIT"] = "none";
                    environment["TMS_PUBLISH_TIMEOUT"] = "3600";
                    var options = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(environment)]);
                    var watch = Stopwatch.StartNew();
                    var report = await Publisher.PublishAsync(new PublishRequest
                    {
                        RunId = content.Header!.RunId,
                        RunFolder = Path.GetDirectoryName(journalPath)!,
                        JournalPath = journalPath,
                        Results = content.Results,
                        Options = options,
                        RunStarted = content.Header.StartedAt,
                        RunFinished = DateTimeOffset.UtcNow,
                        DefaultSummary = "benchmark run",
                    }, new Quiet());
                    watch.Stop();
                    // The first publish of each backend only warms it up (loading, JIT): not measured.
                    if (warmUp)
                    {
                        Directory.Delete(folder, true);
                        continue;
                    }
                    var requests = report.Requests.Count;
                    var inFlight = report.Requests.Sum(r => r.DurationMs) / 1000.0 / target.Parallelism;
                    var bound = requests * LatencyMs / 1000.0 / target.Parallelism;
                    var naive = n + (evidence ? n / 10 : 0);
                    // A publish that failed is no measurement of efficiency: it counts as over, whatever its time.
                    Goals.AtMost(2, $"{target.Target} {n} results, {(evidence ? "with" : "no")} evidence: wall / bound{(report.PublishFailed ? " (the publish failed)" : "")}",
                        report.PublishFailed ? double.PositiveInfinity : watch.Elapsed.TotalSeconds / bound, 1.2, "0.00");
                    var outcome = report.PublishFailed ? "FAILED: " + string.Join("; ", report.Errors.Concat(report.Keys.Where(k => k.State != KeyStates.Sent).Take(2).SelectMany(k => k.Messages)).Take(2)) : $"{report.Keys.Count(k => k.State == KeyStates.Sent)} keys sent";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{target.Target,-13} {n,7} {(evidence ? n / 10 + " files" : "none"),8} | {requests,8} {watch.Elapsed.TotalSeconds,7:0.00} {bound,7:0.00} {watch.Elapsed.TotalSeconds / bound,5:0.00}x | {inFlight,9:0.00} {watch.Elapsed.TotalSeconds - inFlight,6:0.00} | {naive,9} {naive * LatencyMs / 1000.0,8:0.0} {naive * LatencyMs / 1000.0 / watch.Elapsed.TotalSeconds,7:0.0}x | {outcome}"));
                    if (o.Verbose)
                    {
                        // Where the requests go: method and path with the numbers taken out, in order of first use.
                        foreach (var g in report.Requests.GroupBy(r => r.Method + " " + System.Text.RegularExpressions.Regex.Replace(new Uri(r.Url).AbsolutePath, "[0-9]+", "#")))
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {g.Count(),5} x {g.Key}  (median {Machine.Median(g.Select(r => (double)r.DurationMs)):0} ms)"));
                    }
                    Directory.Delete(folder, true);
                }
    }

    private static SandboxSeed Seed(int n)
    {
        var seed = SandboxSeed.CreateDefault();
        var p = seed.Projects[0];
        // Jira-keyed tests from DEMO-1001: below them, DEMO-300 stays the (RTM) test plan.
        p.Tests = [$"DEMO-1001..DEMO-{1000 + n}"];
        p.ManualTests = []; // the default seed's Manual DEMO-8 is not among these tests
        p.Requirements = ["DEMO-1000100..DEMO-1000120"];
        p.Defects = ["DEMO-1000200..DEMO-1000220"];
        p.TestPlans = ["DEMO-1000300..DEMO-1000305", "DEMO-300"];
        p.NextTestExecution = 2_000_000;
        p.NextTest = 3_000_000;
        p.AioCases = new() { ["Published"] = [$"DEMO-TC-1..DEMO-TC-{Math.Max(50, n)}"] };
        p.RtmPlans = new();
        p.QMetryCases = [$"DEMO-TC-1..DEMO-TC-{Math.Max(50, n)}"];
        return seed;
    }

    /// <summary>A journal as the logger leaves it: every 50th result failed, every 10th with output, and with evidence every 10th with one file.</summary>
    internal static string WriteJournal(string folder, int n, bool evidence, Func<int, string> key, int evidenceBytes, string runId = "bench")
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        var random = new Random(16);
        using var journal = RunJournal.Create(folder, new RunHeader { RunId = runId, StartedAt = DateTimeOffset.UtcNow, Runner = "vstest", Sources = ["Bench.Tests.dll"] });
        Directory.CreateDirectory(journal.EvidenceFolder);
        var bytes = new byte[evidenceBytes];
        for (var i = 1; i <= n; i++)
        {
            var record = new TestResultRecord
            {
                Sequence = i,
                FullyQualifiedName = $"Bench.Case{(i - 1) / 100}.Test{i}",
                DisplayName = $"Test{i}",
                Outcome = i % 50 == 0 ? TestOutcome.Failed : TestOutcome.Passed,
                ErrorMessage = i % 50 == 0 ? $"test {i} fails on purpose" : null,
                StandardOutput = i % 10 == 0 ? $"output of test {i}: " + new string('x', 200) : null,
                StartTime = DateTimeOffset.UtcNow,
                EndTime = DateTimeOffset.UtcNow,
                DurationMs = 1,
                TestCaseKeys = [key(i)],
            };
            if (evidence && i % 10 == 0)
            {
                random.NextBytes(bytes);
                var name = $"shot-{i}.png";
                File.WriteAllBytes(Path.Combine(journal.EvidenceFolder, name), bytes);
                record.Attachments = [new EvidenceFile { Path = Path.Combine(runId + ".evidence", name), FileName = name, ContentType = "image/png", Size = evidenceBytes }];
            }
            journal.AppendResult(record);
        }
        journal.AppendEnd(new RunEnd { FinishedAt = DateTimeOffset.UtcNow, Results = n });
        return journal.JournalPath;
    }

    internal sealed class Quiet : IReporterOutput
    {
        public void Info(string message) { }
        public void Warning(string message) { }
        public void Error(string message) { }
    }
}
