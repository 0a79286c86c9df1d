using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Xray step results (both flavours): the keyed tests with runtime steps are looked up in one request per
/// chunk of keys; a Manual test with as many steps as the result's top-level runtime steps gets "steps"
/// (in its iterations for data rows) with native statuses and the step's evidence on the step; any other
/// test, a lookup that fails, or stepResults=false keeps the steps as text and their evidence on the test.
/// Payloads are checked against the official schemas; the backends run against a loopback server.
/// </summary>
public sealed class XrayStepResultsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private const string Token = "pat-steps-0001";
    private const string ServerLookup = "/jira/rest/raven/1.0/api/test";
    private const string ServerImport = "/jira/rest/raven/2.0/import/execution";
    private const string CloudAuth = "/api/v2/authenticate";
    private const string CloudImport = "/api/v2/import/execution";
    private const string CloudGraphQl = "/api/v2/graphql";
    private string RunFolder => _dir.Combine("TestResults/tms");

    /// <summary>The samples' test: three steps, the second fails with a screenshot and has a nested step.</summary>
    private TestResultRecord Checkout(string key = "DEMO-8", int sequence = 1)
    {
        var r = Result("Shop.CheckoutTests.Checkout_with_a_declined_card", TestOutcome.Failed, keys: [key], sequence: sequence);
        r.StartTime = T0;
        r.EndTime = T0.AddSeconds(4);
        r.ErrorMessage = "checkout failed: card declined";
        r.Comments.Add("the cart still holds 3 items");
        r.Steps.Add(new TestStep { Name = "Open the cart", StartTime = T0, EndTime = T0.AddMilliseconds(250) });
        var pay = new TestStep { Name = "Pay with the declined card", Outcome = TestOutcome.Failed, StartTime = T0.AddSeconds(1), EndTime = T0.AddSeconds(3), Message = "InvalidOperationException: payment refused" };
        pay.Steps.Add(new TestStep { Name = "Enter the card", StartTime = T0.AddSeconds(1), EndTime = T0.AddSeconds(2) });
        pay.Evidence.Add(new EvidenceFile { Path = _dir.File($"ev/{sequence}/declined.png", [137, 80, 78, 71, 1, 2, 3]), FileName = "declined.png", ContentType = "image/png", Size = 7 });
        r.Steps.Add(pay);
        r.Steps.Add(new TestStep { Name = "See the error page", StartTime = T0.AddSeconds(3), EndTime = T0.AddSeconds(4) });
        r.Attachments = [new EvidenceFile { Path = _dir.File($"ev/{sequence}/page.html", Encoding.UTF8.GetBytes("<html/>")), FileName = "page.html", ContentType = "text/html", Size = 7 }];
        return r;
    }

    private static TestResultRecord Plain(string key, int sequence) => Result("Shop.Other.Test" + sequence, keys: [key], sequence: sequence);

    // ---- Payloads (golden files, official schemas) ----

    private static XrayPayload.Input Input(XrayDialect dialect, AggregatedRun run, Dictionary<string, int> steps) => new()
    {
        Dialect = dialect,
        Options = new TmsOptions { Target = dialect == XrayDialect.Cloud ? "xray-cloud" : "xray", Project = "DEMO" },
        Keyed = run.Keyed,
        Statuses = new StatusMap(dialect.DefaultStatuses),
        RunStarted = T0,
        RunFinished = T0.AddMinutes(1),
        DefaultSummary = "Shop: automated test run",
        StepCounts = steps,
    };

    private AggregatedRun Run(params TestResultRecord[] results) => Aggregator.Aggregate(results, KeyRule.JiraIssueKey);

    [Fact]
    public void Server_step_results_match_the_golden_file_and_the_schema()
    {
        var body = XrayPayload.Build(Input(XrayDialect.Server, Run(Checkout(), Plain("DEMO-1", 2)), new() { ["DEMO-8"] = 3 }), []);
        Golden.AssertMatches("xray-server-step-results", body);
        XraySchemaCheck.AssertValid(body);

        var test = JsonNode.Parse(body)!["tests"]![0]!;
        var steps = test["steps"]!.AsArray();
        Assert.Equal(["PASS", "FAIL", "PASS"], steps.Select(s => (string?)s!["status"]));
        Assert.Equal("Pay with the declined card\n2.1. PASSED Enter the card (1 s)", (string?)steps[1]!["comment"]);
        Assert.Equal("InvalidOperationException: payment refused", (string?)steps[1]!["actualResult"]);
        Assert.Null(steps[0]!["actualResult"]);
        // The step's screenshot is on the step (DC spelling "evidences"); the test keeps only its own file.
        Assert.Equal("declined.png", (string?)Assert.Single(steps[1]!["evidences"]!.AsArray())!["filename"]);
        Assert.Equal("page.html", (string?)Assert.Single(test["evidences"]!.AsArray())!["filename"]);
        // The steps are not repeated as text; the runtime comment and the failure stay in the comment.
        var comment = (string?)test["comment"];
        Assert.DoesNotContain("Steps:", comment);
        Assert.Contains("the cart still holds 3 items", comment);
        Assert.Contains("checkout failed: card declined", comment);
    }

    [Fact]
    public void Cloud_step_results_match_the_golden_file_and_the_official_schema()
    {
        var body = XrayPayload.Build(Input(XrayDialect.Cloud, Run(Checkout()), new() { ["DEMO-8"] = 3 }), []);
        Golden.AssertMatches("xray-cloud-step-results", body);
        XrayCloudSchemaCheck.AssertValid(body);
        var test = JsonNode.Parse(body)!["tests"]![0]!;
        Assert.Equal(["PASSED", "FAILED", "PASSED"], test["steps"]!.AsArray().Select(s => (string?)s!["status"]));
        // The Cloud schema names step evidence "evidences" too (test-level: "evidence").
        Assert.NotNull(test["steps"]![1]!["evidences"]);
        Assert.NotNull(test["evidence"]);
    }

    [Fact]
    public void Custom_statuses_of_the_run_do_not_reach_the_steps()
    {
        var input = Input(XrayDialect.Server, Run(Checkout()), new() { ["DEMO-8"] = 3 });
        input.Statuses = new StatusMap(XrayDialect.Server.DefaultStatuses, new Dictionary<TestOutcome, string> { [TestOutcome.Failed] = "BROKEN", [TestOutcome.Passed] = "OK_DONE" });
        var test = JsonNode.Parse(XrayPayload.Build(input, []))!["tests"]![0]!;
        Assert.Equal("BROKEN", (string?)test["status"]);
        Assert.Equal(["PASS", "FAIL", "PASS"], test["steps"]!.AsArray().Select(s => (string?)s!["status"]));
    }

    [Fact]
    public void Data_rows_carry_their_step_results_inside_their_iterations()
    {
        var bob = Checkout(sequence: 1).WithParameters(("user", "bob"));
        var eve = Checkout(sequence: 2).WithParameters(("user", "eve"));
        eve.Steps.RemoveAt(2); // this row stopped after two steps: its steps go as text
        foreach (var dialect in new[] { XrayDialect.Server, XrayDialect.Cloud })
        {
            var body = XrayPayload.Build(Input(dialect, Run(bob, eve), new() { ["DEMO-8"] = 3 }), []);
            if (dialect == XrayDialect.Cloud) XrayCloudSchemaCheck.AssertValid(body); else XraySchemaCheck.AssertValid(body);
            var test = JsonNode.Parse(body)!["tests"]![0]!.AsObject();
            Assert.False(test.ContainsKey("steps")); // steps and iterations are mutually exclusive
            var iterations = test["iterations"]!.AsArray();
            Assert.Equal(3, iterations[0]!["steps"]!.AsArray().Count);
            Assert.Null(iterations[1]!["steps"]);
            var comment = (string)test["comment"]!;
            Assert.Contains("2. FAILED Pay with the declined card", comment);
            Assert.Single(Regex.Matches(comment, "Steps:"));
            // bob's screenshot on his step; eve's (text fallback) on the test.
            Assert.Equal("declined.png", (string?)Assert.Single(iterations[0]!["steps"]![1]!["evidences"]!.AsArray())!["filename"]);
            Assert.Contains(test[dialect.EvidenceProperty]!.AsArray(), e => ((string)e!["filename"]!).EndsWith("declined.png", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_step_count_that_differs_keeps_the_text_and_the_evidence_on_the_test(int manualSteps)
    {
        var body = XrayPayload.Build(Input(XrayDialect.Server, Run(Checkout()), new() { ["DEMO-8"] = manualSteps }), []);
        XraySchemaCheck.AssertValid(body);
        var test = JsonNode.Parse(body)!["tests"]![0]!.AsObject();
        Assert.False(test.ContainsKey("steps"));
        Assert.Contains("2. FAILED Pay with the declined card", (string?)test["comment"]);
        Assert.Equal(["page.html", "declined.png"], test["evidences"]!.AsArray().Select(e => (string?)e!["filename"]));
    }

    // ---- Server/DC backend against a loopback server ----

    private static TmsOptions ServerOptions(Uri server, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", "xray").Add("baseUrl", new Uri(server, "jira/").ToString()).Add("project", "DEMO");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("environment", allowsSecrets: true).Add("token", Token), layer]);
        Assert.Empty(o.Problems);
        return o;
    }

    private static TinyHttpServer.Reply ServerCreated() => new(200, """{"testExecIssue":{"id":"10100","key":"DEMO-1000"},"testIssues":{"success":[],"error":[]},"infoMessages":[]}""");

    private static string DcTests(params (string Key, int? Steps)[] tests) => new JsonArray(tests.Select(t => (JsonNode)new JsonObject
    {
        ["key"] = t.Key,
        ["type"] = t.Steps is null ? "Generic" : "Manual",
        ["status"] = "TODO",
        ["definition"] = t.Steps is { } n
            ? new JsonObject { ["steps"] = new JsonArray(Enumerable.Range(1, n).Select(i => (JsonNode)new JsonObject { ["id"] = i, ["index"] = i, ["step"] = new JsonObject { ["raw"] = $"step {i}" } }).ToArray()) }
            : JsonValue.Create("Shop.Other.Test"),
    }).ToArray()).ToJsonString();

    private Task<PublishReport> Publish(TmsOptions options, params TestResultRecord[] results) =>
        Publisher.PublishAsync(TestPublishRequests.Create(RunFolder, options, results, defaultSummary: "Shop: automated test run"), _output, TestContext.Current.CancellationToken);

    private static JsonNode ImportedTest(TinyHttpServer server, string importPath, string key) =>
        JsonNode.Parse(server.Requests.Single(r => r.Path == importPath).Body)!["tests"]!.AsArray().Single(t => (string?)t!["testKey"] == key)!;

    [Fact]
    public async Task Server_looks_up_only_the_keys_with_steps_in_one_request_and_sends_step_results_to_a_matching_Manual_test()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ServerLookup => new(200, DcTests(("DEMO-8", 3))),
            ServerImport => ServerCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(ServerOptions(server.BaseUrl), Checkout(), Plain("DEMO-1", 2));

        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
        var lookup = Assert.Single(server.Requests, r => r.Path == ServerLookup);
        Assert.Equal("GET", lookup.Method);
        Assert.Equal("?keys=DEMO-8", lookup.Query); // DEMO-1 recorded no steps: not asked about
        Assert.Equal("Bearer " + Token, lookup.Authorization);
        XraySchemaCheck.AssertValid(server.Requests.Single(r => r.Path == ServerImport).Body);
        var test = ImportedTest(server, ServerImport, "DEMO-8");
        Assert.Equal(["PASS", "FAIL", "PASS"], test["steps"]!.AsArray().Select(s => (string?)s!["status"]));
        Assert.Equal("declined.png", (string?)Assert.Single(test["steps"]![1]!["evidences"]!.AsArray())!["filename"]);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task Server_sends_the_steps_as_text_to_a_test_that_is_not_Manual_or_has_another_step_count()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ServerLookup => new(200, DcTests(("DEMO-8", null), ("DEMO-9", 2))),
            ServerImport => ServerCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(ServerOptions(server.BaseUrl), Checkout("DEMO-8", 1), Checkout("DEMO-9", 2), Checkout("DEMO-10", 3));

        Assert.Empty(report.Errors);
        Assert.Equal("?keys=DEMO-8;DEMO-9;DEMO-10", Assert.Single(server.Requests, r => r.Path == ServerLookup).Query);
        foreach (var key in new[] { "DEMO-8", "DEMO-9", "DEMO-10" }) // Generic, 2 steps, not a Test (absent from the answer)
        {
            var test = ImportedTest(server, ServerImport, key).AsObject();
            Assert.False(test.ContainsKey("steps"), key);
            Assert.Contains("2. FAILED Pay with the declined card", (string?)test["comment"]);
            Assert.Contains(test["evidences"]!.AsArray(), e => (string?)e!["filename"] == "declined.png");
        }
    }

    [Fact]
    public async Task A_failed_lookup_is_a_warning_naming_the_keys_and_the_run_is_published_with_the_text()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ServerLookup => new(403, """{"errorMessages":["You do not have the permission to see the specified issue."]}"""),
            ServerImport => ServerCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(ServerOptions(server.BaseUrl, ("maxRetries", "0")), Checkout());

        Assert.Empty(report.Errors);
        var warning = Assert.Single(report.Warnings, w => w.Contains("could not be looked up", StringComparison.Ordinal));
        Assert.Contains("DEMO-8", warning);
        Assert.Contains("HTTP 403", warning);
        Assert.Contains("as text", warning);
        Assert.Contains("1. PASSED Open the cart", (string?)ImportedTest(server, ServerImport, "DEMO-8")["comment"]);
        Assert.Equal(KeyStates.Sent, Assert.Single(report.Keys).State);
        Assert.DoesNotContain(Token, string.Join("\n", report.Warnings));
    }

    [Fact]
    public async Task A_lookup_answer_that_is_not_JSON_falls_back_the_same_way()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ServerLookup => new(200, "<html>login</html>", "text/html"),
            ServerImport => ServerCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(ServerOptions(server.BaseUrl), Checkout());
        Assert.Empty(report.Errors);
        Assert.Contains(report.Warnings, w => w.Contains("DEMO-8", StringComparison.Ordinal) && w.Contains("could not be looked up", StringComparison.Ordinal));
        Assert.False(ImportedTest(server, ServerImport, "DEMO-8").AsObject().ContainsKey("steps"));
    }

    [Fact]
    public async Task Keys_are_looked_up_in_chunks_of_fifty()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ServerLookup => new(200, "[]"),
            ServerImport => ServerCreated(),
            _ => new(404, "{}"),
        });
        var results = Enumerable.Range(1, 60).Select(i => Checkout($"DEMO-{i}", i)).ToArray();
        await Publish(ServerOptions(server.BaseUrl), results);
        var lookups = server.Requests.Where(r => r.Path == ServerLookup).ToList();
        Assert.Equal([50, 10], lookups.Select(l => l.Query.Split(';').Length));
    }

    [Fact]
    public async Task StepResults_false_asks_nothing_and_sends_the_text()
    {
        using var server = new TinyHttpServer(r => r.Path == ServerImport ? ServerCreated() : new(200, DcTests(("DEMO-8", 3))));
        var report = await Publish(ServerOptions(server.BaseUrl, ("stepResults", "false")), Checkout());
        Assert.Empty(report.Errors);
        Assert.DoesNotContain(server.Requests, r => r.Path == ServerLookup);
        Assert.False(ImportedTest(server, ServerImport, "DEMO-8").AsObject().ContainsKey("steps"));
    }

    [Fact]
    public async Task Server_sends_no_type_changing_testInfo_for_a_Manual_test_with_Covers_and_warns()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            ServerLookup => new(200, DcTests(("DEMO-8", 3), ("DEMO-1", null))),
            ServerImport => ServerCreated(),
            _ => new(404, "{}"),
        });
        var manual = Result("Shop.CheckoutTests.Pays", keys: ["DEMO-8"], covers: ["DEMO-100"], sequence: 1);
        var generic = Result("Shop.Other.Logs_in", keys: ["DEMO-1"], covers: ["DEMO-101"], sequence: 2);
        var report = await Publish(ServerOptions(server.BaseUrl), manual, generic);

        Assert.Empty(report.Errors);
        // Neither recorded steps: they are asked about for their [Covers] links, in one request.
        Assert.Equal("?keys=DEMO-8;DEMO-1", Assert.Single(server.Requests, r => r.Path == ServerLookup).Query);
        XraySchemaCheck.AssertValid(server.Requests.Single(r => r.Path == ServerImport).Body);
        Assert.Null(ImportedTest(server, ServerImport, "DEMO-8")["testInfo"]);
        Assert.Equal(["DEMO-101"], ImportedTest(server, ServerImport, "DEMO-1")["testInfo"]!["requirementKeys"]!.AsArray().Select(k => (string?)k));
        var warning = Assert.Single(report.Warnings);
        Assert.Contains("DEMO-8 is a Manual test", warning);
        Assert.Contains("DEMO-100", warning);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task With_linkRequirements_false_and_no_steps_nothing_is_looked_up()
    {
        using var server = new TinyHttpServer(r => r.Path == ServerImport ? ServerCreated() : new(200, DcTests(("DEMO-8", 3))));
        var report = await Publish(ServerOptions(server.BaseUrl, ("linkRequirements", "false")), Result("Shop.CheckoutTests.Pays", keys: ["DEMO-8"], covers: ["DEMO-100"], sequence: 1));
        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
        Assert.DoesNotContain(server.Requests, r => r.Path == ServerLookup);
        Assert.Null(ImportedTest(server, ServerImport, "DEMO-8")["testInfo"]);
    }

    // ---- Cloud backend against a loopback server ----

    private static TmsOptions CloudOptions(Uri baseUrl)
    {
        var options = ConfigurationResolver.Resolve([
            new ConfigurationLayer("environment", allowsSecrets: true).Add("clientId", "0123456789ABCDEF0123456789ABCDEF").Add("clientSecret", "cs-steps-secret"),
            new ConfigurationLayer("test").Add("target", "xray-cloud").Add("baseUrl", baseUrl.ToString()).Add("project", "DEMO"),
        ]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static TinyHttpServer.Reply CloudTests(params (string Key, string Kind, int Steps)[] tests) => new(200, new JsonObject
    {
        ["data"] = new JsonObject
        {
            ["getTests"] = new JsonObject
            {
                ["total"] = tests.Length,
                ["results"] = new JsonArray(tests.Select(t => (JsonNode)new JsonObject
                {
                    ["issueId"] = "1" + t.Key.Split('-')[1],
                    ["jira"] = new JsonObject { ["key"] = t.Key },
                    ["testType"] = new JsonObject { ["name"] = t.Kind == "Steps" ? "Manual" : "Generic", ["kind"] = t.Kind },
                    ["steps"] = new JsonArray(Enumerable.Range(1, t.Steps).Select(i => (JsonNode)new JsonObject { ["id"] = $"s{i}" }).ToArray()),
                }).ToArray()),
            },
        },
    }.ToJsonString());

    private static TinyHttpServer.Reply CloudCreated() => new(200, """{"id":"10200","key":"DEMO-900","self":"https://acme.atlassian.net/rest/api/2/issue/10200"}""");

    [Fact]
    public async Task Cloud_asks_GraphQL_getTests_for_the_keys_and_sends_step_results_to_a_matching_Manual_test()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            CloudAuth => new(200, "\"tok-1\""),
            CloudGraphQl => CloudTests(("DEMO-8", "Steps", 3), ("DEMO-9", "Unstructured", 0)),
            CloudImport => CloudCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(CloudOptions(server.BaseUrl), Checkout("DEMO-8", 1), Checkout("DEMO-9", 2));

        Assert.Empty(report.Errors);
        var lookup = Assert.Single(server.Requests, r => r.Path == CloudGraphQl);
        Assert.Equal("Bearer tok-1", lookup.Authorization);
        var query = (string)JsonNode.Parse(lookup.Body)!["query"]!;
        Assert.Contains("getTests(jql: \"key in (DEMO-8, DEMO-9)\", limit: 100)", query);
        Assert.Contains("testType { name kind }", query);
        XrayCloudSchemaCheck.AssertValid(server.Requests.Single(r => r.Path == CloudImport).Body);
        Assert.Equal(["PASSED", "FAILED", "PASSED"], ImportedTest(server, CloudImport, "DEMO-8")["steps"]!.AsArray().Select(s => (string?)s!["status"]));
        Assert.False(ImportedTest(server, CloudImport, "DEMO-9").AsObject().ContainsKey("steps"));
    }

    [Fact]
    public async Task Cloud_asks_again_without_a_key_that_Jira_does_not_know()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            CloudAuth => new(200, "\"tok-1\""),
            CloudGraphQl when r.Body.Contains("NOPE-1", StringComparison.Ordinal) =>
                new(200, """{"errors":[{"message":"Error in the JQL Query: An issue with key 'NOPE-1' does not exist for field 'key'.","path":["getTests"]}],"data":{"getTests":null}}"""),
            CloudGraphQl => CloudTests(("DEMO-8", "Steps", 3)),
            CloudImport => r.Body.Contains("NOPE-1", StringComparison.Ordinal) && r.Body.Contains("DEMO-8", StringComparison.Ordinal)
                ? new(400, """{"error":"Error importing results: NOPE-1: Test with key NOPE-1 was not found."}""") : CloudCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(CloudOptions(server.BaseUrl), Checkout("DEMO-8", 1), Checkout("NOPE-1", 2));

        Assert.Equal(2, server.Requests.Count(r => r.Path == CloudGraphQl));
        Assert.DoesNotContain(report.Warnings, w => w.Contains("could not be looked up", StringComparison.Ordinal));
        var imports = server.Requests.Where(r => r.Path == CloudImport).ToList();
        var sent = JsonNode.Parse(imports[^1].Body)!["tests"]!.AsArray().Single(t => (string?)t!["testKey"] == "DEMO-8")!;
        Assert.Equal(3, sent["steps"]!.AsArray().Count);
    }

    [Fact]
    public async Task Cloud_GraphQL_errors_fall_back_to_the_text_with_a_warning()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            CloudAuth => new(200, "\"tok-1\""),
            CloudGraphQl => new(200, """{"errors":[{"message":"Cannot query field \"kind\" on type \"TestType\"."}]}"""),
            CloudImport => CloudCreated(),
            _ => new(404, "{}"),
        });
        var report = await Publish(CloudOptions(server.BaseUrl), Checkout());
        Assert.Empty(report.Errors);
        Assert.Contains(report.Warnings, w => w.Contains("DEMO-8", StringComparison.Ordinal) && w.Contains("Cannot query field", StringComparison.Ordinal));
        Assert.False(ImportedTest(server, CloudImport, "DEMO-8").AsObject().ContainsKey("steps"));
    }

    [Fact]
    public async Task Cloud_sends_no_testInfo_for_a_Manual_test_with_Covers_even_with_stepResults_false()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            CloudAuth => new(200, "\"tok-1\""),
            CloudGraphQl => CloudTests(("DEMO-8", "Steps", 2)),
            CloudImport => CloudCreated(),
            _ => new(404, "{}"),
        });
        var options = CloudOptions(server.BaseUrl);
        options.For<XrayOptions>().StepResults = false;
        var checkout = Checkout("DEMO-8", 1);
        checkout.Covers.Add("DEMO-100");
        var report = await Publish(options, checkout, Result("Shop.Other.Logs_in", keys: ["DEMO-1"], covers: ["DEMO-101"], sequence: 2));

        Assert.Empty(report.Errors);
        Assert.Contains("key in (DEMO-8, DEMO-1)", (string)JsonNode.Parse(Assert.Single(server.Requests, r => r.Path == CloudGraphQl).Body)!["query"]!);
        XrayCloudSchemaCheck.AssertValid(server.Requests.Single(r => r.Path == CloudImport).Body);
        var manual = ImportedTest(server, CloudImport, "DEMO-8").AsObject();
        Assert.False(manual.ContainsKey("testInfo"));
        Assert.False(manual.ContainsKey("steps")); // stepResults=false: the steps stay text
        Assert.Contains("1. PASSED Open the cart", (string?)manual["comment"]);
        Assert.Equal("Generic", (string?)ImportedTest(server, CloudImport, "DEMO-1")["testInfo"]!["type"]);
        Assert.Contains(report.Warnings, w => w.Contains("DEMO-8 is a Manual test", StringComparison.Ordinal));
    }
}
