using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.Auth;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.Jira;

/// <summary>
/// Jira Server/DC issue search over the DC instance's Test Executions:
/// <c>GET /rest/api/2/search?jql=...&amp;fields=...&amp;startAt=..&amp;maxResults=..</c> (also under
/// <c>/rest/api/latest</c>), Jira auth. Lets a client find an execution it may have created
/// when the import's answer was lost. JQL subset: <see cref="JqlFilter"/>.
/// </summary>
internal static class JiraSearchEndpoints
{
    // Jira DC's default page size and its usual cap (jira.search.views.default.max).
    private const int DefaultMaxResults = 50;
    private const int MaxMaxResults = 1000;

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        foreach (var version in new[] { "2", "latest" })
        {
            app.MapGet($"/rest/api/{version}/search", (Func<HttpContext, IResult>)(http => Search(http, state)))
                .AddEndpointFilter((ctx, next) => JiraAuth.RequireAsync(ctx, next, state));
        }
    }

    private static IResult Search(HttpContext http, SandboxState state)
    {
        var q = http.Request.Query;
        if (!TryInt(q["startAt"], 0, out var startAt) || startAt < 0)
            return JiraError($"The value '{q["startAt"]}' is not valid for startAt.");
        if (!TryInt(q["maxResults"], DefaultMaxResults, out var maxResults) || maxResults < 0)
            return JiraError($"The value '{q["maxResults"]}' is not valid for maxResults.");
        maxResults = Math.Min(maxResults, MaxMaxResults);
        var fields = ParseFields(q["fields"].ToString());

        IReadOnlyList<ExecutionRow> rows;
        lock (state.SyncRoot)
        {
            try
            {
                rows = JqlFilter.Parse(q["jql"].ToString(), state.Jira).Apply(ExecutionRow.All(state.Jira, state.Xray, state.RtmServer.Describe));
            }
            catch (JqlException e)
            {
                return JiraError(e.Messages);
            }
        }

        var req = http.Request;
        var baseUrl = $"{req.Scheme}://{req.Host}{req.PathBase}";
        var issues = new JsonArray();
        foreach (var r in rows.Skip(startAt).Take(maxResults))
        {
            var f = new JsonObject();
            if (fields.Contains("summary")) f["summary"] = r.Summary;
            if (fields.Contains("description")) f["description"] = r.Description;
            if (fields.Contains("project")) f["project"] = new JsonObject { ["key"] = r.Project };
            if (fields.Contains("issuetype")) f["issuetype"] = new JsonObject { ["name"] = "Test Execution" };
            issues.Add(new JsonObject
            {
                ["id"] = r.Id,
                ["key"] = r.Key,
                ["self"] = $"{baseUrl}/rest/api/2/issue/{r.Id}",
                ["fields"] = f,
            });
        }
        var body = new JsonObject
        {
            ["startAt"] = startAt,
            ["maxResults"] = maxResults,
            ["total"] = rows.Count,
            ["issues"] = issues,
        };
        return Results.Content(body.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json;charset=UTF-8");
    }

    /// <summary>Requested fields; none given → summary and description (the sandbox's stand-in for *navigable).</summary>
    private static HashSet<string> ParseFields(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (names.Length == 0 || names.Any(n => n is "*all" or "*navigable"))
            set.UnionWith(["summary", "description", "project", "issuetype"]);
        // Unknown field names are ignored, as Jira does ("key" is not a field: it is always at issue level).
        set.UnionWith(names);
        return set;
    }

    private static bool TryInt(Microsoft.Extensions.Primitives.StringValues value, int fallback, out int result)
    {
        if (value.Count == 0 || string.IsNullOrEmpty(value.ToString()))
        {
            result = fallback;
            return true;
        }
        return int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    internal static IResult JiraError(string message) => JiraError([message]);

    internal static IResult JiraError(IReadOnlyList<string> messages) =>
        Results.Content(
            new JsonObject { ["errorMessages"] = new JsonArray(messages.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()), ["errors"] = new JsonObject() }.ToJsonString(XrayServerEndpoints.ResponseJson),
            "application/json;charset=UTF-8", statusCode: 400);
}
