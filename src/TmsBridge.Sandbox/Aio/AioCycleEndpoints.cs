using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Aio;

/// <summary>AIO endpoints for the project config, cycle folders and cycles (create, search, detail).</summary>
internal static partial class AioEndpoints
{
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
}
