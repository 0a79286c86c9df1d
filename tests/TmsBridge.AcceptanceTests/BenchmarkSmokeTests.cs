using TmsBridge.Cli;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 16: the benchmark (tests/TmsBridge.Benchmarks, docs/performance.md) runs. Only its cheapest
/// case: the quick publish section for Xray Server (100 results with and without evidence against the
/// sandbox with 50 ms latency); the full benchmark is run by hand, it measures rather than tests.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task The_quick_mode_s_smallest_case_runs_and_prints_its_line()
    {
        var work = Path.Combine(Path.GetTempPath(), "tmsbridge-bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var run = await DotnetProcess.RunAsync(
                ["run", "--no-build", "--project", Path.Combine(SampleRuns.RepositoryRoot, "tests", "TmsBridge.Benchmarks"), "--",
                 "--quick", "--section", "publish", "--targets", "xray", "--work", work],
                SampleRuns.RepositoryRoot, new Dictionary<string, string?>(), timeout: TimeSpan.FromSeconds(60));

            var output = string.Join('\n', run.Lines);
            Assert.True(run.ExitCode == 0, output);
            Assert.Contains("== publish efficiency: sandbox with 50 ms latency", output, StringComparison.Ordinal);
            // Both rows: without and with evidence, every key sent, requests counted and a ratio to the bound printed.
            var rows = run.Lines.Where(l => l.StartsWith("xray ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Matches(@"^xray\s+100\s+.*\|\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+x \|.*100 keys sent$", r));
            // The run ends with goal 2's verdict over those two rows: one "over" line per row above its limit.
            var verdict = Assert.Single(run.Lines, l => l.StartsWith("goal ", StringComparison.Ordinal));
            var match = System.Text.RegularExpressions.Regex.Match(verdict, @"^goal 2: (met|NOT met), ([0-2]) of 2 checks within their limit");
            Assert.True(match.Success, verdict);
            var over = run.Lines.Count(l => l.StartsWith("   over: xray 100 results", StringComparison.Ordinal));
            Assert.Equal(2 - int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), over);
            Assert.Equal(over == 0 ? "met" : "NOT met", match.Groups[1].Value);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
