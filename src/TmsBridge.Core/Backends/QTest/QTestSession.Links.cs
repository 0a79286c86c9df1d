using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Http;

namespace TmsBridge.Backends.QTest;

/// <summary>Step 5: [Covers] requirements linked to the test cases whose results qTest stored (requirement PIDs resolved in one search).</summary>
internal sealed partial class QTestSession
{
    /// <summary>A qTest requirement PID: RQ-4. [Covers] values of other shapes (another system's keys) are left out quietly.</summary>
    private static readonly System.Text.RegularExpressions.Regex RequirementPid = new(@"^RQ-[1-9][0-9]*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private async Task LinkRequirementsAsync(Dictionary<string, QTestCase> cases, HashSet<string> stored, CancellationToken ct)
    {
        var byRequirement = new Dictionary<string, List<(string Key, long CaseId)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var keyed in _context.Run.Keyed.Where(k => stored.Contains(k.Key) && cases.ContainsKey(k.Key)))
            foreach (var r in keyed.Requirements.Where(r => RequirementPid.IsMatch(r)))
            {
                if (!byRequirement.TryGetValue(r, out var list)) byRequirement[r] = list = [];
                list.Add((keyed.Key, cases[keyed.Key].Id));
            }
        if (byRequirement.Count == 0 || _stopped) return;

        var found = await SearchLinksAsync(byRequirement.Keys.ToList(), ct).ConfigureAwait(false);
        if (found is null) return;
        foreach (var pair in byRequirement)
        {
            if (!found.TryGetValue(pair.Key, out var requirement) || !requirement.TryGetProperty("id", out var i) || !i.TryGetInt64(out var requirementId))
            {
                Warn(pair.Value, $"requirement {pair.Key} does not exist in qTest project {Project}; the link was not made.");
                continue;
            }
            var body = new JsonArray(pair.Value.Select(v => (JsonNode)v.CaseId).Distinct().ToArray());
            var uri = Api("requirements/" + requirementId.ToString(CultureInfo.InvariantCulture) + "/link?type=test-cases");
            try
            {
                var response = await SendAsync(() => Request(HttpMethod.Post, uri, body), ct).ConfigureAwait(false);
                if (!response.IsSuccess) Warn(pair.Value, $"linking requirement {pair.Key} failed: {Describe(response)}");
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                Warn(pair.Value, $"linking requirement {pair.Key} failed: {Redact(e.Message)}");
            }
        }
    }

    /// <summary>The requirement search; a failure costs the links only (the results are stored), so it is a warning.</summary>
    private Task<Dictionary<string, JsonElement>?> SearchLinksAsync(List<string> pids, CancellationToken ct) =>
        SearchAsync("requirements", "pid", pids, ct, message => Report.Warnings.Add($"{Name}: {message}; the requirement links were not made."));

    private void Warn(List<(string Key, long CaseId)> keys, string message)
    {
        Report.Warnings.Add($"{Name}: {message}");
        foreach (var (key, _) in keys) Report.FindKey(key)?.Messages.Add(message);
    }
}
