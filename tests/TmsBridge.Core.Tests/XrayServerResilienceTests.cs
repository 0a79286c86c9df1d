using System.Text.Json.Nodes;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// target xray (Server/DC) with the shared publish loop: the Jira search lookup after a lost create,
/// retries of a create, and per-test partial failures when the run is split into several imports.
/// </summary>
public sealed class XrayServerResilienceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    private const string Token = "pat-TOKEN-0123456789";
    private const string ImportPath = "/jira/rest/raven/2.0/import/execution";
    private const string SearchPath = "/jira/rest/api/2/search";
    private string RunFolder => _dir.Combine("TestResults/tms");

    private PublishRequest Request(TmsOptions options, IReadOnlyList<TestResultRecord>? results = null) =>
        TestPublishRequests.Create(RunFolder, options, results ?? Sample());

    private static List<TestResultRecord> Sample() =>
    [
        Result("Ns.C.Passes", keys: ["DEMO-1"], sequence: 1),
        Result("Ns.C.Fails", TestOutcome.Failed, keys: ["DEMO-2"], sequence: 2),
        Result("Ns.C.AlsoPasses", keys: ["DEMO-3"], sequence: 3),
    ];

    private List<TestResultRecord> WithEvidence(int bytes)
    {
        var results = Sample();
        foreach (var r in results)
        {
            var path = _dir.File($"ev/{r.Sequence}/shot.png", new byte[bytes]);
            r.Attachments = [new EvidenceFile { Path = path, FileName = "shot.png", ContentType = "image/png", Size = bytes }];
        }
        return results;
    }

    private static TmsOptions Xray(Uri server, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", "xray").Add("baseUrl", new Uri(server, "jira/").ToString()).Add("project", "DEMO");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Token), layer]);
        Assert.Empty(o.Problems);
        return o;
    }

    private static TinyHttpServer.Reply Created(string? errorKey = null)
    {
        var errors = new JsonArray();
        if (errorKey is not null) errors.Add(new JsonObject { ["testKey"] = errorKey, ["messages"] = new JsonArray($"The Test {errorKey} is in a non-executable status") });
        var body = new JsonObject
        {
            ["testExecIssue"] = new JsonObject { ["id"] = "10001", ["key"] = "DEMO-900", ["self"] = "x" },
            ["testIssues"] = new JsonObject { ["success"] = new JsonArray(), ["error"] = errors },
            ["infoMessages"] = new JsonArray(),
        };
        return new(200, body.ToJsonString());
    }

    private static TinyHttpServer.Reply Found(string key) => new(200, $$$"""{"startAt":0,"maxResults":5,"total":1,"issues":[{"id":"10001","key":"{{{key}}}","fields":{"summary":"x","description":"Created by TmsBridge (TmsBridge run 20260506T070809Z-ab12cd34)."}}]}""");
    private static readonly TinyHttpServer.Reply NotFound = new(200, """{"startAt":0,"maxResults":5,"total":0,"issues":[]}""");

    [Fact]
    public async Task A_lost_create_is_found_by_Jira_search_and_never_sent_twice()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => TinyHttpServer.Reply.Drop,
            SearchPath => Found("DEMO-900"),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Equal([("POST", ImportPath), ("GET", SearchPath)], server.Requests.Select(r => (r.Method, r.Path)));
        var search = server.Requests[1];
        Assert.Equal("Bearer " + Token, search.Authorization);
        var jql = Uri.UnescapeDataString(System.Web.HttpUtility.ParseQueryString(search.Query)["jql"] ?? "");
        Assert.Contains("project = \"DEMO\"", jql);
        Assert.Contains("issuetype = \"Test Execution\"", jql);
        Assert.Contains("20260506T070809Z-ab12cd34", jql);

        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.EndsWith("/jira/browse/DEMO-900", report.Execution.Url);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Contains(report.Warnings, w => w.Contains("was lost") && w.Contains("DEMO-900"));
    }

    [Fact]
    public async Task With_no_retries_left_a_lost_create_is_still_looked_up_once()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => TinyHttpServer.Reply.Drop,
            SearchPath => Found("DEMO-900"),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl, ("maxRetries", "0"))), _output, TestContext.Current.CancellationToken);

        Assert.Equal(["POST", "GET"], server.Requests.Select(r => r.Method));
        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task A_lost_create_that_search_does_not_find_is_sent_again()
    {
        var posts = 0;
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => Interlocked.Increment(ref posts) == 1 ? TinyHttpServer.Reply.Drop : Created(),
            SearchPath => NotFound,
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Equal(["POST", "GET", "POST"], server.Requests.Select(r => r.Method));
        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
    }

    [Fact]
    public async Task A_search_hit_without_this_runs_marker_is_not_adopted()
    {
        // Jira's ~ is a word search: another run's execution may match; only the exact marker counts.
        var posts = 0;
        var otherRun = new TinyHttpServer.Reply(200, """{"startAt":0,"maxResults":5,"total":1,"issues":[{"id":"10009","key":"DEMO-899","fields":{"summary":"x","description":"Created by TmsBridge (TmsBridge run 20260506T070809Z-ffffffff)."}}]}""");
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => Interlocked.Increment(ref posts) == 1 ? TinyHttpServer.Reply.Drop : Created(),
            SearchPath => otherRun,
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Equal(["POST", "GET", "POST"], server.Requests.Select(r => r.Method));
        Assert.Equal("DEMO-900", report.Execution!.Key);
    }

    [Fact]
    public async Task A_500_on_the_create_is_looked_up_before_it_is_repeated()
    {
        var posts = 0;
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => Interlocked.Increment(ref posts) == 1 ? new TinyHttpServer.Reply(500, """{"error":"Internal error"}""") : Created(),
            SearchPath => Found("DEMO-900"),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl)), _output, TestContext.Current.CancellationToken);
        Assert.Equal(["POST", "GET"], server.Requests.Select(r => r.Method));
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task A_failing_lookup_is_an_error_and_no_second_execution_is_created()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => TinyHttpServer.Reply.Drop,
            _ => new TinyHttpServer.Reply(403, """{"errorMessages":["no permission to search"]}"""),
        });
        var options = Xray(server.BaseUrl, ("maxRetries", "2"));
        var report = await Publisher.PublishAsync(Request(options), _output, TestContext.Current.CancellationToken);

        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.NotEmpty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.Null(report.Execution);
    }

    [Fact]
    public async Task Retries_of_imports_into_the_created_execution_are_plain_repeats()
    {
        // The second import goes into DEMO-900: repeating it cannot create anything, so no lookup.
        var posts = 0;
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ImportPath => Interlocked.Increment(ref posts) == 2 ? new TinyHttpServer.Reply(502, "Bad gateway", "text/plain") : Created(),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl, ("maxRequestBytes", "16KB")), WithEvidence(4500)), _output, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(server.Requests, r => r.Method == "GET");
        Assert.Empty(report.Errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        var bodies = server.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Null(bodies[0]["testExecutionKey"]);
        Assert.All(bodies.Skip(1), b => Assert.Equal("DEMO-900", (string?)b["testExecutionKey"]));
        Assert.Single(report.Requests, r => r.Status == 502);
        Assert.Contains(report.Requests, r => r.Attempt == 2 && r.Status == 200);
    }

    [Fact]
    public async Task Partial_failures_in_a_later_import_refuse_only_that_key()
    {
        using var server = new TinyHttpServer(r => r.Body.Contains("\"DEMO-3\"") ? Created(errorKey: "DEMO-3") : Created());
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl, ("maxRequestBytes", "16KB")), WithEvidence(4500)), _output, TestContext.Current.CancellationToken);

        Assert.True(server.Requests.Count >= 2);
        XraySchemaCheck.AssertValid(server.Requests[^1].Body);
        Assert.Equal("DEMO-900", (string?)JsonNode.Parse(server.Requests[^1].Body)!["testExecutionKey"]);
        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-1")!.State);
        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-2")!.State);
        var refused = report.FindKey("DEMO-3")!;
        Assert.Equal(KeyStates.Refused, refused.State);
        Assert.Contains("The Test DEMO-3 is in a non-executable status", refused.Messages);
        Assert.Equal((2, 1, 0), (report.Totals.Sent, report.Totals.Refused, report.Totals.NotSent));
    }

    [Fact]
    public async Task A_failed_create_leaves_the_later_imports_unsent_with_the_reason()
    {
        using var server = new TinyHttpServer(_ => new TinyHttpServer.Reply(400, """{"error":"Issue create failed! - customfield_10115: Story Points is required."}"""));
        var report = await Publisher.PublishAsync(Request(Xray(server.BaseUrl, ("maxRequestBytes", "16KB")), WithEvidence(4500)), _output, TestContext.Current.CancellationToken);

        Assert.Single(server.Requests); // nothing follows a create that failed
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.All(report.Keys, k => Assert.Contains(k.Messages, m => m.Contains("Story Points is required")));
        Assert.Contains(report.Keys.SelectMany(k => k.Messages), m => m.Contains("could not be created"));
    }

    [Fact]
    public async Task A_Retry_After_past_the_publish_deadline_ends_the_publish_at_once_with_the_reason()
    {
        // Retry-After is honoured up to an hour, but never past the deadline (a minute here).
        using var server = new TinyHttpServer(_ => new TinyHttpServer.Reply(429, """{"error":"rate limited"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "3600" }));
        var clock = new SkipAheadClock(TestPublishRequests.T0);
        var request = Request(Xray(server.BaseUrl));
        request.TimeProvider = clock;
        var report = await Publisher.PublishAsync(request, _output, TestContext.Current.CancellationToken);

        Assert.Single(server.Requests);
        Assert.Empty(clock.Waits);
        Assert.Contains(report.Errors, e => e.Contains("the server asked to wait 3600 s (Retry-After), past the publish deadline", StringComparison.Ordinal));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.All(report.Keys, k => Assert.Contains(k.Messages, m => m.Contains("past the publish deadline", StringComparison.Ordinal)));
    }
}
