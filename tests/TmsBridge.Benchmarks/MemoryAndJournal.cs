using System.Diagnostics;
using System.Globalization;
using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Publishing;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Benchmarks;

/// <summary>
/// Section "memory": (a) the peak RSS of a `tmsbridge publish` process (its own --stats line) sending
/// 2,000 results with 100 KB of evidence each (200 MB) to Xray Cloud in the sandbox; (b) the journal
/// from 1k to 100k results: its size, the time to write it (the logger's per-result work), and the
/// time to read it back and publish it to Xray Cloud in the sandbox (no latency), per result.
/// Linear growth shows as a flat per-result column.
/// </summary>
internal static class MemoryAndJournal
{
    public static async Task RunAsync(BenchOptions o)
    {
        var memoryResults = o.Quick ? 200 : 2000;
        int[] journalSizes = o.Quick ? [1000, 4000] : [1000, 10_000, 100_000];
        var seed = SandboxSeed.CreateDefault();
        seed.Projects.Add(new SeedProject { Key = "BIG", Tests = [$"BIG-1..BIG-{Math.Max(memoryResults, journalSizes.Max())}"], TestEnvironments = ["ci"] });
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Seed = seed,
            XrayCloudRateLimit = new RateLimit { Requests = 10_000_000 },
            MaxRequestBodyBytes = 1024L * 1024 * 1024,
        });
        using var control = new HttpClient { BaseAddress = sandbox.BaseAddress };
        var credentials = new Dictionary<string, string> { ["TMS_CLIENT_ID"] = SandboxSeed.DemoCloudClientId, ["TMS_CLIENT_SECRET"] = SandboxSeed.DemoCloudClientSecret };

        Console.WriteLine($"== memory: `tmsbridge publish --stats` of {memoryResults:N0} results x 100 KB evidence ({memoryResults * 100 / 1024.0:0} MB) to Xray Cloud (sandbox, --max-request-bytes 20MB); goal: peak RSS < 300 MB");
        var folder = Path.Combine(o.Work, "memory");
        var journal = PublishEfficiency.WriteJournal(folder, memoryResults, evidence: false, i => $"BIG-{i}", 0, runId: "memory");
        AddEvidenceToEvery(folder, journal, memoryResults, 100 * 1024);
        var cli = Cli(o.RepositoryRoot);
        var run = Machine.Run("dotnet", [cli, "publish", journal, "--target", "xray-cloud", "--base-url", sandbox.BaseAddress.ToString(), "--project", "BIG", "--max-request-bytes", "20MB", "--stats"], folder, credentials, TimeSpan.FromMinutes(15));
        var stats = run.Output.Split('\n').FirstOrDefault(l => l.StartsWith("tmsbridge: stats:", StringComparison.Ordinal))?.Trim();
        if (run.ExitCode != 0 || stats is null)
        {
            Console.WriteLine($"publish failed (exit {run.ExitCode}):\n{run.Output}");
            Goals.AtMost(3, $"peak RSS (MB) of the publish of {memoryResults} results with evidence: it failed", double.PositiveInfinity, 300, "0");
        }
        else
        {
            long Stat(string name) => long.Parse(stats.Split(' ').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal)).Split('=')[1], CultureInfo.InvariantCulture);
            Goals.AtMost(3, $"peak RSS (MB) of the publish of {memoryResults} results with evidence", Stat("peakWorkingSetBytes") / 1024.0 / 1024.0, 300, "0");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peak RSS {Stat("peakWorkingSetBytes") / 1024.0 / 1024.0:0} MB, {Stat("requests")} requests, largest request {Stat("maxRequestBytes") / 1024.0 / 1024.0:0.0} MB, wall {run.WallSeconds:0.0} s, CPU {run.CpuSeconds:0.0} s"));
        }
        Directory.Delete(folder, true);

        Console.WriteLine();
        Console.WriteLine("== journal growth: written as the logger writes it (sanitised, flushed per line), read back and published to Xray Cloud (sandbox, no latency)");
        Console.WriteLine("   read+publish splits into: reading the journal back; the server's time (the requests' durations: the sandbox, in this process); TmsBridge's own (the rest)");
        Console.WriteLine($"{"results",8} {"lines",8} {"size MB",8} {"bytes/result",12} | {"write s",7} {"us/result",9} | {"read+publish s",14} {"us/result",9} {"requests",8} | {"read us",7} {"server us",9} {"own us",7} (per result)");
        // Per result: bytes, write µs, read + publish µs. The smallest size carries the fixed start-up (loading and
        // compiling the publish path once), so "flat" compares the largest size with the one before it.
        var perResult = new List<(int N, double Bytes, double WriteUs, double PublishUs)>();
        foreach (var n in journalSizes)
        {
            (await control.PostAsync("/_sandbox/reset", null)).EnsureSuccessStatusCode();
            var environment = new Dictionary<string, string>(credentials) { ["TMS_TARGET"] = "xray-cloud", ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(), ["TMS_PROJECT"] = "BIG", ["TMS_RATE_LIMIT"] = "none", ["TMS_PUBLISH_TIMEOUT"] = "3600" };
            var options = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(environment)]);
            var runFolder = Path.Combine(o.Work, "journal-" + n);
            var write = Stopwatch.StartNew();
            var path = WriteSanitised(runFolder, n, options);
            write.Stop();
            var publish = Stopwatch.StartNew();
            var content = JournalReader.Read(path);
            var read = publish.Elapsed;
            var report = await Publisher.PublishAsync(new PublishRequest
            {
                RunId = content.Header!.RunId,
                RunFolder = Path.GetDirectoryName(path)!,
                JournalPath = path,
                Results = content.Results,
                Options = options,
                RunStarted = content.Header.StartedAt,
                RunFinished = DateTimeOffset.UtcNow,
                DefaultSummary = "benchmark run",
            }, new PublishEfficiency.Quiet());
            publish.Stop();
            var server = TimeSpan.FromMilliseconds(report.Requests.Sum(r => r.DurationMs));
            var own = publish.Elapsed - read - server;
            double PerResult(TimeSpan t) => t.TotalMilliseconds * 1000 / n;
            var size = new FileInfo(path).Length;
            var lines = File.ReadLines(path).LongCount();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n,8} {lines,8} {size / 1024.0 / 1024.0,8:0.0} {size / (double)n,12:0} | {write.Elapsed.TotalSeconds,7:0.00} {write.Elapsed.TotalMilliseconds * 1000 / n,9:0} | {publish.Elapsed.TotalSeconds,14:0.00} {publish.Elapsed.TotalMilliseconds * 1000 / n,9:0} {report.Requests.Count,8} | {PerResult(read),7:0} {PerResult(server),9:0} {PerResult(own),7:0}{(report.PublishFailed ? "  FAILED: " + string.Join("; ", report.Errors.Take(2)) : "")}"));
            Directory.Delete(runFolder, true);
            if (report.PublishFailed) Goals.AtMost(3, $"read + publish of {n:N0} results: it failed", double.PositiveInfinity, 0, "0");
            perResult.Add((n, size / (double)n, write.Elapsed.TotalMilliseconds * 1000 / n, publish.Elapsed.TotalMilliseconds * 1000 / n));
        }
        if (perResult.Count >= 2)
        {
            var (before, last) = (perResult[^2], perResult[^1]);
            // Linear growth: the per-result figures of the largest size within half again of the one before (time is noisy, bytes are not).
            Goals.AtMost(3, $"journal bytes per result, {last.N:N0} vs {before.N:N0} results", last.Bytes / before.Bytes, 1.1, "0.00");
            Goals.AtMost(3, $"journal write time per result, {last.N:N0} vs {before.N:N0} results", last.WriteUs / before.WriteUs, 1.5, "0.00");
            Goals.AtMost(3, $"read + publish time per result, {last.N:N0} vs {before.N:N0} results", last.PublishUs / before.PublishUs, 1.5, "0.00");
        }
    }

    /// <summary>The newest build of the CLI (the benchmark builds it in its own configuration).</summary>
    private static string Cli(string root) =>
        new[] { "Release", "Debug" }.Select(c => Path.Combine(root, "src", "TmsBridge.Cli", "bin", c, "net10.0", "tmsbridge.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
        ?? throw new InvalidOperationException("build src/TmsBridge.Cli first (it is built with the benchmark)");

    /// <summary>Rewrites the journal with one incompressible 100 KB evidence file on every result (like screenshots).</summary>
    private static void AddEvidenceToEvery(string folder, string journalPath, int n, int bytes)
    {
        var content = JournalReader.Read(journalPath);
        var evidenceFolder = Path.Combine(Path.GetDirectoryName(journalPath)!, "memory.evidence");
        Directory.CreateDirectory(evidenceFolder);
        File.Delete(journalPath);
        using var journal = RunJournal.Create(folder, content.Header!);
        var random = new Random(4711);
        var data = new byte[bytes];
        foreach (var r in content.Results)
        {
            random.NextBytes(data);
            var name = $"shot-{r.Sequence}.png";
            File.WriteAllBytes(Path.Combine(evidenceFolder, name), data);
            r.Attachments = [new Model.EvidenceFile { Path = Path.Combine("memory.evidence", name), FileName = name, ContentType = "image/png", Size = bytes }];
            journal.AppendResult(r);
        }
        journal.AppendEnd(new RunEnd { FinishedAt = DateTimeOffset.UtcNow, Results = n });
    }

    private static string WriteSanitised(string folder, int n, TmsOptions options)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        using var journal = RunJournal.Create(folder, new RunHeader { RunId = RunJournal.NewRunId(DateTimeOffset.UtcNow), StartedAt = DateTimeOffset.UtcNow, Runner = "vstest", Sources = ["Bench.Tests.dll"] }, ResultSanitizer.For(options));
        for (var i = 1; i <= n; i++)
        {
            journal.AppendResult(new Model.TestResultRecord
            {
                Sequence = i,
                FullyQualifiedName = $"Bench.Case{(i - 1) / 100}.Test{i}",
                DisplayName = $"Test{i}",
                Outcome = i % 50 == 0 ? Model.TestOutcome.Failed : Model.TestOutcome.Passed,
                ErrorMessage = i % 50 == 0 ? $"test {i} fails on purpose" : null,
                StandardOutput = i % 10 == 0 ? $"output of test {i}: " + new string('x', 200) : null,
                StartTime = DateTimeOffset.UtcNow,
                EndTime = DateTimeOffset.UtcNow,
                DurationMs = 1,
                TestCaseKeys = [$"BIG-{i}"],
            });
        }
        journal.AppendEnd(new RunEnd { FinishedAt = DateTimeOffset.UtcNow, Results = n });
        return journal.JournalPath;
    }
}
