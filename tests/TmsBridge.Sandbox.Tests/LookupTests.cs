using System.Net;
using System.Text.Json.Nodes;

namespace TmsBridge.Sandbox.Tests;

/// <summary>Finding an execution a client may have created: DC Jira search and Cloud GraphQL.</summary>
public sealed class LookupTests
{
    private static string S(JsonNode? n) => n!.GetValue<string>();

    private static async Task<Reply> SearchAsync(SandboxClient sb, string jql, string extra = "&fields=key,summary,description&maxResults=10")
    {
        using var response = await sb.Http.GetAsync($"rest/api/2/search?jql={Uri.EscapeDataString(jql)}{extra}", TestContext.Current.CancellationToken);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DC_search_finds_the_execution_by_description_marker()
    {
        await using var sb = await SandboxClient.StartAsync();
        await sb.ImportAsync("""{"info":{"project":"DEMO","summary":"Other","description":"run r-1"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""");
        await sb.ImportAsync("""{"info":{"project":"DEMO","summary":"Nightly","description":"tmsbridge run R-2 from ci"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""");

        var reply = await SearchAsync(sb, """project = DEMO AND issuetype = "Test Execution" AND description ~ "tmsbridge run r-2" """);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var json = reply.Json;
        Assert.Equal((0, 10, 1), (json["startAt"]!.GetValue<int>(), json["maxResults"]!.GetValue<int>(), json["total"]!.GetValue<int>()));
        var issue = json["issues"]![0]!;
        Assert.Equal(("11001", "DEMO-1001"), (S(issue["id"]), S(issue["key"])));
        Assert.Equal($"{sb.Server.BaseAddress}rest/api/2/issue/11001", S(issue["self"]));
        Assert.Equal(("Nightly", "tmsbridge run R-2 from ci"), (S(issue["fields"]!["summary"]), S(issue["fields"]!["description"])));

        var all = await SearchAsync(sb, "project = DEMO");
        Assert.Equal(["DEMO-1001", "DEMO-1000"], all.Json["issues"]!.AsArray().Select(i => S(i!["key"]))); // newest first
        var bySummary = await SearchAsync(sb, "summary ~ nightly AND key = DEMO-1001");
        Assert.Equal(1, bySummary.Json["total"]!.GetValue<int>());
        var none = await SearchAsync(sb, "description ~ 'r-3'");
        Assert.Equal(0, none.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task DC_search_needs_Jira_auth_and_does_not_see_Cloud_executions()
    {
        await using var sb = await SandboxClient.StartAsync();
        await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            """{"info":{"project":"DEMO","summary":"Cloud","description":"m"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", await sb.CloudTokenAsync());
        Assert.Equal(0, (await SearchAsync(sb, "description ~ m")).Json["total"]!.GetValue<int>());

        using var anon = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var response = await anon.GetAsync("rest/api/2/search?jql=project%3DDEMO", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task DC_search_key_in_names_every_unknown_key_as_Jira_does()
    {
        // `tmsbridge validate` checks a run's keys with one search: Jira refuses the query with one
        // message per key that does not exist.
        await using var sb = await SandboxClient.StartAsync();
        var known = await SearchAsync(sb, "key in (DEMO-1, \"DEMO-2\")", "&maxResults=0");
        Assert.Equal(HttpStatusCode.OK, known.Status);

        var reply = await SearchAsync(sb, "key in (DEMO-1, DEMO-9999, NOPE-1)", "&maxResults=0");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(
            ["Error in the JQL Query: An issue with key 'DEMO-9999' does not exist for field 'key'.", "Error in the JQL Query: An issue with key 'NOPE-1' does not exist for field 'key'."],
            reply.Json["errorMessages"]!.AsArray().Select(S));
    }

    [Theory]
    [InlineData("project = DEMO OR summary ~ x", "'OR' is not supported")]
    [InlineData("status = Done", "Field 'status' does not exist")]
    [InlineData("project = NOPE", "The value 'NOPE' does not exist for the field 'project'.")]
    [InlineData("summary = x", "The operator '=' is not supported by the 'summary' field")]
    [InlineData("description ~ \"open", "has not been completed")]
    [InlineData("project in (DEMO)", "The sandbox supports 'in' for the key field only, not 'project'.")]
    [InlineData("key in (DEMO-1, DEMO-2", "Expecting ',' or ')' in the list after 'in'.")]
    [InlineData("project DEMO", "Expecting an operator after 'project' but got 'DEMO'")]
    public async Task Bad_JQL_is_400_in_Jira_shape(string jql, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await SearchAsync(sb, jql);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        var message = S(reply.Json["errorMessages"]![0]);
        Assert.StartsWith("Error in the JQL Query: ", message);
        Assert.Contains(fragment, message);
        Assert.Empty(reply.Json["errors"]!.AsObject());
    }

    [Fact]
    public async Task GraphQL_getTestExecutions_finds_the_Cloud_execution_by_description_marker()
    {
        await using var sb = await SandboxClient.StartAsync();
        var token = await sb.CloudTokenAsync();
        await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            """{"info":{"project":"DEMO","summary":"A","description":"marker x-1"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", token);
        await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            """{"info":{"project":"DEMO","summary":"B","description":"marker x-2"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", token);

        var query = new JsonObject
        {
            ["query"] = """{ getTestExecutions(jql: "project = DEMO AND description ~ \"marker X-2\"", limit: 10) { total results { issueId jira(fields: ["key", "summary", "description"]) } } }""",
        };
        var reply = await sb.PostBearerAsync("api/v2/graphql", query.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(
            """{"data":{"getTestExecutions":{"total":1,"results":[{"issueId":"11001","jira":{"key":"DEMO-1001","summary":"B","description":"marker x-2"}}]}}}""",
            reply.Text);

        // The same with variables, as typed clients send it.
        var withVars = new JsonObject
        {
            ["query"] = "query Find($jql: String!, $limit: Int!) { getTestExecutions(jql: $jql, limit: $limit) { total results { issueId jira(fields: [\"key\"]) } } }",
            ["variables"] = new JsonObject { ["jql"] = "description ~ 'marker x'", ["limit"] = 1 },
        };
        var paged = (await sb.PostBearerAsync("api/v2/graphql", withVars.ToJsonString(), token)).Json["data"]!["getTestExecutions"]!;
        Assert.Equal(2, paged["total"]!.GetValue<int>());
        Assert.Equal("DEMO-1001", S(paged["results"]![0]!["jira"]!["key"]));
        Assert.Single(paged["results"]!.AsArray());
    }

    [Fact]
    public async Task Marker_lookups_in_the_form_the_TmsBridge_client_sends_find_the_execution()
    {
        await using var sb = await SandboxClient.StartAsync();
        const string jql = "project = \"DEMO\" AND issuetype = \"Test Execution\" AND description ~ \"tmsbridge-run-7f3a\"";
        await sb.ImportAsync("""{"info":{"project":"DEMO","summary":"S","description":"Published by TmsBridge, run tmsbridge-run-7f3a"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""");
        var dc = await SearchAsync(sb, jql, "&fields=key,summary&maxResults=5");
        Assert.Equal("DEMO-1000", S(dc.Json["issues"]![0]!["key"]));
        Assert.Null(dc.Json["issues"]![0]!["fields"]!["description"]);   // not requested

        var token = await sb.CloudTokenAsync();
        await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            """{"info":{"project":"DEMO","summary":"S","description":"run tmsbridge-run-7f3a"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", token);
        var escaped = jql.Replace("\\", "\\\\").Replace("\"", "\\\"");
        var query = new JsonObject { ["query"] = $"{{ getTestExecutions(jql: \"{escaped}\", limit: 5) {{ total results {{ issueId jira(fields: [\"key\"]) }} }} }}" };
        var cloud = await sb.PostBearerAsync("api/v2/graphql", query.ToJsonString(), token);
        Assert.Equal("""{"data":{"getTestExecutions":{"total":1,"results":[{"issueId":"11000","jira":{"key":"DEMO-1000"}}]}}}""", cloud.Text);
    }

    [Theory]
    [InlineData("""{ getTestPlans(limit: 10) { total } }""", 400, "only the query getTestExecutions")]
    [InlineData("""{ getTestExecutions(jql: "project = DEMO") { total } }""", 400, "\"limit\"")]
    [InlineData("""{ getTestExecutions(limit: 500) { total } }""", 400, "between 1 and 100")]
    [InlineData("""{ getTestExecutions(limit: 5) { total results { testRuns } } }""", 400, "Cannot query field \"testRuns\"")]
    [InlineData("""{ getTestExecutions(jql: "summary = x", limit: 5) { total } }""", 200, "Error in the JQL Query")]
    public async Task GraphQL_errors_have_the_GraphQL_shape(string query, int status, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync("api/v2/graphql", new JsonObject { ["query"] = query }.ToJsonString(), await sb.CloudTokenAsync());
        Assert.Equal((HttpStatusCode)status, reply.Status);
        Assert.Contains(fragment, S(reply.Json["errors"]![0]!["message"]));
    }

    [Fact]
    public async Task GraphQL_needs_a_token()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync("api/v2/graphql", """{"query":"{ getTestExecutions(limit: 1) { total } }"}""", null);
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
    }
}
