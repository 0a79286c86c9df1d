using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.QTest;

/// <summary>
/// qTest Manager API v3 at its real paths (api-notes/qtest-rtm.md §1; the sandbox's base URL stands in
/// for https://&lt;site&gt;.qtestnet.com): login, search, test-case fields and update, test cycles, the bulk
/// automation submit and its job queue, and requirement links. Every JSON body is checked against the
/// official Swagger's definitions (<see cref="QTestSwagger"/>, closed: unknown fields are refused) and the
/// submit also against the fields its operation text requires; errors are qTest's {"message": ...}.
/// </summary>
internal static partial class QTestEndpoints
{
    public const string Prefix = "/api/v3/projects/{p}";
    /// <summary>Fields the submit operation's text requires of every log (the schema requires only the dates).</summary>
    public static readonly string[] RequiredLogFields = ["status", "exe_start_date", "exe_end_date", "module_names", "name", "automation_content"];

    private sealed class QTestError(string message, int status = 400) : Exception(message)
    {
        public int Status { get; } = status;
    }

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        var s = state.QTest;
        app.MapPost("/oauth/token", Handler(http => LoginAsync(http, state), state, auth: false));
        app.MapGet("/api/v3/projects/queue-processing/{id}", Handler(http => Task.FromResult(Job(http, state)), state));
        app.MapPost(Prefix + "/search", Handler(http => SearchAsync(http, state), state));
        app.MapGet(Prefix + "/settings/test-cases/fields", Handler(_ => Task.FromResult(Fields()), state));
        app.MapPut(Prefix + "/test-cases/{id}", Handler(http => UpdateCaseAsync(http, state), state));
        app.MapGet(Prefix + "/test-cycles", Handler(http => Task.FromResult(ListCycles(http, state)), state));
        app.MapPost(Prefix + "/test-cycles", Handler(http => CreateCycleAsync(http, state), state));
        app.MapPost(Prefix + "/auto-test-logs", Handler(http => SubmitAsync(http, state), state));
        app.MapPost(Prefix + "/requirements/{id}/link", Handler(http => LinkAsync(http, state), state));
    }

    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> body, SandboxState state, bool auth = true) => async http =>
    {
        try
        {
            if (auth && !Authorized(http, state))
                return Results.Json(new JsonObject { ["error"] = "invalid_token", ["error_description"] = "Invalid access token" }, statusCode: 401);
            if (auth && http.GetRouteValue("p") is string p && p != QTestStore.ProjectId.ToString(CultureInfo.InvariantCulture))
                throw new QTestError($"Project {p} not found or you do not have permission to access it.", 404);
            return await body(http);
        }
        catch (QTestError e)
        {
            return Results.Json(new JsonObject { ["message"] = e.Message }, statusCode: e.Status);
        }
    };

    private static bool Authorized(HttpContext http, SandboxState state)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ');
        if (space < 0 || !header[..space].Equals("bearer", StringComparison.OrdinalIgnoreCase)) return false;
        var token = header[(space + 1)..].Trim();
        lock (state.SyncRoot) return token == QTestStore.ApiToken || state.QTest.AccessTokens.Contains(token);
    }

    private static async Task<string> ReadTextAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(http.RequestAborted);
    }

    /// <summary>The JSON body, validated against a Swagger definition: 400 with the first problem in qTest's shape.</summary>
    private static async Task<(JsonNode Node, string Text)> ReadAsync(HttpContext http, string definition)
    {
        if (!http.Request.HasJsonContentType()) throw new QTestError("Content type must be application/json", 415);
        var text = await ReadTextAsync(http);
        var problems = QTestSwagger.Problems(definition, text);
        if (problems.Count > 0) throw new QTestError($"Invalid request body ({definition}): {problems[0]}");
        return (JsonNode.Parse(text)!, text);
    }

    private static long RouteId(HttpContext http) =>
        long.TryParse(http.GetRouteValue("id") as string, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new QTestError("id must be a number");

    // ---- Login ----

    private static async Task<IResult> LoginAsync(HttpContext http, SandboxState state)
    {
        // qTest wants Basic base64("<site name>:") on the login; a missing one is a 401.
        var header = http.Request.Headers.Authorization.ToString();
        string? site = null;
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            try { site = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); } catch (FormatException) { }
        }
        if (site is null || !site.EndsWith(':') || site.Length < 2)
            return Results.Json(new JsonObject { ["error"] = "unauthorized", ["error_description"] = "Full authentication is required to access this resource" }, statusCode: 401);
        if (!http.Request.HasFormContentType) return Results.Json(new JsonObject { ["error"] = "invalid_request", ["error_description"] = "form body expected" }, statusCode: 400);
        if (http.Request.QueryString.HasValue && (http.Request.Query.ContainsKey("password") || http.Request.Query.ContainsKey("refresh_token")))
            return Results.Json(new JsonObject { ["error"] = "invalid_request", ["error_description"] = "credentials must not be in the query string" }, statusCode: 400);
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = state.Seed.Users.FirstOrDefault(u => u.Name == form["username"].ToString() && u.Password == form["password"].ToString());
        if (form["grant_type"] != "password" || user is null)
            return Results.Json(new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Bad credentials" }, statusCode: 400);
        var token = "qtest-access-" + Guid.NewGuid().ToString("N");
        lock (state.SyncRoot) state.QTest.AccessTokens.Add(token);
        return Results.Json(new JsonObject { ["access_token"] = token, ["token_type"] = "bearer", ["refresh_token"] = Guid.NewGuid().ToString("N"), ["scope"] = "read write", ["agent"] = "sandbox", ["expires_in"] = 1800 });
    }

    // ---- Search ----

    [GeneratedRegex(@"^\s*'(pid|id)'\s*=\s*'([^']*)'\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Clause();

    private static async Task<IResult> SearchAsync(HttpContext http, SandboxState state)
    {
        var (body, _) = await ReadAsync(http, "ArtifactSearchParams");
        var type = (string)body["object_type"]!;
        var query = (string?)body["query"] ?? "";
        var wanted = new List<(string Field, string Value)>();
        foreach (var clause in Regex.Split(query, @"\s+or\s+", RegexOptions.IgnoreCase))
        {
            var m = Clause().Match(clause);
            if (!m.Success) throw new QTestError($"Unsupported query '{query}': the sandbox understands 'pid' = '...' or 'id' = '...' joined with or.");
            wanted.Add((m.Groups[1].Value.ToLowerInvariant(), m.Groups[2].Value));
        }
        bool Wants(string pid, long id) => wanted.Any(w => w.Field == "pid" ? string.Equals(w.Value, pid, StringComparison.OrdinalIgnoreCase) : w.Value == id.ToString(CultureInfo.InvariantCulture));
        var pageSize = int.TryParse(http.Request.Query["pageSize"], NumberStyles.None, CultureInfo.InvariantCulture, out var ps) ? ps : 100;
        var page = int.TryParse(http.Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var pg) ? pg : 1;
        if (pageSize is < 1 or > 999 || page < 1) throw new QTestError("pageSize must be 1..999 and page at least 1");
        List<JsonNode> items;
        lock (state.SyncRoot)
        {
            var s = state.QTest;
            items = type switch
            {
                "test-cases" => s.Cases.Where(c => Wants(c.Pid, c.Id)).Select(c => (JsonNode)CaseJson(c)).ToList(),
                "requirements" => s.Requirements.Where(r => Wants(r.Key, r.Value)).Select(r => (JsonNode)new JsonObject { ["id"] = r.Value, ["pid"] = r.Key, ["name"] = "Requirement " + r.Key }).ToList(),
                "releases" => s.Releases.Where(r => Wants(r.Key, r.Value)).Select(r => (JsonNode)new JsonObject { ["id"] = r.Value, ["pid"] = r.Key, ["name"] = "Release " + r.Key }).ToList(),
                "test-cycles" => s.Cycles.Where(c => Wants(c.Pid, c.Id)).Select(c => (JsonNode)CycleJson(c)).ToList(),
                _ => throw new QTestError($"object_type '{type}' is not supported by the sandbox (test-cases, requirements, releases, test-cycles)"),
            };
        }
        var slice = items.Skip((page - 1) * pageSize).Take(pageSize).ToArray();
        return Results.Json(new JsonObject { ["links"] = new JsonArray(), ["page"] = page, ["page_size"] = pageSize, ["total"] = items.Count, ["items"] = new JsonArray(slice) });
    }

    private static JsonObject CaseJson(QTestCase c) => new()
    {
        ["id"] = c.Id,
        ["pid"] = c.Pid,
        ["name"] = c.Name,
        ["test_case_version_id"] = c.Id * 10,
        ["properties"] = new JsonArray(
            new JsonObject { ["field_id"] = QTestStore.AutomationFieldId, ["field_name"] = "Automation", ["field_value"] = (c.Automated ? QTestStore.AutomationYes : QTestStore.AutomationNo).ToString(CultureInfo.InvariantCulture), ["field_value_name"] = c.Automated ? "Yes" : "No" },
            new JsonObject { ["field_id"] = QTestStore.AutomationContentFieldId, ["field_name"] = "Automation Content", ["field_value"] = c.AutomationContent ?? "", ["field_value_name"] = c.AutomationContent ?? "" }),
    };

    /// <param name="site">The site's absolute base (qTest's web_url is absolute), or null for a relative link.</param>
    private static JsonObject CycleJson(QTestCycleRecord c, string? site = null) => new()
    {
        ["id"] = c.Id,
        ["pid"] = c.Pid,
        ["name"] = c.Name,
        ["description"] = c.Description,
        ["web_url"] = $"{site}/p/{QTestStore.ProjectId}/portal/project#tab=testexecution&object=2&id={c.Id}",
    };

    private static string Site(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    // ---- Test cases ----

    private static IResult Fields() => Results.Json(new JsonArray(
        new JsonObject
        {
            ["id"] = QTestStore.AutomationFieldId, ["label"] = "Automation", ["attribute_type"] = "CheckBox",
            ["allowed_values"] = new JsonArray(new JsonObject { ["value"] = QTestStore.AutomationYes, ["label"] = "Yes" }, new JsonObject { ["value"] = QTestStore.AutomationNo, ["label"] = "No" }),
        },
        new JsonObject { ["id"] = QTestStore.AutomationContentFieldId, ["label"] = "Automation Content", ["attribute_type"] = "Text" }));

    private static async Task<IResult> UpdateCaseAsync(HttpContext http, SandboxState state)
    {
        var id = RouteId(http);
        var (body, _) = await ReadAsync(http, "TestCaseWithCustomFieldResource");
        lock (state.SyncRoot)
        {
            var c = state.QTest.Cases.FirstOrDefault(x => x.Id == id) ?? throw new QTestError($"Test Case {id} not found", 404);
            foreach (var p in body["properties"]!.AsArray())
            {
                var field = (long)p!["field_id"]!;
                var value = (string?)p["field_value"];
                if (field == QTestStore.AutomationFieldId)
                    c.Automated = value == QTestStore.AutomationYes.ToString(CultureInfo.InvariantCulture) ? true
                        : value == QTestStore.AutomationNo.ToString(CultureInfo.InvariantCulture) ? false
                        : throw new QTestError($"Invalid value '{value}' for field Automation");
                else if (field == QTestStore.AutomationContentFieldId) c.AutomationContent = value;
            }
            if ((string?)body["name"] is { Length: > 0 } name) c.Name = name;
            return Results.Json(CaseJson(c));
        }
    }

    // ---- Test cycles ----

    private static (string Type, long Id) Parent(HttpContext http, SandboxState state)
    {
        var type = http.Request.Query["parentType"].ToString() is { Length: > 0 } t ? t : "root";
        var id = long.TryParse(http.Request.Query["parentId"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        if (type is not ("root" or "release" or "test-cycle")) throw new QTestError($"parentType '{type}' is invalid: root, release or test-cycle");
        lock (state.SyncRoot)
        {
            if (type == "release" && !state.QTest.Releases.ContainsValue(id)) throw new QTestError($"Release {id} not found", 404);
            if (type == "test-cycle" && state.QTest.FindCycle(id.ToString(CultureInfo.InvariantCulture)) is null) throw new QTestError($"Test Cycle {id} not found", 404);
        }
        return (type, type == "root" ? 0 : id);
    }

    private static IResult ListCycles(HttpContext http, SandboxState state)
    {
        var (type, id) = Parent(http, state);
        lock (state.SyncRoot)
            return Results.Json(new JsonArray(state.QTest.Cycles.Where(c => c.ParentType == type && c.ParentId == id).Select(c => (JsonNode)CycleJson(c, Site(http))).ToArray()));
    }

    private static async Task<IResult> CreateCycleAsync(HttpContext http, SandboxState state)
    {
        var (type, id) = Parent(http, state);
        var (body, _) = await ReadAsync(http, "TestCycleResource");
        if ((string?)body["name"] is not { Length: > 0 } name) throw new QTestError("name is required");
        if (name.Length > 500) throw new QTestError("name must be at most 500 characters");
        lock (state.SyncRoot)
            return Results.Json(CycleJson(state.QTest.AddCycle(name, (string?)body["description"], type, id), Site(http)), statusCode: 200);
    }

    // ---- Submit and jobs ----

    private static async Task<IResult> SubmitAsync(HttpContext http, SandboxState state)
    {
        if (http.Request.Query["type"] != "automation") throw new QTestError("type must be automation");
        var max = state.QTest.MaxSubmitBytes;
        if (http.Request.ContentLength is long declared && declared > max) throw new QTestError("Request Entity Too Large", 413);
        var (body, text) = await ReadAsync(http, "AutomationRequest");
        if (Encoding.UTF8.GetByteCount(text) > max) throw new QTestError("Request Entity Too Large", 413);
        if ((string?)body["test_cycle"] is not { Length: > 0 } cycleRef) throw new QTestError("test_cycle is required");
        var logs = body["test_logs"]!.AsArray();
        if (logs.Count == 0) throw new QTestError("test_logs must not be empty");
        for (var i = 0; i < logs.Count; i++)
        {
            var log = logs[i]!.AsObject();
            foreach (var field in RequiredLogFields)
                if (log[field] is null) throw new QTestError($"test_logs[{i}].{field} is required");
            if (log["module_names"]!.AsArray().Count == 0) throw new QTestError($"test_logs[{i}].module_names must not be empty");
            if (log["test_case_version_id"] is not null) throw new QTestError($"test_logs[{i}].test_case_version_id: the test run does not exist yet, omit the version");
            foreach (var date in new[] { "exe_start_date", "exe_end_date" })
                if (!DateTimeOffset.TryParseExact((string?)log[date], ["yyyy-MM-dd'T'HH:mm:ss.fffzzz", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", "yyyy-MM-dd'T'HH:mm:sszzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    throw new QTestError($"test_logs[{i}].{date} '{(string?)log[date]}' is not an ISO-8601 date-time with offset");
            foreach (var a in log["attachments"]?.AsArray() ?? [])
            {
                if ((string?)a!["name"] is not { Length: > 0 } || (string?)a["content_type"] is not { Length: > 0 } || (string?)a["data"] is not { } data)
                    throw new QTestError($"test_logs[{i}].attachments: name, content_type and data are required");
                try { Convert.FromBase64String(data); } catch (FormatException) { throw new QTestError($"test_logs[{i}].attachments: data is not base64"); }
            }
        }
        lock (state.SyncRoot)
        {
            var cycle = state.QTest.FindCycle(cycleRef) ?? throw new QTestError($"Test Cycle {cycleRef} not found", 404);
            using var doc = JsonDocument.Parse(text);
            var job = state.QTest.AddJob(cycle.Id, doc.RootElement.GetProperty("test_logs").EnumerateArray().Select(e => e.Clone()).ToList());
            return Results.Json(JobJson(job), statusCode: 201);
        }
    }

    private static JsonObject JobJson(QTestJob j) => new() { ["id"] = j.Id, ["state"] = j.State, ["type"] = "AUTOMATION_TEST_LOG", ["contentType"] = "application/json", ["content"] = j.Content };

    /// <summary>Each look moves a job one step: IN_WAITING, IN_PROCESSING, then SUCCESS (the logs applied) or FAILED (a status not in the Automation Settings).</summary>
    private static IResult Job(HttpContext http, SandboxState state)
    {
        var id = RouteId(http);
        lock (state.SyncRoot)
        {
            var job = state.QTest.Jobs.FirstOrDefault(j => j.Id == id) ?? throw new QTestError($"Job {id} not found", 404);
            job.Polls++;
            if (job.State == "IN_WAITING") job.State = "IN_PROCESSING";
            else if (job.State == "IN_PROCESSING") Process(state.QTest, job);
            return Results.Json(JobJson(job));
        }
    }

    private static void Process(QTestStore s, QTestJob job)
    {
        var bad = job.Logs.Select(l => l.GetProperty("status").GetString() ?? "").Where(x => !QTestStore.AutomationStatuses.Contains(x)).Distinct().ToList();
        if (bad.Count > 0)
        {
            job.State = "FAILED";
            job.Content = $"Automation status {string.Join(", ", bad.Select(b => $"'{b}'"))} is not mapped in the project's Automation Settings (mapped: {string.Join(", ", QTestStore.AutomationStatuses)})";
            return;
        }
        var cycle = s.FindCycle(job.CycleId.ToString(CultureInfo.InvariantCulture))!;
        foreach (var log in job.Logs)
        {
            var content = log.GetProperty("automation_content").GetString()!;
            // The fingerprint: an automated case with this Automation Content gets the log; any other value creates a case.
            var c = s.Cases.FirstOrDefault(x => x.Automated && x.AutomationContent == content) ?? s.AddCase(log.GetProperty("name").GetString() ?? content, content);
            var modules = string.Join("/", log.GetProperty("module_names").EnumerateArray().Select(m => m.GetString()));
            var run = s.RunFor(cycle, c, modules);
            string? Opt(string name) => log.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var attachments = log.TryGetProperty("attachments", out var atts)
                ? atts.EnumerateArray().Select(a =>
                {
                    var bytes = Convert.FromBase64String(a.GetProperty("data").GetString()!);
                    return new QTestAttachmentSnapshot(a.GetProperty("name").GetString()!, a.GetProperty("content_type").GetString()!, bytes.LongLength, QTestStore.Sha256(bytes));
                }).ToList()
                : [];
            var defects = log.TryGetProperty("defect_pids", out var d) ? d.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
            run.Logs.Add(new QTestLogRecord(log.GetProperty("status").GetString()!, Opt("exe_start_date")!, Opt("exe_end_date")!, Opt("note"), defects, Opt("build_number"), Opt("build_url"), attachments, job.Id));
        }
        job.State = "SUCCESS";
        job.Content = new JsonObject { ["totalTestLogs"] = job.Logs.Count }.ToJsonString();
    }

    // ---- Links ----

    private static async Task<IResult> LinkAsync(HttpContext http, SandboxState state)
    {
        var id = RouteId(http);
        if (http.Request.Query["type"] != "test-cases") throw new QTestError("type must be one of releases, builds, requirements, test-cases, test-runs, test-logs, test-steps, defects; the sandbox links test-cases");
        var text = await ReadTextAsync(http);
        var problems = QTestSwagger.ProblemsAgainst(new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" } }, text);
        if (problems.Count > 0) throw new QTestError("Invalid request body: " + problems[0]);
        var ids = JsonNode.Parse(text)!.AsArray().Select(n => (long)n!).ToList();
        lock (state.SyncRoot)
        {
            var requirement = state.QTest.Requirements.FirstOrDefault(r => r.Value == id);
            if (requirement.Key is null) throw new QTestError($"Requirement {id} not found", 404);
            foreach (var caseId in ids)
                if (state.QTest.Cases.FirstOrDefault(c => c.Id == caseId) is { } c && !c.Requirements.Contains(requirement.Key)) c.Requirements.Add(requirement.Key);
            return Results.Json(new JsonArray(new JsonObject { ["id"] = id, ["pid"] = requirement.Key, ["objects"] = new JsonArray(ids.Select(i => (JsonNode)new JsonObject { ["id"] = i }).ToArray()) }));
        }
    }
}
