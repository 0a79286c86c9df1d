using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// `tmsbridge validate` on QMetry Cloud with an Open API key (api-notes/aio-qmetry.md §2.6): GET projects for the
/// project's numeric id, then one POST testcases/search (a search: it changes nothing) per key with the filter
/// <c>{"projectId":n,"key":"K"}</c>; the documented key filter takes one key, so the keys go a few at a time,
/// capped at <see cref="MaxKeysLookedUp"/>. The Automation API key cannot read test cases.
/// </summary>
internal static class QMetryKeyLookup
{
    public const int MaxKeysLookedUp = 200;
    /// <summary>QTM4J documents no rate limit: a handful in flight keeps validate polite.</summary>
    public const int Parallelism = 4;
    private const string OpenKeyHint = " (check TMS_QMETRY_OPEN_API_KEY: an Open API key, QMetry → Configuration → Open API)";

    public static async Task ProbeAsync(ProbeContext probe, CancellationToken ct)
    {
        var o = probe.Options;
        var openKey = o.For<QMetryOptions>().QmetryOpenApiKey;
        var root = new Uri(QMetryFlavour.CloudHost(o), QMetryEvidence.OpenApiPath);
        HttpRequestMessage Request(HttpMethod method, string relative, JsonNode? body = null)
        {
            var request = JsonRequests.Create(method, new Uri(root, relative), body);
            request.Headers.TryAddWithoutValidation("apiKey", openKey);
            return request;
        }

        var project = RunProject.Of(o.Project, probe.KeysToCheck);
        if (project is null)
        {
            probe.Skipped(ProbeContext.Project, "no project option and no key to take it from: nothing to look up.");
            return;
        }
        var projects = await probe.SendAsync(() => Request(HttpMethod.Get, "projects"), ct).ConfigureAwait(false);
        if (projects is null) return;
        if (projects.StatusCode is 401 or 403)
        {
            probe.Failed(ProbeContext.Credentials, $"QMetry's Open API refused the Open API key: {probe.Describe(projects, OpenKeyHint)}");
            return;
        }
        if (!projects.IsSuccess)
        {
            probe.Failed(ProbeContext.Project, $"listing the projects through the Open API was refused: {probe.Describe(projects)}");
            return;
        }
        if (ProjectId(projects.Body, project) is not { } projectId)
        {
            probe.Failed(ProbeContext.Project, $"project '{project}' is not among the projects the Open API key reaches (option project, TMS_PROJECT, or the keys' prefix).");
            return;
        }
        probe.Ok(ProbeContext.Project, $"project {project} exists in QMetry (id {projectId}).");
        if (probe.StatusesOnly || probe.NoKeysToCheck()) return;

        var keys = probe.CappedKeys(MaxKeysLookedUp, "QMetry's test case search takes one key a request");
        // Workers only collect answers; the lines are added afterwards, on one thread.
        var answers = new ConcurrentDictionary<string, TmsHttpResponse>(StringComparer.OrdinalIgnoreCase);
        string? unreachable = null;
        await BoundedParallel.ForEachAsync(keys, Parallelism, async (key, token) =>
        {
            if (Volatile.Read(ref unreachable) is not null) return;
            try
            {
                answers[key] = await probe.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Post, "testcases/search?startAt=0&maxResults=1",
                    new JsonObject { ["filter"] = new JsonObject { ["projectId"] = projectId, ["key"] = key } })), token).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                Interlocked.CompareExchange(ref unreachable, e.Message, null);
            }
        }, ct).ConfigureAwait(false);
        // A cancelled validate leaves keys unread: it stops here rather than judge them.
        ct.ThrowIfCancellationRequested();
        if (unreachable is not null)
        {
            probe.Failed(ProbeContext.Reachability, $"QMetry's Open API stopped answering while the test cases were searched: {probe.Redactor.Redact(unreachable)}");
            return;
        }
        var missing = new List<string>();
        foreach (var key in keys)
        {
            var answer = answers[key];
            if (!answer.IsSuccess || FoundKeys(answer.Body) is not { } found)
            {
                probe.Failed(ProbeContext.Keys, $"searching test case {key} was refused: {probe.Describe(answer, answer.StatusCode is 401 or 403 ? OpenKeyHint : "")}");
                return;
            }
            if (!found.Contains(key, StringComparer.OrdinalIgnoreCase)) missing.Add(key);
        }
        probe.MissingKeys(missing, $"QMetry project {project}", keys.Count);
    }

    /// <summary>The numeric id of the project with that key in GET projects' answer (<c>{data:[{id,key}]}</c> or a bare list).</summary>
    internal static long? ProjectId(string body, string project)
    {
        foreach (var item in Data(body) ?? [])
            if (item.TryGetProperty("key", out var k) && string.Equals(k.GetString(), project, StringComparison.OrdinalIgnoreCase)
                && item.TryGetProperty("id", out var id) && long.TryParse(id.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return n;
        return null;
    }

    /// <summary>The keys of a testcases/search answer (<c>{data:[{key}]}</c>), or null when it holds no list.</summary>
    internal static List<string>? FoundKeys(string body) =>
        Data(body)?.Where(i => i.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String).Select(i => i.GetProperty("key").GetString()!).ToList();

    private static List<JsonElement>? Data(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var list = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
                : doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var d) ? d : default;
            return list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(e => e.Clone()).ToList() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
