using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.Jira;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.XrayCloud;

/// <summary>
/// <c>POST /api/v2/graphql</c>, answering one query only, parsed crudely (no GraphQL library):
/// <code>
/// { getTestExecutions(jql: "project = DEMO AND description ~ 'run-42'", limit: 10) {
///     total start limit results { issueId jira(fields: ["key", "summary", "description"]) } } }
/// </code>
/// Arguments may be literals or <c>$variables</c> from the request's <c>variables</c>. Enough for a
/// client to find an execution it may have created when the import's answer was lost. Also
/// <c>getTests(jql: "key in (...)", limit:)</c>: test types and steps, for step results (<see cref="GetTests"/>).
/// Errors: an unsupported or malformed query → 400 <c>{"errors":[{"message":..}]}</c>; a bad JQL →
/// 200 with <c>errors</c> and <c>data.getTestExecutions: null</c> (a resolver error in GraphQL terms).
/// </summary>
internal static partial class XrayCloudGraphQl
{
    // Xray Cloud caps "limit" at 100.
    private const int MaxLimit = 100;

    [GeneratedRegex(@"\bgetTestExecutions\s*\((?<args>(?:[^()""]|""(?:[^""\\]|\\.)*"")*)\)\s*\{(?<sel>.*)\}", RegexOptions.Singleline)]
    private static partial Regex RootField();

    [GeneratedRegex(@"\bgetTests\s*\((?<args>(?:[^()""]|""(?:[^""\\]|\\.)*"")*)\)\s*\{(?<sel>.*)\}", RegexOptions.Singleline)]
    private static partial Regex GetTestsField();

    // The JQL getTests understands: key in (K1, K2, ...) or key = K (also "issuekey"/"issue").
    [GeneratedRegex(@"^\s*(?:key|issuekey|issue)\s*(?:in\s*\((?<list>[^()]*)\)|=\s*(?<one>[^\s()]+))\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex KeyJql();

    private static readonly string[] TestFields = ["total", "start", "limit", "results", "issueId", "jira", "testType", "name", "kind", "steps", "id", "action", "data", "result"];

    [GeneratedRegex(@"\b(?<name>jql|limit|start)\s*:\s*(?:""(?<str>(?:[^""\\]|\\.)*)""|\$(?<var>\w+)|(?<num>-?\d+))", RegexOptions.Singleline)]
    private static partial Regex Argument();

    [GeneratedRegex(@"\bjira\s*\(\s*fields\s*:\s*\[(?<list>[^\]]*)\]\s*\)", RegexOptions.Singleline)]
    private static partial Regex JiraField();

    [GeneratedRegex(@"""((?:[^""\\]|\\.)*)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"[A-Za-z_]\w*")]
    private static partial Regex Name();

    private static readonly string[] SelectableFields = ["total", "start", "limit", "results", "issueId", "jira"];

    public static async Task<IResult> HandleAsync(HttpContext http, SandboxState state)
    {
        string query;
        JsonElement variables;
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, XrayServerEndpoints.StrictJson, http.RequestAborted);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("query", out var q) || q.ValueKind != JsonValueKind.String)
                return Errors("Expected a JSON body with a \"query\" string.", 400);
            query = q.GetString()!;
            variables = root.TryGetProperty("variables", out var v) && v.ValueKind == JsonValueKind.Object ? v.Clone() : default;
        }
        catch (JsonException e)
        {
            return Errors($"Invalid JSON: {e.Message}", 400);
        }

        var trimmed = query.TrimStart();
        if (trimmed.StartsWith("mutation", StringComparison.Ordinal) || trimmed.StartsWith("subscription", StringComparison.Ordinal))
            return Errors("The sandbox answers only the query getTestExecutions(jql:, limit:, start:) and the query getTests(jql:, limit:, start:).", 400);
        var tests = GetTestsField().Match(query);
        if (tests.Success)
            return GetTests(tests, variables, state);
        var root1 = RootField().Match(query);
        if (!root1.Success)
            return Errors("The sandbox answers only the query getTestExecutions(jql:, limit:, start:) and the query getTests(jql:, limit:, start:).", 400);

        if (ParseArguments(root1.Groups["args"].Value, variables, out var jql, out var limit, out var start) is { } bad)
            return bad;

        // Selection set: which fields to return, and the jira(fields: [...]) list.
        var selection = root1.Groups["sel"].Value;
        string[]? jiraFields = null;
        var jiraMatch = JiraField().Match(selection);
        if (jiraMatch.Success)
        {
            jiraFields = StringLiteral().Matches(jiraMatch.Groups["list"].Value).Select(m => Unescape(m.Groups[1].Value)).ToArray();
            selection = selection.Remove(jiraMatch.Index, jiraMatch.Length).Insert(jiraMatch.Index, " jira ");
        }
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Name().Matches(selection))
        {
            if (!SelectableFields.Contains(m.Value, StringComparer.Ordinal))
                return Errors($"Cannot query field \"{m.Value}\" here: the sandbox supports total, start, limit and results {{ issueId jira(fields: [...]) }}.", 400);
            selected.Add(m.Value);
        }
        if (selected.Contains("jira") && jiraFields is null)
            return Errors("Field \"jira\" needs the argument fields: [\"key\", ...].", 400);

        IReadOnlyList<ExecutionRow> rows;
        lock (state.SyncRoot)
        {
            try
            {
                var cloud = state.XrayCloud;
                rows = JqlFilter.Parse(jql, cloud.Jira).Apply(ExecutionRow.All(cloud.Jira, cloud.Store));
            }
            catch (JqlException e)
            {
                var failed = new JsonObject
                {
                    ["errors"] = new JsonArray(e.Messages.Select(m => (JsonNode?)new JsonObject { ["message"] = m, ["path"] = new JsonArray("getTestExecutions") }).ToArray()),
                    ["data"] = new JsonObject { ["getTestExecutions"] = null },
                };
                return Results.Content(failed.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json; charset=utf-8");
            }
        }

        var result = new JsonObject();
        if (selected.Contains("total")) result["total"] = rows.Count;
        if (selected.Contains("start")) result["start"] = start;
        if (selected.Contains("limit")) result["limit"] = limit;
        if (selected.Contains("results"))
        {
            var items = new JsonArray();
            foreach (var r in rows.Skip(start).Take(limit))
            {
                var item = new JsonObject();
                if (selected.Contains("issueId")) item["issueId"] = r.Id;
                if (jiraFields is not null)
                {
                    var jira = new JsonObject();
                    foreach (var f in jiraFields.Distinct(StringComparer.Ordinal))
                    {
                        jira[f] = f switch
                        {
                            "key" => r.Key,
                            "summary" => r.Summary,
                            "description" => r.Description,
                            "project" => new JsonObject { ["key"] = r.Project },
                            "issuetype" => new JsonObject { ["name"] = "Test Execution" },
                            _ => null, // unknown Jira fields come back null
                        };
                    }
                    item["jira"] = jira;
                }
                items.Add(item);
            }
            result["results"] = items;
        }
        var body = new JsonObject { ["data"] = new JsonObject { ["getTestExecutions"] = result } };
        return Results.Content(body.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json; charset=utf-8");
    }

    /// <summary>
    /// <c>getTests(jql: "key in (DEMO-8, DEMO-9)", limit: 100) { total results { issueId jira(fields: ["key"])
    /// testType { name kind } steps { id action data result } } }</c>: the Tests among the keys, in the
    /// order given, with their type (kind Steps, Gherkin or Unstructured) and a Manual test's steps. A key
    /// Jira does not know fails the JQL (200, errors, <c>data.getTests: null</c>), as on a real site.
    /// </summary>
    private static IResult GetTests(Match root, JsonElement variables, SandboxState state)
    {
        if (ParseArguments(root.Groups["args"].Value, variables, out var jql, out var limit, out var start) is { } bad)
            return bad;
        var selection = root.Groups["sel"].Value;
        string[]? jiraFields = null;
        var jiraMatch = JiraField().Match(selection);
        if (jiraMatch.Success)
        {
            jiraFields = StringLiteral().Matches(jiraMatch.Groups["list"].Value).Select(m => Unescape(m.Groups[1].Value)).ToArray();
            selection = selection.Remove(jiraMatch.Index, jiraMatch.Length).Insert(jiraMatch.Index, " jira ");
        }
        foreach (Match m in Name().Matches(selection))
        {
            if (!TestFields.Contains(m.Value, StringComparer.Ordinal))
                return Errors($"Cannot query field \"{m.Value}\" on getTests: the sandbox supports total, start, limit and results {{ issueId jira(fields: [...]) testType {{ name kind }} steps {{ id action data result }} }}.", 400);
        }
        if (selection.Contains("jira", StringComparison.Ordinal) && jiraFields is null)
            return Errors("Field \"jira\" needs the argument fields: [\"key\", ...].", 400);

        var keyJql = KeyJql().Match(jql ?? "");
        if (!keyJql.Success)
            return ResolverError("getTests", "The sandbox's getTests understands only the JQL 'key in (K1, K2, ...)' or 'key = K'.");
        var keys = (keyJql.Groups["list"].Success ? keyJql.Groups["list"].Value.Split(',') : [keyJql.Groups["one"].Value])
            .Select(k => k.Trim().Trim('"', '\'')).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        var items = new JsonArray();
        int total;
        lock (state.SyncRoot)
        {
            var cloud = state.XrayCloud;
            if (keys.FirstOrDefault(k => cloud.Jira.Find(k) is null) is { } unknown)
                return ResolverError("getTests", $"Error in the JQL Query: An issue with key '{unknown}' does not exist for field 'key'.");
            var defs = keys.Select(k => cloud.Store.Definition(k, cloud.Jira)).OfType<Xray.XrayTestDefinition>().ToList();
            total = defs.Count;
            foreach (var def in defs.Skip(start).Take(limit))
            {
                var item = new JsonObject { ["issueId"] = cloud.Jira.Find(def.Key)!.Id };
                if (jiraFields is not null)
                {
                    var jira = new JsonObject();
                    foreach (var f in jiraFields.Distinct(StringComparer.Ordinal))
                        jira[f] = f switch { "key" => def.Key, "summary" => def.Summary, _ => null };
                    item["jira"] = jira;
                }
                item["testType"] = new JsonObject { ["name"] = def.TestType, ["kind"] = def.Kind };
                var steps = new JsonArray();
                for (var i = 0; i < def.Steps.Count; i++)
                    steps.Add(new JsonObject { ["id"] = $"{def.Key}-step-{i + 1}", ["action"] = def.Steps[i], ["data"] = "", ["result"] = "" });
                item["steps"] = steps;
                items.Add(item);
            }
        }
        var result = new JsonObject { ["total"] = total, ["start"] = start, ["limit"] = limit, ["results"] = items };
        var body = new JsonObject { ["data"] = new JsonObject { ["getTests"] = result } };
        return Results.Content(body.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json; charset=utf-8");
    }

    /// <summary>A resolver error: 200 with "errors" and the root field null.</summary>
    private static IResult ResolverError(string field, string message)
    {
        var failed = new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["path"] = new JsonArray(field) }),
            ["data"] = new JsonObject { [field] = null },
        };
        return Results.Content(failed.ToJsonString(XrayServerEndpoints.ResponseJson), "application/json; charset=utf-8");
    }

    /// <summary>jql, limit (required, 1..100) and start of a root field; an error result when one is wrong.</summary>
    private static IResult? ParseArguments(string args, JsonElement variables, out string? jql, out int limit, out int start)
    {
        jql = null;
        int? given = null;
        start = 0;
        limit = 0;
        foreach (Match a in Argument().Matches(args))
        {
            var name = a.Groups["name"].Value;
            JsonElement? value = null;
            if (a.Groups["var"].Success)
            {
                if (variables.ValueKind != JsonValueKind.Object || !variables.TryGetProperty(a.Groups["var"].Value, out var vv))
                    return Errors($"Variable \"${a.Groups["var"].Value}\" is not provided.", 400);
                value = vv;
            }
            switch (name)
            {
                case "jql":
                    jql = value is { } jv
                        ? jv.ValueKind == JsonValueKind.String ? jv.GetString() : null
                        : a.Groups["str"].Success ? Unescape(a.Groups["str"].Value) : null;
                    if (jql is null)
                        return Errors("Argument \"jql\" must be a String.", 400);
                    break;
                default:
                    int n;
                    if (value is { } nv)
                    {
                        if (nv.ValueKind != JsonValueKind.Number || !nv.TryGetInt32(out n))
                            return Errors($"Argument \"{name}\" must be an Int.", 400);
                    }
                    else if (!a.Groups["num"].Success || !int.TryParse(a.Groups["num"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
                    {
                        return Errors($"Argument \"{name}\" must be an Int.", 400);
                    }
                    if (name == "limit") given = n; else start = n;
                    break;
            }
        }
        if (given is null)
            return Errors("Argument \"limit\" of type \"Int!\" is required but not provided.", 400);
        if (given is < 1 or > MaxLimit)
            return Errors($"Argument \"limit\" must be between 1 and {MaxLimit}.", 400);
        if (start < 0)
            return Errors("Argument \"start\" must not be negative.", 400);

        limit = given.Value;
        return null;
    }

    private static string Unescape(string graphQlString)
    {
        try
        {
            return JsonSerializer.Deserialize<string>($"\"{graphQlString}\"")!;
        }
        catch (JsonException)
        {
            return graphQlString;
        }
    }

    private static IResult Errors(string message, int status) =>
        Results.Content(
            new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["message"] = message }) }.ToJsonString(XrayServerEndpoints.ResponseJson),
            "application/json; charset=utf-8", statusCode: status);
}
