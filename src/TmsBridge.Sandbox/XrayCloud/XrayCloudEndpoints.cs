using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.XrayCloud;

/// <summary>
/// Xray Cloud REST v2 at its real paths (the sandbox's base URL stands in for
/// <c>https://xray.cloud.getxray.app</c>): <c>POST /api/v2/authenticate</c>,
/// <c>POST /api/v2/import/execution</c>, <c>POST /api/v2/import/execution/multipart</c>,
/// <c>POST /api/v2/graphql</c> (see <see cref="XrayCloudGraphQl"/>), and the control endpoint
/// <c>POST /_sandbox/xray-cloud/expire-tokens</c>.
/// </summary>
internal static class XrayCloudEndpoints
{
    public static void Map(WebApplication app, SandboxState state)
    {
        // "https://xray.cloud.getxray.app//api/v2/..." is refused by the real service (api-notes §6,
        // xray-action #641). Routing would just 404 it; answer the real 400 instead.
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.Contains("//", StringComparison.Ordinal) && ("/" + path.TrimStart('/')).StartsWith("/api/", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/json;charset=UTF-8";
                await context.Response.WriteAsync("{\"error\":\"Invalid request path: '//' in the URL (check the base URL for a trailing slash).\"}");
                return;
            }
            await next(context);
        });

        app.MapPost("/api/v2/authenticate", (Func<HttpContext, Task<IResult>>)(http => AuthenticateAsync(http, state)));

        var api = app.MapGroup("/api/v2").AddEndpointFilter((ctx, next) => RequireTokenAsync(ctx, next, state));
        api.MapPost("/import/execution", (Func<HttpContext, Task<IResult>>)(http => ImportJsonAsync(http, state)));
        api.MapPost("/import/execution/multipart", (Func<HttpContext, Task<IResult>>)(http => ImportMultipartAsync(http, state)));
        api.MapPost("/graphql", (Func<HttpContext, Task<IResult>>)(http => XrayCloudGraphQl.HandleAsync(http, state)));

        app.MapPost("/_sandbox/xray-cloud/expire-tokens", () => Results.Json(new { expired = state.XrayCloud.ExpireTokens() }));
    }

    // ---- Authentication (api-notes §2) ----

    private const string BadAuthRequest = "Invalid request: expected a JSON object with \"client_id\" and \"client_secret\" strings.";

    private static async Task<IResult> AuthenticateAsync(HttpContext http, SandboxState state)
    {
        JsonDocument doc;
        try
        {
            // Any Content-Type is read as JSON; a body that is not the expected object is a 400 either way.
            doc = await JsonDocument.ParseAsync(http.Request.Body, XrayServerEndpoints.StrictJson, http.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.Text(BadAuthRequest, "text/plain; charset=utf-8", statusCode: 400);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("client_id", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("client_secret", out var secret) || secret.ValueKind != JsonValueKind.String)
                return Results.Text(BadAuthRequest, "text/plain; charset=utf-8", statusCode: 400);

            var token = state.XrayCloud.Authenticate(id.GetString()!, secret.GetString()!);
            if (token is null)
                return Results.Content(
                    "{\"error\":\"Authentication failed. Invalid client credentials!\"}", "application/json;charset=UTF-8", statusCode: 401);
            // The token as a JSON string, quotes included: clients strip them (api-notes §2).
            return Results.Content(JsonSerializer.Serialize(token), "application/json;charset=UTF-8");
        }
    }

    internal const string MissingTokenJson = "{\"error\":\"Unauthorized: missing or invalid Bearer token. Use the token from POST /api/v2/authenticate.\"}";
    internal const string ExpiredTokenJson = "{\"error\":\"Authentication request has expired. Try reloading the page.\"}";

    private static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, SandboxState state)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var status = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? state.XrayCloud.Check(header["Bearer ".Length..].Trim())
            : TokenStatus.Unknown;
        if (status == TokenStatus.Valid)
            return await next(context);

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.ContentType = "application/json;charset=UTF-8";
        await http.Response.WriteAsync(status == TokenStatus.Expired ? ExpiredTokenJson : MissingTokenJson, http.RequestAborted);
        return Results.Empty;
    }

    // ---- Import ----

    private static async Task<IResult> ImportJsonAsync(HttpContext http, SandboxState state)
    {
        if (!http.Request.HasJsonContentType())
            return Error("Content-Type must be application/json.", 415);

        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(http.Request.Body, XrayServerEndpoints.StrictJson, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error($"Invalid JSON: {e.Message}");
        }

        using (doc)
            return Run(http, state, () => (XrayJsonParser.Parse(doc.RootElement, XrayFlavor.Cloud), null, null));
    }

    private static async Task<IResult> ImportMultipartAsync(HttpContext http, SandboxState state)
    {
        if (!http.Request.HasFormContentType
            || !http.Request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return Error("Content-Type must be multipart/form-data.", 415);
        var (form, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        if (form is null)
            return Error(problem!);

        foreach (var name in form.Keys.Concat(form.Files.Select(f => f.Name)).Distinct(StringComparer.Ordinal))
        {
            if (name is not ("results" or "info"))
                return Error($"Unknown multipart part '{name}' (expected 'results' and 'info'){(name == "result" ? "; 'result' is the Server/DC spelling" : "")}.");
        }

        var resultsText = await XrayServerEndpoints.PartAsync(form, "results", http.RequestAborted);
        if (resultsText is null)
            return Error("No execution results where provided.");
        var infoText = await XrayServerEndpoints.PartAsync(form, "info", http.RequestAborted);

        JsonDocument resultsDoc;
        JsonDocument? infoDoc = null;
        try
        {
            resultsDoc = JsonDocument.Parse(resultsText, XrayServerEndpoints.StrictJson);
        }
        catch (JsonException e)
        {
            return Error($"Invalid JSON in part 'results': {e.Message}");
        }

        try
        {
            if (infoText is not null)
                infoDoc = JsonDocument.Parse(infoText, XrayServerEndpoints.StrictJson);
        }
        catch (JsonException e)
        {
            resultsDoc.Dispose();
            return Error($"Invalid JSON in part 'info': {e.Message}");
        }

        using (resultsDoc)
        using (infoDoc)
        {
            return Run(http, state, () =>
            {
                var request = XrayJsonParser.Parse(resultsDoc.RootElement, XrayFlavor.Cloud);
                if (infoDoc is null)
                {
                    if (request.TestExecutionKey is null)
                        throw new XrayRequestException("Part 'info' is required to create a Test Execution (Jira issue fields).");
                    return (request, new IssueFields(null, null, null, null, null, new Dictionary<string, JsonElement>()), null);
                }
                var (fields, xrayFields) = ParseInfoPart(infoDoc.RootElement);
                return (request, fields, xrayFields);
            });
        }
    }

    /// <summary>The Cloud <c>info</c> part: <c>{"fields":{...},"xrayFields":{"testPlanKey":..,"environments":[..]}}</c>.</summary>
    private static (IssueFields, CloudXrayFields?) ParseInfoPart(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new XrayRequestException("Part 'info' must be a JSON object with 'fields'.");
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name is not ("fields" or "xrayFields"))
                throw new XrayRequestException($"Unknown property '{p.Name}' in part 'info' (expected 'fields' and 'xrayFields').");
        }
        if (!root.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object)
            throw new XrayRequestException("Part 'info' must be a JSON object with 'fields'.");
        // Cloud keeps every given field on the execution's "fields", as sent.
        var issueFields = XrayServerEndpoints.ParseFieldsObject(fields, keepAll: true);

        CloudXrayFields? xrayFields = null;
        if (root.TryGetProperty("xrayFields", out var xf))
        {
            if (xf.ValueKind != JsonValueKind.Object)
                throw new XrayRequestException("Property 'xrayFields' in part 'info' must be an object.");
            string? plan = null;
            List<string>? envs = null;
            foreach (var p in xf.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "testPlanKey" when p.Value.ValueKind == JsonValueKind.String:
                        plan = p.Value.GetString();
                        break;
                    case "testPlanKey":
                        throw new XrayRequestException("Property 'xrayFields.testPlanKey' in part 'info' must be a string.");
                    case "environments" when p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                        envs = p.Value.EnumerateArray().Select(e => e.GetString()!).ToList();
                        break;
                    case "environments":
                        throw new XrayRequestException("Property 'xrayFields.environments' in part 'info' must be an array of strings.");
                    default:
                        throw new XrayRequestException($"Unknown property 'xrayFields.{p.Name}' in part 'info' (expected 'testPlanKey' and 'environments').");
                }
            }
            xrayFields = new CloudXrayFields(plan, envs);
        }
        return (issueFields, xrayFields);
    }

    private static IResult Run(HttpContext http, SandboxState state, Func<(ImportRequest, IssueFields?, CloudXrayFields?)> parse)
    {
        ImportOutcome outcome;
        try
        {
            // Parse outside the lock (it decodes and hashes evidence); apply inside it.
            var (request, fields, xrayFields) = parse();
            var cloud = state.XrayCloud;
            lock (state.SyncRoot)
                outcome = new XrayImporter(cloud.Jira, cloud.Store, XrayFlavor.Cloud, cloud.Statuses).Import(request, fields, xrayFields);
        }
        catch (XrayRequestException e)
        {
            return Error(e.Message);
        }

        // Cloud answers only the Test Execution (api-notes §6): no testIssues.
        var req = http.Request;
        var exec = outcome.TestExecIssue;
        var body = new JsonObject
        {
            ["id"] = exec.Id,
            ["key"] = exec.Key,
            ["self"] = $"{req.Scheme}://{req.Host}{req.PathBase}/rest/api/2/issue/{exec.Id}",
        };
        return Results.Content(body.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json;charset=UTF-8");
    }

    internal static IResult Error(string message, int status = 400) =>
        Results.Content(new JsonObject { ["error"] = message }.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json;charset=UTF-8", statusCode: status);
}
