using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Aio;

/// <summary>
/// AIO's case reads (seed 002 "Case Information": Case Details and Search Case; api-notes §1.2): the
/// search by key list (<c>{"key":{"comparisonType":"IN","list":[...]}}</c>, paged like every AIO
/// search) and one case's detail by key. Both only read the seeded case library.
/// </summary>
internal static partial class AioEndpoints
{
    /// <summary>The criteria the sandbox evaluates; AIO has more (title, folderID, statusID...), which it refuses rather than ignore.</summary>
    private static readonly string[] CaseCriteria = ["key"];

    private static async Task<IResult> SearchCasesAsync(HttpContext http, SandboxState state, AioStore store)
    {
        var (startAt, maxResults) = Paging(http);
        var root = await ReadObjectAsync(http);
        KnownProperties(root, "the case search (the sandbox evaluates key only)", CaseCriteria);
        var keys = new List<string>();
        if (root.TryGetProperty("key", out var k))
        {
            if (k.ValueKind != JsonValueKind.Object || !k.TryGetProperty("comparisonType", out var type) || type.ValueKind != JsonValueKind.String)
                throw new AioException("key must be a criterion with a comparisonType, e.g. {\"comparisonType\":\"IN\",\"list\":[\"DEMO-TC-1\"]}.");
            switch (type.GetString())
            {
                case "IN":
                    if (!k.TryGetProperty("list", out var list) || list.ValueKind != JsonValueKind.Array)
                        throw new AioException("key with comparisonType IN needs a list of case keys.");
                    foreach (var item in list.EnumerateArray())
                        keys.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new AioException("key.list must hold case keys (strings)."));
                    break;
                case "EXACT_MATCH":
                    keys.Add(OptionalString(k, "value", "key") ?? throw new AioException("key with comparisonType EXACT_MATCH needs a value."));
                    break;
                default:
                    throw new AioException($"comparisonType '{type.GetString()}' is not valid for key (IN, EXACT_MATCH).");
            }
        }
        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var found = keys.Distinct(StringComparer.Ordinal)
                .Select(store.FindCase)
                .Where(c => c is not null && c.ProjectKey == project.Key)
                .Select(c => (JsonNode)Case(c!))
                .ToList();
            return Json(Page(found, startAt, maxResults));
        }
    }

    private static IResult CaseDetail(HttpContext http, SandboxState state, AioStore store)
    {
        lock (state.SyncRoot)
        {
            var project = Project(http, store);
            var key = Route(http, "caseKey");
            var c = store.FindCase(key);
            return c is not null && c.ProjectKey == project.Key
                ? Json(Case(c))
                : throw new AioException($"Case {key} does not exist in project {project.Key}.", 404);
        }
    }

    private static JsonObject Case(AioCase c) => new() { ["key"] = c.Key, ["status"] = new JsonObject { ["name"] = c.Status } };
}
