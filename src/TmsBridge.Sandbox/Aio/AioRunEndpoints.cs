using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Aio;

/// <summary>AIO endpoints for runs: the bulk update, the listing, the latest run of a case, and attachments.</summary>
internal static partial class AioEndpoints
{
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

    private static JsonObject Run(AioStoredRun r) => new()
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
    private static JsonObject NestedRun(AioStoredRun r)
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
        var (read, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        var form = read ?? throw new AioException(problem!);
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

    private static AioStoredRun FindRun(HttpContext http, AioStore store)
    {
        var project = Project(http, store);
        var cycle = FindCycle(http, store, project);
        var runId = Route(http, "runId");
        return cycle.Runs.FirstOrDefault(r => r.Id.ToString(CultureInfo.InvariantCulture) == runId)
            ?? throw new AioException($"Run {runId} does not exist in cycle {cycle.Key}.", 404);
    }
}
