using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.Auth;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.Rtm;

/// <summary>
/// RTM (Requirements and Test Management for Jira) REST API, both flavours at their real relative
/// paths (api-notes/qtest-rtm.md §2): Server/DC under <c>/rest/rtm/1.0/api</c> of the Jira base URL
/// (Basic or PAT), Cloud under <c>/rtm-cloud/api</c> (<c>Authorization: Bearer &lt;token&gt;</c>;
/// <c>{sandbox}/rtm-cloud/</c> stands in for <c>https://rtm-api.hexygen.com</c>, so RTM Cloud's
/// <c>/api</c> does not meet Xray Cloud's on the one port). The endpoints a results reporter needs:
/// execute a test plan (V1 and V2), the asynchronous status, read a TE, a TCE's result (V1 and V2),
/// comments, defects (V2 path and V1 body), attachments, and a test case's requirement links.
/// Errors carry RTM's body: <c>{"errorMessages": [...], "errors": {...}}</c>.
/// </summary>
internal static class RtmEndpoints
{
    public const string ServerBase = "/rest/rtm/1.0/api";
    public const string CloudBase = "/rtm-cloud/api";

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        MapFlavor(app.MapGroup(ServerBase).AddEndpointFilter((ctx, next) => RequireJiraAsync(ctx, next, state)), state, state.RtmServer);
        MapFlavor(app.MapGroup(CloudBase).AddEndpointFilter((ctx, next) => RequireTokenAsync(ctx, next, state)), state, state.RtmCloud);
    }

    private static void MapFlavor(RouteGroupBuilder g, SandboxState state, RtmStore store)
    {
        foreach (var v in new[] { "", "/v2" })
        {
            g.MapPost(v + "/test-execution/execute/{plan}", Handler(http => ExecuteAsync(http, state, store)));
            g.MapGet(v + "/test-execution/{key}", Handler(http => Task.FromResult(ReadExecution(http, state, store))));
            g.MapGet(v + "/test-case/{key}", Handler(http => Task.FromResult(ReadCase(http, state, store))));
            g.MapGet(v + "/test-case-execution/{tce}", Handler(http => Task.FromResult(ReadTce(http, state, store))));
            g.MapPut(v + "/test-case-execution/{tce}", Handler(http => ResultAsync(http, state, store)));
            g.MapPost(v + "/test-case-execution/{tce}/attachment", Handler(http => AttachAsync(http, state, store)));
        }
        // Step status and comment exist as V1 paths only, by the step's index (1-based: its ordinal); the
        // step's evidence as V2 only, by the execution step's id (api-notes §2.2; no V2 step status was found).
        g.MapPut("/test-case-execution/{tce}/step/{index}", Handler(http => StepStatusAsync(http, state, store)));
        g.MapPut("/test-case-execution/{tce}/step/{index}/status", Handler(http => StepStatusAsync(http, state, store)));
        g.MapPut("/test-case-execution/{tce}/step/{index}/comment", Handler(http => StepCommentAsync(http, state, store)));
        g.MapPost("/v2/test-case-execution/{tce}/step/{stepId}/attachment", Handler(http => StepAttachAsync(http, state, store)));
        // Every TCE of a test case, across Test Executions (V1 "Get all test case executions related to Test Case").
        g.MapGet("/test-case-execution/test-case/{key}", Handler(http => Task.FromResult(TcesOfCase(http, state, store))));
        g.MapGet("/test-execution/status/{key}", Handler(http => Task.FromResult(Status(http, state, store))));
        g.MapPost("/test-case-execution-comment/{tce}/comments", Handler(http => CommentAsync(http, state, store)));
        g.MapPost("/v2/test-case-execution/{tce}/defect/{defect}", Handler(http => Task.FromResult(Defect(http, state, store, Route(http, "defect")))));
        g.MapPut("/test-case-execution/{tce}/defect", Handler(http => DefectV1Async(http, state, store)));
        g.MapPut("/test-case/{key}", Handler(http => CoverAsync(http, state, store)));
        if (store.Cloud)
        {
            // RTM Cloud's automation import (api-notes §2.3); Server/DC has none.
            g.MapPost("/v2/automation/import-test-results", Handler(http => RtmImport.ImportAsync(http, state, store)));
            g.MapGet("/v2/automation/import-status/{task}", Handler(http => Task.FromResult(RtmImport.Status(http, state, store))));
        }
    }

    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> body) => async http =>
    {
        try
        {
            return await body(http);
        }
        catch (RtmException e)
        {
            return Error(e.Status, e.Message, e.Field);
        }
    };

    // ---- Authentication ----

    private static async ValueTask<object?> RequireJiraAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, SandboxState state) =>
        JiraAuth.Authenticate(context.HttpContext.Request, state.Jira) is not null ? await next(context) : Error(401, "You are not authenticated. Authentication required to perform this operation.");

    /// <summary>Cloud: a generated RTM token as Bearer.</summary>
    private static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, SandboxState state)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        var ok = header.StartsWith(prefix, StringComparison.Ordinal) && header[prefix.Length..].Trim() is { Length: > 0 } token
            && state.Seed.RtmCloudTokens.Exists(t => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(t), Encoding.UTF8.GetBytes(token)));
        return ok ? await next(context) : Error(401, "Invalid or missing token.");
    }

    // ---- Test Execution ----

    private static async Task<IResult> ExecuteAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        var planKey = Route(http, "plan");
        var keys = body.TryGetProperty("testCaseIssueKeys", out var k) ? k : default;
        var caseKeys = keys.ValueKind switch
        {
            JsonValueKind.Array when keys.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) => keys.EnumerateArray().Select(x => x.GetString()!).ToList(),
            // The V1 docs show one key as a string.
            JsonValueKind.String => keys.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            _ => throw new RtmException("testCaseIssueKeys must be a list of test case issue keys.", field: "testCaseIssueKeys"),
        };
        var startDate = Date(body, "startDate");
        var endDate = Date(body, "endDate");
        var versions = new List<string>();
        if (body.TryGetProperty("versions", out var vs) && vs.ValueKind != JsonValueKind.Null)
        {
            if (vs.ValueKind != JsonValueKind.Array || vs.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new RtmException("versions must be a list of version names.", field: "versions");
            versions.AddRange(vs.EnumerateArray().Select(x => x.GetString()!));
        }
        lock (state.SyncRoot)
        {
            var plan = store.Jira.Find(planKey);
            if (plan is null || plan.Kind != IssueKind.TestPlan)
                throw new RtmException($"Test Plan with key {planKey} does not exist.", 404);
            var project = store.Jira.FindProject(plan.ProjectKey)!;
            foreach (var v in versions)
                if (!project.Versions.Contains(v, StringComparer.Ordinal))
                    throw new RtmException($"Version '{v}' does not exist in project {project.Key}.", field: "versions");
            var inPlan = store.PlanCases(plan);
            var chosen = caseKeys ?? inPlan.ToList();
            var warnings = new JsonArray();
            var issue = store.Jira.CreateTestExecution(project);
            var execution = new RtmExecution(issue.Key, project.Key)
            {
                TestPlan = plan.Key,
                Summary = OptionalString(body, "summary") ?? "Test Execution of " + plan.Key,
                Description = OptionalString(body, "description"),
                Environment = OptionalString(body, "environment"),
                StartDate = startDate,
                EndDate = endDate,
                PendingReads = store.Seed.RtmPendingReads,
            };
            execution.Versions.AddRange(versions);
            foreach (var key in chosen.Distinct(StringComparer.Ordinal))
            {
                if (!inPlan.Contains(key))
                {
                    warnings.Add($"Test Case {key} is not included in Test Plan {plan.Key}; no Test Case Execution was created for it.");
                    continue;
                }
                execution.Tces.Add(store.NewTce(issue.Key + "-" + key, key, execution));
            }
            store.Executions[issue.Key] = execution;
            return Json(new JsonObject
            {
                ["issueId"] = long.Parse(issue.Id, CultureInfo.InvariantCulture),
                ["issueKey"] = issue.Key,
                ["testKey"] = issue.Key,
                ["summary"] = execution.Summary,
                ["self"] = $"{http.Request.Scheme}://{http.Request.Host}{ServerOrCloud(store)}/v2/test-execution/{issue.Key}",
                ["warnings"] = warnings,
            });
        }
    }

    private static IResult Status(HttpContext http, SandboxState state, RtmStore store)
    {
        lock (state.SyncRoot)
        {
            var e = Execution(http, store);
            if (e.PendingReads > 0)
            {
                e.PendingReads--;
                return Json(new JsonObject { ["executionStatus"] = "Pending", ["executionResult"] = "Unknown" });
            }
            return Json(new JsonObject { ["executionStatus"] = "Done", ["executionResult"] = "Success" });
        }
    }

    private static IResult ReadExecution(HttpContext http, SandboxState state, RtmStore store)
    {
        lock (state.SyncRoot)
        {
            var e = Execution(http, store);
            return Json(new JsonObject
            {
                ["testKey"] = e.Key,
                ["summary"] = e.Summary,
                ["description"] = e.Description,
                ["environment"] = e.Environment,
                ["testCaseExecutions"] = new JsonArray(e.Tces.Select(t => (JsonNode)new JsonObject
                {
                    ["testKey"] = t.Key,
                    ["result"] = t.Result is null ? null : new JsonObject { ["name"] = t.Result, ["statusName"] = t.Result },
                }).ToArray()),
            });
        }
    }

    // ---- Test Case Execution ----

    private static async Task<IResult> ResultAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        if (!body.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            throw new RtmException("result must be an object with the result's name.", field: "result");
        var name = OptionalString(result, "name") ?? OptionalString(result, "statusName")
            ?? throw new RtmException("result.name (or result.statusName) is required.", field: "result");
        long? actualTime = null;
        if (body.TryGetProperty("actualTime", out var at) && at.ValueKind != JsonValueKind.Null)
            actualTime = at.ValueKind == JsonValueKind.Number && at.TryGetInt64(out var t) && t >= 0 ? t : throw new RtmException("actualTime must be a whole number of 0 or more.", field: "actualTime");
        var environment = OptionalString(body, "environment");
        lock (state.SyncRoot)
        {
            var tce = Tce(http, store);
            var valid = store.Seed.RtmStatuses;
            var match = valid.FirstOrDefault(s => string.Equals(s, name, StringComparison.Ordinal))
                ?? throw new RtmException($"Result '{name}' does not exist in project {tce.Execution.Project}. Valid results: {string.Join(", ", valid)}.", field: "result");
            tce.Result = match;
            tce.ActualTime = actualTime ?? tce.ActualTime;
            tce.Environment = environment ?? tce.Environment;
            tce.ResultWrites++;
            return Results.NoContent();
        }
    }

    /// <summary>GET a TCE (readable while Pending): its result and <c>executionGroups[].executionSteps[]</c> in RTM's shape.</summary>
    private static IResult ReadTce(HttpContext http, SandboxState state, RtmStore store)
    {
        lock (state.SyncRoot)
        {
            var key = Route(http, "tce");
            var tce = store.FindTce(key) ?? throw new RtmException($"Test Case Execution with key {key} does not exist.", 404);
            return Json(TceJson(tce));
        }
    }

    private static JsonObject TceJson(RtmTce tce) => new()
    {
        ["testKey"] = tce.Key,
        ["actualTime"] = tce.ActualTime,
        ["environment"] = tce.Environment,
        ["result"] = tce.Result is null ? null : new JsonObject { ["name"] = tce.Result, ["statusName"] = tce.Result },
        ["executionGroups"] = new JsonArray(new JsonObject
        {
            ["id"] = 1,
            ["name"] = "",
            ["ordinal"] = 1,
            ["executionSteps"] = new JsonArray(tce.Steps.Select(st => (JsonNode)new JsonObject
            {
                ["id"] = st.Id,
                ["ordinal"] = st.Ordinal,
                ["step"] = new JsonObject
                {
                    ["id"] = st.Id - 1000,
                    ["ordinal"] = st.Ordinal,
                    ["stepColumns"] = new JsonArray(new JsonObject { ["columnId"] = 1, ["ordinal"] = 1, ["value"] = st.Action, ["name"] = "Actions" }),
                },
                ["currentStatus"] = new JsonObject { ["name"] = st.Status, ["statusName"] = st.Status },
                ["comment"] = st.Comment,
                ["evidences"] = new JsonArray(st.Attachments.Select((a, i) => (JsonNode)new JsonObject { ["id"] = i + 1, ["fileName"] = a.Filename }).ToArray()),
            }).ToArray()),
        }),
    };

    private static IResult TcesOfCase(HttpContext http, SandboxState state, RtmStore store)
    {
        lock (state.SyncRoot)
        {
            var key = Route(http, "key");
            if (store.Jira.Find(key) is not { Kind: IssueKind.Test })
                throw new RtmException($"Test Case with key {key} does not exist.", 404);
            return Results.Content(new JsonArray(store.Executions.Values.SelectMany(e => e.Tces).Where(t => t.TestCaseKey == key)
                .Select(t => (JsonNode)TceJson(t)).ToArray()).ToJsonString(), "application/json;charset=UTF-8");
        }
    }

    /// <summary>The step at <c>{index}</c> (1-based, its ordinal) of a writable TCE, or RTM's 404.</summary>
    private static RtmStep StepAt(HttpContext http, RtmTce tce)
    {
        var raw = Route(http, "index");
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new RtmException($"Step index must be a number, not '{raw}'.");
        return tce.Steps.FirstOrDefault(s => s.Ordinal == index)
            ?? throw new RtmException($"Test Case Execution {tce.Key} has no step with index {index} (it has {tce.Steps.Count} step(s)).", 404);
    }

    private static async Task<IResult> StepStatusAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        var name = OptionalString(body, "name") ?? OptionalString(body, "statusName")
            ?? throw new RtmException("name (or statusName) of the step status is required.", field: "name");
        lock (state.SyncRoot)
        {
            var tce = Tce(http, store);
            var step = StepAt(http, tce);
            var valid = store.Seed.RtmStatuses;
            step.Status = valid.FirstOrDefault(s => string.Equals(s, name, StringComparison.Ordinal))
                ?? throw new RtmException($"Step status '{name}' does not exist in project {tce.Execution.Project}. Valid statuses: {string.Join(", ", valid)}.", field: "name");
            return Results.NoContent();
        }
    }

    private static async Task<IResult> StepCommentAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        var text = OptionalString(body, "text");
        if (string.IsNullOrWhiteSpace(text)) throw new RtmException("text is required.", field: "text");
        lock (state.SyncRoot)
        {
            var step = StepAt(http, Tce(http, store));
            step.Comment = text;
            return Results.NoContent();
        }
    }

    private static async Task<IResult> StepAttachAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var (file, failure) = await ReadFileAsync(http, store);
        if (failure is not null) return failure;
        lock (state.SyncRoot)
        {
            var tce = Tce(http, store);
            var raw = Route(http, "stepId");
            var step = tce.Steps.FirstOrDefault(s => s.Id.ToString(CultureInfo.InvariantCulture) == raw)
                ?? throw new RtmException($"Test Case Execution {tce.Key} has no step with id {raw}.", 404);
            step.Attachments.Add(file!);
            return Json(new JsonObject { ["id"] = step.Attachments.Count, ["fileName"] = file!.Filename });
        }
    }

    private static async Task<IResult> CommentAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        var text = OptionalString(body, "text");
        if (string.IsNullOrWhiteSpace(text)) throw new RtmException("text is required.", field: "text");
        lock (state.SyncRoot)
        {
            var tce = Tce(http, store);
            tce.Comments.Add(text);
            return Json(new JsonObject { ["id"] = tce.Comments.Count, ["text"] = text, ["creationDate"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) });
        }
    }

    private static async Task<IResult> DefectV1Async(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        return Defect(http, state, store, OptionalString(body, "testKey") ?? throw new RtmException("testKey is required.", field: "testKey"));
    }

    private static IResult Defect(HttpContext http, SandboxState state, RtmStore store, string defect)
    {
        lock (state.SyncRoot)
        {
            var tce = Tce(http, store);
            if (store.Jira.Find(defect) is null)
                throw new RtmException($"Issue {defect} does not exist.", 404);
            if (!tce.Defects.Contains(defect)) tce.Defects.Add(defect);
            return Results.NoContent();
        }
    }

    private static async Task<IResult> AttachAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var (file, failure) = await ReadFileAsync(http, store);
        if (failure is not null) return failure;
        lock (state.SyncRoot)
        {
            var tce = Tce(http, store);
            tce.Attachments.Add(file!);
            return Json(new JsonObject { ["id"] = tce.Attachments.Count, ["fileName"] = file!.Filename });
        }
    }

    /// <summary>The multipart part <c>file</c> (Server: behind Jira's XSRF check), or the answer refusing the request.</summary>
    private static async Task<(RtmAttachmentSnapshot? File, IResult? Failure)> ReadFileAsync(HttpContext http, RtmStore store)
    {
        if (!store.Cloud && MultipartChecks.JiraXsrf(http.Request) is { } xsrf) return (null, xsrf);
        if (!http.Request.HasFormContentType) throw new RtmException("The request must be multipart/form-data with a part named file.", 415);
        var (form, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        if (form is null) throw new RtmException(problem!);
        var file = form.Files.GetFile("file") ?? throw new RtmException("The multipart part 'file' is missing.", field: "file");
        string sha;
        await using (var stream = file.OpenReadStream())
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, http.RequestAborted));
        return (new RtmAttachmentSnapshot(file.FileName, file.ContentType, file.Length, sha), null);
    }

    // ---- Test case links ----

    /// <summary>PUT test-case/{key} with a link operation: add, remove, or set (also when the operation is left empty).</summary>
    /// <summary>GET test-case/{key} (V1 and V2): the test case, or 404 with RTM's error body; a read, nothing changes.</summary>
    private static IResult ReadCase(HttpContext http, SandboxState state, RtmStore store)
    {
        var key = Route(http, "key");
        lock (state.SyncRoot)
        {
            if (store.Jira.Find(key) is not { Kind: IssueKind.Test } test)
                throw new RtmException($"Test Case with key {key} does not exist.", 404);
            var covered = store.Covers.TryGetValue(test.Key, out var c) ? c : [];
            return Json(new JsonObject
            {
                ["testKey"] = test.Key,
                ["issueId"] = test.Id,
                ["projectKey"] = test.ProjectKey,
                ["coveredRequirements"] = new JsonArray(covered.Select(r => (JsonNode)new JsonObject { ["testKey"] = r }).ToArray()),
            });
        }
    }

    private static async Task<IResult> CoverAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        var body = await ReadObjectAsync(http);
        var key = Route(http, "key");
        lock (state.SyncRoot)
        {
            if (store.Jira.Find(key) is not { Kind: IssueKind.Test })
                throw new RtmException($"Test Case with key {key} does not exist.", 404);
            if (!body.TryGetProperty("coveredRequirements", out var links)) return Json(new JsonObject());
            var (op, items) = links.ValueKind switch
            {
                JsonValueKind.Array => ("set", links),
                JsonValueKind.Object when links.EnumerateObject().ToList() is [var only] && only.Name is "add" or "set" or "remove" && only.Value.ValueKind == JsonValueKind.Array => (only.Name, only.Value),
                _ => throw new RtmException("coveredRequirements must be a list or one of {\"add\"|\"set\"|\"remove\": [{\"testKey\": ...}]}.", field: "coveredRequirements"),
            };
            var keys = new List<string>();
            foreach (var item in items.EnumerateArray())
            {
                var r = item.ValueKind == JsonValueKind.Object ? OptionalString(item, "testKey") : null;
                if (r is null || store.Jira.Find(r) is not { Kind: IssueKind.Requirement })
                    throw new RtmException($"Requirement {r ?? item.ToString()} does not exist.", field: "coveredRequirements");
                keys.Add(r);
            }
            if (!store.Covers.TryGetValue(key, out var current)) store.Covers[key] = current = [];
            if (op == "set") current.Clear();
            if (op == "remove") current.RemoveAll(keys.Contains);
            else foreach (var r in keys) if (!current.Contains(r)) current.Add(r);
            return Json(new JsonObject());
        }
    }

    // ---- Helpers ----

    private static string ServerOrCloud(RtmStore store) => store.Cloud ? CloudBase : ServerBase;

    internal static string Route(HttpContext http, string name) => http.GetRouteValue(name) as string ?? "";

    private static RtmExecution Execution(HttpContext http, RtmStore store)
    {
        var key = Route(http, "key");
        return store.Executions.GetValueOrDefault(key) ?? throw new RtmException($"Test Execution with key {key} does not exist.", 404);
    }

    private static RtmTce Tce(HttpContext http, RtmStore store)
    {
        var key = Route(http, "tce");
        var tce = store.FindTce(key) ?? throw new RtmException($"Test Case Execution with key {key} does not exist.", 404);
        if (tce.Execution.PendingReads > 0)
            throw new RtmException($"Test Execution {tce.Execution.Key} is still being created (status Pending); try again when it is done.", 409);
        return tce;
    }

    private static async Task<JsonElement> ReadObjectAsync(HttpContext http)
    {
        if (!http.Request.HasJsonContentType()) throw new RtmException("Content-Type must be application/json.", 415);
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, XrayServerEndpoints.StrictJson, http.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new RtmException("The request body must be a JSON object.");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new RtmException($"Invalid JSON: {e.Message}");
        }
    }

    private static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new RtmException($"{name} must be a string.", field: name);
    }

    /// <summary>RTM's dates are YYYY-MM-DD.</summary>
    private static string? Date(JsonElement obj, string name)
    {
        var text = OptionalString(obj, name);
        if (text is null) return null;
        return DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? text
            : throw new RtmException($"{name} must be a date in the form YYYY-MM-DD, not '{text}'.", field: name);
    }

    internal static IResult Json(JsonObject body) => Results.Content(body.ToJsonString(), "application/json;charset=UTF-8");

    /// <summary>RTM's error body: <c>{"errorMessages": [...], "errors": {field: message}}</c>.</summary>
    private static IResult Error(int status, string message, string? field = null)
    {
        var errors = new JsonObject();
        if (field is not null) errors[field] = message;
        var body = new JsonObject { ["errorMessages"] = field is null ? new JsonArray(message) : new JsonArray(), ["errors"] = errors };
        return Results.Content(body.ToJsonString(), "application/json;charset=UTF-8", statusCode: status);
    }
}

/// <summary>A refused RTM request: RTM's error body, 400 unless said otherwise; with a field, the message goes under <c>errors</c>.</summary>
internal sealed class RtmException(string message, int status = 400, string? field = null) : Exception(message)
{
    public int Status { get; } = status;
    public string? Field { get; } = field;
}
