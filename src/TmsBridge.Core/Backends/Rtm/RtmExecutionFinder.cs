using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// Finds, with the RTM token alone, the Test Execution a run created on RTM Cloud, whose API host is
/// not the Jira site (no Jira search) and has no documented TE search or list. RTM documents
/// <c>GET {api}/test-case-execution/test-case/{testCaseKey}</c> ("all test case executions related to
/// the Test Case"; V1, the only form documented): every TCE key is <c>{TE key}-{test case key}</c>, so
/// the run's first test cases name the TEs that hold them; the newest few are read
/// (<c>GET {api}/v2/test-execution/{key}</c>) and the one whose description holds the run marker is
/// adopted. The tree (<c>GET {api}/v2/tree/{projectId}/TEST_EXECUTIONS</c>) would need the numeric
/// Jira project id, which the RTM token cannot look up.
/// </summary>
internal static class RtmExecutionFinder
{
    /// <summary>Test cases whose TCE lists are read: the run's first keys (one may be outside the plan).</summary>
    public const int CasesRead = 3;
    /// <summary>The newest TEs of each list that are read for the marker.</summary>
    public const int ExecutionsRead = 5;

    /// <param name="http">The run's client: each lookup call is sent once (a lookup runs between retries).</param>
    /// <param name="api">Builds an API URI from a path relative to the API root.</param>
    /// <param name="authorize">Adds the RTM token.</param>
    /// <param name="testCaseKeys">The run's test case keys, in order.</param>
    /// <param name="executionPath">The TE read path for a key (V2 or V1).</param>
    /// <returns>The TE key, or null when none of the TEs read carries the marker.</returns>
    /// <exception cref="TmsHttpException">A read failed (other than a test case RTM does not know).</exception>
    public static async Task<string?> FindAsync(TmsHttpClient http, Func<string, Uri> api, Action<HttpRequestMessage> authorize,
        IEnumerable<string> testCaseKeys, string marker, Func<string, string> executionPath, CancellationToken cancellationToken)
    {
        var read = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var testCase in testCaseKeys.Distinct(StringComparer.OrdinalIgnoreCase).Take(CasesRead))
        {
            var list = await GetAsync(http, api("test-case-execution/test-case/" + Uri.EscapeDataString(testCase)), authorize, cancellationToken).ConfigureAwait(false);
            if (list is null) continue;
            var candidates = ExecutionKeysOf(list, testCase).Where(read.Add).Take(ExecutionsRead).ToList();
            foreach (var key in candidates)
            {
                var execution = await GetAsync(http, api(executionPath(key)), authorize, cancellationToken).ConfigureAwait(false);
                if (execution is not null && RunMarker.IsInField(DescriptionOf(execution), marker)) return key;
            }
        }
        return null;
    }

    /// <summary>The TE keys a TCE list names for the test case, newest (highest number) first.</summary>
    internal static List<string> ExecutionKeysOf(string body, string testCase)
    {
        var keys = new List<string>();
        using var doc = JsonDocument.Parse(body);
        var suffix = "-" + testCase;
        foreach (var tce in Items(doc.RootElement))
        {
            if (tce.ValueKind != JsonValueKind.Object || !tce.TryGetProperty("testKey", out var k) || k.ValueKind != JsonValueKind.String) continue;
            var tceKey = k.GetString()!;
            if (tceKey.Length > suffix.Length && tceKey.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                var execution = tceKey.Substring(0, tceKey.Length - suffix.Length);
                if (!keys.Contains(execution, StringComparer.OrdinalIgnoreCase)) keys.Add(execution);
            }
        }
        return keys.OrderByDescending(Number).ToList();
    }

    /// <summary>The list as documented (the example shows one object; "all" suggests a list, or a page of them): every shape read.</summary>
    private static IEnumerable<JsonElement> Items(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array) return root.EnumerateArray().ToList();
        if (root.ValueKind != JsonValueKind.Object) return [];
        foreach (var name in new[] { "content", "values", "items", "testCaseExecutions" })
            if (root.TryGetProperty(name, out var page) && page.ValueKind == JsonValueKind.Array) return page.EnumerateArray().ToList();
        return [root];
    }

    private static long Number(string key) =>
        long.TryParse(key.Substring(key.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    /// <summary>The TE's description as answered: text (V1's example), or an ADF document as Jira Cloud fields may be.</summary>
    private static JsonNode? DescriptionOf(string body) => JsonNode.Parse(body) is JsonObject o ? o["description"] : null;

    /// <summary>The answer's body; null for a 404 (a test case or TE RTM does not know).</summary>
    private static async Task<string?> GetAsync(TmsHttpClient http, Uri uri, Action<HttpRequestMessage> authorize, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri).AcceptJson();
        authorize(request);
        var response = await http.SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 404) return null;
        if (!response.IsSuccess)
            throw new TmsHttpException($"looking up the Test Execution this run created failed: {TmsErrors.Describe(response, http.Redactor)}", HttpFailureKind.Dropped);
        return response.Body;
    }
}
