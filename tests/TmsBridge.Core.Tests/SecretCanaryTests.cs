using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 8 items 1 and 3, end to end: every secret option is set (through the environment layer,
/// the only one that may carry secrets) to a canary, and a test prints each canary raw,
/// Basic-encoded, URL-encoded and JSON-escaped in its name, parameters, output, error, stack and
/// evidence. After a run through RunSession for each target (plan, dry-run payloads, and a real
/// publish to a loopback server), no file under the results folder, no console line and no request
/// body or URL holds any form of any canary. Only the authentication itself carries a secret: the
/// Authorization header, and the Xray Cloud sign-in body whose job is to send the client secret.
/// </summary>
public sealed class SecretCanaryTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private const string User = "canary-user";

    /// <summary>One canary per secret option, each with characters that every encoding changes.</summary>
    private static readonly Dictionary<string, string> Canaries = OptionCatalog.All.Where(o => o.IsSecret).ToDictionary(o => o.Name, o => o.Name switch
    {
        "password" => "pwCanary+<1>&é'",
        "token" => "tkCanary+2/x=",          // travels in an Authorization header: token68 characters only
        "clientSecret" => "csCanary+3\"'<",
        _ => o.Name + "Canary+9/=",
    });

    /// <summary>The forms a secret takes in transit, as a test might print them.</summary>
    private static List<string> FormsOf(string secret)
    {
        static string Json(string s, JsonSerializerOptions? o = null) { var j = JsonSerializer.Serialize(s, o); return j.Substring(1, j.Length - 2); }
        var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + secret));
        return new[] { secret, Json(secret), Json(secret, relaxed), Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret), basic, Json(basic), Uri.EscapeDataString(basic) }
            .Distinct().ToList();
    }

    private static readonly List<(string Option, string Form)> AllForms = Canaries.SelectMany(c => FormsOf(c.Value).Select(f => (c.Key, f))).ToList();

    /// <summary>Everything a test could print: every form of every canary.</summary>
    private static readonly string Leak = string.Join(" | ", AllForms.Select(f => f.Form));

    private List<TestResultRecord> LeakyResults(string key1, string key2)
    {
        var evidence = _dir.File("ev/shot-" + Uri.EscapeDataString(Canaries["token"]) + ".png", "PNG bytes");
        TestResultRecord R(string name, TestOutcome outcome, string? key) => new()
        {
            FullyQualifiedName = $"Ns.LeakyTests.{name}(\"{Leak}\")",
            DisplayName = $"{name}(\"{Leak}\")",
            Parameters = [new TestParameter("value", Leak)],
            Outcome = outcome,
            ErrorMessage = outcome == TestOutcome.Failed ? "Expected " + Leak : null,
            ErrorStackTrace = outcome == TestOutcome.Failed ? "at Ns.LeakyTests." + name + "(" + Leak + ") in LeakyTests.cs:line 7" : null,
            StandardOutput = "password is " + Leak + "\nsecond line " + Leak,
            StandardError = "stderr " + Leak,
            Attachments = [new EvidenceFile { Path = evidence, OriginalPath = evidence, FileName = "", Description = "evidence " + Leak }],
            TestCaseKeys = key is null ? [] : [key],
            StartTime = TestPublishRequests.T0,
            EndTime = TestPublishRequests.T0.AddSeconds(1),
            DurationMs = 1000,
        };
        return [R("Passes", TestOutcome.Passed, key1), R("Fails", TestOutcome.Failed, key2), R("Unmapped", TestOutcome.Failed, null)];
    }

    private TmsOptions Options(string target, Uri baseUrl, bool dryRun)
    {
        var environment = new Dictionary<string, string>
        {
            ["TMS_TARGET"] = target,
            ["TMS_BASE_URL"] = baseUrl.ToString(),
            ["TMS_PROJECT"] = "DEMO",
            ["TMS_USER"] = User,
            ["TMS_CLIENT_ID"] = "canary-client-id",
            ["TMS_DRY_RUN"] = dryRun ? "true" : "false",
            ["TMS_TIMEOUT"] = "30",
        };
        foreach (var o in OptionCatalog.All.Where(o => o.IsSecret)) environment[o.EnvironmentVariable] = Canaries[o.Name];
        var options = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(environment)]);
        Assert.Empty(options.Problems);
        foreach (var o in OptionCatalog.All.Where(o => o.IsSecret)) Assert.Contains(Canaries[o.Name], options.SecretValues());
        return options;
    }

    private async Task<(PublishReport Report, CaptureOutput Output, string Results)> RunAsync(string target, Uri baseUrl, bool dryRun)
    {
        var results = _dir.Combine("TestResults-" + target + (dryRun ? "-dry" : ""));
        var output = new CaptureOutput();
        var aio = target.StartsWith("aio", StringComparison.Ordinal) || target.StartsWith("qmetry", StringComparison.Ordinal); // case keys PROJ-TC-n
        using var session = RunSession.Start(new RunStartInfo
        {
            TestRunDirectory = results,
            Sources = ["/work/LeakyTests/bin/LeakyTests.dll"],
            Runner = "vstest",
            Options = Options(target, baseUrl, dryRun),
        }, output);
        foreach (var r in LeakyResults(aio ? "DEMO-TC-1" : "DEMO-1", aio ? "DEMO-TC-2" : "DEMO-2")) session.Record(r);
        var report = await session.CompleteAsync(aborted: false, TestContext.Current.CancellationToken);
        Assert.NotNull(report);
        return (report!, output, results);
    }

    /// <summary>Every form of every canary that appears in the text, named for the failure message.</summary>
    private static List<string> Leaks(string where, string text) =>
        AllForms.Where(f => text.Contains(f.Form, StringComparison.Ordinal)).Select(f => $"{where}: {f.Option} as '{f.Form}'").ToList();

    private static List<string> LeaksUnder(string folder)
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file);
            found.AddRange(Leaks("file name " + relative, relative));
            found.AddRange(Leaks("file " + relative, Encoding.UTF8.GetString(File.ReadAllBytes(file))));
        }
        return found;
    }

    private static void AssertNoLeak(List<string> found) => Assert.True(found.Count == 0, string.Join("\n", found.Take(30)));

    [Theory]
    [InlineData("none")]
    [InlineData("xray")]
    [InlineData("xray-cloud")]
    [InlineData("aio")]
    [InlineData("aio-cloud")]
    [InlineData("qmetry")]
    [InlineData("qmetry-cloud")]
    public async Task A_canary_printed_by_a_test_reaches_no_file_of_a_plan_or_dry_run(string target)
    {
        var (report, output, results) = await RunAsync(target, new Uri("http://127.0.0.1:9/jira/"), dryRun: target != "none");

        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Planned, k.State));
        Assert.True(report.PlanPath is not null && (File.Exists(report.PlanPath) || Directory.EnumerateFiles(report.PlanPath).Any()), "no plan or payload was written");
        Assert.Contains(Directory.EnumerateFiles(results, "*", SearchOption.AllDirectories), f => f.Contains(".evidence", StringComparison.Ordinal));
        var found = LeaksUnder(results);
        found.AddRange(Leaks("console", output.All));
        AssertNoLeak(found);
    }

    [Fact]
    public async Task A_canary_printed_by_a_test_reaches_no_request_of_an_Xray_Server_publish()
    {
        using var server = new TinyHttpServer(r => r.Path.EndsWith("/rest/raven/2.0/import/execution", StringComparison.Ordinal)
            ? new TinyHttpServer.Reply(200, """{"testExecIssue":{"id":"10001","key":"DEMO-900","self":"x"}}""")
            : new TinyHttpServer.Reply(200, """{"issues":[]}"""));
        var (report, output, results) = await RunAsync("xray", new Uri(server.BaseUrl, "jira/"), dryRun: false);

        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        AssertNoLeak(RequestLeaks(server.Requests).Concat(LeaksUnder(results)).Concat(Leaks("console", output.All)).ToList());
    }

    [Fact]
    public async Task A_canary_printed_by_a_test_reaches_no_request_of_an_Xray_Cloud_publish()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            "/api/v2/authenticate" => new TinyHttpServer.Reply(200, "\"issued-token-4711\""),
            "/api/v2/import/execution" => new TinyHttpServer.Reply(200, """{"id":"10200","key":"DEMO-900","self":"https://acme.atlassian.net/rest/api/2/issue/10200"}"""),
            _ => new TinyHttpServer.Reply(200, """{"data":{}}"""),
        });
        var (report, output, results) = await RunAsync("xray-cloud", server.BaseUrl, dryRun: false);

        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        // The sign-in body exists to carry the client secret: the one request body allowed to.
        var signIn = Assert.Single(server.Requests, r => r.Path == "/api/v2/authenticate");
        Assert.Contains("canary-client-id", signIn.Body);
        AssertNoLeak(RequestLeaks(server.Requests.Where(r => r != signIn)).Concat(Leaks("sign-in URL", signIn.Path + signIn.Query))
            .Concat(LeaksUnder(results)).Concat(Leaks("console", output.All)).ToList());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_canary_printed_by_a_test_reaches_no_request_of_an_AIO_publish(bool cloud)
    {
        using var aio = new FakeAio(cloud: cloud);
        var (report, output, results) = await RunAsync(cloud ? "aio-cloud" : "aio", aio.BaseUrl, dryRun: false);

        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.NotEmpty(aio.Attachments);
        AssertNoLeak(RequestLeaks(aio.Requests).Concat(LeaksUnder(results)).Concat(Leaks("console", output.All)).ToList());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_canary_printed_by_a_test_reaches_no_request_of_a_QMetry_publish(bool cloud)
    {
        TmsBridge.Backends.QMetry.QMetryBackendBase.PollDelays = [TimeSpan.FromMilliseconds(20)];
        using var q = new FakeQMetry(cloud: cloud);
        var (report, output, results) = await RunAsync(cloud ? "qmetry-cloud" : "qmetry", q.BaseUrl, dryRun: false);

        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.NotEmpty(q.Uploads);
        AssertNoLeak(RequestLeaks(q.All).Concat(LeaksUnder(results)).Concat(Leaks("console", output.All)).ToList());
    }

    private static IEnumerable<string> RequestLeaks(IEnumerable<TinyHttpServer.Request> requests) =>
        requests.SelectMany(r => Leaks($"{r.Method} {r.Path} URL", r.Path + r.Query).Concat(Leaks($"{r.Method} {r.Path} body", r.Body)));
}
