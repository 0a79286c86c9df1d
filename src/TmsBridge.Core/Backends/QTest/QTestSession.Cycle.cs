using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>The test cycle the logs go into: the id or PID a submit names, and how the report names it.</summary>
internal sealed record QTestCycle(string Ref, string Name);

/// <summary>Step 2: the test cycle: testExecution, or one created once under testCycleParent (or the root).</summary>
internal sealed partial class QTestSession
{
    private static readonly Regex ParentPid = new(@"^(RL|CL)-([1-9][0-9]*)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex Number = new(@"^[1-9][0-9]*$", RegexOptions.CultureInvariant);

    /// <summary>testCycleParent as (parentType, PID or null, id or null): RL-n a release, CL-n a test cycle, a number a test cycle id; null when neither.</summary>
    internal static (string Type, string? Pid, long? Id)? ParentOf(string value)
    {
        var v = value.Trim();
        var m = ParentPid.Match(v);
        if (m.Success) return (m.Groups[1].Value.ToUpperInvariant() == "RL" ? "release" : "test-cycle", v.ToUpperInvariant(), null);
        if (Number.IsMatch(v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return ("test-cycle", null, id);
        return null;
    }

    private async Task<QTestCycle?> ResolveCycleAsync(CancellationToken ct)
    {
        if (O.TestExecution is { } given)
        {
            Report.Execution = new ExecutionReference { Key = given, Reused = true };
            return new QTestCycle(given, given);
        }
        var (type, parentId) = ("root", 0L);
        if (O.For<QTestOptions>().TestCycleParent is { } p && ParentOf(p) is { } parent)
        {
            type = parent.Type;
            if (parent.Id is { } numeric) parentId = numeric;
            else
            {
                var found = await SearchAsync(parent.Type == "release" ? "releases" : "test-cycles", "pid", [parent.Pid!], ct).ConfigureAwait(false);
                if (found is null) return null;
                if (!found.TryGetValue(parent.Pid!, out var item) || !item.TryGetProperty("id", out var i) || !i.TryGetInt64(out parentId))
                {
                    Fail($"testCycleParent {parent.Pid} does not exist in project {Project}.");
                    return null;
                }
            }
        }
        var where = $"test-cycles?parentId={parentId.ToString(CultureInfo.InvariantCulture)}&parentType={type}";
        var name = O.Summary ?? _context.DefaultTitle;
        var marker = _context.Marker;
        var description = marker is null ? O.Description ?? "" : RunMarker.Append(string.IsNullOrEmpty(O.Description) ? null : O.Description, marker, marker);
        var body = QTestPayload.Cycle(name, description);
        CreateOnceAnswer created;
        try
        {
            // Before creating a group's cycle (FindBeforeCreate) the name is not compared: each member titles it its own way.
            created = await CreateOnce.FindOrCreateAsync(_context, Name, () => Request(HttpMethod.Post, Api(where), body),
                marker is null ? null : async token => await FindCycleAsync(where, _context.FindBeforeCreate ? null : name, marker, token).ConfigureAwait(false),
                ct, SendAsync, keyOf: CycleIdOf).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail($"the test cycle '{name}' could not be created: {Redact(e.Message)}");
            return null;
        }
        if (!created.Response.IsSuccess)
        {
            Fail($"the test cycle '{name}' could not be created: {Describe(created.Response)}");
            return null;
        }
        long cycleId = 0;
        string? pid = null, url = null;
        try
        {
            using var doc = JsonDocument.Parse(created.Response.Body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var i) && i.TryGetInt64(out cycleId))
            {
                pid = Text(root, "pid");
                url = Text(root, "web_url");
            }
        }
        catch (JsonException) { }
        if (cycleId == 0)
        {
            Fail($"the answer to the test cycle create named no id: {TmsErrors.Excerpt(created.Response.Body, _context.Redactor)}");
            return null;
        }
        var id = cycleId.ToString(CultureInfo.InvariantCulture);
        if (created.Recovered)
            Report.Warnings.Add($"{Name}: the answer to the request that created test cycle {pid ?? id} was lost; it was found by its run marker instead of being created twice.");
        if (created.Existing) _context.ReportJoined(Name, new ExecutionReference { Key = pid, Id = id, Url = url });
        else Report.Execution = new ExecutionReference { Key = pid, Id = id, Url = url, Reused = false };
        return new QTestCycle(id, pid ?? id);
    }

    private static string? CycleIdOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("id", out var i) && i.TryGetInt64(out var id)
                ? id.ToString(CultureInfo.InvariantCulture) : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// GET the parent's test cycles: the one named <paramref name="name"/> (any name when null) whose description
    /// carries the marker; of several (shards that raced to create a group's cycle), the oldest: the lowest id.
    /// </summary>
    private async Task<TmsHttpResponse?> FindCycleAsync(string where, string? name, string marker, CancellationToken ct)
    {
        var response = await SendAsync(() => Request(HttpMethod.Get, Api(where)), ct).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            // Before a group's create a failed lookup is said (CreateOnce.FindFirstAsync warns); after a lost answer it is just "not found".
            if (_context.FindBeforeCreate) throw new TmsHttpException($"listing the test cycles failed: {Describe(response)}", HttpFailureKind.Dropped);
            return null;
        }
        using var doc = JsonDocument.Parse(response.Body);
        var items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
            : doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("items", out var i) ? i : default;
        if (items.ValueKind != JsonValueKind.Array) return null;
        JsonElement? oldest = null;
        long oldestId = long.MaxValue;
        foreach (var c in items.EnumerateArray())
        {
            if (c.ValueKind != JsonValueKind.Object || (name is not null && Text(c, "name") != name) || !RunMarker.IsIn(Text(c, "description"), marker)) continue;
            var id = c.TryGetProperty("id", out var idProp) && idProp.TryGetInt64(out var n) ? n : long.MaxValue - 1;
            if (oldest is null || id < oldestId) (oldest, oldestId) = (c, id);
        }
        return oldest is { } found ? new TmsHttpResponse(HttpStatusCode.OK, found.GetRawText(), "application/json", new Dictionary<string, string>()) : null;
    }
}
