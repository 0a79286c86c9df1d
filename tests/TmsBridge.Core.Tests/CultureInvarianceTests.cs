using System.Globalization;
using System.Text;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Everything sent or written is culture-invariant (design §7; issue 8, item 11): the same run
/// published under th-TH (Buddhist calendar: the year 2569), de-DE (decimal comma), ar-SA
/// (Umm al-Qura calendar) or fi-FI (time separator '.') sends the very bytes an en-US run sends,
/// and writes the same dry-run files. The run id and times are fixed (TestPublishRequests).
/// </summary>
public sealed class CultureInvarianceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    private static readonly DateTimeOffset T0 = TestPublishRequests.T0;
    /// <summary>Dry-run files name the API: a fixed host keeps them comparable between runs.</summary>
    private static readonly Uri DryRunHost = new("https://jira.example.com/");

    [Fact]
    public void The_default_summary_is_Gregorian_with_ASCII_separators_under_any_culture()
    {
        foreach (var name in new[] { "th-TH", "ar-SA", "fi-FI", "de-DE" })
        {
            var summary = UnderCulture(name, () => RunSession.DefaultSummary(["/src/MyTests/bin/MyTests.dll"], T0));
            Assert.Equal("MyTests: automated test run 2026-05-06 07:08 UTC", summary);
        }
    }

    [Fact]
    public async Task A_timeout_message_names_the_seconds_with_a_decimal_point_under_de_DE()
    {
        using var server = new TinyHttpServer(_ => (TinyHttpServer.Reply?)null);
        using var http = new TmsBridge.Http.TmsHttpClient(TimeSpan.FromSeconds(0.3), TmsBridge.Http.SecretRedactor.None, [], maxRetries: 0);
        var message = await UnderCulture("de-DE", async () =>
        {
            var e = await Assert.ThrowsAsync<TmsBridge.Http.TmsHttpException>(() => http.SendAsync(
                new TmsBridge.Http.HttpCall(() => new HttpRequestMessage(HttpMethod.Get, server.BaseUrl)), TestContext.Current.CancellationToken));
            return e.Message;
        });
        Assert.Contains("no answer within 0.3 s", message);
    }

    private static T UnderCulture<T>(string name, Func<T> body)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
            return body();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = ui;
        }
    }

    private List<TestResultRecord> Sample(string tag)
    {
        var failed = Result("Ns.C.Fails", TestOutcome.Failed, keys: [tag is "xray" or "rtm" ? "DEMO-2" : "DEMO-TC-2"], sequence: 2)
            .WithParameters(("ratio", "0.5"), ("when", "2026-05-06"));
        failed.ErrorMessage = "Expected 1.5 but was 2.25";
        failed.DurationMs = 1234.5678;
        failed.StartTime = T0.AddSeconds(3);
        failed.EndTime = T0.AddSeconds(4.2345678);
        var passed = Result("Ns.C.Passes", keys: [tag is "xray" or "rtm" ? "DEMO-1" : "DEMO-TC-1"], sequence: 1);
        passed.DurationMs = 20.25;
        passed.StartTime = T0.AddSeconds(1);
        passed.EndTime = T0.AddSeconds(1.02025);
        var path = _dir.File($"{tag}/ev/shot.png", [0x89, 0x50, 0x4E, 0x47]);
        passed.Attachments = [new EvidenceFile { Path = path, FileName = "shot.png", ContentType = "image/png", Size = 4 }];
        return [passed, failed];
    }

    private static TmsOptions Options(string target, Uri baseUrl, bool dryRun, (string, string)[] secrets, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", target).Add("baseUrl", baseUrl.ToString()).Add("project", "DEMO").Add("timeout", "2.5");
        if (dryRun) layer.Add("dryRun", "true");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var env = new ConfigurationLayer("environment", allowsSecrets: true);
        foreach (var (name, value) in secrets) env.Add(name, value);
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    /// <summary>Method, path, query and body of every request, the random multipart boundary replaced by "B".</summary>
    private static string Wire(IEnumerable<TinyHttpServer.Request> requests) => string.Join("\n----\n", requests.Select(r =>
    {
        var body = Encoding.UTF8.GetString(r.RawBody!);
        var type = r.Header("Content-Type") ?? "";
        var at = type.IndexOf("boundary=", StringComparison.Ordinal);
        if (at >= 0) { var boundary = type.Substring(at + 9); body = body.Replace(boundary, "B"); type = type.Replace(boundary, "B"); }
        return $"{r.Method} {r.Path}{r.Query}\n{type}\n{body}";
    }));

    /// <summary>Every file of the dry-run folder, by name.</summary>
    private static string DryRunFiles(string runFolder) => string.Join("\n----\n",
        Directory.GetFiles(Path.Combine(runFolder, "20260506T070809Z-ab12cd34.dryrun"), "*", SearchOption.AllDirectories)
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + "\n" + File.ReadAllText(f)));

    private async Task<(string Wire, string DryRun)> XrayServerAsync(string culture)
    {
        using var server = new TinyHttpServer(_ => new TinyHttpServer.Reply(200, """{"testExecIssue":{"id":"10001","key":"DEMO-900","self":"x"},"testIssues":{"success":[],"error":[]},"infoMessages":[]}"""));
        var secrets = new[] { ("token", "pat-0123456789") };
        var results = Sample("xray");
        var sent = await UnderCulture(culture, async () =>
        {
            var summary = RunSession.DefaultSummary(["/src/MyTests/bin/MyTests.dll"], T0);
            var request = TestPublishRequests.Create(_dir.Combine($"xray-{culture}/tms"), Options("xray", server.BaseUrl, false, secrets, ("executionFields", """{"customfield_1": 2.5}""")), results, defaultSummary: summary);
            Assert.Empty((await Publisher.PublishAsync(request, _output, TestContext.Current.CancellationToken)).Errors);
            var dry = TestPublishRequests.Create(_dir.Combine($"xray-dry-{culture}/tms"), Options("xray", DryRunHost, true, secrets), results, defaultSummary: summary);
            Assert.Empty((await Publisher.PublishAsync(dry, _output, TestContext.Current.CancellationToken)).Errors);
            return 0;
        });
        return (Wire(server.Requests), DryRunFiles(_dir.Combine($"xray-dry-{culture}/tms")));
    }

    private async Task<(string Wire, string DryRun)> AioServerAsync(string culture)
    {
        using var aio = new FakeAio(cloud: false);
        var secrets = new[] { ("password", "jira-Pa55word") };
        var results = Sample("aio");
        await UnderCulture(culture, async () =>
        {
            var summary = RunSession.DefaultSummary(["/src/MyTests/bin/MyTests.dll"], T0);
            var request = TestPublishRequests.Create(_dir.Combine($"aio-{culture}/tms"), Options("aio", aio.BaseUrl, false, secrets, ("user", "admin")), results, defaultSummary: summary);
            Assert.Empty((await Publisher.PublishAsync(request, _output, TestContext.Current.CancellationToken)).Errors);
            var dry = TestPublishRequests.Create(_dir.Combine($"aio-dry-{culture}/tms"), Options("aio", DryRunHost, true, secrets, ("user", "admin")), results, defaultSummary: summary);
            Assert.Empty((await Publisher.PublishAsync(dry, _output, TestContext.Current.CancellationToken)).Errors);
            return 0;
        });
        Assert.Single(aio.Attachments);
        return (Wire(aio.Requests), DryRunFiles(_dir.Combine($"aio-dry-{culture}/tms")));
    }

    [Theory]
    [InlineData("th-TH")]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("fi-FI")]
    public async Task Xray_Server_sends_and_writes_the_same_bytes_as_under_en_US(string culture)
    {
        var expected = await XrayServerAsync("en-US");
        var actual = await XrayServerAsync(culture);

        Assert.Contains("automated test run 2026-05-06 07:08 UTC", expected.Wire);
        Assert.Contains("2026-05-06T07:08:12+00:00", expected.Wire);
        Assert.NotEmpty(expected.DryRun);
        Assert.Equal(expected.Wire, actual.Wire);
        Assert.Equal(expected.DryRun, actual.DryRun);
    }

    [Theory]
    [InlineData("th-TH")]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("fi-FI")]
    public async Task AIO_sends_and_writes_the_same_bytes_as_under_en_US(string culture)
    {
        var expected = await AioServerAsync("en-US");
        var actual = await AioServerAsync(culture);

        Assert.Contains("automated test run 2026-05-06 07:08 UTC (20260506T070809Z-ab12cd34)", expected.Wire);
        Assert.Contains("\"effort\":1.235", expected.Wire);
        Assert.NotEmpty(expected.DryRun);
        Assert.Equal(expected.Wire, actual.Wire);
        Assert.Equal(expected.DryRun, actual.DryRun);
    }

    private async Task<(string Wire, string DryRun)> RtmServerAsync(string culture)
    {
        using var rtm = new FakeRtm(cloud: false);
        var secrets = new[] { ("password", "jira-Pa55word") };
        var results = Sample("rtm");
        // One worker: the requests' order is then the same in every run.
        (string, string)[] extra = [("user", "admin"), ("testPlan", "DEMO-300"), ("parallelism", "1"), ("environments", "linux")];
        await UnderCulture(culture, async () =>
        {
            var summary = RunSession.DefaultSummary(["/src/MyTests/bin/MyTests.dll"], T0);
            var request = TestPublishRequests.Create(_dir.Combine($"rtm-{culture}/tms"), Options("rtm", rtm.BaseUrl, false, secrets, extra), results, defaultSummary: summary);
            Assert.Empty((await Publisher.PublishAsync(request, _output, TestContext.Current.CancellationToken)).Errors);
            var dry = TestPublishRequests.Create(_dir.Combine($"rtm-dry-{culture}/tms"), Options("rtm", DryRunHost, true, secrets, extra), results, defaultSummary: summary);
            Assert.Empty((await Publisher.PublishAsync(dry, _output, TestContext.Current.CancellationToken)).Errors);
            return 0;
        });
        Assert.Single(rtm.Attachments);
        return (Wire(rtm.Requests), DryRunFiles(_dir.Combine($"rtm-dry-{culture}/tms")));
    }

    [Theory]
    [InlineData("th-TH")]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("fi-FI")]
    public async Task RTM_sends_and_writes_the_same_bytes_as_under_en_US(string culture)
    {
        var expected = await RtmServerAsync("en-US");
        var actual = await RtmServerAsync(culture);

        Assert.Contains("\"startDate\":\"2026-05-06\"", expected.Wire);
        Assert.Contains("\"actualTime\":1", expected.Wire);
        Assert.NotEmpty(expected.DryRun);
        Assert.Equal(expected.Wire, actual.Wire);
        Assert.Equal(expected.DryRun, actual.DryRun);
    }
}
