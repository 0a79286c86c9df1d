using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

/// <summary>AIO Tests Cloud and Server/DC over real loopback HTTP.</summary>
public sealed class AioTests
{
    private const string CloudBase = "aio-tcms/api/v1/";
    private const string ServerBase = "rest/aio-tcms-api/1.0/";

    private static AuthenticationHeaderValue CloudAuth => new("AioAuth", SandboxSeed.DemoAioToken);
    private static AuthenticationHeaderValue ServerAuth => SandboxClient.Basic("admin", "admin");

    private static (string Base, AuthenticationHeaderValue Auth) Flavor(string flavor) =>
        flavor == "cloud" ? (CloudBase, CloudAuth) : (ServerBase, ServerAuth);

    private sealed record Answer(HttpStatusCode Status, string Text, string? MediaType, HttpResponseHeaders Headers)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
    }

    private static async Task<Answer> SendAsync(SandboxClient sb, HttpMethod method, string path, HttpContent? content, Action<HttpRequestHeaders>? auth)
    {
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        auth?.Invoke(request.Headers);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            response.Content.Headers.ContentType?.MediaType, response.Headers);
    }

    private static Task<Answer> CallAsync(SandboxClient sb, string flavor, HttpMethod method, string relative, string? json = null)
    {
        var (b, auth) = Flavor(flavor);
        return SendAsync(sb, method, b + relative, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
            h => h.Authorization = auth);
    }

    private static async Task<JsonNode> OkAsync(SandboxClient sb, string flavor, HttpMethod method, string relative, string? json = null)
    {
        var answer = await CallAsync(sb, flavor, method, relative, json);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{method} {relative}: {(int)answer.Status} {answer.Text}");
        Assert.Equal("application/json", answer.MediaType);
        return answer.Json;
    }

    private static Task<JsonNode> CreateCycleAsync(SandboxClient sb, string flavor, string json = """{"title":"Nightly"}""") =>
        OkAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcycle/detail", json);

    private static Task<JsonNode> BulkAsync(SandboxClient sb, string flavor, string cycle, string runs, bool createNewRun = false, bool addCaseToCycle = true) =>
        OkAsync(sb, flavor, HttpMethod.Post,
            $"project/DEMO/testcycle/{cycle}/bulk/testrun/update?createNewRun={(createNewRun ? "true" : "false")}&addCaseToCycle={(addCaseToCycle ? "true" : "false")}",
            $$"""{"testRuns":[{{runs}}]}""");

    private static string RunJson(string key, string status = "Passed", double effort = 1.5) =>
        $$"""{"testCaseKey":"{{key}}","testRunStatus":"{{status}}","effort":{{effort.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"isAutomated":true,"comments":["c {{key}}"]}""";

    private static JsonNode AioState(JsonNode state, string flavor) => state[flavor == "cloud" ? "aio" : "aioServer"]!;

    // ---- Case reads (validate) ----

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Case_search_by_key_list_answers_only_the_projects_existing_cases_and_changes_nothing(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var before = (await sb.StateAsync())[flavor == "cloud" ? "aio" : "aioServer"]!.ToJsonString();

        var page = await OkAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcase/search?startAt=0&maxResults=100",
            """{"key":{"comparisonType":"IN","list":["DEMO-TC-1","DEMO-TC-9999","DEMO-TC-52","OTHER-TC-1"]}}""");
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-52"], page["items"]!.AsArray().Select(i => (string)i!["key"]!));
        Assert.Equal("Draft", (string?)page["items"]![1]!["status"]!["name"]);
        Assert.Equal(2, (int)page["total"]!);
        Assert.True((bool)page["isLast"]!);

        var detail = await OkAsync(sb, flavor, HttpMethod.Get, "project/DEMO/testcase/DEMO-TC-1/detail");
        Assert.Equal("DEMO-TC-1", (string?)detail["key"]);
        var missing = await CallAsync(sb, flavor, HttpMethod.Get, "project/DEMO/testcase/DEMO-TC-9999/detail");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("DEMO-TC-9999", missing.Text);
        Assert.Equal("text/plain", missing.MediaType);

        // What the sandbox does not evaluate, and a malformed criterion, are refused, not ignored.
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcase/search", """{"title":{"comparisonType":"CONTAINS","value":"x"}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcase/search", """{"key":{"comparisonType":"IN"}}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, flavor, HttpMethod.Post, "project/NOPE/testcase/search", """{"key":{"comparisonType":"IN","list":["DEMO-TC-1"]}}""")).Status);

        Assert.Equal(before, (await sb.StateAsync())[flavor == "cloud" ? "aio" : "aioServer"]!.ToJsonString());
    }

    // ---- Authentication ----

    [Fact]
    public async Task Cloud_needs_AioAuth_with_a_seeded_token_and_answers_401_Unauthorized_as_plain_text_otherwise()
    {
        await using var sb = await SandboxClient.StartAsync();
        const string path = CloudBase + "project/DEMO/config";
        var ok = await SendAsync(sb, HttpMethod.Get, path, null, h => h.Authorization = CloudAuth);
        Assert.Equal(HttpStatusCode.OK, ok.Status);

        Action<HttpRequestHeaders>[] refused =
        [
            h => h.TryAddWithoutValidation("Authorization", SandboxSeed.DemoAioToken),     // bare token
            h => h.Authorization = new AuthenticationHeaderValue("Bearer", SandboxSeed.DemoAioToken),
            h => h.Authorization = new AuthenticationHeaderValue("aioauth", SandboxSeed.DemoAioToken),
            h => h.Authorization = new AuthenticationHeaderValue("AioAuth", "wrong-token"),
            h => h.Authorization = ServerAuth,                                               // Jira Basic is Server-only
            h => h.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox-pat-token"),
            _ => { },
        ];
        foreach (var auth in refused)
        {
            var answer = await SendAsync(sb, HttpMethod.Get, path, null, auth);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Equal(("Unauthorized", "text/plain"), (answer.Text, answer.MediaType));
        }
    }

    [Fact]
    public async Task Server_takes_Jira_Basic_or_a_PAT_and_refuses_AioAuth()
    {
        await using var sb = await SandboxClient.StartAsync();
        const string path = ServerBase + "project/DEMO/config";
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(sb, HttpMethod.Get, path, null, h => h.Authorization = ServerAuth)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(sb, HttpMethod.Get, path, null,
            h => h.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox-pat-token"))).Status);

        Action<HttpRequestHeaders>[] refused =
        [
            h => h.Authorization = CloudAuth,
            h => h.Authorization = SandboxClient.Basic("admin", "nope"),
            h => h.Authorization = new AuthenticationHeaderValue("Bearer", "wrong"),
            _ => { },
        ];
        foreach (var auth in refused)
        {
            var answer = await SendAsync(sb, HttpMethod.Get, path, null, auth);
            Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized"), (answer.Status, answer.Text));
        }
    }

    // ---- Config and project resolution ----

    [Theory]
    [InlineData("cloud", "DEMO")]
    [InlineData("server", "DEMO")]
    [InlineData("cloud", "10000")]
    [InlineData("server", "10000")]
    public async Task Config_lists_the_projects_run_statuses_by_key_or_numeric_id(string flavor, string project)
    {
        await using var sb = await SandboxClient.StartAsync();
        var config = await OkAsync(sb, flavor, HttpMethod.Get, $"project/{project}/config");
        var statuses = config["runStatuses"]!.AsArray();
        Assert.Equal(["1 Not Run NOT RUN", "2 In Progress IN PROGRESS", "3 Passed PASSED", "4 Failed FAILED", "5 Blocked BLOCKED"],
            statuses.Select(s => $"{s!["ID"]} {s["name"]} {s["type"]}"));
        Assert.Equal(5, config["runStepStatuses"]!.AsArray().Count);
    }

    [Fact]
    public async Task Unknown_project_unknown_cycle_and_a_cycle_of_another_project_are_404_plain_text()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects.Add(new SeedProject { Key = "WEB", Id = "10001", AioCycles = ["WEB-CY-1"] });
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });

        var project = await CallAsync(sb, "cloud", HttpMethod.Get, "project/NOPE/config");
        Assert.Equal((HttpStatusCode.NotFound, "text/plain"), (project.Status, project.MediaType));
        Assert.Contains("NOPE", project.Text);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-99/detail")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/testcycle/WEB-CY-1/detail")).Status);
        Assert.Equal("WEB-CY-1", (await OkAsync(sb, "cloud", HttpMethod.Get, "project/10001/testcycle/WEB-CY-1/detail"))["key"]!.GetValue<string>());
    }

    // ---- Folders ----

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Folder_hierarchy_is_get_or_create_and_idempotent(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var linux = await OkAsync(sb, flavor, HttpMethod.Put, "project/DEMO/testcycle/folder/hierarchy", """{"folderHierarchy":["Nightly","Linux"]}""");
        Assert.Equal("Linux", linux["name"]!.GetValue<string>());
        var again = await OkAsync(sb, flavor, HttpMethod.Put, "project/10000/testcycle/folder/hierarchy", """{"folderHierarchy":["Nightly","Linux"]}""");
        Assert.Equal(linux["ID"]!.GetValue<int>(), again["ID"]!.GetValue<int>());
        var nightly = await OkAsync(sb, flavor, HttpMethod.Put, "project/DEMO/testcycle/folder/hierarchy", """{"folderHierarchy":["Nightly"],"baseFolderId":null}""");
        Assert.Equal(nightly["ID"]!.GetValue<int>(), linux["parentID"]!.GetValue<int>());
        Assert.Null(nightly["parentID"]);
        var windows = await OkAsync(sb, flavor, HttpMethod.Put, "project/DEMO/testcycle/folder/hierarchy",
            $$"""{"folderHierarchy":["Windows"],"baseFolderId":{{nightly["ID"]}}}""");
        Assert.Equal(nightly["ID"]!.GetValue<int>(), windows["parentID"]!.GetValue<int>());

        Assert.Equal(["Nightly", "Nightly/Linux", "Nightly/Windows"],
            AioState(await sb.StateAsync(), flavor)["folders"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"folderHierarchy":[]}""", "folderHierarchy is required")]
    [InlineData("""{"folderHierarchy":["a",""]}""", "non-empty folder names")]
    [InlineData("""{"folderHierarchy":"Nightly"}""", "folderHierarchy is required")]
    [InlineData("""{"folderHierarchy":["a"],"baseFolderId":999}""", "Folder with ID 999 does not exist")]
    [InlineData("""{"folders":["a"]}""", "Unknown property 'folders'")]
    public async Task Bad_folder_requests_are_400(string body, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var answer = await CallAsync(sb, "cloud", HttpMethod.Put, "project/DEMO/testcycle/folder/hierarchy", body);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(fragment, answer.Text);
        Assert.Empty(sb.Server.State.Snapshot().Aio.Folders);
    }

    // ---- Cycles ----

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Cycle_create_detail_by_key_and_id_and_state(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var folder = await OkAsync(sb, flavor, HttpMethod.Put, "project/DEMO/testcycle/folder/hierarchy", """{"folderHierarchy":["Nightly","Linux"]}""");
        var cycle = await CreateCycleAsync(sb, flavor,
            $$"""{"title":"Nightly 2024-05-01","objective":"all tests","folder":{{folder.ToJsonString()}},"jiraTaskIDs":["DEMO-100","DEMO-300"]}""");
        Assert.Equal("DEMO-CY-4", cycle["key"]!.GetValue<string>());
        Assert.Equal(("Nightly 2024-05-01", "all tests", "Linux"),
            (cycle["title"]!.GetValue<string>(), cycle["objective"]!.GetValue<string>(), cycle["folder"]!["name"]!.GetValue<string>()));
        Assert.Equal(["DEMO-100", "DEMO-300"], cycle["jiraTaskIDs"]!.AsArray().Select(k => k!.GetValue<string>()));

        var id = cycle["ID"]!.GetValue<int>();
        Assert.Equal(cycle.ToJsonString(), (await OkAsync(sb, flavor, HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-4/detail")).ToJsonString());
        Assert.Equal(cycle.ToJsonString(), (await OkAsync(sb, flavor, HttpMethod.Get, $"project/10000/testcycle/{id}/detail")).ToJsonString());
        var seeded = await OkAsync(sb, flavor, HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-2/detail");
        Assert.Equal(("Existing cycle 2", true), (seeded["title"]!.GetValue<string>(), seeded["folder"] is null));

        var second = await CreateCycleAsync(sb, flavor, """{"title":"Nightly 2024-05-01"}""");   // duplicate titles are allowed
        Assert.Equal("DEMO-CY-5", second["key"]!.GetValue<string>());
        Assert.Null(second["folder"]);

        var state = AioState(await sb.StateAsync(), flavor)["cycles"]!.AsArray();
        Assert.Equal(["DEMO-CY-4", "DEMO-CY-5"], state.Select(c => c!["key"]!.GetValue<string>()));   // untouched seeded cycles are not listed
        var s = state[0]!;
        Assert.Equal((id.ToString(System.Globalization.CultureInfo.InvariantCulture), "Nightly/Linux", true, "all tests"),
            (s["id"]!.GetValue<string>(), s["folder"]!.GetValue<string>(), s["created"]!.GetValue<bool>(), s["objective"]!.GetValue<string>()));
        Assert.Equal(["DEMO-100", "DEMO-300"], s["jiraTaskIds"]!.AsArray().Select(k => k!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"objective":"x"}""", "title is required")]
    [InlineData("""{"title":"   "}""", "title is required")]
    [InlineData("""{"title":"T","folder":{"ID":999}}""", "Folder with ID 999 does not exist in project DEMO")]
    [InlineData("""{"title":"T","folder":{"name":"Nightly"}}""", "folder must be an object with the folder's ID")]
    [InlineData("""{"title":"T","jiraTaskIDs":["DEMO-100","DEMO-9999"]}""", "Jira issue DEMO-9999 does not exist")]
    [InlineData("""{"title":"T","jiraTaskIds":["DEMO-100"]}""", "Unknown property 'jiraTaskIds'")]
    [InlineData("""{"title":"T","title":"U"}""", "Invalid JSON")]
    [InlineData("""["T"]""", "must be a JSON object")]
    public async Task Bad_cycles_are_400_plain_text_and_nothing_is_created(string body, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var answer = await CallAsync(sb, "cloud", HttpMethod.Post, "project/DEMO/testcycle/detail", body);
        Assert.Equal((HttpStatusCode.BadRequest, "text/plain"), (answer.Status, answer.MediaType));
        Assert.Contains(fragment, answer.Text);
        Assert.Empty(sb.Server.State.Snapshot().Aio.Cycles);
    }

    [Fact]
    public async Task Cycle_title_is_limited_to_255_characters()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal("DEMO-CY-4", (await CreateCycleAsync(sb, "cloud", $$"""{"title":"{{new string('t', 255)}}"}"""))["key"]!.GetValue<string>());
        var answer = await CallAsync(sb, "cloud", HttpMethod.Post, "project/DEMO/testcycle/detail", $$"""{"title":"{{new string('t', 256)}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("at most 255 characters; got 256", answer.Text);
    }

    [Fact]
    public async Task Json_endpoints_want_a_JSON_content_type()
    {
        await using var sb = await SandboxClient.StartAsync();
        var answer = await SendAsync(sb, HttpMethod.Post, CloudBase + "project/DEMO/testcycle/detail",
            new StringContent("""{"title":"T"}""", Encoding.UTF8, "text/plain"), h => h.Authorization = CloudAuth);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
    }

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Cycle_search_by_exact_title_or_contains_with_paging(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        await CreateCycleAsync(sb, flavor, """{"title":"Nightly"}""");
        await CreateCycleAsync(sb, flavor, """{"title":"Nightly linux"}""");

        var exact = await OkAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcycle/search", """{"title":{"comparisonType":"EXACT_MATCH","value":"Nightly"}}""");
        Assert.Equal(["DEMO-CY-4"], exact["items"]!.AsArray().Select(c => c!["key"]!.GetValue<string>()));
        Assert.Equal((0, 100, 1, true), (exact["startAt"]!.GetValue<int>(), exact["maxResults"]!.GetValue<int>(), exact["total"]!.GetValue<int>(), exact["isLast"]!.GetValue<bool>()));
        Assert.Empty((await OkAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcycle/search", """{"title":{"comparisonType":"EXACT_MATCH","value":"nightly"}}"""))["items"]!.AsArray());

        var contains = await OkAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcycle/search", """{"title":{"comparisonType":"CONTAINS","value":"NIGHT"}}""");
        Assert.Equal(["DEMO-CY-4", "DEMO-CY-5"], contains["items"]!.AsArray().Select(c => c!["key"]!.GetValue<string>()));
        Assert.Equal("Nightly linux", contains["items"]![1]!["title"]!.GetValue<string>());

        var all = await OkAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcycle/search?startAt=4&maxResults=10", "{}");
        Assert.Equal((5, false), (all["total"]!.GetValue<int>(), all["items"]!.AsArray().Count == 0));
        Assert.Equal(["DEMO-CY-5"], all["items"]!.AsArray().Select(c => c!["key"]!.GetValue<string>()));
        Assert.True(all["isLast"]!.GetValue<bool>());

        var bad = await CallAsync(sb, flavor, HttpMethod.Post, "project/DEMO/testcycle/search", """{"title":{"comparisonType":"LIKE","value":"x"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("EXACT_MATCH or CONTAINS", bad.Text);
    }

    // ---- Bulk run update ----

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Bulk_update_adds_cases_and_stores_the_runs(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await BulkAsync(sb, flavor, "DEMO-CY-1", $"{RunJson("DEMO-TC-1")},{RunJson("DEMO-TC-2", "Failed", 0)},{RunJson("DEMO-TC-3", "Not Run", 2.25)}");
        Assert.Equal("""{"status":"SUCCESS","requestCount":3,"successCount":3,"errorCount":0,"errors":{}}""", reply.ToJsonString());

        var cycle = AioState(await sb.StateAsync(), flavor)["cycles"]!.AsArray().Single()!;
        Assert.Equal(("DEMO-CY-1", false, "Existing cycle 1"), (cycle["key"]!.GetValue<string>(), cycle["created"]!.GetValue<bool>(), cycle["title"]!.GetValue<string>()));
        var runs = cycle["runs"]!.AsArray();
        Assert.Equal(["DEMO-TC-1 Passed 1.5", "DEMO-TC-2 Failed 0", "DEMO-TC-3 Not Run 2.25"],
            runs.Select(r => $"{r!["testCaseKey"]} {r["status"]} {r["effort"]}"));
        Assert.True(runs[0]!["isAutomated"]!.GetValue<bool>());
        Assert.Equal(["c DEMO-TC-1"], runs[0]!["comments"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Empty(runs[0]!["attachments"]!.AsArray());
    }

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Bulk_update_refuses_per_key_with_200_FAILED_and_counts(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await BulkAsync(sb, flavor, "DEMO-CY-1", string.Join(",",
            RunJson("DEMO-TC-1"), RunJson("DEMO-TC-99"), RunJson("DEMO-TC-51"), RunJson("DEMO-TC-2", "Skipped"), RunJson("DEMO-TC-3", "Passed", -1)));
        Assert.Equal(("FAILED", 5, 1, 4), (reply["status"]!.GetValue<string>(), reply["requestCount"]!.GetValue<int>(),
            reply["successCount"]!.GetValue<int>(), reply["errorCount"]!.GetValue<int>()));
        var errors = reply["errors"]!.AsObject();
        Assert.Equal(["DEMO-TC-99", "DEMO-TC-51", "DEMO-TC-2", "DEMO-TC-3"], errors.Select(e => e.Key));
        Assert.Equal("Case DEMO-TC-99 does not exist.", errors["DEMO-TC-99"]!["message"]!.GetValue<string>());
        Assert.Equal("Only Published cases can be added to a cycle; DEMO-TC-51 is Draft.", errors["DEMO-TC-51"]!["message"]!.GetValue<string>());
        Assert.StartsWith("Run status 'Skipped' does not exist in project DEMO", errors["DEMO-TC-2"]!["message"]!.GetValue<string>());
        Assert.Contains("effort must be zero or more", errors["DEMO-TC-3"]!["message"]!.GetValue<string>());

        var runs = AioState(await sb.StateAsync(), flavor)["cycles"]![0]!["runs"]!.AsArray();
        Assert.Equal(["DEMO-TC-1"], runs.Select(r => r!["testCaseKey"]!.GetValue<string>()));   // refused runs are not stored

        // Not in the cycle and addCaseToCycle=false: refused; a case already in it is fine.
        var notInCycle = await BulkAsync(sb, flavor, "DEMO-CY-1", $"{RunJson("DEMO-TC-1", "Failed")},{RunJson("DEMO-TC-4")}", addCaseToCycle: false);
        Assert.Equal(("FAILED", 1, 1), (notInCycle["status"]!.GetValue<string>(), notInCycle["successCount"]!.GetValue<int>(), notInCycle["errorCount"]!.GetValue<int>()));
        Assert.Equal("Case DEMO-TC-4 is not part of the cycle DEMO-CY-1. Use addCaseToCycle=true to add it.",
            notInCycle["errors"]!["DEMO-TC-4"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_status_names_are_the_projects_own()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].AioRunStatuses = [new() { Id = 7, Name = "OK", Type = "PASSED" }, new() { Id = 8, Name = "Broken", Type = "FAILED" }];
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });
        var reply = await BulkAsync(sb, "server", "DEMO-CY-1", $"{RunJson("DEMO-TC-1", "OK")},{RunJson("DEMO-TC-2", "Passed")}");
        Assert.Equal((1, "Run status 'Passed' does not exist in project DEMO (known: OK, Broken)."),
            (reply["successCount"]!.GetValue<int>(), reply["errors"]!["DEMO-TC-2"]!["message"]!.GetValue<string>()));
        var run = await OkAsync(sb, "server", HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-1/testcase/DEMO-TC-1/testrun");
        Assert.Equal("""{"ID":7,"name":"OK"}""", run["testRunStatus"]!.ToJsonString());
    }

    [Fact]
    public async Task CreateNewRun_false_overwrites_the_latest_run_and_true_appends_one_per_entry()
    {
        await using var sb = await SandboxClient.StartAsync();
        await BulkAsync(sb, "cloud", "DEMO-CY-2", RunJson("DEMO-TC-7", "Failed", 3));
        await BulkAsync(sb, "cloud", "DEMO-CY-2", """{"testCaseKey":"DEMO-TC-7","testRunStatus":"Passed"}""");
        var runs = sb.Server.State.Snapshot().Aio.Cycles.Single().Runs;
        var only = Assert.Single(runs);
        Assert.Equal(("Passed", 3.0, "c DEMO-TC-7"), (only.Status, only.Effort, only.Comments.Single()));   // unsent fields kept

        var reply = await BulkAsync(sb, "cloud", "DEMO-CY-2", $"{RunJson("DEMO-TC-7", "Blocked")},{RunJson("DEMO-TC-7", "Failed")}", createNewRun: true);
        Assert.Equal(2, reply["successCount"]!.GetValue<int>());
        runs = sb.Server.State.Snapshot().Aio.Cycles.Single().Runs;
        Assert.Equal(["Passed", "Blocked", "Failed"], runs.Select(r => r.Status));
        Assert.Equal(3, runs.Select(r => r.Id).Distinct().Count());

        await BulkAsync(sb, "cloud", "DEMO-CY-2", RunJson("DEMO-TC-7", "In Progress"));                     // overwrites the newest only
        runs = sb.Server.State.Snapshot().Aio.Cycles.Single().Runs;
        Assert.Equal(["Passed", "Blocked", "In Progress"], runs.Select(r => r.Status));
    }

    [Fact]
    public async Task More_than_100_runs_is_400_and_100_is_fine()
    {
        await using var sb = await SandboxClient.StartAsync();
        string Runs(int n) => string.Join(",", Enumerable.Range(1, n).Select(i => RunJson($"DEMO-TC-{(i - 1) % 50 + 1}")));
        var tooMany = await CallAsync(sb, "cloud", HttpMethod.Post, "project/DEMO/testcycle/DEMO-CY-1/bulk/testrun/update?createNewRun=true&addCaseToCycle=true",
            $$"""{"testRuns":[{{Runs(101)}}]}""");
        Assert.Equal((HttpStatusCode.BadRequest, "At most 100 runs can be updated in one request; got 101."), (tooMany.Status, tooMany.Text));
        Assert.Empty(sb.Server.State.Snapshot().Aio.Cycles);

        var hundred = await BulkAsync(sb, "cloud", "DEMO-CY-1", Runs(100), createNewRun: true);
        Assert.Equal(100, hundred["successCount"]!.GetValue<int>());
        Assert.Equal(100, sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Count);
    }

    [Theory]
    [InlineData("?createNewRun=maybe", """{"testRuns":[{"testCaseKey":"DEMO-TC-1","testRunStatus":"Passed"}]}""", "createNewRun must be true or false")]
    [InlineData("", """{"testRuns":[]}""", "testRuns must not be empty")]
    [InlineData("", """{"runs":[]}""", "Unknown property 'runs'")]
    [InlineData("", """{"testRuns":[{"testRunStatus":"Passed"}]}""", "testRuns[0].testCaseKey is required")]
    [InlineData("", """{"testRuns":[{"testCaseKey":"DEMO-TC-1"}]}""", "testRuns[0].testRunStatus is required")]
    [InlineData("", """{"testRuns":[{"testCaseKey":"DEMO-TC-1","testRunStatus":"Passed","effort":"3"}]}""", "testRuns[0].effort must be a number")]
    [InlineData("", """{"testRuns":[{"testCaseKey":"DEMO-TC-1","testRunStatus":"Passed","comments":"x"}]}""", "testRuns[0].comments must be an array")]
    [InlineData("", """{"testRuns":[{"testCaseKey":"DEMO-TC-1","testRunStatus":"Passed","status":"x"}]}""", "Unknown property 'status' in testRuns[0]")]
    public async Task Malformed_bulk_requests_are_400(string query, string body, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var answer = await CallAsync(sb, "server", HttpMethod.Post, "project/DEMO/testcycle/DEMO-CY-1/bulk/testrun/update" + query, body);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(fragment, answer.Text);
    }

    [Fact]
    public async Task Bulk_update_of_an_unknown_cycle_is_404()
    {
        await using var sb = await SandboxClient.StartAsync();
        var answer = await CallAsync(sb, "cloud", HttpMethod.Post, "project/DEMO/testcycle/DEMO-CY-9/bulk/testrun/update?createNewRun=false&addCaseToCycle=true",
            $$"""{"testRuns":[{{RunJson("DEMO-TC-1")}}]}""");
        Assert.Equal((HttpStatusCode.NotFound, "Cycle DEMO-CY-9 does not exist in project DEMO."), (answer.Status, answer.Text));
    }

    // ---- Run listing and latest run ----

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Run_listing_pages_oldest_first_and_resets_odd_page_sizes_to_100(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var cycle = (await CreateCycleAsync(sb, flavor))["key"]!.GetValue<string>();
        await BulkAsync(sb, flavor, cycle, string.Join(",", Enumerable.Range(1, 25).Select(i => RunJson($"DEMO-TC-{i}"))));
        await BulkAsync(sb, flavor, cycle, RunJson("DEMO-TC-3", "Failed"), createNewRun: true);

        var page = await OkAsync(sb, flavor, HttpMethod.Get, $"project/DEMO/testcycle/{cycle}/testrun?startAt=20&maxResults=10");
        Assert.Equal((20, 10, 26, true), (page["startAt"]!.GetValue<int>(), page["maxResults"]!.GetValue<int>(), page["total"]!.GetValue<int>(), page["isLast"]!.GetValue<bool>()));
        var items = page["items"]!.AsArray();
        Assert.Equal(["DEMO-TC-21", "DEMO-TC-22", "DEMO-TC-23", "DEMO-TC-24", "DEMO-TC-25", "DEMO-TC-3"], items.Select(r => r!["testCaseKey"]!.GetValue<string>()));
        var newest = items[^1]!;
        Assert.Equal("""{"ID":4,"name":"Failed"}""", newest["testRunStatus"]!.ToJsonString());
        Assert.True(DateTimeOffset.TryParse(newest["createdDate"]!.GetValue<string>(), out _));

        var first = await OkAsync(sb, flavor, HttpMethod.Get, $"project/DEMO/testcycle/{cycle}/testrun?maxResults=10");
        Assert.Equal((10, false), (first["items"]!.AsArray().Count, first["isLast"]!.GetValue<bool>()));
        foreach (var odd in new[] { "5", "101", "0" })
        {
            var reset = await OkAsync(sb, flavor, HttpMethod.Get, $"project/DEMO/testcycle/{cycle}/testrun?maxResults={odd}");
            Assert.Equal((100, 26, true), (reset["maxResults"]!.GetValue<int>(), reset["items"]!.AsArray().Count, reset["isLast"]!.GetValue<bool>()));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(sb, flavor, HttpMethod.Get, $"project/DEMO/testcycle/{cycle}/testrun?startAt=-1")).Status);
    }

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Seed_aioNestedRunListing_names_the_case_as_testCase_key_in_the_listing_only(string flavor)
    {
        var seed = SandboxSeed.CreateDefault();
        seed.AioNestedRunListing = true;
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });
        await BulkAsync(sb, flavor, "DEMO-CY-1", $"{RunJson("DEMO-TC-1")},{RunJson("DEMO-TC-2", "Failed")}");

        var items = (await OkAsync(sb, flavor, HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-1/testrun"))["items"]!.AsArray();
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2"], items.Select(r => r!["testCase"]!["key"]!.GetValue<string>()));
        Assert.All(items, r => Assert.Null(r!["testCaseKey"]));
        // The latest-run endpoint answers the run as before.
        var latest = await OkAsync(sb, flavor, HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-1/testcase/DEMO-TC-2/testrun");
        Assert.Equal(items[1]!["ID"]!.GetValue<int>(), latest["ID"]!.GetValue<int>());
    }

    [Fact]
    public async Task Latest_run_of_a_case_is_the_newest_and_404_without_one()
    {
        await using var sb = await SandboxClient.StartAsync();
        const string path = "project/DEMO/testcycle/DEMO-CY-3/testcase/DEMO-TC-9/testrun";
        var none = await CallAsync(sb, "server", HttpMethod.Get, path);
        Assert.Equal((HttpStatusCode.NotFound, "No run of case DEMO-TC-9 in cycle DEMO-CY-3."), (none.Status, none.Text));

        await BulkAsync(sb, "server", "DEMO-CY-3", RunJson("DEMO-TC-9", "Failed", 4));
        await BulkAsync(sb, "server", "DEMO-CY-3", RunJson("DEMO-TC-9", "Passed", 5), createNewRun: true);
        var latest = await OkAsync(sb, "server", HttpMethod.Get, path);
        var runs = sb.Server.State.Snapshot().AioServer.Cycles.Single().Runs;
        Assert.Equal((runs[1].Id, "Passed", 5.0, true), (latest["ID"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture),
            latest["testRunStatus"]!["name"]!.GetValue<string>(), latest["effort"]!.GetValue<double>(), latest["isAutomated"]!.GetValue<bool>()));
        Assert.Equal(["c DEMO-TC-9"], latest["comments"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    // ---- Attachments ----

    private static MultipartFormDataContent FilePart(byte[] bytes, string fileName, string name = "file", string contentType = "image/png")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return BrowserForm.Create().Part(file, name, fileName);
    }

    /// <summary>Credentials and X-Atlassian-Token: no-check, which AIO Server/DC (inside Jira) needs on a multipart call; Cloud ignores it.</summary>
    private static Action<HttpRequestHeaders> MultipartHeaders(AuthenticationHeaderValue auth) => h =>
    {
        h.Authorization = auth;
        h.Add(BrowserForm.XsrfHeader, "no-check");
    };

    private static async Task<int> RunIdAsync(SandboxClient sb, string flavor, string cycle, string caseKey) =>
        (await OkAsync(sb, flavor, HttpMethod.Get, $"project/DEMO/testcycle/{cycle}/testcase/{caseKey}/testrun"))["ID"]!.GetValue<int>();

    [Theory]
    [InlineData("cloud")]
    [InlineData("server")]
    public async Task Attachment_is_stored_on_the_run_with_its_sha256(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        await BulkAsync(sb, flavor, "DEMO-CY-1", $"{RunJson("DEMO-TC-1", "Failed")},{RunJson("DEMO-TC-2")}");
        var runId = await RunIdAsync(sb, flavor, "DEMO-CY-1", "DEMO-TC-1");
        var bytes = Enumerable.Range(0, 142).Select(i => (byte)(i * 7)).ToArray();
        var (b, auth) = Flavor(flavor);

        var answer = await SendAsync(sb, HttpMethod.Post, $"{b}project/DEMO/testcycle/DEMO-CY-1/testrun/{runId}/attachment",
            FilePart(bytes, "screen.png"), MultipartHeaders(auth));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("screen.png", 142), (answer.Json["fileName"]!.GetValue<string>(), answer.Json["size"]!.GetValue<int>()));
        Assert.True(answer.Json["ID"]!.GetValue<int>() > 0);

        var runs = AioState(await sb.StateAsync(), flavor)["cycles"]![0]!["runs"]!.AsArray();
        var attachment = runs[0]!["attachments"]!.AsArray().Single()!;
        Assert.Equal(("screen.png", "image/png", 142, Convert.ToHexStringLower(SHA256.HashData(bytes))),
            (attachment["filename"]!.GetValue<string>(), attachment["contentType"]!.GetValue<string>(), attachment["size"]!.GetValue<int>(), attachment["sha256"]!.GetValue<string>()));
        Assert.Empty(runs[1]!["attachments"]!.AsArray());
    }

    [Fact]
    public async Task Attachment_needs_exactly_one_part_named_file_on_a_run_of_the_cycle()
    {
        await using var sb = await SandboxClient.StartAsync();
        await BulkAsync(sb, "cloud", "DEMO-CY-1", RunJson("DEMO-TC-1"));
        var runId = await RunIdAsync(sb, "cloud", "DEMO-CY-1", "DEMO-TC-1");
        var path = $"{CloudBase}project/DEMO/testcycle/DEMO-CY-1/testrun/{runId}/attachment";
        Task<Answer> Post(HttpContent content, string? to = null) => SendAsync(sb, HttpMethod.Post, to ?? path, content, MultipartHeaders(CloudAuth));

        var wrongName = await Post(FilePart([1, 2, 3], "a.txt", name: "attachment"));
        Assert.Equal((HttpStatusCode.BadRequest, "Unknown multipart part 'attachment' (expected one part named 'file')."), (wrongName.Status, wrongName.Text));

        var two = FilePart([1], "a.txt");
        two.Part(new ByteArrayContent([2]), "file", "b.txt");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(two)).Status);

        var extra = FilePart([1], "a.txt");
        extra.Part(new StringContent("x"), "comment");
        Assert.Contains("'comment'", (await Post(extra)).Text);

        var field = BrowserForm.Create().Part(new StringContent("not a file"), "file");
        Assert.Contains("exactly one part named 'file'", (await Post(field)).Text);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Post(new StringContent("{}", Encoding.UTF8, "application/json"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(FilePart([1], "a.txt"), $"{CloudBase}project/DEMO/testcycle/DEMO-CY-1/testrun/5001/attachment")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(FilePart([1], "a.txt"), $"{CloudBase}project/DEMO/testcycle/DEMO-CY-2/testrun/{runId}/attachment")).Status);

        Assert.Empty(sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Single().Attachments);
        Assert.Equal(HttpStatusCode.OK, (await Post(FilePart([1], "a.txt"))).Status);
        Assert.Single(sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Single().Attachments);
    }

    [Fact]
    public async Task Older_AIO_Server_without_attachments_answers_404_and_Cloud_is_unaffected()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.AioServerAttachments = false;
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });
        foreach (var flavor in new[] { "cloud", "server" })
        {
            await BulkAsync(sb, flavor, "DEMO-CY-1", RunJson("DEMO-TC-1"));
            var runId = await RunIdAsync(sb, flavor, "DEMO-CY-1", "DEMO-TC-1");
            var (b, auth) = Flavor(flavor);
            var answer = await SendAsync(sb, HttpMethod.Post, $"{b}project/DEMO/testcycle/DEMO-CY-1/testrun/{runId}/attachment",
                FilePart([1, 2], "log.txt", contentType: "text/plain"), MultipartHeaders(auth));
            Assert.Equal(flavor == "cloud" ? HttpStatusCode.OK : HttpStatusCode.NotFound, answer.Status);
        }
        Assert.Single(sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Single().Attachments);
        Assert.Empty(sb.Server.State.Snapshot().AioServer.Cycles.Single().Runs.Single().Attachments);
    }

    // ---- Rate limit ----

    [Fact]
    public async Task Default_limit_is_60_requests_per_minute_then_429_with_Retry_After()
    {
        await using var sb = await SandboxClient.StartAsync();
        for (var i = 0; i < 60; i++)
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, i % 2 == 0 ? "cloud" : "server", HttpMethod.Get, "project/DEMO/config")).Status);
        var refused = await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config");
        Assert.Equal((HttpStatusCode.TooManyRequests, "Too Many Requests", "text/plain"), (refused.Status, refused.Text, refused.MediaType));
        var wait = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(wait.TotalSeconds, 1, 60);

        // Other APIs are not limited by AIO's budget.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(sb, HttpMethod.Post, SandboxClient.ImportPath,
            new StringContent("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", Encoding.UTF8, "application/json"),
            h => h.Authorization = ServerAuth)).Status);
        var limits = (await sb.StateAsync())["limits"]!["aio"]!;
        Assert.Equal((60, 60, true, 60), (limits["requests"]!.GetValue<int>(), limits["windowSeconds"]!.GetValue<int>(),
            limits["retryAfter"]!.GetValue<bool>(), limits["used"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Lowered_limit_is_shared_by_both_flavours_counts_unauthenticated_calls_and_is_logged()
    {
        await using var sb = await SandboxClient.StartAsync();
        var set = await sb.ControlAsync("_sandbox/limits", """{"aio":{"requests":3,"windowSeconds":30}}""");
        Assert.Equal(HttpStatusCode.OK, set.Status);

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config")).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, "server", HttpMethod.Get, "project/DEMO/config")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(sb, HttpMethod.Get, ServerBase + "project/DEMO/config", null, null)).Status);
        var refused = await CallAsync(sb, "server", HttpMethod.Post, "project/DEMO/testcycle/detail", """{"title":"T"}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        Assert.Empty(sb.Server.State.Snapshot().AioServer.Cycles);   // not processed

        var state = await sb.StateAsync();
        var last = state["requests"]!.AsArray()[^1]!;
        Assert.Equal((429, "rateLimit"), (last["response"]!.GetValue<int>(), last["fault"]!.GetValue<string>()));
        Assert.Equal(1, state["requestCounts"]!["POST /rest/aio-tcms-api/1.0/project/DEMO/testcycle/detail"]!.GetValue<int>());

        await sb.ControlAsync("_sandbox/limits", """{"aio":{"retryAfter":false}}""");   // also forgets the history
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config")).Status);
        var noHeader = await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config");
        Assert.Equal(HttpStatusCode.TooManyRequests, noHeader.Status);
        Assert.Null(noHeader.Headers.RetryAfter);
    }

    [Fact]
    public async Task Start_options_set_the_AIO_limit_and_reset_restores_it()
    {
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions
        {
            AioRateLimit = new RateLimit { Requests = 1, Window = TimeSpan.FromMinutes(1) },
        });
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config")).Status);
        await sb.ControlAsync("_sandbox/limits", """{"aio":{"requests":10}}""");
        await sb.ControlAsync("_sandbox/reset", "{}");
        Assert.Equal(1, sb.Server.State.Snapshot().Limits.Aio.Requests);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/config")).Status);
    }

    // ---- Faults, separation, reset, page, seed ----

    [Fact]
    public async Task Faults_apply_to_AIO_paths()
    {
        await using var sb = await SandboxClient.StartAsync();
        var rule = await sb.ControlAsync("_sandbox/faults",
            """{"method":"POST","path":"/aio-tcms/api/v1/project/DEMO/testcycle/*","action":"status","status":503,"retryAfter":"2","body":"busy"}""");
        Assert.Equal(HttpStatusCode.OK, rule.Status);
        var faulted = await CallAsync(sb, "cloud", HttpMethod.Post, "project/DEMO/testcycle/DEMO-CY-1/bulk/testrun/update?createNewRun=false&addCaseToCycle=true",
            $$"""{"testRuns":[{{RunJson("DEMO-TC-1")}}]}""");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "busy"), (faulted.Status, faulted.Text));
        Assert.Empty(sb.Server.State.Snapshot().Aio.Cycles);
        await BulkAsync(sb, "cloud", "DEMO-CY-1", RunJson("DEMO-TC-1"));
        Assert.Single(sb.Server.State.Snapshot().Aio.Cycles);
    }

    [Fact]
    public async Task Cloud_and_Server_keep_separate_stores_and_reset_clears_both()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal("DEMO-CY-4", (await CreateCycleAsync(sb, "cloud"))["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "server", HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-4/detail")).Status);
        Assert.Equal("DEMO-CY-4", (await CreateCycleAsync(sb, "server"))["key"]!.GetValue<string>());
        await BulkAsync(sb, "server", "DEMO-CY-4", RunJson("DEMO-TC-1"));
        var snapshot = sb.Server.State.Snapshot();
        Assert.Empty(snapshot.Aio.Cycles.Single().Runs);
        Assert.Single(snapshot.AioServer.Cycles.Single().Runs);

        Assert.Equal(HttpStatusCode.NoContent, (await sb.ControlAsync("_sandbox/reset", "{}")).Status);
        snapshot = sb.Server.State.Snapshot();
        Assert.Empty(snapshot.Aio.Cycles);
        Assert.Empty(snapshot.AioServer.Cycles);
        Assert.Equal("DEMO-CY-4", (await CreateCycleAsync(sb, "cloud"))["key"]!.GetValue<string>());   // numbering restarts
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "cloud", HttpMethod.Get, "project/DEMO/testcycle/DEMO-CY-5/detail")).Status);
    }

    [Fact]
    public async Task Html_page_shows_AIO_cycles_runs_and_attachments_encoded()
    {
        await using var sb = await SandboxClient.StartAsync();
        var cycle = (await CreateCycleAsync(sb, "server", """{"title":"<script>alert(1)</script>"}"""))["key"]!.GetValue<string>();
        await BulkAsync(sb, "server", cycle, """{"testCaseKey":"DEMO-TC-5","testRunStatus":"Failed","comments":["a < b & c"]}""");
        var runId = await RunIdAsync(sb, "server", cycle, "DEMO-TC-5");
        await SendAsync(sb, HttpMethod.Post, $"{ServerBase}project/DEMO/testcycle/{cycle}/testrun/{runId}/attachment",
            FilePart([1, 2, 3], "<b>.png"), MultipartHeaders(ServerAuth));

        var html = await sb.Http.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("AIO Tests Cloud: cycles", html);
        Assert.Contains("AIO Tests Server/DC: cycles", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("a &lt; b &amp; c", html);
        Assert.Contains("&lt;b&gt;.png", html);
        Assert.Contains("<span class=\"st Failed\">Failed</span>", html);
        Assert.Contains("AIO Tests rate limit (per client IP, Cloud and Server together): 60 requests per 60 s", html);
    }

    [Fact]
    public async Task A_seed_file_declares_cases_cycles_statuses_tokens_and_the_attachment_flag()
    {
        var seed = SandboxSeed.Parse("""
            {
              "users": [ { "name": "u", "password": "p" } ],
              "statuses": ["PASS"],
              "aioCloudTokens": ["t1"],
              "aioServerAttachments": false,
              "projects": [ { "key": "WEB", "id": "20000",
                "aioCases": { "Published": ["WEB-TC-1", "WEB-TC-3..WEB-TC-4"], "Deprecated": ["WEB-TC-2"] },
                "aioCycles": ["WEB-CY-7"],
                "aioRunStatuses": [ { "id": 1, "name": "Todo", "type": "NOT RUN" }, { "id": 2, "name": "Green", "type": "PASSED" } ] } ]
            }
            """);
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });
        var answer = await SendAsync(sb, HttpMethod.Post, CloudBase + "project/20000/testcycle/detail",
            new StringContent("""{"title":"T"}""", Encoding.UTF8, "application/json"), h => h.Authorization = new AuthenticationHeaderValue("AioAuth", "t1"));
        Assert.Equal("WEB-CY-8", answer.Json["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(sb, HttpMethod.Get, CloudBase + "project/WEB/config", null, h => h.Authorization = CloudAuth)).Status);

        var bulk = await SendAsync(sb, HttpMethod.Post, CloudBase + "project/WEB/testcycle/WEB-CY-7/bulk/testrun/update?createNewRun=false&addCaseToCycle=true",
            new StringContent("""{"testRuns":[{"testCaseKey":"WEB-TC-4","testRunStatus":"Green"},{"testCaseKey":"WEB-TC-2","testRunStatus":"Green"}]}""", Encoding.UTF8, "application/json"),
            h => h.Authorization = new AuthenticationHeaderValue("AioAuth", "t1"));
        Assert.Equal("Only Published cases can be added to a cycle; WEB-TC-2 is Deprecated.", bulk.Json["errors"]!["WEB-TC-2"]!["message"]!.GetValue<string>());
        Assert.False(sb.Server.State.AioServer.AttachmentsEnabled);
    }

    [Theory]
    [InlineData("""{"key":"DEMO","aioRunStatuses":[{"id":1,"name":"Passed","type":"GREEN"}]}""", "has type 'GREEN'")]
    [InlineData("""{"key":"DEMO","aioRunStatuses":[]}""", "aioRunStatuses is empty")]
    [InlineData("""{"key":"DEMO","aioCases":{"Published":["DEMO-TC-1","DEMO-TC-1"]}}""", "AIO case DEMO-TC-1 twice")]
    [InlineData("""{"key":"DEMO","aioCases":{"Published":["DEMO-7"]}}""", "not a DEMO-TC-n key")]
    [InlineData("""{"key":"DEMO","aioCycles":["DEMO-CY-0"]}""", "not a DEMO-CY-n key")]
    public void Invalid_AIO_seeds_fail_at_start(string project, string fragment)
    {
        var seed = SandboxSeed.Parse($$"""{"users":[{"name":"u","password":"p"}],"statuses":["PASS"],"projects":[{{project}}]}""");
        var e = Assert.Throws<SeedException>(() => new State.SandboxState(seed));
        Assert.Contains(fragment, e.Message);
    }
}
