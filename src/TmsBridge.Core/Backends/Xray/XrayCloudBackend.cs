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
internal sealed class XrayCloudBackend : XrayBackendBase
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
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            _token = doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString() : null;
        }
        catch (JsonException)
        {
            _token = response.Body.Trim().Trim('"');
        }
        if (string.IsNullOrEmpty(_token))
        {
            context.Report.Errors.Add("Xray Cloud: the authenticate answer held no token.");
            return false;
        }
        context.Redactor.Add(_token!); // an access token is a secret too
        return true;
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
