using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.QMetry;

/// <summary>
/// The part of QMetry Cloud's Open API (<c>/rest/api/latest</c>, header <c>apiKey</c> = an Open API key; api-notes §2.6)
/// that attaches evidence to executions: the linked cases of a cycle with their execution ids (paged, at most 100),
/// the attachment upload policy, the projects and the test case search by key that validate reads, and the storage that takes the policy's form (<c>/qtm4j-attachments</c>, standing in
/// for S3: it refuses credentials and a key it did not hand out).
/// </summary>
internal static class QMetryOpenApiEndpoints
{
    public const string Base = "/rest/api/latest";
    public const string AttachmentStorage = "/qtm4j-attachments";

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        app.MapPost(Base + "/testcycles/{cycleId}/testcases/search", Handler(http => LinkedCasesAsync(http, state)));
        app.MapGet(Base + "/projects", (HttpContext http) => Projects(http, state));
        app.MapPost(Base + "/testcases/search", Handler(http => SearchCasesAsync(http, state)));
        app.MapGet(Base + "/testcycles/{cycleId}/testcase-executions/attachments/url", (HttpContext http) => Policy(http, state));
        app.MapPost(AttachmentStorage, Handler(http => StoreAsync(http, state)));
    }

    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> body) => body;

    private static IResult Error(int status, string message) =>
        Results.Json(new JsonObject { ["status"] = status, ["errorMessage"] = message, ["timestamp"] = DateTime.UtcNow.ToString("dd/MMM/yyyy HH:mm", CultureInfo.InvariantCulture) }, statusCode: status);

    private static string? Project(HttpContext http, SandboxState state)
    {
        var key = http.Request.Headers["apiKey"].ToString();
        lock (state.SyncRoot) return key.Length == 0 ? null : state.QMetry.ProjectOfOpenKey(key);
    }

    private static async Task<IResult> LinkedCasesAsync(HttpContext http, SandboxState state)
    {
        var project = Project(http, state);
        if (project is null) return Error(401, "Invalid or missing Open API key.");
        if (!http.Request.HasJsonContentType()) return Error(400, "Content-Type must be application/json.");
        var body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject;
        if (body?["filter"] is not JsonObject) return Error(400, "A JSON body with \"filter\" is required.");
        var startAt = int.TryParse(http.Request.Query["startAt"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var max = int.TryParse(http.Request.Query["maxResults"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 50;
        if (max > 100) return Error(400, "maxResults must be at most 100.");
        lock (state.SyncRoot)
        {
            var cycle = state.QMetry.FindCycleById(http.GetRouteValue("cycleId") as string ?? "");
            if (cycle is null || cycle.Project != project) return Error(404, "Test Cycle not found.");
            var page = cycle.Executions.Skip(startAt).Take(max).Select(e => (JsonNode)new JsonObject
            {
                ["id"] = "case-" + e.TestCaseKey,
                ["key"] = e.TestCaseKey,
                ["testCaseExecutionId"] = e.Id,
                ["projectId"] = 10000,
            }).ToArray();
            return Results.Json(new JsonObject { ["total"] = cycle.Executions.Count, ["startAt"] = startAt, ["maxResults"] = max, ["data"] = new JsonArray(page) });
        }
    }

    /// <summary>QMetry's numeric project id: the Jira Cloud project's id (QMetry Cloud lives beside Jira Cloud).</summary>
    private static long ProjectId(SandboxState state, string project) =>
        long.TryParse(state.XrayCloud.Jira.FindProject(project)?.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 10000;

    /// <summary>GET projects: the projects the Open API key reaches (paged like every Open API list).</summary>
    private static IResult Projects(HttpContext http, SandboxState state)
    {
        var project = Project(http, state);
        if (project is null) return Error(401, "Invalid or missing Open API key.");
        lock (state.SyncRoot)
        {
            var item = new JsonObject { ["id"] = ProjectId(state, project), ["key"] = project, ["name"] = project };
            return Results.Json(new JsonObject { ["total"] = 1, ["startAt"] = 0, ["maxResults"] = 50, ["data"] = new JsonArray(item) });
        }
    }

    /// <summary>
    /// POST testcases/search: <c>{"filter":{"projectId":n,"key":"K"}}</c>, paged at most 50 (test cases); projectId is
    /// required. The sandbox evaluates projectId and key only and refuses other filters rather than ignore them.
    /// </summary>
    private static async Task<IResult> SearchCasesAsync(HttpContext http, SandboxState state)
    {
        var project = Project(http, state);
        if (project is null) return Error(401, "Invalid or missing Open API key.");
        if (!http.Request.HasJsonContentType()) return Error(400, "Content-Type must be application/json.");
        JsonObject? filter;
        try { filter = (await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject)?["filter"] as JsonObject; }
        catch (System.Text.Json.JsonException e) { return Error(400, "Invalid JSON: " + e.Message); }
        if (filter is null) return Error(400, "A JSON body with \"filter\" is required.");
        foreach (var name in filter.Select(p => p.Key))
            if (name is not ("projectId" or "key")) return Error(400, $"filter.{name} is not evaluated by the sandbox (projectId, key).");
        if (filter["projectId"] is not JsonValue pid || !long.TryParse(pid.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var projectId))
            return Error(400, "filter.projectId is required: the project's numeric id (GET /projects).");
        string? key = null;
        if (filter["key"] is { } k && (k is not JsonValue kv || !kv.TryGetValue(out key))) return Error(400, "filter.key must be a test case key (a string).");
        var startAt = int.TryParse(http.Request.Query["startAt"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var max = int.TryParse(http.Request.Query["maxResults"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 50;
        if (max > 50) return Error(400, "maxResults must be at most 50 for test cases.");
        lock (state.SyncRoot)
        {
            if (projectId != ProjectId(state, project)) return Error(403, $"The Open API key has no access to project {projectId}.");
            var cases = key is null ? state.QMetry.CasesOf(project).ToList()
                : state.QMetry.FindCase(key) is { } c && c.Project == project ? [c] : [];
            var page = cases.Skip(startAt).Take(max).Select(c => (JsonNode)new JsonObject
            {
                ["id"] = "case-" + c.Key,
                ["key"] = c.Key,
                ["summary"] = c.Summary,
                ["projectId"] = projectId,
            }).ToArray();
            return Results.Json(new JsonObject { ["total"] = cases.Count, ["startAt"] = startAt, ["maxResults"] = max, ["data"] = new JsonArray(page) });
        }
    }

    private static IResult Policy(HttpContext http, SandboxState state)
    {
        var project = Project(http, state);
        if (project is null) return Error(401, "Invalid or missing Open API key.");
        var fileName = http.Request.Query["fileName"].ToString();
        var executionId = http.Request.Query["testcaseExecutionId"].ToString();
        if (fileName.Length == 0 || executionId.Length == 0) return Error(400, "fileName and testcaseExecutionId are required.");
        lock (state.SyncRoot)
        {
            var found = state.QMetry.FindExecution(executionId);
            if (found is null || found.Value.Cycle.Project != project || found.Value.Cycle.Id != (http.GetRouteValue("cycleId") as string))
                return Error(404, $"Test case execution {executionId} not found in the cycle.");
            var key = $"attachments/{Guid.NewGuid():N}/{fileName}";
            state.QMetry.AttachmentPolicies[key] = found.Value.Execution.Id;
            return Results.Json(new JsonObject
            {
                ["endpoint_url"] = $"{http.Request.Scheme}://{http.Request.Host}{AttachmentStorage}",
                ["params"] = new JsonObject { ["key"] = key, ["policy"] = "c2FuZGJveA==", ["x-amz-algorithm"] = "AWS4-HMAC-SHA256", ["x-amz-signature"] = key.GetHashCode().ToString("x8", CultureInfo.InvariantCulture) },
            });
        }
    }

    /// <summary>S3's POST-policy upload: fields first, the file last; no credentials; the key must be one handed out (once).</summary>
    private static async Task<IResult> StoreAsync(HttpContext http, SandboxState state)
    {
        if (http.Request.Headers.ContainsKey("Authorization") || http.Request.Headers.ContainsKey("apiKey"))
            return Results.Content("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>", "application/xml", statusCode: 400);
        var (form, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        if (form is null) return Results.Content($"<Error><Code>MalformedPOSTRequest</Code><Message>{System.Net.WebUtility.HtmlEncode(problem)}</Message></Error>", "application/xml", statusCode: 400);
        var file = form.Files.GetFile("file");
        var key = form["key"].ToString();
        if (file is null || key.Length == 0) return Results.Content("<Error><Code>InvalidArgument</Code><Message>key and file are required</Message></Error>", "application/xml", statusCode: 400);
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy, http.RequestAborted);
        var bytes = copy.ToArray();
        lock (state.SyncRoot)
        {
            if (!state.QMetry.AttachmentPolicies.Remove(key, out var executionId))
                return Results.Content("<Error><Code>AccessDenied</Code><Message>Invalid according to Policy</Message></Error>", "application/xml", statusCode: 403);
            var found = state.QMetry.FindExecution(executionId.ToString(CultureInfo.InvariantCulture))!.Value;
            found.Execution.Attachments.Add(new QMetryAttachmentSnapshot(file.FileName, file.ContentType, bytes.Length, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant()));
        }
        return Results.NoContent();
    }
}
