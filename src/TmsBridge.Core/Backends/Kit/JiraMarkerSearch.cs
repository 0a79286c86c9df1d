using System.Text.Json;
using TmsBridge.Http;

namespace TmsBridge.Backends.Kit;

/// <summary>An issue a Jira search found: its key and id.</summary>
internal sealed record JiraIssueRef(string Key, string Id);

/// <summary>
/// Finds, through Jira Server/DC's search (GET rest/api/2/search), the issue a run created: its
/// project, and the run marker in its description. Jira's ~ is a word search, so only an issue
/// whose description holds the exact marker is adopted. For a TMS inside Jira Server/DC whose own
/// API has no search (RTM), after a create whose answer was lost (<see cref="CreateOnce"/>).
/// </summary>
internal static class JiraMarkerSearch
{
    /// <summary>The JQL: project, optional issue type, and the marker's word in the description; oldest first (a group's racing creates settle on the first).</summary>
    /// <summary>
    /// Issues read per search. The word search also matches issues that merely mention the marker's
    /// words (an executionGroup such as gh-4711 splits into common words), and the oldest come first:
    /// a page of 5 could hold only older lookalikes and miss the one execution with the exact marker.
    /// </summary>
    internal const int PageSize = 50;

    public static string Jql(string project, string marker, string? issueType = null) =>
        $"project = \"{project}\"" + (issueType is null ? "" : $" AND issuetype = \"{issueType}\"") + $" AND description ~ \"{RunMarker.Word(marker)}\" ORDER BY created ASC";

    /// <param name="jiraBase">The Jira base URL (with its context path).</param>
    /// <param name="authorize">Adds the credentials (the same host: design §7).</param>
    /// <returns>The issue, or null when none carries the marker.</returns>
    /// <exception cref="TmsHttpException">The search itself failed.</exception>
    public static async Task<JiraIssueRef?> FindAsync(TmsHttpClient http, Uri jiraBase, Action<HttpRequestMessage> authorize, string project, string marker,
        string? issueType, CancellationToken cancellationToken)
    {
        var jql = Uri.EscapeDataString(Jql(project, marker, issueType));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(jiraBase, $"rest/api/2/search?jql={jql}&fields=key,summary,description&maxResults=" + JiraMarkerSearch.PageSize)).AcceptJson();
        authorize(request);
        var response = await http.SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new TmsHttpException($"looking up the issue this run created failed: {TmsErrors.Describe(response, http.Redactor)}", HttpFailureKind.Dropped);
        using var doc = JsonDocument.Parse(response.Body);
        if (!doc.RootElement.TryGetProperty("issues", out var issues) || issues.ValueKind != JsonValueKind.Array) return null;
        foreach (var issue in issues.EnumerateArray())
        {
            if (issue.ValueKind != JsonValueKind.Object || !issue.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String) continue;
            if (!(issue.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Object && f.TryGetProperty("description", out var d)
                  && d.ValueKind == JsonValueKind.String && RunMarker.IsIn(d.GetString(), marker))) continue;
            return new JiraIssueRef(key.GetString()!, issue.TryGetProperty("id", out var id) ? id.ToString() : "");
        }
        return null;
    }
}
