using System.Text.Json;
using System.Text.RegularExpressions;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// Read-only checks through JQL, for the TMSs whose test cases are Jira issues (Xray, RTM): Jira
/// refuses a query naming a project or an issue key that does not exist, with one message per
/// unknown value ("An issue with key 'DEMO-9' does not exist for field 'key'."), so one search with
/// <c>maxResults=0</c> answers "do these keys exist" for a whole batch without reading the issues.
/// Server/DC sends it as GET /rest/api/2/search; Xray Cloud as GraphQL (the JQL is the same).
/// </summary>
internal static class JiraLookup
{
    /// <summary>Keys per query: a JQL list this long stays far below URL length limits.</summary>
    public const int KeysPerQuery = 50;

    private static readonly Regex UnknownKey = new(@"issue with key '(?<key>[^']+)' does not exist", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex UnknownProject = new(@"value '(?<value>[^']+)' does not exist for the field 'project'", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string ProjectJql(string project) => "project = " + Quote(project);

    public static string KeysJql(IEnumerable<string> keys) => "key in (" + string.Join(", ", keys.Select(Quote)) + ")";

    /// <summary>The keys Jira's error messages name as not existing.</summary>
    public static List<string> UnknownKeys(IEnumerable<string> messages) =>
        messages.SelectMany(m => UnknownKey.Matches(m).Cast<Match>()).Select(m => m.Groups["key"].Value.ToUpperInvariant()).Distinct().ToList();

    public static bool NamesUnknownProject(IEnumerable<string> messages) => messages.Any(m => UnknownProject.IsMatch(m));

    /// <summary>Jira's errorMessages of a refused search (or the whole body as one message).</summary>
    public static List<string> ErrorMessages(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errorMessages", out var list) && list.ValueKind == JsonValueKind.Array)
                return list.EnumerateArray().Select(e => e.ToString()).ToList();
        }
        catch (JsonException) { }
        return [TmsErrors.MessageOf(body)];
    }

    /// <summary>
    /// Jira Server/DC (Xray DC, RTM Server/DC): reachability and credentials with the first search,
    /// the project, the keys in batches, and the issue keys options name (testExecution, testPlan).
    /// </summary>
    public static async Task ProbeServerAsync(ProbeContext probe, Action<HttpRequestMessage, TmsOptions> authorize, string credentialsHint,
        IReadOnlyList<(string Option, string EnvironmentVariable, string? Key)> optionKeys, CancellationToken ct)
    {
        var o = probe.Options;
        Func<HttpRequestMessage> Search(string jql) => () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(o.BaseUrl!, "rest/api/2/search?jql=" + Uri.EscapeDataString(jql) + "&maxResults=0&fields=key")).AcceptJson();
            authorize(request, o);
            return request;
        };

        // The first search is the project's (a query Jira refuses for an unknown project), or one any Jira answers.
        var first = await probe.FirstCallAsync(Search(o.Project is null ? "issuetype = \"Test Execution\"" : ProjectJql(o.Project)), credentialsHint, ct).ConfigureAwait(false);
        if (first is null) return;
        if (o.Project is null) probe.Skipped(ProbeContext.Project, $"no project is set ({OptionCatalog.Project.EnvironmentVariable}); not checked.");
        else if (first.IsSuccess) probe.Ok(ProbeContext.Project, $"project {o.Project} exists in Jira.");
        else if (first.StatusCode == 400 && NamesUnknownProject(ErrorMessages(first.Body)))
            probe.Failed(ProbeContext.Project, $"project '{o.Project}' does not exist in this Jira, or the user cannot see it (option project, {OptionCatalog.Project.EnvironmentVariable}).");
        else
        {
            probe.Failed(ProbeContext.Project, $"the Jira search for project {o.Project} was refused: {probe.Describe(first)}");
            return;
        }
        if (probe.StatusesOnly) return;

        foreach (var (option, variable, key) in optionKeys)
        {
            if (key is null) continue;
            var answer = await probe.SendAsync(Search("key = " + Quote(key)), ct).ConfigureAwait(false);
            if (answer is null) return;
            if (answer.IsSuccess) probe.Ok(option, $"{key} exists in Jira.");
            else if (UnknownKeys(ErrorMessages(answer.Body)).Count > 0) probe.Failed(option, $"{option} '{key}' does not exist in this Jira, or the user cannot see it ({variable}).");
            else probe.Failed(option, $"looking up {option} '{key}' was refused: {probe.Describe(answer)}");
        }

        if (probe.NoKeysToCheck()) return;
        var missing = new List<string>();
        foreach (var batch in Chunks.Of(probe.KeysToCheck.ToList(), KeysPerQuery))
        {
            var answer = await probe.SendAsync(Search(KeysJql(batch)), ct).ConfigureAwait(false);
            if (answer is null) return;
            if (answer.IsSuccess) continue;
            var unknown = answer.StatusCode == 400 ? UnknownKeys(ErrorMessages(answer.Body)) : [];
            if (unknown.Count == 0)
            {
                probe.Failed(ProbeContext.Keys, $"looking up the keys {string.Join(", ", batch)} was refused: {probe.Describe(answer)}");
                return;
            }
            missing.AddRange(unknown);
        }
        probe.MissingKeys(missing, o.Project is null ? "Jira" : $"Jira (project {o.Project})");
    }
}
