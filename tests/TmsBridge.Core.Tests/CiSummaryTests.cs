using System.Globalization;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// The job-page summary at the end of a publish (GitHub Actions step summary, Azure Pipelines
/// logging commands and uploaded summary) and the progress line of long publishes, through a real
/// publish to the AIO fake on loopback HTTP.
/// </summary>
public sealed class CiSummaryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    private readonly List<PublishMark> _marks = [];
    public void Dispose() => _dir.Dispose();

    private const string Token = "aio-token-0123456789abcdef";
    private const string RunId = "20260506T070809Z-ab12cd34";
    private string RunFolder => _dir.Combine("TestResults/tms");
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<TestResultRecord> Sample() =>
    [
        Result("Ns.C.Passes", keys: ["DEMO-TC-1"], covers: ["DEMO-100"], sequence: 1),
        Result("Ns.C.Fails", TestOutcome.Failed, keys: ["DEMO-TC-2"], covers: ["DEMO-100", "DEMO-101"], sequence: 2),
        Result("Ns.C.Skips", TestOutcome.Skipped, keys: ["DEMO-TC-3"], covers: ["DEMO-102"], sequence: 3),
        Result("Ns.C.Also|passes `*x*` <b>", keys: ["DEMO-TC-4"], covers: ["DEMO-103"], sequence: 4),
        Result("Ns.C.NoKey", sequence: 5),
    ];

    private static TmsOptions Options(Uri baseUrl)
    {
        var options = ConfigurationResolver.Resolve([
            new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Token),
            new ConfigurationLayer("test").Add("target", "aio-cloud").Add("baseUrl", baseUrl.ToString()).Add("timeout", "30"),
        ]);
        Assert.Empty(options.Problems);
        return options;
    }

    private PublishRequest Request(FakeAio aio, Dictionary<string, string> environment, TextWriter? console = null)
    {
        var request = TestPublishRequests.Create(RunFolder, Options(aio.BaseUrl), Sample(), RunId, "Tests: automated test run", m => { lock (_marks) _marks.Add(m); });
        request.Environment = name => environment.TryGetValue(name, out var v) ? v : null;
        request.CiConsole = console;
        return request;
    }

    [Fact]
    public async Task GitHub_Actions_appends_the_summary_with_execution_counts_coverage_and_refused_keys_escaped_and_redacted()
    {
        using var aio = new FakeAio(cloud: true);
        aio.Refuse["DEMO-TC-2"] = "Case | <b>DEMO-TC-2</b> is *not* published; token " + Token;
        var summary = _dir.Combine("step-summary.md");
        File.WriteAllText(summary, "earlier step\n");

        var report = await Publisher.PublishAsync(Request(aio, new() { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary }), _output, Ct);

        var text = File.ReadAllText(summary);
        Assert.StartsWith("earlier step\n", text); // appended, never replaced
        Assert.Contains("### TmsBridge: AIO Tests Cloud", text);
        Assert.NotNull(report.Execution?.Key);
        Assert.Contains("Created **" + report.Execution!.Key + "**", text);
        Assert.Contains("- Results: 5, keys: 4 (sent 3, refused 1, not sent 0)", text);
        Assert.Contains("- Unmapped tests (no key): 1", text);
        // DEMO-100: one pass, one fail → failed; DEMO-101 failed; DEMO-102 only skipped → not run; DEMO-103 passed.
        Assert.Contains("- Requirements: 1 passed / 2 failed / 1 not run (of 4)", text);
        Assert.Contains("| Passed | 2 | 2 |", text);
        Assert.Contains("| Failed | 1 | 1 |", text);
        Assert.Contains(@"- DEMO-TC-2: Case \| &lt;b&gt;DEMO-TC-2&lt;/b&gt; is \*not\* published; token \*\*\*", text);
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain("<b>", text);
        Assert.Equal((4, 1, 2, 1), (report.Coverage!.Requirements, report.Coverage.Passed, report.Coverage.Failed, report.Coverage.NotRun));
        Assert.DoesNotContain(_output.Warnings, w => w.Contains("job summary", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unwritable_step_summary_is_one_warning_and_the_publish_is_unchanged()
    {
        using var aio = new FakeAio(cloud: true);
        var folderNotFile = _dir.Combine("summary-is-a-folder");
        Directory.CreateDirectory(folderNotFile);

        var report = await Publisher.PublishAsync(Request(aio, new() { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = folderNotFile }), _output, Ct);

        Assert.Equal(4, report.Totals.Sent);
        Assert.Empty(report.Errors);
        var warning = Assert.Single(_output.Warnings, w => w.Contains("job summary", StringComparison.Ordinal));
        Assert.Contains(folderNotFile, warning);
        Assert.True(File.Exists(Path.Combine(RunFolder, RunId + ".report.json")));
    }

    [Fact]
    public async Task Azure_Pipelines_gets_issues_as_logging_commands_and_an_uploaded_summary_file()
    {
        using var aio = new FakeAio(cloud: true);
        aio.Refuse["DEMO-TC-2"] = "Case not found\nsecond line 100%";
        var console = new StringWriter();

        var report = await Publisher.PublishAsync(Request(aio, new() { ["TF_BUILD"] = "True" }, console), _output, Ct);

        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var path = Path.GetFullPath(Path.Combine(RunFolder, RunId + ".summary.md"));
        Assert.Contains("##vso[task.uploadsummary]" + path, lines);
        Assert.Contains("### TmsBridge: AIO Tests Cloud", File.ReadAllText(path));
        // The refusal is an error issue, its newline and % escaped as the agent expects; not also a plain error line.
        Assert.Contains(lines, l => l.StartsWith("##vso[task.logissue type=error]TmsBridge: DEMO-TC-2 refused by AIO Tests Cloud: Case not found%0Asecond line 100%AZP25", StringComparison.Ordinal));
        Assert.DoesNotContain(_output.Errors, e => e.Contains("DEMO-TC-2", StringComparison.Ordinal));
        Assert.Equal(1, report.Totals.Refused);
    }

    [Fact]
    public async Task On_Azure_Pipelines_a_logging_command_inside_a_test_name_or_server_message_is_neutralised()
    {
        using var aio = new FakeAio(cloud: true);
        aio.Refuse["DEMO-TC-2"] = "no ##vso[task.complete result=Failed]x";
        var console = new StringWriter();
        var request = Request(aio, new() { ["TF_BUILD"] = "True" }, console);
        request.Results = [.. request.Results, Result("Ns.C.Evil##vso[task.setvariable variable=X]1", sequence: 9)];

        await Publisher.PublishAsync(request, _output, Ct);

        // The agent reads the first ##vso[ of a line: only TmsBridge's own command may start one.
        Assert.DoesNotContain(_output.Lines, l => l.Contains("##vso[", StringComparison.Ordinal));
        Assert.Contains(_output.Lines, l => l.Contains("Ns.C.Evil## vso[task.setvariable", StringComparison.Ordinal));
        Assert.All(console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal(l.IndexOf("##vso[", StringComparison.Ordinal), l.LastIndexOf("##vso[", StringComparison.Ordinal)));
        Assert.Contains("no ## vso[task.complete", console.ToString());
    }

    [Fact]
    public async Task Elsewhere_nothing_but_the_console()
    {
        using var aio = new FakeAio(cloud: true);
        var console = new StringWriter();
        // GITHUB_ACTIONS without a summary file, as on runners that have none: the console only.
        await Publisher.PublishAsync(Request(aio, new() { ["GITHUB_ACTIONS"] = "true", ["CI"] = "true" }, console), _output, Ct);

        Assert.Equal("", console.ToString());
        Assert.False(File.Exists(Path.Combine(RunFolder, RunId + ".summary.md")));
        Assert.Contains(_output.Lines, l => l.StartsWith("info: 5 results, 4 keys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_refusal_reason_is_journalled_with_the_keys_progress_mark()
    {
        using var aio = new FakeAio(cloud: true);
        aio.Refuse["DEMO-TC-2"] = "Case DEMO-TC-2 is not in Published status";

        await Publisher.PublishAsync(Request(aio, []), _output, Ct);

        var refused = Assert.Single(_marks, m => m.State == KeyStates.Refused);
        Assert.Equal("DEMO-TC-2", refused.Key);
        Assert.Contains("not in Published status", refused.Reason);
        Assert.All(_marks.Where(m => m.State == KeyStates.Sent), m => Assert.Null(m.Reason));
    }

    [Fact]
    public void The_summary_is_culture_invariant()
    {
        var report = new PublishReport { RunId = "r", Target = "xray", TargetName = "Xray Server/DC", Totals = { Results = 1234567, Keys = 2 }, Coverage = new ReportCoverage { Requirements = 1000, Passed = 1000 } };
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("ar-EG");
            var text = CiSummary.Markdown(report, new Http.SecretRedactor([]));
            Assert.Contains("- Results: 1234567, keys: 2", text);
            Assert.Contains("1000 passed / 0 failed / 0 not run (of 1000)", text);
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void An_execution_link_is_a_Markdown_link_only_for_http_urls()
    {
        var report = new PublishReport { Target = "xray", TargetName = "Xray", Execution = new ExecutionReference { Key = "DEMO-9", Url = "https://jira.example.com/browse/DEMO-9?a=(1)" } };
        Assert.Contains("Created [**DEMO-9**](https://jira.example.com/browse/DEMO-9?a=%281%29)", CiSummary.Markdown(report, new Http.SecretRedactor([])));
        report.Execution.Url = "javascript:alert(1)";
        Assert.Contains("Created **DEMO-9**\n", CiSummary.Markdown(report, new Http.SecretRedactor([])));
    }

    /// <summary>Moves the publish's clock on by <paramref name="step"/> per request: a slow server, without sleeping.</summary>
    private sealed class SlowServer(ManualClock clock, TimeSpan step) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            clock.Advance(step);
            return response;
        }
    }

    [Fact]
    public async Task A_long_publish_prints_a_progress_line_every_few_seconds()
    {
        using var aio = new FakeAio(cloud: true);
        var clock = new ManualClock(TestPublishRequests.T0);
        var request = Request(aio, []);
        request.TimeProvider = clock;
        using var slow = new SlowServer(clock, TimeSpan.FromSeconds(3));
        request.HttpHandler = slow;

        var report = await Publisher.PublishAsync(request, _output, Ct);

        var progress = _output.Lines.Where(l => l.StartsWith("info: publishing to AIO Tests Cloud: ", StringComparison.Ordinal)).ToList();
        var seconds = report.Requests.Count * 3;
        Assert.InRange(progress.Count, 1, seconds / 5);
        Assert.All(progress, l => Assert.Matches(@"^info: publishing to AIO Tests Cloud: \d+ of 4 results and 0 of 0 files sent so far \(\d+ requests, \d+ s\)$", l));
        Assert.Empty(report.Errors);
    }

    [Fact]
    public async Task A_quick_publish_prints_no_progress_line()
    {
        using var aio = new FakeAio(cloud: true);
        var request = Request(aio, []);
        request.TimeProvider = new ManualClock(TestPublishRequests.T0); // never moves: the publish takes no time on its clock

        await Publisher.PublishAsync(request, _output, Ct);

        Assert.DoesNotContain(_output.Lines, l => l.Contains("publishing to", StringComparison.Ordinal));
    }
}
