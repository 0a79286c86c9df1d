using System.Diagnostics;
using System.Text.RegularExpressions;
using TmsBridge.Cli;
using TmsBridge.Sandbox;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// The CI around a run: real `dotnet test --logger "tms;..."` runs of a sample against the Xray
/// sandbox with the CI's variables in the child's environment write the job-page summary
/// (GitHub Actions) or the logging commands (Azure Pipelines); and the traceability report built
/// from the samples' journals is valid HTML (html-validate) that references nothing external.
/// </summary>
public sealed class CiSummaryAcceptanceTests(SampleRuns samples)
{
    private const string Sample = "NUnitSample";

    private static Dictionary<string, string?> Environment(Uri sandbox) => new()
    {
        ["TMS_USER"] = "admin",
        ["TMS_PASSWORD"] = "admin",
        // Whatever CI runs these tests: the child sees only the CI it is given below.
        ["GITHUB_ACTIONS"] = null,
        ["GITHUB_STEP_SUMMARY"] = null,
        ["TF_BUILD"] = null,
    };

    private static string Logger(Uri sandbox) => $"tms;target=xray;baseUrl={sandbox}";

    [Fact]
    public async Task On_GitHub_Actions_the_run_end_appends_the_summary_to_the_step_summary_file()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var summary = Path.Combine(samples.WorkFolder, "step-summary-" + Guid.NewGuid().ToString("N")[..6] + ".md");
        Directory.CreateDirectory(samples.WorkFolder);
        File.WriteAllText(summary, "## Build\n");
        var environment = Environment(sandbox.BaseAddress);
        environment["GITHUB_ACTIONS"] = "true";
        environment["GITHUB_STEP_SUMMARY"] = summary;

        var run = await samples.RunAsync(Sample, environment, "--logger", Logger(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var report = run.Report();
        var execution = report.RootElement.GetProperty("execution").GetProperty("key").GetString()!;
        var totals = report.RootElement.GetProperty("totals");
        var text = File.ReadAllText(summary);
        Assert.StartsWith("## Build\n", text);
        // One block, this run's: the run end's warm-up (RunEndRehearsal) leaves nothing on the job page.
        Assert.Single(Regex.Matches(text, "### TmsBridge:"));
        Assert.DoesNotContain("REHEARSAL", text);
        Assert.Contains("### TmsBridge: Xray Server/DC", text);
        Assert.Matches(@"Created \[\*\*" + Regex.Escape(execution) + @"\*\*\]\(http://127\.0\.0\.1:\d+/browse/" + Regex.Escape(execution) + @"\)", text);
        Assert.Contains($"- Results: {totals.GetProperty("results").GetInt32()}, keys: 7 (sent 7, refused 0, not sent 0)", text);
        Assert.Contains($"- Unmapped tests (no key): {totals.GetProperty("unmappedTests").GetInt32()}", text);
        var coverage = report.RootElement.GetProperty("coverage");
        int C(string name) => coverage.GetProperty(name).GetInt32();
        Assert.True(C("requirements") > 0, text);
        Assert.Contains($"- Requirements: {C("passed")} passed / {C("failed")} failed / {C("notRun")} not run (of {C("requirements")})", text);
        Assert.Contains("| FAIL | 1 | 1 |", text);
        Assert.Matches(@"\| PASS \| 5 \| \d+ \|", text);
        Assert.DoesNotContain("##vso[", run.Process.Output);
    }

    [Fact]
    public async Task The_MTP_extension_appends_the_same_summary_on_GitHub_Actions()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var summary = Path.Combine(samples.WorkFolder, "step-summary-mtp-" + Guid.NewGuid().ToString("N")[..6] + ".md");
        var environment = Environment(sandbox.BaseAddress);
        environment["TMS_TARGET"] = "xray";
        environment["TMS_BASE_URL"] = sandbox.BaseAddress.ToString();
        environment["GITHUB_ACTIONS"] = "true";
        environment["GITHUB_STEP_SUMMARY"] = summary;

        var run = await new MtpAcceptanceTests(samples).RunMtpSampleAsync("MSTestMtpSample", environment);

        using var report = run.Report();
        var execution = report.RootElement.GetProperty("execution").GetProperty("key").GetString()!;
        var text = File.ReadAllText(summary);
        Assert.Contains("### TmsBridge: Xray Server/DC", text);
        Assert.Contains("[**" + execution + "**](", text);
        Assert.Contains("keys: 7 (sent 7, refused 0, not sent 0)", text);
        Assert.Contains("| FAIL | 1 | 1 |", text);
    }

    [Fact]
    public async Task On_Azure_Pipelines_warnings_are_logging_commands_and_the_summary_is_uploaded()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(sandbox.BaseAddress);
        environment["TF_BUILD"] = "True";
        environment["TMS_SHADES"] = "dark"; // not an option: a warning, at the start and in the run end's report

        var run = await samples.RunAsync(Sample, environment, "--logger", Logger(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        var lines = run.Process.Lines.Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("##vso[task.logissue type=warning]TmsBridge: environment variable TMS_SHADES is not a TmsBridge option", StringComparison.Ordinal));
        var upload = Assert.Single(lines, l => l.StartsWith("##vso[task.uploadsummary]", StringComparison.Ordinal));
        var path = upload["##vso[task.uploadsummary]".Length..];
        Assert.Equal(Path.GetFullPath(run.RunFolder), Path.GetDirectoryName(path));
        using var report = run.Report();
        var execution = report.RootElement.GetProperty("execution").GetProperty("key").GetString()!;
        var text = File.ReadAllText(path);
        Assert.Contains("### TmsBridge: Xray Server/DC", text);
        Assert.Contains("**" + execution + "**", text);
        Assert.Contains("keys: 7 (sent 7, refused 0, not sent 0)", text);
    }

    [Fact]
    public async Task The_html_traceability_report_of_the_samples_journals_is_valid_and_self_contained()
    {
        // Two samples, journalled only (no target): the report reads journals, not a TMS.
        var nunit = await samples.RunAsync("NUnitSample", new Dictionary<string, string?> { ["TMS_TARGET"] = null });
        var xunit = await samples.RunAsync("XunitSample", new Dictionary<string, string?> { ["TMS_TARGET"] = null });
        var html = Path.Combine(samples.WorkFolder, "traceability-" + Guid.NewGuid().ToString("N")[..6] + ".html");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["report", nunit.RunFolder, xunit.RunFolder, "--out", html, "--requirements", "DEMO-100,DEMO-999"], stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        var text = File.ReadAllText(html);
        Assert.Contains("DEMO-100", text);
        Assert.Contains("DEMO-999", text); // named, covered by no test: not covered
        Assert.Contains("<svg", text);
        Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(?i)\b(src|href)\s*=\s*[""']?\s*(https?:)?//", text);
        Assert.DoesNotMatch(@"(?i)(@import|url\s*\()", text);

        var validator = await HtmlValidate.PathAsync();
        var check = await Run(validator, ["--config", Path.Combine(SampleRuns.RepositoryRoot, ".ci", "htmlvalidate.json"), html]);
        Assert.True(check.ExitCode == 0, "html-validate found problems:\n" + check.Output);
    }

    private static async Task<(int ExitCode, string Output)> Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>html-validate from .ci/tools, installed by .ci/install-html-validate when it is not there yet (never a skip).</summary>
    private static class HtmlValidate
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);

        public static async Task<string> PathAsync()
        {
            var ci = System.IO.Path.Combine(SampleRuns.RepositoryRoot, ".ci");
            var bin = System.IO.Path.Combine(ci, "tools", "node_modules", ".bin", "html-validate");
            await Gate.WaitAsync();
            try
            {
                if (!File.Exists(bin))
                {
                    var install = await Run("bash", [System.IO.Path.Combine(ci, "install-html-validate")]);
                    Assert.True(install.ExitCode == 0, "installing html-validate failed:\n" + install.Output);
                }
                Assert.True(File.Exists(bin), $"html-validate is not at {bin} after .ci/install-html-validate");
                return bin;
            }
            finally { Gate.Release(); }
        }
    }
}
