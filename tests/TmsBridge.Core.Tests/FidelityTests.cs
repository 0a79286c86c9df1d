using System.Diagnostics;
using System.Text.Json;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;
using TmsBridge.Http;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>What the summary, the report and the console say is exactly what happened (issue 8, items 14 and 15).</summary>
public sealed class FidelityTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TmsOptions AioCloud(FakeAio aio)
    {
        var layer = new ConfigurationLayer("test").Add("target", "aio-cloud").Add("baseUrl", aio.BaseUrl.ToString()).Add("timeout", "30").Add("maxRetries", "1");
        var env = new ConfigurationLayer("environment", allowsSecrets: true).Add("token", "aio-token-0123456789abcdef");
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private PublishRequest AioRequest(FakeAio aio) => TestPublishRequests.Create(_dir.Combine("TestResults/tms"), AioCloud(aio),
        [Result("Ns.C.Passes", keys: ["DEMO-TC-1"], sequence: 1), Result("Ns.C.Fails", TestOutcome.Failed, keys: ["DEMO-TC-2"], sequence: 2)]);

    public static TheoryData<int, string, string> UnreadableConfigs => new()
    {
        { 200, "<html><body>Jira is starting</body></html>", "a body that is not JSON ('<html>" },
        { 200, "", "a body that is not JSON (empty)" },
        { 200, """{"projectKey":"DEMO"}""", "no runStatuses list ('{\"projectKey\":\"DEMO\"}')" },
        { 200, """{"runStatuses":{"1":"Passed"}}""", "no runStatuses list (" },
        { 200, """[{"name":"Passed"}]""", "no runStatuses list (" },
        { 200, """{"runStatuses":[{"ID":1},{"ID":2}]}""", "runStatuses entries without a name (" },
    };

    [Theory]
    [MemberData(nameof(UnreadableConfigs))]
    public async Task An_unreadable_AIO_config_is_said_to_be_unreadable_and_the_results_are_sent_unchecked(int status, string body, string why)
    {
        using var aio = new FakeAio { ConfigReply = new TinyHttpServer.Reply(status, body) };
        var report = await Publisher.PublishAsync(AioRequest(aio), _output, Ct);

        var warning = Assert.Single(report.Warnings, w => w.Contains("run statuses", StringComparison.Ordinal));
        Assert.StartsWith("AIO Tests Cloud: the project's run statuses could not be read: GET config answered HTTP 200 with " + why, warning);
        Assert.EndsWith("statuses are sent unchecked (checkStatuses=false skips this read).", warning);
        Assert.DoesNotContain("no run statuses", warning);
        Assert.Contains(_output.Warnings, l => l.Contains("could not be read", StringComparison.Ordinal));
        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Single(aio.Bulks);
    }

    [Fact]
    public async Task An_AIO_config_with_an_empty_status_list_says_so_and_a_5xx_names_the_answer()
    {
        using var empty = new FakeAio { ConfigReply = new TinyHttpServer.Reply(200, """{"runStatuses":[]}""") };
        var report = await Publisher.PublishAsync(AioRequest(empty), _output, Ct);
        Assert.Contains("AIO Tests Cloud: project DEMO's configuration lists no run statuses; statuses are sent unchecked.", report.Warnings);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));

        using var down = new FakeAio { ConfigReply = new TinyHttpServer.Reply(503, """{"message":"maintenance"}""") };
        var again = await Publisher.PublishAsync(AioRequest(down), _output, Ct);
        var warning = Assert.Single(again.Warnings, w => w.Contains("run statuses", StringComparison.Ordinal));
        Assert.Contains("could not be read (HTTP 503", warning);
        Assert.Contains("maintenance", warning);
        Assert.Equal(2, down.RequestsTo("GET", "config").Count); // retried once (maxRetries=1), then unchecked
        Assert.All(again.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    private static PublishReport SentReport(ExecutionReference? execution) => new()
    {
        Target = "aio-cloud",
        TargetName = "AIO Tests Cloud",
        Execution = execution,
        Totals = new ReportTotals { Results = 9, Keys = 7, Sent = 7 },
    };

    private static string SummaryLine(PublishReport report)
    {
        var output = new CaptureOutput();
        ConsoleSummary.Write(report, "", output, SecretRedactor.None);
        return output.Lines[0];
    }

    [Fact]
    public void Summary_names_the_execution_with_whatever_it_has_and_never_prints_a_dangling_separator()
    {
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud created DEMO-CY-10 https://aio.example/cycle/10: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference { Key = "DEMO-CY-10", Url = "https://aio.example/cycle/10" })));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud created DEMO-CY-10: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference { Key = "DEMO-CY-10" })));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud reported into https://aio.example/cycle/10: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference { Url = "https://aio.example/cycle/10", Reused = true })));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(new ExecutionReference())));
        Assert.Equal("info: 9 results, 7 keys, 0 unmapped tests → AIO Tests Cloud: 7 sent, 0 refused, 0 not sent.",
            SummaryLine(SentReport(null)));
    }

    [Fact]
    public void FindKey_follows_the_key_list_as_it_grows_is_replaced_or_changes_in_place()
    {
        var report = new PublishReport();
        Assert.Null(report.FindKey("DEMO-1"));
        var first = new KeyReport { Key = "DEMO-1" };
        report.Keys.Add(first);
        Assert.Same(first, report.FindKey("demo-1"));
        var second = new KeyReport { Key = "DEMO-2" };
        report.Keys.Add(second);
        report.Keys.Add(new KeyReport { Key = "demo-1" }); // a repeated key: the first entry answers, as before
        Assert.Same(second, report.FindKey("DEMO-2"));
        Assert.Same(first, report.FindKey("DEMO-1"));

        var replaced = new KeyReport { Key = "DEMO-3" };
        report.Keys[1] = replaced;
        Assert.Same(replaced, report.FindKey("DEMO-3"));
        Assert.Null(report.FindKey("DEMO-2"));

        first.Key = "DEMO-9";
        Assert.Equal("demo-1", report.FindKey("DEMO-1")!.Key);
        Assert.Same(first, report.FindKey("DEMO-9"));

        report.Keys = [new KeyReport { Key = "DEMO-4" }];
        Assert.Null(report.FindKey("DEMO-1"));
        Assert.Equal("DEMO-4", report.FindKey("DEMO-4")!.Key);
        report.Keys.Clear();
        Assert.Null(report.FindKey("DEMO-4"));
    }

    [Fact]
    public void FindKey_is_not_linear_per_lookup_and_the_report_json_is_unchanged()
    {
        const int count = 50_000;
        var report = new PublishReport();
        for (var i = 0; i < count; i++) report.Keys.Add(new KeyReport { Key = $"BIG-{i}" });
        var before = ReportJson.Serialize(report);

        // A lookup per key: 1.25 billion string comparisons with a linear search (many seconds), milliseconds with the index.
        var clock = Stopwatch.StartNew();
        for (var i = count - 1; i >= 0; i--) Assert.NotNull(report.FindKey($"big-{i}"));
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{count} lookups took {clock.Elapsed}");

        Assert.Equal(before, ReportJson.Serialize(report));
        using var doc = JsonDocument.Parse(before);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("keys").ValueKind);
        Assert.Equal(count, doc.RootElement.GetProperty("keys").GetArrayLength());
    }

    private const string Secret = "s3cr3t-token-value";

    private static Exception Thrown(string message)
    {
        try { throw new InvalidOperationException(message); }
        catch (InvalidOperationException e) { return e; }
    }

    private RunSession StartSession()
    {
        var env = new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Secret);
        var options = ConfigurationResolver.Resolve([env]);
        return RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Runner = "vstest", Options = options }, _output);
    }

    [Fact]
    public async Task An_internal_error_during_the_run_is_one_console_line_and_its_redacted_stack_trace_is_in_the_report()
    {
        using var session = StartSession();
        session.Record(Result("Ns.C.Passes", keys: ["DEMO-1"]));
        session.ReportInternalError("handling a test result", Thrown("boom with " + Secret));
        var report = await session.CompleteAsync(aborted: false, Ct);

        Assert.NotNull(report);
        Assert.Contains("error: internal error while handling a test result: InvalidOperationException: boom with ***", _output.Errors);
        Assert.DoesNotContain(_output.Lines, l => l.Contains(" at ", StringComparison.Ordinal) || l.Contains(Secret, StringComparison.Ordinal));
        var error = Assert.Single(report.InternalErrors!);
        Assert.Equal("handling a test result", error.While);
        Assert.Equal("InvalidOperationException", error.Type);
        Assert.Contains(nameof(Thrown), error.StackTrace);
        Assert.DoesNotContain(Secret, error.StackTrace);
        Assert.Contains("internal error while handling a test result: InvalidOperationException: boom with ***", report.Errors);
        Assert.True(report.PublishFailed);
        Assert.Equal(KeyStates.Planned, Assert.Single(report.Keys).State); // the other results still went their way

        var json = File.ReadAllText(Path.Combine(session.Journal!.RunFolder, report.RunId + ".report.json"));
        Assert.Contains("\"internalErrors\"", json);
        Assert.Contains(nameof(Thrown), json);
        Assert.DoesNotContain(Secret, json);
    }

    [Fact]
    public async Task An_internal_error_after_the_report_goes_to_a_file_in_the_run_folder()
    {
        using var session = StartSession();
        var report = await session.CompleteAsync(aborted: false, Ct);
        Assert.Null(report!.InternalErrors); // none: absent from the JSON
        Assert.DoesNotContain("internalErrors", File.ReadAllText(Path.Combine(session.Journal!.RunFolder, report.RunId + ".report.json")));

        session.ReportInternalError("handling run end", Thrown("late " + Secret));

        var file = Path.Combine(session.Journal.RunFolder, report.RunId + ".internal-errors.log");
        var line = Assert.Single(_output.Errors, l => l.Contains("internal error", StringComparison.Ordinal));
        Assert.Equal($"error: internal error while handling run end: InvalidOperationException: late *** (stack trace in {file})", line);
        var text = File.ReadAllText(file);
        Assert.Contains("internal error while handling run end: InvalidOperationException: late ***", text);
        Assert.Contains(nameof(Thrown), text);
        Assert.DoesNotContain(Secret, text);
    }

    [Fact]
    public async Task The_publishers_catch_all_prints_the_short_form_and_keeps_the_stack_trace_in_the_report()
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Secret)]);
        // A null result is a bug in a caller: it throws inside the publisher, which must catch it.
        var request = TestPublishRequests.Create(_dir.Combine("TestResults/tms"), options, [Result("Ns.C.A", keys: ["DEMO-1"]), null!]);
        var report = await Publisher.PublishAsync(request, _output, Ct);

        var error = Assert.Single(report.InternalErrors!);
        Assert.Equal("publishing", error.While);
        Assert.Contains("NullReferenceException", error.StackTrace);
        Assert.Contains(" at ", error.StackTrace);
        Assert.Contains(error.Summary, report.Errors);
        Assert.StartsWith("internal error while publishing: NullReferenceException: ", error.Summary);
        Assert.Contains(_output.Errors, l => l == "error: " + error.Summary);
        Assert.DoesNotContain(_output.Lines, l => l.Contains(" at ", StringComparison.Ordinal));
    }
}
