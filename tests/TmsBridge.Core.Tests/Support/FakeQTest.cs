using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TmsBridge.Sandbox.QTest;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A small qTest Manager fake behind <see cref="TinyHttpServer"/> at the API v3 paths (api-notes/qtest-rtm.md §1):
/// login, search (test cases with their Automation properties, requirements, releases), test-case fields and
/// update, test cycles, the bulk submit (every body checked against the Swagger: a problem is recorded and
/// answered 400 as qTest words it), the job queue (IN_WAITING, IN_PROCESSING, then SUCCESS or FAILED) and links.
/// </summary>
internal sealed class FakeQTest : IDisposable
{
    public sealed record Case(long Id, string Pid, string Name, bool Automated, string? Content);

    private readonly object _gate = new();
    private long _nextCycle = 40;
    private long _nextJob = 900;
    private readonly Dictionary<long, int> _polls = [];

    public FakeQTest(string project = "12345") { Project = project; Server = new TinyHttpServer(Handle); }

    public TinyHttpServer Server { get; }
    public Uri BaseUrl => Server.BaseUrl;
    public string Project { get; }
    public string Prefix => "/api/v3/projects/" + Project + "/";
    public string ApiToken { get; set; } = "qtest-api-token-0123456789";
    public string AccessToken { get; } = "issued-access-token-abcdef";
    public string User { get; set; } = "bot@acme.test";
    public string Password { get; set; } = "qTest-Pa55word";
    /// <summary>The next call with the access token answers 401 (the token expired).</summary>
    public bool ExpireAccessTokenOnce { get; set; }

    public List<Case> Cases { get; } =
    [
        new(101, "TC-1", "Valid user logs in", true, "Acme.Tests.Login.Valid"),
        new(102, "TC-2", "Wrong password", true, "Acme.Tests.Login.Wrong"),
        new(103, "TC-3", "Manual checkout", false, null),
    ];
    public Dictionary<string, long> Requirements { get; } = new(StringComparer.OrdinalIgnoreCase) { ["RQ-4"] = 404 };
    public Dictionary<string, long> Releases { get; } = new(StringComparer.OrdinalIgnoreCase) { ["RL-3"] = 303 };
    public List<JsonObject> Cycles { get; } = [];
    public List<JsonObject> Submits { get; } = [];
    public List<(long Requirement, List<long> Cases)> Links { get; } = [];
    /// <summary>Every body received that did not validate against the Swagger, as "path: problem".</summary>
    public List<string> SchemaProblems { get; } = [];
    /// <summary>Jobs end FAILED with this content.</summary>
    public string? FailJobsWith { get; set; }
    /// <summary>Create the cycle, then lose the answer this many times.</summary>
    public int LoseCreateAnswers { get; set; }
    /// <summary>Queue the submit, then lose the answer this many times.</summary>
    public int LoseSubmitAnswers { get; set; }
    /// <summary>Every look at a job answers 503 (the queue service is away).</summary>
    public bool QueueUnavailable { get; set; }
    /// <summary>Submits larger than this are answered 413.</summary>
    public long SizeLimit { get; set; } = long.MaxValue;

    public IReadOnlyList<TinyHttpServer.Request> Requests => Server.Requests;
    /// <summary>"POST search", "GET queue-processing/900", ...: every request, relative to the project (or /api/v3/projects/).</summary>
    public List<string> Calls => Requests.Select(r => r.Method + " " + (r.Path.StartsWith(Prefix, StringComparison.Ordinal) ? r.Path.Substring(Prefix.Length)
        : r.Path.StartsWith("/api/v3/projects/", StringComparison.Ordinal) ? r.Path.Substring("/api/v3/projects/".Length) : r.Path)).ToList();

    private static TinyHttpServer.Reply Json(JsonNode node, int status = 200) => new(status, node.ToJsonString());
    private static TinyHttpServer.Reply Message(int status, string message) => new(status, new JsonObject { ["message"] = message }.ToJsonString());

    private JsonObject CaseJson(Case c)
    {
        var props = new JsonArray(
            new JsonObject { ["field_id"] = 5, ["field_name"] = "Automation", ["field_value"] = c.Automated ? "711" : "712", ["field_value_name"] = c.Automated ? "Yes" : "No" },
            new JsonObject { ["field_id"] = 6, ["field_name"] = "Automation Content", ["field_value"] = c.Content ?? "", ["field_value_name"] = c.Content ?? "" });
        return new JsonObject { ["id"] = c.Id, ["pid"] = c.Pid, ["name"] = c.Name, ["test_case_version_id"] = c.Id * 10, ["properties"] = props };
    }

    private void Check(string definition, TinyHttpServer.Request r)
    {
        foreach (var p in QTestSwagger.Problems(definition, r.Body)) SchemaProblems.Add($"{r.Method} {r.Path}: {p}");
    }

    private TinyHttpServer.Reply? Handle(TinyHttpServer.Request r)
    {
        lock (_gate)
        {
            if (r.Method == "POST" && r.Path == "/oauth/token")
            {
                var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("127:"));
                if (r.Authorization != expected) return Message(401, "Full authentication is required to access this resource");
                var form = r.Body.Split('&').Select(p => p.Split('=')).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
                if (form.GetValueOrDefault("grant_type") != "password" || form.GetValueOrDefault("username") != User || form.GetValueOrDefault("password") != Password)
                    return new TinyHttpServer.Reply(400, """{"error":"invalid_grant","error_description":"Bad credentials"}""");
                return Json(new JsonObject { ["access_token"] = AccessToken, ["token_type"] = "bearer", ["scope"] = "read write", ["expires_in"] = 300 });
            }
            if (r.Authorization == "Bearer " + AccessToken && ExpireAccessTokenOnce) { ExpireAccessTokenOnce = false; return Message(401, "invalid_token"); }
            if (r.Authorization != "Bearer " + ApiToken && r.Authorization != "Bearer " + AccessToken) return Message(401, "invalid_token");

            var q = Regex.Match(r.Path, @"^/api/v3/projects/queue-processing/(\d+)$");
            if (r.Method == "GET" && q.Success && QueueUnavailable) return Message(503, "Service Unavailable");
            if (r.Method == "GET" && q.Success)
            {
                var id = long.Parse(q.Groups[1].Value);
                var n = _polls[id] = _polls.GetValueOrDefault(id) + 1;
                var state = n == 1 ? "IN_PROCESSING" : FailJobsWith is null ? "SUCCESS" : "FAILED";
                return Json(new JsonObject { ["id"] = id, ["type"] = "AUTOMATION_TEST_LOG", ["state"] = state, ["contentType"] = "application/json", ["content"] = state == "FAILED" ? FailJobsWith : state == "SUCCESS" ? "{\"totalTestLogs\":1}" : null });
            }
            if (!r.Path.StartsWith(Prefix, StringComparison.Ordinal)) return Message(404, "Project not found");
            var rest = r.Path.Substring(Prefix.Length);

            if (r.Method == "POST" && rest == "search")
            {
                Check("ArtifactSearchParams", r);
                var body = JsonNode.Parse(r.Body)!;
                var type = (string)body["object_type"]!;
                var wanted = Regex.Matches((string?)body["query"] ?? "", @"'(pid|id)' = '([^']+)'").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
                bool Wants(string field, string value) => wanted.Any(w => w.Item1 == field && string.Equals(w.Item2, value, StringComparison.OrdinalIgnoreCase));
                var items = type switch
                {
                    "test-cases" => Cases.Where(c => Wants("pid", c.Pid) || Wants("id", c.Id.ToString())).Select(c => (JsonNode)CaseJson(c)).ToArray(),
                    "requirements" => Requirements.Where(p => Wants("pid", p.Key)).Select(p => (JsonNode)new JsonObject { ["id"] = p.Value, ["pid"] = p.Key, ["name"] = "Login" }).ToArray(),
                    "releases" => Releases.Where(p => Wants("pid", p.Key)).Select(p => (JsonNode)new JsonObject { ["id"] = p.Value, ["pid"] = p.Key, ["name"] = "R1" }).ToArray(),
                    _ => [],
                };
                return Json(new JsonObject { ["page"] = 1, ["page_size"] = 100, ["total"] = items.Length, ["items"] = new JsonArray(items) });
            }
            if (r.Method == "GET" && rest == "settings/test-cases/fields")
                return Json(new JsonArray(
                    new JsonObject { ["id"] = 5, ["label"] = "Automation", ["allowed_values"] = new JsonArray(new JsonObject { ["value"] = 711, ["label"] = "Yes" }, new JsonObject { ["value"] = 712, ["label"] = "No" }) },
                    new JsonObject { ["id"] = 6, ["label"] = "Automation Content" }));
            var tc = Regex.Match(rest, @"^test-cases/(\d+)$");
            if (r.Method == "PUT" && tc.Success)
            {
                Check("TestCaseWithCustomFieldResource", r);
                var id = long.Parse(tc.Groups[1].Value);
                var i = Cases.FindIndex(c => c.Id == id);
                if (i < 0) return Message(404, "Test Case not found");
                var props = JsonNode.Parse(r.Body)!["properties"]!.AsArray();
                var automated = props.Any(p => (long)p!["field_id"]! == 5 && (string?)p["field_value"] == "711");
                var content = props.Where(p => (long)p!["field_id"]! == 6).Select(p => (string?)p!["field_value"]).FirstOrDefault();
                Cases[i] = Cases[i] with { Automated = automated, Content = content };
                return Json(CaseJson(Cases[i]));
            }
            if (rest == "test-cycles")
            {
                var parent = (r.Query.Contains("parentType=") ? Regex.Match(r.Query, "parentType=([^&]+)").Groups[1].Value : "root") + ":" + Regex.Match(r.Query, "parentId=([^&]+)").Groups[1].Value;
                if (r.Method == "GET") return Json(new JsonArray(Cycles.Where(c => (string?)c["parent"] == parent).Select(c => (JsonNode)c.DeepClone()).ToArray()));
                Check("TestCycleResource", r);
                var body = JsonNode.Parse(r.Body)!;
                var n = _nextCycle++;
                var cycle = new JsonObject { ["id"] = 7000 + n, ["pid"] = "CL-" + n, ["name"] = (string?)body["name"], ["description"] = (string?)body["description"], ["parent"] = parent, ["web_url"] = $"{BaseUrl}p/{Project}/portal/project#tab=testexecution&object=2&id={7000 + n}" };
                Cycles.Add(cycle);
                if (LoseCreateAnswers > 0) { LoseCreateAnswers--; return TinyHttpServer.Reply.Drop; }
                return Json(cycle.DeepClone());
            }
            if (r.Method == "POST" && rest == "auto-test-logs")
            {
                if (r.Query != "?type=automation") return Message(400, "type must be automation");
                if (Encoding.UTF8.GetByteCount(r.Body) > SizeLimit) return new TinyHttpServer.Reply(413, "<html><body>413 Request Entity Too Large</body></html>", "text/html");
                var before = SchemaProblems.Count;
                Check("AutomationRequest", r);
                var body = JsonNode.Parse(r.Body)!.AsObject();
                foreach (var (log, i) in (body["test_logs"]?.AsArray() ?? []).Select((l, i) => (l!.AsObject(), i)))
                    foreach (var field in new[] { "status", "exe_start_date", "exe_end_date", "module_names", "name", "automation_content" })
                        if (log[field] is null) SchemaProblems.Add($"test_logs[{i}]: {field} is required by the operation");
                if (SchemaProblems.Count > before) return Message(400, SchemaProblems[before]);
                Submits.Add(body);
                var id = _nextJob++;
                if (LoseSubmitAnswers > 0) { LoseSubmitAnswers--; return TinyHttpServer.Reply.Drop; }
                return Json(new JsonObject { ["id"] = id, ["type"] = "AUTOMATION_TEST_LOG", ["state"] = "IN_WAITING", ["contentType"] = "application/json" }, 201);
            }
            var link = Regex.Match(rest, @"^requirements/(\d+)/link$");
            if (r.Method == "POST" && link.Success && r.Query == "?type=test-cases")
            {
                foreach (var p in QTestSwagger.ProblemsAgainst(new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" } }, r.Body))
                    SchemaProblems.Add($"{r.Method} {r.Path}: {p}");
                Links.Add((long.Parse(link.Groups[1].Value), JsonNode.Parse(r.Body)!.AsArray().Select(n => (long)n!).ToList()));
                return Json(new JsonArray());
            }
            return Message(404, $"no fake for {r.Method} {rest}");
        }
    }

    public void Dispose() => Server.Dispose();
}
