using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.Auth;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Xray;

/// <summary>
/// Xray Server/Data Center REST endpoints, at their real paths under the Jira base URL:
/// <c>POST /rest/raven/{1.0|2.0|latest}/import/execution</c> and <c>.../import/execution/multipart</c>.
/// </summary>
internal static class XrayServerEndpoints
{
    // The real server serves the import under every REST version alias (api-notes §1).
    private static readonly string[] ApiVersions = ["1.0", "2.0", "latest"];

    // Apostrophes and non-ASCII stay readable in error texts ("Unknown property 'tests[0].foo'").
    internal static readonly JsonSerializerOptions ResponseJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static readonly JsonDocumentOptions StrictJson = new()
    {
        // Two "status" keys in one object are ambiguous; a strict double says so instead of
        // silently keeping one.
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        foreach (var version in ApiVersions)
        {
            var group = app.MapGroup($"/rest/raven/{version}")
                .AddEndpointFilter((ctx, next) => JiraAuth.RequireAsync(ctx, next, state));
            // v1.0 answers with testExecIssue only; v2 (and latest) adds testIssues/infoMessages.
            var v2 = version != "1.0";
            // Typed as Func<,> so the IResult is written (a bare HttpContext lambda would bind as RequestDelegate).
            group.MapPost("/import/execution", (Func<HttpContext, Task<IResult>>)(http => ImportJsonAsync(http, state, v2)));
            group.MapPost("/import/execution/multipart", (Func<HttpContext, Task<IResult>>)(http => ImportMultipartAsync(http, state, v2)));
            group.MapGet("/api/test", (Func<HttpContext, IResult>)(http => ExportTests(http, state)));
        }
    }

    /// <summary>
    /// <c>GET /rest/raven/{v}/api/test?keys=K1;K2</c> (Xray DC "Tests - REST"): a list of the Tests among the
    /// keys, each <c>{key, self, reporter, precondition, type, status, definition}</c>. A Manual test's
    /// definition is <c>{"steps": [{id, index, step, data, result, attachments}]}</c> (each text as
    /// <c>{raw, rendered}</c>); a Generic or Cucumber test's a string. Keys that are not Tests (or do not
    /// exist) are left out; no paging. Without <c>keys</c>: 400 text/plain.
    /// </summary>
    private static IResult ExportTests(HttpContext http, SandboxState state)
    {
        var raw = http.Request.Query["keys"].ToString();
        if (string.IsNullOrWhiteSpace(raw))
            return Results.Text("The 'keys' query parameter is required (keys separated by ';').", "text/plain", statusCode: 400);
        var keys = raw.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);
        var list = new JsonArray();
        lock (state.SyncRoot)
        {
            var n = 0;
            foreach (var key in keys)
            {
                if (state.Xray.Definition(key, state.Jira) is not { } def) continue;
                JsonNode definition;
                if (def.TestType == "Manual")
                {
                    var steps = new JsonArray();
                    for (var i = 0; i < def.Steps.Count; i++)
                    {
                        steps.Add(new JsonObject
                        {
                            ["id"] = ++n,
                            ["index"] = i + 1,
                            ["step"] = Text(def.Steps[i]),
                            ["data"] = Text(""),
                            ["result"] = Text(""),
                            ["attachments"] = new JsonArray(),
                        });
                    }
                    definition = new JsonObject { ["steps"] = steps };
                }
                else definition = JsonValue.Create(def.Definition ?? "");
                var issue = state.Jira.Find(key)!;
                list.Add(new JsonObject
                {
                    ["key"] = key,
                    ["self"] = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/rest/api/2/issue/{issue.Id}",
                    ["reporter"] = "admin",
                    ["precondition"] = new JsonArray(),
                    ["type"] = def.TestType,
                    ["status"] = "TODO",
                    ["definition"] = definition,
                });
            }
        }
        return Results.Content(list.ToJsonString(ResponseJson), "application/json;charset=UTF-8");

        static JsonObject Text(string s) => new() { ["raw"] = s, ["rendered"] = s.Length == 0 ? "" : $"<p>{System.Net.WebUtility.HtmlEncode(s)}</p>" };
    }

    private static async Task<IResult> ImportJsonAsync(HttpContext http, SandboxState state, bool v2)
    {
        if (!http.Request.HasJsonContentType())
            return UnsupportedMediaType("Content-Type must be application/json.");

        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(http.Request.Body, StrictJson, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error($"Invalid JSON: {e.Message}");
        }

        using (doc)
            return Run(http, state, v2, () => (XrayJsonParser.Parse(doc.RootElement), null));
    }

    private static async Task<IResult> ImportMultipartAsync(HttpContext http, SandboxState state, bool v2)
    {
        if (!http.Request.HasFormContentType
            || !http.Request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return UnsupportedMediaType("Content-Type must be multipart/form-data.");
        if (MultipartChecks.JiraXsrf(http.Request) is { } xsrf)
            return xsrf;
        var (form, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        if (form is null)
            return Error(problem!);

        var names = form.Keys.Concat(form.Files.Select(f => f.Name)).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var name in names)
        {
            // "testInfo" exists only for the XML formats (api-notes §4); the Xray JSON multipart takes two parts.
            if (name is not ("result" or "info"))
                return Error($"Unknown multipart part '{name}' (expected 'result' and 'info').");
        }

        var resultText = await PartAsync(form, "result", http.RequestAborted);
        if (resultText is null)
            return Error("No execution results where provided.");
        var infoText = await PartAsync(form, "info", http.RequestAborted);

        JsonDocument resultDoc;
        JsonDocument? infoDoc = null;
        try
        {
            resultDoc = JsonDocument.Parse(resultText, StrictJson);
        }
        catch (JsonException e)
        {
            return Error($"Invalid JSON in part 'result': {e.Message}");
        }

        try
        {
            if (infoText is not null)
                infoDoc = JsonDocument.Parse(infoText, StrictJson);
        }
        catch (JsonException e)
        {
            resultDoc.Dispose();
            return Error($"Invalid JSON in part 'info': {e.Message}");
        }

        using (resultDoc)
        using (infoDoc)
        {
            return Run(http, state, v2, () =>
            {
                var request = XrayJsonParser.Parse(resultDoc.RootElement);
                var fields = infoDoc is null
                    ? request.TestExecutionKey is null
                        ? throw new XrayRequestException("Part 'info' is required to create a Test Execution (Jira issue fields).")
                        : new IssueFields(null, null, null, null, null, new Dictionary<string, JsonElement>())
                    : ParseIssueFields(infoDoc.RootElement);
                return (request, fields);
            });
        }
    }

    private static IResult Run(HttpContext http, SandboxState state, bool v2, Func<(ImportRequest, IssueFields?)> parse)
    {
        ImportOutcome outcome;
        try
        {
            // Parse outside the lock (it decodes and hashes evidence); apply inside it.
            var (request, fields) = parse();
            lock (state.SyncRoot)
                outcome = new XrayImporter(state).Import(request, fields);
        }
        catch (XrayRequestException e)
        {
            return Error(e.Message);
        }

        var req = http.Request;
        var baseUrl = $"{req.Scheme}://{req.Host}{req.PathBase}";
        JsonObject Ref(IssueRef r) => new() { ["id"] = r.Id, ["key"] = r.Key, ["self"] = $"{baseUrl}/rest/api/2/issue/{r.Id}" };

        var body = new JsonObject { ["testExecIssue"] = Ref(outcome.TestExecIssue) };
        if (v2)
        {
            var errors = new JsonArray();
            foreach (var e in outcome.Errors)
            {
                var item = new JsonObject();
                // A refused testInfo-only entry has no key to name; the property is then omitted.
                if (e.TestKey is not null)
                    item["testKey"] = e.TestKey;
                item["messages"] = new JsonArray(e.Messages.Select(m => (JsonNode)JsonValue.Create(m)).ToArray());
                errors.Add(item);
            }
            body["testIssues"] = new JsonObject
            {
                ["success"] = new JsonArray(outcome.Success.Select(s => (JsonNode)Ref(s)).ToArray()),
                ["error"] = errors,
            };
            body["infoMessages"] = new JsonArray();
        }
        return Results.Content(body.ToJsonString(ResponseJson), "application/json;charset=UTF-8");
    }

    private static IssueFields ParseIssueFields(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new XrayRequestException("Part 'info' must be a JSON object with 'fields'.");
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name != "fields")
                throw new XrayRequestException($"Unknown property '{p.Name}' in part 'info' (expected 'fields').");
        }
        if (!root.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object)
            throw new XrayRequestException("Part 'info' must be a JSON object with 'fields'.");
        return ParseFieldsObject(fields, keepAll: false);
    }

    /// <summary>
    /// A Jira <c>fields</c> object: standard fields resolved; the others in <c>Extra</c>
    /// (with <paramref name="keepAll"/>, every field is also kept in <c>Extra</c>, as sent).
    /// </summary>
    internal static IssueFields ParseFieldsObject(JsonElement fields, bool keepAll)
    {
        JsonElement? project = null, issueType = null, fixVersions = null;
        string? summary = null, description = null;
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in fields.EnumerateObject())
        {
            switch (p.Name)
            {
                case "project": project = p.Value.Clone(); break;
                case "issuetype": issueType = p.Value.Clone(); break;
                case "fixVersions": fixVersions = p.Value.Clone(); break;
                case "summary": summary = TextField(p); break;
                case "description": description = TextField(p); break;
                default: extra[p.Name] = p.Value.Clone(); break;
            }
            if (keepAll)
                extra[p.Name] = p.Value.Clone();
        }
        return new IssueFields(project, issueType, summary, description, fixVersions, extra);
    }

    internal static string? TextField(JsonProperty p) =>
        p.Value.ValueKind switch
        {
            JsonValueKind.String => p.Value.GetString(),
            JsonValueKind.Null => null,
            _ => throw new XrayRequestException($"{p.Name}: Operation value must be a string"),
        };

    internal static async Task<string?> PartAsync(IFormCollection form, string name, CancellationToken ct)
    {
        // curl -F info=@file.json sends a file part; -F 'info={...}' a plain field. Both are fine.
        if (form.Files.GetFile(name) is { } file)
        {
            using var reader = new StreamReader(file.OpenReadStream());
            return await reader.ReadToEndAsync(ct);
        }
        return form.TryGetValue(name, out var value) ? value.ToString() : null;
    }

    private static IResult Error(string message) =>
        Results.Content(new JsonObject { ["error"] = message }.ToJsonString(ResponseJson), "application/json;charset=UTF-8", statusCode: 400);

    private static IResult UnsupportedMediaType(string message) =>
        Results.Content(new JsonObject { ["error"] = message }.ToJsonString(ResponseJson), "application/json;charset=UTF-8", statusCode: 415);
}
