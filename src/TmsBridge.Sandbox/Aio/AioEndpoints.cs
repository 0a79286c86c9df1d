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

namespace TmsBridge.Sandbox.Aio;

/// <summary>
/// AIO Tests REST API, both products at their real paths: Cloud under <c>/aio-tcms/api/v1</c>
/// (<c>Authorization: AioAuth &lt;token&gt;</c>; the sandbox's base URL stands in for
/// <c>https://tcms.aiojiraapps.com</c>) and Server/DC under <c>/rest/aio-tcms-api/1.0</c> of the
/// Jira base URL (Basic or PAT). The endpoints a results reporter needs (api-notes §1.2): project
/// config, cycle folder get-or-create, cycle create/search/detail, bulk run update, run listing,
/// latest run of a case, run attachment, and the case reads validate uses (search by key, case detail). Every non-200 answer is plain text (the vendor's clients
/// log it verbatim); 200s are JSON.
/// </summary>
internal static partial class AioEndpoints
{
    public const string CloudBase = "/aio-tcms/api/v1";
    public const string ServerBase = "/rest/aio-tcms-api/1.0";
    public const string PlainText = "text/plain;charset=UTF-8";
    public const int MaxRunsPerRequest = 100;
    public const int MaxTitleLength = 255;
    public const string Unauthorized = "Unauthorized";

    /// <summary>Paths the AIO rate limit counts (both flavours).</summary>
    public static bool IsAioPath(PathString path) => path.StartsWithSegments(CloudBase) || path.StartsWithSegments(ServerBase);

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        MapFlavor(app.MapGroup(CloudBase).AddEndpointFilter((ctx, next) => RequireAioAuthAsync(ctx, next, state)), state, state.Aio);
        MapFlavor(app.MapGroup(ServerBase).AddEndpointFilter((ctx, next) => RequireJiraAsync(ctx, next, state)), state, state.AioServer);
    }

    private static void MapFlavor(RouteGroupBuilder g, SandboxState state, AioStore store)
    {
        // Typed as Func<,> so the IResult is written (a bare HttpContext lambda would bind as RequestDelegate).
        g.MapGet("/project/{p}/config", Handler(http => Task.FromResult(Config(http, state, store))));
        g.MapPut("/project/{p}/testcycle/folder/hierarchy", Handler(http => FolderAsync(http, state, store)));
        g.MapPost("/project/{p}/testcycle/detail", Handler(http => CreateCycleAsync(http, state, store)));
        g.MapPost("/project/{p}/testcycle/search", Handler(http => SearchCyclesAsync(http, state, store)));
        g.MapGet("/project/{p}/testcycle/{c}/detail", Handler(http => Task.FromResult(CycleDetail(http, state, store))));
        g.MapPost("/project/{p}/testcycle/{c}/bulk/testrun/update", Handler(http => BulkUpdateAsync(http, state, store)));
        g.MapGet("/project/{p}/testcycle/{c}/testrun", Handler(http => Task.FromResult(ListRuns(http, state, store))));
        g.MapGet("/project/{p}/testcycle/{c}/testcase/{caseKey}/testrun", Handler(http => Task.FromResult(LatestRun(http, state, store))));
        g.MapPost("/project/{p}/testcycle/{c}/testrun/{runId}/attachment", Handler(http => AttachAsync(http, state, store)));
        g.MapPost("/project/{p}/testcase/search", Handler(http => SearchCasesAsync(http, state, store)));
        g.MapGet("/project/{p}/testcase/{caseKey}/detail", Handler(http => Task.FromResult(CaseDetail(http, state, store))));
    }

    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> body) => async http =>
    {
        try
        {
            return await body(http);
        }
        catch (AioException e)
        {
            return Text(e.Message, e.Status);
        }
    };

    // ---- Authentication ----

    /// <summary>Cloud: <c>Authorization: AioAuth &lt;token&gt;</c>, prefix mandatory and spelled exactly so [doc].</summary>
    private static async ValueTask<object?> RequireAioAuthAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, SandboxState state)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string prefix = "AioAuth ";
        var ok = header.StartsWith(prefix, StringComparison.Ordinal)
            && header[prefix.Length..].Trim() is { Length: > 0 } token
            && state.Seed.AioCloudTokens.Exists(t => FixedEquals(t, token));
        return ok ? await next(context) : await DenyAsync(context.HttpContext);
    }

    /// <summary>Server/DC: Jira Basic or a Jira PAT as Bearer [doc].</summary>
    private static async ValueTask<object?> RequireJiraAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, SandboxState state) =>
        JiraAuth.Authenticate(context.HttpContext.Request, state.Jira) is not null ? await next(context) : await DenyAsync(context.HttpContext);

    private static async ValueTask<object?> DenyAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.ContentType = PlainText;
        await http.Response.WriteAsync(Unauthorized, http.RequestAborted);
        return Results.Empty;
    }

    private static bool FixedEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    // ---- Helpers ----

    private static string Route(HttpContext http, string name) => http.GetRouteValue(name) as string ?? "";

    private static AioProject Project(HttpContext http, AioStore store)
    {
        var p = Route(http, "p");
        return store.FindProject(p) ?? throw new AioException($"Project {p} does not exist or AIO Tests is not enabled in it.", 404);
    }

    private static AioCycle FindCycle(HttpContext http, AioStore store, AioProject project)
    {
        var c = Route(http, "c");
        return store.FindCycle(project, c) ?? throw new AioException($"Cycle {c} does not exist in project {project.Key}.", 404);
    }

    private static async Task<JsonElement> ReadObjectAsync(HttpContext http)
    {
        if (!http.Request.HasJsonContentType())
            throw new AioException("Content-Type must be application/json.", 415);
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, XrayServerEndpoints.StrictJson, http.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new AioException("The request body must be a JSON object.");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new AioException($"Invalid JSON: {e.Message}");
        }
    }

    private static void KnownProperties(JsonElement obj, string where, params string[] known)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                throw new AioException($"Unknown property '{p.Name}' in {where} (known: {string.Join(", ", known)}).");
        }
    }

    private static string? OptionalString(JsonElement obj, string name, string? where = null)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new AioException($"{(where is null ? "" : where + ".")}{name} must be a string.");
    }

    /// <summary>A <c>true</c>/<c>false</c> query flag; absent = false [choice].</summary>
    private static bool BoolQuery(HttpContext http, string name)
    {
        var values = http.Request.Query[name];
        if (values.Count == 0)
            return false;
        return values.Count == 1 && bool.TryParse(values[0], out var b)
            ? b
            : throw new AioException($"Query parameter {name} must be true or false.");
    }

    /// <summary><c>startAt</c> (default 0) and <c>maxResults</c> (10–100; anything else silently becomes 100 [doc: community]).</summary>
    private static (int StartAt, int MaxResults) Paging(HttpContext http)
    {
        var q = http.Request.Query;
        var startAt = 0;
        if (q.TryGetValue("startAt", out var s) && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out startAt)))
            throw new AioException("startAt must be a whole number of 0 or more.");
        var maxResults = 100;
        if (q.TryGetValue("maxResults", out var m))
        {
            if (!int.TryParse(m, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxResults))
                throw new AioException("maxResults must be a whole number.");
            if (maxResults is < 10 or > 100)
                maxResults = 100;
        }
        return (startAt, maxResults);
    }

    private static JsonObject Page(List<JsonNode> all, int startAt, int maxResults)
    {
        var items = all.Skip(startAt).Take(maxResults).ToArray();
        return new JsonObject
        {
            ["items"] = new JsonArray(items),
            ["startAt"] = startAt,
            ["maxResults"] = maxResults,
            ["total"] = all.Count,
            ["isLast"] = startAt + items.Length >= all.Count,
        };
    }

    private static IResult Json(JsonObject body) =>
        Results.Content(body.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json;charset=UTF-8");

    private static IResult Text(string message, int status) => Results.Content(message, PlainText, statusCode: status);
}

/// <summary>A refused AIO request: plain-text body, 400 unless said otherwise.</summary>
internal sealed class AioException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
