using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Xray Cloud: API key (client id + secret) exchanged for a token at /api/v2/authenticate, cached
/// for the run and renewed once on 401; Xray JSON imports into /api/v2/import/execution, or the
/// multipart form when executionFields are set (the only way to fill mandatory Jira fields).
/// Client-side budget: 300 requests per 5 minutes (Xray Standard, api-notes/xray.md §7).
/// </summary>
internal sealed class XrayCloudBackend : XrayBackendBase, ITmsProbe
{
    public const string DefaultHost = "https://xray.cloud.getxray.app/";
    private string? _token;

    protected override XrayDialect Dialect => XrayDialect.Cloud;
    protected override string MultipartResultsPart => "results";

    /// <summary>baseUrl, else the regional host (us/eu/au), else the global host.</summary>
    public static Uri ServiceUri(TmsOptions options) =>
        options.BaseUrl ?? new Uri(options.For<XrayOptions>().Region is { } r ? $"https://{r}.xray.cloud.getxray.app/" : DefaultHost);

    public override IEnumerable<string> Validate(TmsOptions options)
    {
        if (!options.DryRun && (options.For<XrayOptions>().ClientId is null || options.For<XrayOptions>().ClientSecret is null))
            yield return $"target 'xray-cloud' needs an Xray API key: {OptionCatalog.ClientId.EnvironmentVariable} and {OptionCatalog.ClientSecret.EnvironmentVariable} (or {OptionCatalog.ClientSecret.SecretFileVariable}); create one in Jira under Apps → Xray → API Keys.";
    }

    protected override Uri ImportUri(PublishContext context, bool multipart) =>
        new(ServiceUri(context.Options), multipart ? "api/v2/import/execution/multipart" : "api/v2/import/execution");

    protected override void Authorize(HttpRequestMessage request, PublishContext context) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);

    protected override Task<bool> SignInAsync(PublishContext context, CancellationToken cancellationToken) => AuthenticateAsync(context, cancellationToken);

    protected override Task<bool> RenewCredentialsAsync(PublishContext context, CancellationToken cancellationToken)
    {
        _token = null;
        return AuthenticateAsync(context, cancellationToken);
    }

    /// <summary>POST /api/v2/authenticate answers the token as a JSON string.</summary>
    private async Task<bool> AuthenticateAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var body = new JsonObject { ["client_id"] = o.For<XrayOptions>().ClientId, ["client_secret"] = o.For<XrayOptions>().ClientSecret }.ToJsonString();
        var uri = new Uri(ServiceUri(o), "api/v2/authenticate");
        TmsHttpResponse response;
        try
        {
            response = await context.Http.SendAsync(new HttpCall(() => new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            }), cancellationToken).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            context.Report.Errors.Add($"Xray Cloud: authentication failed: {context.Redactor.Redact(e.Message)}");
            return false;
        }
        if (!response.IsSuccess)
        {
            var hint = response.StatusCode is 400 or 401 ? $" (check {OptionCatalog.ClientId.EnvironmentVariable} and {OptionCatalog.ClientSecret.EnvironmentVariable})" : "";
            context.Report.Errors.Add($"Xray Cloud refused the API key (client id {o.For<XrayOptions>().ClientId}): HTTP {response.StatusCode} {response.Status}: {context.Redactor.Redact(TmsErrors.MessageOf(response.Body))}{hint}");
            return false;
        }
        _token = TokenOf(response.Body);
        if (string.IsNullOrEmpty(_token))
        {
            context.Report.Errors.Add("Xray Cloud: the authenticate answer held no token.");
            return false;
        }
        context.Redactor.Add(_token!); // an access token is a secret too
        return true;
    }

    /// <summary>The authenticate answer: the token as a JSON string (or, from some proxies, bare).</summary>
    private static string? TokenOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString() : null;
        }
        catch (JsonException)
        {
            return body.Trim().Trim('"');
        }
    }

    /// <summary>Xray Cloud's statuses are configurable, but TmsBridge reads none: the defaults are shown.</summary>
    public bool ListsStatuses => false;

    /// <summary>
    /// The API key exchanged for a token (POST authenticate, which creates nothing), then GraphQL
    /// getTestExecutions with JQL for the project, the option keys and the test keys: Jira refuses a
    /// query naming one that does not exist, so <c>total</c> is all that is read.
    /// </summary>
    public async Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken)
    {
        var o = probe.Options;
        var xray = o.For<XrayOptions>();
        var body = new JsonObject { ["client_id"] = xray.ClientId, ["client_secret"] = xray.ClientSecret }.ToJsonString();
        var answer = await probe.ReachAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(ServiceUri(o), "api/v2/authenticate"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        }, cancellationToken).ConfigureAwait(false);
        if (answer is null) return;
        if (!answer.IsSuccess)
        {
            probe.Failed(ProbeContext.Credentials, $"Xray Cloud refused the API key (client id {xray.ClientId}): {probe.Describe(answer, $" (check {OptionCatalog.ClientId.EnvironmentVariable} and {OptionCatalog.ClientSecret.EnvironmentVariable})")}");
            return;
        }
        _token = TokenOf(answer.Body);
        if (string.IsNullOrEmpty(_token))
        {
            probe.Failed(ProbeContext.Credentials, "Xray Cloud's authenticate answer held no token.");
            return;
        }
        probe.Redactor.Add(_token!);
        probe.Ok(ProbeContext.Credentials, $"Xray Cloud accepted the API key (client id {xray.ClientId}).");

        if (o.Project is null) probe.Skipped(ProbeContext.Project, $"no project is set ({OptionCatalog.Project.EnvironmentVariable}); not checked.");
        else
        {
            var errors = await JqlErrorsAsync(probe, JiraLookup.ProjectJql(o.Project), cancellationToken).ConfigureAwait(false);
            if (errors is null) return;
            if (errors.Count == 0) probe.Ok(ProbeContext.Project, $"project {o.Project} exists in Jira.");
            else if (JiraLookup.NamesUnknownProject(errors)) probe.Failed(ProbeContext.Project, $"project '{o.Project}' does not exist in the Jira site of this API key, or cannot be seen (option project, {OptionCatalog.Project.EnvironmentVariable}).");
            else
            {
                probe.Failed(ProbeContext.Project, $"the lookup of project {o.Project} was refused: {string.Join(" ", errors)}");
                return;
            }
        }
        if (probe.StatusesOnly) return;

        foreach (var (option, variable, key) in new[] { ("testExecution", OptionCatalog.TestExecution.EnvironmentVariable, o.TestExecution), ("testPlan", OptionCatalog.TestPlan.EnvironmentVariable, o.TestPlan) })
        {
            if (key is null) continue;
            var errors = await JqlErrorsAsync(probe, "key = " + JiraLookup.Quote(key), cancellationToken).ConfigureAwait(false);
            if (errors is null) return;
            if (errors.Count == 0) probe.Ok(option, $"{key} exists in Jira.");
            else probe.Failed(option, JiraLookup.UnknownKeys(errors).Count > 0
                ? $"{option} '{key}' does not exist in Jira, or cannot be seen ({variable})."
                : $"looking up {option} '{key}' was refused: {string.Join(" ", errors)}");
        }

        if (probe.NoKeysToCheck()) return;
        var missing = new List<string>();
        foreach (var batch in Chunks.Of(probe.KeysToCheck.ToList(), JiraLookup.KeysPerQuery))
        {
            var errors = await JqlErrorsAsync(probe, JiraLookup.KeysJql(batch), cancellationToken).ConfigureAwait(false);
            if (errors is null) return;
            var unknown = JiraLookup.UnknownKeys(errors);
            if (errors.Count > 0 && unknown.Count == 0)
            {
                probe.Failed(ProbeContext.Keys, $"looking up the keys {string.Join(", ", batch)} was refused: {string.Join(" ", errors)}");
                return;
            }
            missing.AddRange(unknown);
        }
        probe.MissingKeys(missing, o.Project is null ? "Jira" : $"Jira (project {o.Project})");
    }

    /// <summary>A getTestExecutions query with the JQL: the GraphQL errors (empty: the JQL was accepted), or null with a failed line.</summary>
    private async Task<List<string>?> JqlErrorsAsync(ProbeContext probe, string jql, CancellationToken ct)
    {
        var query = new JsonObject
        {
            ["query"] = "query Check($jql: String!, $limit: Int!) { getTestExecutions(jql: $jql, limit: $limit) { total } }",
            ["variables"] = new JsonObject { ["jql"] = jql, ["limit"] = 1 },
        };
        var response = await probe.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ServiceUri(probe.Options), "api/v2/graphql")) { Content = JsonRequests.Body(query) }.AcceptJson();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            return request;
        }, ct).ConfigureAwait(false);
        if (response is null) return null;
        if (!response.IsSuccess)
        {
            probe.Failed(response.StatusCode is 401 or 403 ? ProbeContext.Credentials : ProbeContext.Project, $"the Xray GraphQL API refused the lookup: {probe.Describe(response, XrayErrors.Hint(response.StatusCode))}");
            return null;
        }
        try
        {
            var errors = JsonNode.Parse(response.Body)?["errors"] as JsonArray;
            return errors?.Select(e => (string?)e?["message"] ?? e?.ToJsonString() ?? "").ToList() ?? [];
        }
        catch (JsonException)
        {
            probe.Failed(ProbeContext.Project, $"the Xray GraphQL API answered with a body that is not JSON: {TmsErrors.Excerpt(response.Body, probe.Redactor)}");
            return null;
        }
    }

    /// <summary>Cloud answers only {id, key, self}; there are no per-test results to read.</summary>
    protected override XrayImportAnswer ParseAnswer(TmsHttpResponse response, PublishContext context)
    {
        var answer = new XrayImportAnswer();
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var root = doc.RootElement;
            answer.ExecutionKey = root.TryGetProperty("key", out var k) ? k.GetString() : null;
            answer.ExecutionId = root.TryGetProperty("id", out var id) ? id.ToString() : null;
            var self = root.TryGetProperty("self", out var s) ? s.GetString() : null;
            answer.ExecutionUrl = answer.ExecutionKey is null ? null : BrowseUrl(self, answer.ExecutionKey);
        }
        catch (JsonException)
        {
            answer.Messages.Add("Xray Cloud answered 200 with a body that is not JSON: " + context.Redactor.Redact(TmsErrors.MessageOf(response.Body)));
        }
        return answer;
    }

    /// <summary>"self" is the Jira site's REST link (https://site/rest/api/2/issue/10200): the browse URL is on that site.</summary>
    public static string? BrowseUrl(string? self, string key) =>
        self is not null && Uri.TryCreate(self, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Authority}/browse/{key}" : null;

    protected override string? ExecutionUrl(PublishContext context, string key) => null;

    /// <summary>GraphQL getTestExecutions with the run-marker JQL: finds an execution whose create answer was lost.</summary>
    protected override async Task<TmsHttpResponse?> FindExecutionAsync(string marker, string project, PublishContext context, CancellationToken cancellationToken)
    {
        var jql = MarkerJql(project, marker).Replace("\\", "\\\\").Replace("\"", "\\\"");
        var query = $"{{ getTestExecutions(jql: \"{jql}\", limit: 5) {{ total results {{ issueId jira(fields: [\"key\", \"description\"]) }} }} }}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ServiceUri(context.Options), "api/v2/graphql"))
        {
            Content = JsonRequests.Body(new JsonObject { ["query"] = query }),
        };
        Authorize(request, context);
        var response = await context.Http.SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new TmsHttpException($"looking up the execution of this run failed: HTTP {response.StatusCode} {TmsErrors.MessageOf(response.Body)}", HttpFailureKind.Dropped);
        var results = JsonNode.Parse(response.Body)?["data"]?["getTestExecutions"]?["results"] as JsonArray;
        // JQL's ~ is a word search: adopt only an execution whose description holds the exact marker.
        // Jira Cloud may answer the description as plain text or as ADF (a JSON document): look in either.
        var first = results?.FirstOrDefault(r => RunMarker.IsInField(r?["jira"]?["description"], marker));
        var key = (string?)first?["jira"]?["key"];
        if (key is null) return null;
        var found = new JsonObject { ["id"] = first?["issueId"]?.ToString(), ["key"] = key };
        return Recovered(found.ToJsonString());
    }

    /// <summary>GraphQL lists take at most 100 results a page.</summary>
    protected override int LookupChunkSize => 100;

    /// <summary>
    /// GraphQL getTests with "key in (...)": each test's type (kind "Steps" for Manual and custom step
    /// types) and its steps. GraphQL answers errors with 200 and an "errors" list (e.g. a key Jira does
    /// not know fails the whole JQL): that is a failed lookup.
    /// </summary>
    protected override async Task<Dictionary<string, int>> LookUpStepsAsync(IReadOnlyList<string> keys, PublishContext context, CancellationToken cancellationToken)
    {
        // JQL fails as a whole for a key Jira does not know ("An issue with key 'X' does not exist"): such keys
        // are dropped and the rest asked again, a few times, so one typo does not cost the chunk its step results.
        var asked = keys.ToList();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await LookUpOnceAsync(asked, context, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e) when (attempt < 3 && e.Message.StartsWith("GraphQL: ", StringComparison.Ordinal))
            {
                var named = asked.Where(k => e.Message.IndexOf($"'{k}'", StringComparison.OrdinalIgnoreCase) >= 0).ToList();
                if (named.Count == 0 || named.Count == asked.Count) throw;
                asked.RemoveAll(named.Contains);
            }
        }
    }

    private async Task<Dictionary<string, int>> LookUpOnceAsync(IReadOnlyList<string> keys, PublishContext context, CancellationToken cancellationToken)
    {
        // Keys passed the Jira key rule (letters, digits, '_' and '-'), so they need no quoting in JQL.
        var jql = $"key in ({string.Join(", ", keys)})";
        var query = $"{{ getTests(jql: \"{jql}\", limit: {LookupChunkSize}) {{ total results {{ issueId jira(fields: [\"key\"]) testType {{ name kind }} steps {{ id }} }} }} }}";
        var uri = new Uri(ServiceUri(context.Options), "api/v2/graphql");
        var body = await ReadAsync(() => new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = JsonRequests.Body(new JsonObject { ["query"] = query }),
        }, context, cancellationToken).ConfigureAwait(false);
        var root = JsonNode.Parse(body);
        if (root?["errors"] is JsonArray { Count: > 0 } errors)
            throw new InvalidDataException("GraphQL: " + string.Join("; ", errors.Select(e => (string?)e?["message"] ?? e?.ToJsonString())));
        if (root?["data"]?["getTests"]?["results"] is not JsonArray results) throw new InvalidDataException("the answer holds no getTests results");
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var test in results)
        {
            var key = test?["jira"]?["key"] is JsonValue k && k.TryGetValue<string>(out var text) ? text : null;
            var kind = test?["testType"]?["kind"] is JsonValue v && v.TryGetValue<string>(out var kindText) ? kindText : null;
            if (key is not null && string.Equals(kind, "Steps", StringComparison.OrdinalIgnoreCase) && test?["steps"] is JsonArray steps)
                counts[key] = steps.Count;
        }
        return counts;
    }

    /// <summary>Cloud takes Test Plan and environments of a multipart create as xrayFields.</summary>
    protected override void AddMultipartExtras(JsonObject info, TmsOptions options)
    {
        var xray = new JsonObject();
        if (options.TestPlan is not null) xray["testPlanKey"] = options.TestPlan;
        if (options.Environments.Count > 0) xray["environments"] = new JsonArray(options.Environments.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray());
        if (xray.Count > 0) info["xrayFields"] = xray;
    }
}
