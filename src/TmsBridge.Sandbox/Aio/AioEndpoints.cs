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
/// latest run of a case, run attachment. Every non-200 answer is plain text (the vendor's clients
/// log it verbatim); 200s are JSON.
/// </summary>
internal static class AioEndpoints
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

    // ---- Project config ----

    private static IResult Config(HttpContext http, SandboxState state, AioStore store)
    {
        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            JsonArray Statuses() => new(project.RunStatuses
                .Select(s => (JsonNode)new JsonObject { ["ID"] = s.Id, ["name"] = s.Name, ["type"] = s.Type }).ToArray());
            // Step statuses are configured like run statuses; the sandbox serves the same list [choice].
            return Json(new JsonObject { ["runStatuses"] = Statuses(), ["runStepStatuses"] = Statuses() });
        }
    }

    // ---- Folders ----

    private static async Task<IResult> FolderAsync(HttpContext http, SandboxState state, AioStore store)
    {
        var root = await ReadObjectAsync(http);
        KnownProperties(root, "the folder request", "folderHierarchy", "baseFolderId");
        if (!root.TryGetProperty("folderHierarchy", out var h) || h.ValueKind != JsonValueKind.Array || h.GetArrayLength() == 0)
            throw new AioException("folderHierarchy is required: a non-empty array of folder names.");
        var names = new List<string>();
        foreach (var n in h.EnumerateArray())
        {
            if (n.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(n.GetString()))
                throw new AioException("folderHierarchy must hold non-empty folder names (strings).");
            var name = n.GetString()!.Trim();
            if (name.Length > MaxTitleLength)
                throw new AioException($"A folder name can have at most {MaxTitleLength} characters.");
            names.Add(name);
        }
        int? baseId = null;
        if (root.TryGetProperty("baseFolderId", out var b) && b.ValueKind != JsonValueKind.Null)
            baseId = b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out var id) ? id : throw new AioException("baseFolderId must be a folder ID (number) or null.");

        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var parent = baseId is { } bid
                ? store.FindFolder(project, bid) ?? throw new AioException($"Folder with ID {bid} does not exist in project {project.Key}.")
                : null;
            return Json(Folder(store.GetOrCreateFolder(project, parent, names)));
        }
    }

    private static JsonObject Folder(AioFolder f) => new() { ["ID"] = f.Id, ["name"] = f.Name, ["parentID"] = f.Parent?.Id };

    // ---- Cycles ----

    private static async Task<IResult> CreateCycleAsync(HttpContext http, SandboxState state, AioStore store)
    {
        var root = await ReadObjectAsync(http);
        KnownProperties(root, "the cycle", "title", "objective", "folder", "jiraTaskIDs", "customFields");
        var title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
        if (string.IsNullOrWhiteSpace(title))
            throw new AioException("title is required.");
        if (title.Length > MaxTitleLength)
            throw new AioException($"title can have at most {MaxTitleLength} characters; got {title.Length}.");
        var objective = OptionalString(root, "objective");
        int? folderId = null;
        if (root.TryGetProperty("folder", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            // The whole object from folder/hierarchy may be sent back: only ID counts.
            if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("ID", out var fid) || fid.ValueKind != JsonValueKind.Number || !fid.TryGetInt32(out var id))
                throw new AioException("folder must be an object with the folder's ID, e.g. {\"ID\":101}.");
            folderId = id;
        }
        var tasks = new List<string>();
        if (root.TryGetProperty("jiraTaskIDs", out var j) && j.ValueKind != JsonValueKind.Null)
        {
            if (j.ValueKind != JsonValueKind.Array || j.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw new AioException("jiraTaskIDs must be an array of Jira issue keys.");
            tasks.AddRange(j.EnumerateArray().Select(e => e.GetString()!).Distinct(StringComparer.Ordinal));
        }
        if (root.TryGetProperty("customFields", out var cf) && cf.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
            throw new AioException("customFields must be an array.");

        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var folder = folderId is { } fid2
                ? store.FindFolder(project, fid2) ?? throw new AioException($"Folder with ID {fid2} does not exist in project {project.Key}.")
                : null;
            foreach (var key in tasks)
            {
                if (store.Jira.Find(key) is null)
                    throw new AioException($"Jira issue {key} does not exist.");
            }
            return Json(Cycle(store.CreateCycle(project, title, objective, folder, tasks)));
        }
    }

    private static async Task<IResult> SearchCyclesAsync(HttpContext http, SandboxState state, AioStore store)
    {
        var (startAt, maxResults) = Paging(http);
        var root = await ReadObjectAsync(http);
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name != "title")
                throw new AioException($"Search by '{p.Name}' is not supported by the sandbox (only 'title').");
        }
        Func<AioCycle, bool> match = _ => true;
        if (root.TryGetProperty("title", out var t))
        {
            if (t.ValueKind != JsonValueKind.Object)
                throw new AioException("title must be an object {\"comparisonType\":\"EXACT_MATCH\"|\"CONTAINS\",\"value\":\"...\"}.");
            KnownProperties(t, "title", "comparisonType", "value");
            var type = OptionalString(t, "comparisonType");
            var value = OptionalString(t, "value") ?? throw new AioException("title.value is required.");
            match = type switch
            {
                "EXACT_MATCH" => c => c.Title == value,
                "CONTAINS" => c => c.Title.Contains(value, StringComparison.OrdinalIgnoreCase),
                _ => throw new AioException($"title.comparisonType must be EXACT_MATCH or CONTAINS (the sandbox's text comparisons), not '{type}'."),
            };
        }

        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var found = store.Cycles(project).Where(match).Select(c => (JsonNode)Cycle(c)).ToList();
            return Json(Page(found, startAt, maxResults));
        }
    }

    private static IResult CycleDetail(HttpContext http, SandboxState state, AioStore store)
    {
        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            return Json(Cycle(FindCycle(http, store, project)));
        }
    }

    private static JsonObject Cycle(AioCycle c) => new()
    {
        ["ID"] = c.Id,
        ["key"] = c.Key,
        ["title"] = c.Title,
        ["objective"] = c.Objective,
        ["folder"] = c.Folder is null ? null : Folder(c.Folder),
        ["jiraTaskIDs"] = new JsonArray(c.JiraTaskIds.Select(k => (JsonNode)JsonValue.Create(k)).ToArray()),
    };

    // ---- Runs ----

    private sealed record RunUpdate(string CaseKey, string Status, double? Effort, bool? IsAutomated, List<string>? Comments);

    private static async Task<IResult> BulkUpdateAsync(HttpContext http, SandboxState state, AioStore store)
    {
        var createNewRun = BoolQuery(http, "createNewRun");
        var addCaseToCycle = BoolQuery(http, "addCaseToCycle");
        var root = await ReadObjectAsync(http);
        KnownProperties(root, "the bulk update", "testRuns");
        if (!root.TryGetProperty("testRuns", out var runs) || runs.ValueKind != JsonValueKind.Array)
            throw new AioException("testRuns is required: an array of runs.");
        var count = runs.GetArrayLength();
        if (count == 0)
            throw new AioException("testRuns must not be empty.");
        if (count > MaxRunsPerRequest)
            throw new AioException($"At most {MaxRunsPerRequest} runs can be updated in one request; got {count}.");
        var updates = runs.EnumerateArray().Select((r, i) => ParseRun(r, i)).ToList();

        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var cycle = FindCycle(http, store, project);
            var errors = new JsonObject();
            var errorCount = 0;
            foreach (var u in updates)
            {
                var message = Apply(store, project, cycle, u, createNewRun, addCaseToCycle);
                if (message is null)
                    continue;
                errorCount++;
                // One entry per key: a key refused twice in one request keeps its first message.
                if (!errors.ContainsKey(u.CaseKey))
                    errors[u.CaseKey] = new JsonObject { ["message"] = message };
            }
            return Json(new JsonObject
            {
                ["status"] = errorCount == 0 ? "SUCCESS" : "FAILED",
                ["requestCount"] = updates.Count,
                ["successCount"] = updates.Count - errorCount,
                ["errorCount"] = errorCount,
                ["errors"] = errors,
            });
        }
    }

    /// <summary>Applies one run update; returns the refusal message, or null when stored.</summary>
    private static string? Apply(AioStore store, AioProject project, AioCycle cycle, RunUpdate u, bool createNewRun, bool addCaseToCycle)
    {
        var @case = store.FindCase(u.CaseKey);
        if (@case is null)
            return $"Case {u.CaseKey} does not exist.";
        var status = project.Status(u.Status);
        if (status is null)
            return $"Run status '{u.Status}' does not exist in project {project.Key} (known: {string.Join(", ", project.RunStatuses.Select(s => s.Name))}).";
        if (u.Effort < 0)
            return $"effort must be zero or more seconds; got {u.Effort.Value.ToString(CultureInfo.InvariantCulture)}.";
        if (!cycle.Cases.Contains(u.CaseKey))
        {
            if (!addCaseToCycle)
                return $"Case {u.CaseKey} is not part of the cycle {cycle.Key}. Use addCaseToCycle=true to add it.";
            if (!@case.IsPublished)
                return $"Only Published cases can be added to a cycle; {u.CaseKey} is {@case.Status}.";
            cycle.Cases.Add(u.CaseKey);
        }

        var run = createNewRun ? null : cycle.LatestRun(u.CaseKey);
        if (run is null)
            run = store.NewRun(cycle, u.CaseKey, status);
        run.Status = status;
        // Overwrite what is sent; what is not sent keeps its value [choice].
        if (u.Effort is { } effort)
            run.Effort = effort;
        if (u.IsAutomated is { } automated)
            run.IsAutomated = automated;
        if (u.Comments is { } comments)
            run.Comments = comments;
        return null;
    }

    private static RunUpdate ParseRun(JsonElement r, int index)
    {
        var where = $"testRuns[{index.ToString(CultureInfo.InvariantCulture)}]";
        if (r.ValueKind != JsonValueKind.Object)
            throw new AioException($"{where} must be an object.");
        KnownProperties(r, where, "testCaseKey", "testRunStatus", "effort", "isAutomated", "comments", "assigneeToID");
        var key = OptionalString(r, "testCaseKey", where);
        if (string.IsNullOrWhiteSpace(key))
            throw new AioException($"{where}.testCaseKey is required.");
        var status = OptionalString(r, "testRunStatus", where);
        if (string.IsNullOrEmpty(status))
            throw new AioException($"{where}.testRunStatus is required (a run status name, e.g. Passed).");
        double? effort = null;
        if (r.TryGetProperty("effort", out var e) && e.ValueKind != JsonValueKind.Null)
            effort = e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw new AioException($"{where}.effort must be a number of seconds.");
        bool? automated = null;
        if (r.TryGetProperty("isAutomated", out var a) && a.ValueKind != JsonValueKind.Null)
            automated = a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : throw new AioException($"{where}.isAutomated must be true or false.");
        List<string>? comments = null;
        if (r.TryGetProperty("comments", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.Array || c.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new AioException($"{where}.comments must be an array of strings.");
            comments = c.EnumerateArray().Select(x => x.GetString()!).ToList();
        }
        OptionalString(r, "assigneeToID", where);
        return new RunUpdate(key, status, effort, automated, comments);
    }

    private static IResult ListRuns(HttpContext http, SandboxState state, AioStore store)
    {
        var (startAt, maxResults) = Paging(http);
        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var cycle = FindCycle(http, store, project);
            return Json(Page(cycle.Runs.Select(r => (JsonNode)(store.NestedRunListing ? NestedRun(r) : Run(r))).ToList(), startAt, maxResults));
        }
    }

    private static IResult LatestRun(HttpContext http, SandboxState state, AioStore store)
    {
        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var cycle = FindCycle(http, store, project);
            var caseKey = Route(http, "caseKey");
            var run = cycle.LatestRun(caseKey) ?? throw new AioException($"No run of case {caseKey} in cycle {cycle.Key}.", 404);
            return Json(Run(run));
        }
    }

    private static JsonObject Run(AioRun r) => new()
    {
        ["ID"] = r.Id,
        ["testCaseKey"] = r.TestCaseKey,
        ["testRunStatus"] = new JsonObject { ["ID"] = r.Status.Id, ["name"] = r.Status.Name },
        ["effort"] = r.Effort,
        ["isAutomated"] = r.IsAutomated,
        ["comments"] = new JsonArray(r.Comments.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
        ["createdDate"] = AioStore.FormatDate(r.Created),
    };

    /// <summary>A listed run whose case is nested (<c>testCase: {"key"}</c>) instead of a flat <c>testCaseKey</c>.</summary>
    private static JsonObject NestedRun(AioRun r)
    {
        var run = Run(r);
        run.Remove("testCaseKey");
        run["testCase"] = new JsonObject { ["key"] = r.TestCaseKey };
        return run;
    }

    // ---- Attachments ----

    private static async Task<IResult> AttachAsync(HttpContext http, SandboxState state, AioStore store)
    {
        if (!store.AttachmentsEnabled)
            throw new AioException("Not Found", 404);   // an older AIO Server: the endpoint does not exist [doc: 404]

        lock (state.SyncRoot)
            FindRun(http, store);   // 404s before reading a possibly large body

        if (!http.Request.HasFormContentType
            || !http.Request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new AioException("Content-Type must be multipart/form-data.", 415);
        // AIO Server/DC runs inside Jira: Jira's XSRF check comes first.
        if (store.Flavor == AioFlavor.Server && MultipartChecks.JiraXsrf(http.Request) is { } xsrf)
            return xsrf;
        if (await MultipartChecks.BrowserShapeProblemAsync(http.Request, http.RequestAborted) is { } shape)
            throw new AioException("Malformed multipart request: " + shape);
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            throw new AioException($"Invalid multipart body: {e.Message}");
        }
        foreach (var name in form.Keys.Concat(form.Files.Select(x => x.Name)))
        {
            if (name != "file")
                throw new AioException($"Unknown multipart part '{name}' (expected one part named 'file').");
        }
        if (form.Keys.Count > 0 || form.Files.Count != 1)
            throw new AioException("Expected exactly one part named 'file', holding the file (with a filename).");
        var file = form.Files[0];
        if (string.IsNullOrWhiteSpace(file.FileName))
            throw new AioException("The 'file' part has no filename.");

        string sha256;
        long size;
        await using (var stream = file.OpenReadStream())
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, http.RequestAborted));
            size = file.Length;
        }

        lock (state.SyncRoot)
        {
            var run = FindRun(http, store);   // again: a reset may have happened meanwhile
            var a = store.Attach(run, file.FileName, string.IsNullOrEmpty(file.ContentType) ? null : file.ContentType, size, sha256);
            return Json(new JsonObject { ["ID"] = a.Id, ["fileName"] = a.Filename, ["size"] = a.Size });
        }
    }

    private static AioRun FindRun(HttpContext http, AioStore store)
    {
        var project = Project(http, store);
        var cycle = FindCycle(http, store, project);
        var runId = Route(http, "runId");
        return cycle.Runs.FirstOrDefault(r => r.Id.ToString(CultureInfo.InvariantCulture) == runId)
            ?? throw new AioException($"Run {runId} does not exist in cycle {cycle.Key}.", 404);
    }

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
