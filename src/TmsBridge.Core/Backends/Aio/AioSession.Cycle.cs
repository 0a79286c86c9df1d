using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Aio;

/// <summary>Step 2: the cycle: the given one, one found by title (createIfAbsent), or one created once (<see cref="CreateOnce"/>).</summary>
internal sealed partial class AioSession
{
    public async Task<AioCycleRef?> ResolveCycleAsync(CancellationToken ct)
    {
        if (O.TestExecution is { } given)
        {
            Report.Execution = new ExecutionReference { Key = given, Reused = true };
            return new AioCycleRef(given, given);
        }
        var title = Title();
        if (O.For<AioOptions>().CycleMode == "createIfAbsent")
        {
            try
            {
                var found = await SearchCycleAsync(title, marker: null, ct).ConfigureAwait(false);
                if (found is { } f)
                {
                    Report.Execution = new ExecutionReference { Key = f.Key, Id = f.Id, Reused = true };
                    return new AioCycleRef(f.Key ?? f.Id!, f.Key);
                }
            }
            catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
            {
                // Creating blindly could make a second cycle of the same title: stop instead.
                Fail($"looking up the cycle '{title}' failed: {Redact(e.Message)}");
                return null;
            }
        }

        JsonNode? folderId = null;
        if (O.For<AioOptions>().CycleFolder is { Length: > 0 } path && AioPayload.FolderPath(path).Count > 0)
        {
            folderId = await CreateFolderAsync(path, ct).ConfigureAwait(false);
            if (folderId is null) return null;
        }

        var marker = Context.Marker;
        var body = AioPayload.CycleBody(title, Objective(), folderId, Tasks());
        CreateOnceAnswer created;
        try
        {
            created = await CreateOnce.FindOrCreateAsync(Context, Name, () => Request(HttpMethod.Post, Api("testcycle/detail"), body),
                // A lost answer may hide a cycle that exists: find it by its exact title (and this run's marker) before creating again.
                // A group's cycle is found the same way before creating (FindBeforeCreate).
                async token => await SearchCycleAsync(title, O.For<AioOptions>().CycleMode == "createIfAbsent" ? null : marker, token).ConfigureAwait(false) is { } found
                    ? new TmsHttpResponse(System.Net.HttpStatusCode.OK, found.Json, "application/json", new Dictionary<string, string>())
                    : null,
                ct, keyOf: CycleKeyOf).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail($"the cycle could not be created: {Redact(e.Message)}");
            return null;
        }
        if (!created.Response.IsSuccess)
        {
            Fail($"the cycle '{title}' could not be created: {Describe(created.Response)}");
            return null;
        }
        (string? Key, string? Id) cycle = (null, null);
        try
        {
            using var doc = JsonDocument.Parse(created.Response.Body);
            cycle = AioPayload.CycleOf(doc.RootElement);
        }
        catch (JsonException) { }
        if (cycle.Key is null && cycle.Id is null)
        {
            Fail($"the answer to the cycle create named no cycle key or ID: {Redact(TmsErrors.MessageOf(created.Response.Body))}");
            return null;
        }
        if (created.Recovered)
            Report.Warnings.Add($"{Name}: the answer to the request that created cycle {cycle.Key ?? cycle.Id} was lost; the cycle was found by its title instead of being created twice.");
        if (created.Existing) Context.ReportJoined(Name, new ExecutionReference { Key = cycle.Key, Id = cycle.Id });
        else Report.Execution = new ExecutionReference { Key = cycle.Key, Id = cycle.Id, Reused = false };
        return new AioCycleRef(cycle.Key ?? cycle.Id!, cycle.Key);
    }

    /// <summary>PUT testcycle/folder/hierarchy: the folder's ID, or null (and the publish failed) when it could not be made.</summary>
    private async Task<JsonNode?> CreateFolderAsync(string path, CancellationToken ct)
    {
        TmsHttpResponse folder;
        try
        {
            folder = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Put, Api("testcycle/folder/hierarchy"), AioPayload.FolderBody(path))), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail($"the cycle folder '{path}' could not be created: {Redact(e.Message)}");
            return null;
        }
        if (!folder.IsSuccess)
        {
            Fail($"the cycle folder '{path}' could not be created: {Describe(folder)}");
            return null;
        }
        JsonNode? folderId = null;
        try
        {
            folderId = JsonNode.Parse(folder.Body)?["ID"]?.DeepClone();
        }
        catch (JsonException) { }
        if (folderId is null) Fail($"the answer for the cycle folder '{path}' named no folder ID.");
        return folderId;
    }

    /// <summary>
    /// POST testcycle/search by exact title; with a marker, only a cycle whose objective carries it.
    /// AIO searches titles only: when the title holds the marker id (the default title does), the
    /// search is "title CONTAINS the marker id", so a group's cycle is found whichever member titled it.
    /// </summary>
    private async Task<(string? Key, string? Id, string Json)?> SearchCycleAsync(string title, string? marker, CancellationToken ct)
    {
        var byMarkerId = Context.FindBeforeCreate && marker is not null && AioPayload.Title(title).Contains("(" + Context.MarkerId);
        var search = byMarkerId ? AioPayload.SearchTitleContaining(Context.MarkerId) : AioPayload.SearchByTitle(title);
        var response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Post, Api("testcycle/search?startAt=0&maxResults=" + AioBackendBase.PageSize), search)), ct).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new TmsHttpException($"searching the cycle '{title}' failed: {Describe(response)}", HttpFailureKind.Dropped);
        using var doc = JsonDocument.Parse(response.Body);
        var items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
            : doc.RootElement.TryGetProperty("items", out var i) ? i : default;
        if (items.ValueKind != JsonValueKind.Array) return null;
        (string? Key, string? Id, string Json)? oldest = null;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var itemTitle = item.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (!byMarkerId && itemTitle is not null && !string.Equals(itemTitle, AioPayload.Title(title), StringComparison.Ordinal)) continue;
            // With a marker, only a cycle that carries it is ours (an older cycle may share the title).
            if (marker is not null && !(item.TryGetProperty("objective", out var obj) && obj.ValueKind == JsonValueKind.String && RunMarker.IsIn(obj.GetString(), marker))) continue;
            var (key, id) = AioPayload.CycleOf(item);
            if (key is null && id is null) continue;
            // Several (shards that raced to create a group's cycle): the oldest, the lowest ID, wins for every one of them.
            if (oldest is null || IdNumber(id) < IdNumber(oldest.Value.Id)) oldest = (key, id, item.GetRawText());
        }
        return oldest;
    }

    private static string? CycleKeyOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var (key, id) = AioPayload.CycleOf(doc.RootElement);
            return key ?? id;
        }
        catch (JsonException) { return null; }
    }

    private static long IdNumber(string? id) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
}
