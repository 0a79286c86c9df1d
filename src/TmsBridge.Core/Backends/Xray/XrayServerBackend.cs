using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Xray Server / Data Center: Xray JSON imports into {baseUrl}/rest/raven/2.0/import/execution
/// (multipart when executionFields are set), Basic (user + password) or a Jira PAT (Bearer): <see cref="JiraServerAuth"/>.
/// </summary>
internal sealed class XrayServerBackend : XrayBackendBase, ITmsProbe
{
    public const string ImportPath = "rest/raven/2.0/import/execution";

    protected override XrayDialect Dialect => XrayDialect.Server;
    protected override string MultipartResultsPart => "result";

    public override IEnumerable<string> Validate(TmsOptions options) => JiraServerAuth.Validate(options, "xray");

    /// <summary>Xray DC's statuses are configurable, but TmsBridge reads none: the defaults are shown.</summary>
    public bool ListsStatuses => false;

    /// <summary>Tests, executions and plans are Jira issues: project and keys through Jira search (<see cref="JiraLookup"/>).</summary>
    public Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken) =>
        JiraLookup.ProbeServerAsync(probe, JiraServerAuth.Authorize, XrayErrors.Hint(401),
        [
            ("testExecution", OptionCatalog.TestExecution.EnvironmentVariable, probe.Options.TestExecution),
            ("testPlan", OptionCatalog.TestPlan.EnvironmentVariable, probe.Options.TestPlan),
        ], cancellationToken);

    protected override Uri ImportUri(PublishContext context, bool multipart) =>
        new(context.Options.BaseUrl!, multipart ? ImportPath + "/multipart" : ImportPath);

    protected override void Authorize(HttpRequestMessage request, PublishContext context) => JiraServerAuth.Authorize(request, context.Options);

    /// <summary>
    /// 200 carries the execution and, per test, success or error: an error entry is a partial
    /// failure (Xray did not store that test's result) and is reported under its key.
    /// </summary>
    protected override XrayImportAnswer ParseAnswer(TmsHttpResponse response, PublishContext context)
    {
        var answer = new XrayImportAnswer();
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var root = doc.RootElement;
            if (root.TryGetProperty("testExecIssue", out var exec) && exec.ValueKind == JsonValueKind.Object)
            {
                answer.ExecutionKey = exec.TryGetProperty("key", out var k) ? k.GetString() : null;
                answer.ExecutionId = exec.TryGetProperty("id", out var id) ? id.ToString() : null;
                answer.ExecutionUrl = answer.ExecutionKey is null ? null : ExecutionUrl(context, answer.ExecutionKey);
            }
            if (root.TryGetProperty("testIssues", out var issues) && issues.TryGetProperty("error", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in errors.EnumerateArray())
                {
                    var key = e.TryGetProperty("testKey", out var tk) ? tk.GetString() : null;
                    var messages = e.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Array
                        ? m.EnumerateArray().Select(x => context.Redactor.Redact(x.ToString())).ToList()
                        : [context.Redactor.Redact(e.ToString())];
                    if (key is null) { answer.Messages.Add("Xray refused a test without a key: " + string.Join(" ", messages)); continue; }
                    if (!answer.Refused.TryGetValue(key, out var list)) answer.Refused[key] = list = [];
                    list.AddRange(messages);
                }
            }
            if (root.TryGetProperty("infoMessages", out var info) && info.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in info.EnumerateArray()) answer.Messages.Add("Xray: " + context.Redactor.Redact(m.ToString()));
            }
        }
        catch (JsonException)
        {
            answer.Messages.Add("Xray answered 200 with a body that is not JSON; per-test results could not be checked: " + context.Redactor.Redact(TmsErrors.MessageOf(response.Body)));
        }
        return answer;
    }

    /// <summary>GET /rest/raven/1.0/api/test?keys=K1;K2 has no paging: 50 keys keep the URL and the answer small.</summary>
    protected override int LookupChunkSize => 50;

    /// <summary>
    /// GET /rest/raven/1.0/api/test?keys=K1;K2 answers a list of {key, type, definition}: a step-based
    /// (Manual) test's definition is an object with its "steps", a Generic or Cucumber test's a string.
    /// The shape decides, so a custom test type of the steps kind counts as Manual too. Keys that are
    /// not Tests are left out of the answer.
    /// </summary>
    protected override async Task<Dictionary<string, int>> LookUpStepsAsync(IReadOnlyList<string> keys, PublishContext context, CancellationToken cancellationToken)
    {
        var uri = new Uri(context.Options.BaseUrl!, "rest/raven/1.0/api/test?keys=" + string.Join(";", keys.Select(Uri.EscapeDataString)));
        var body = await ReadAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.AcceptJson();
            return request;
        }, context, cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException("the answer is not a list of tests");
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var test in doc.RootElement.EnumerateArray())
        {
            if (test.ValueKind == JsonValueKind.Object && test.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
                && test.TryGetProperty("definition", out var definition) && definition.ValueKind == JsonValueKind.Object
                && definition.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array)
                counts[key.GetString()!] = steps.GetArrayLength();
        }
        return counts;
    }

    /// <summary>Jira search (GET /rest/api/2/search) for the execution whose description holds the run marker.</summary>
    protected override async Task<TmsHttpResponse?> FindExecutionAsync(string marker, string project, PublishContext context, CancellationToken cancellationToken)
    {
        var jql = Uri.EscapeDataString(MarkerJql(project, marker));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(context.Options.BaseUrl!, $"rest/api/2/search?jql={jql}&fields=key,summary,description&maxResults=" + JiraMarkerSearch.PageSize));
        request.AcceptJson();
        Authorize(request, context);
        var response = await context.Http.SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new TmsHttpException($"looking up the execution of this run failed: HTTP {response.StatusCode} {TmsErrors.MessageOf(response.Body)}", HttpFailureKind.Dropped);
        using var doc = JsonDocument.Parse(response.Body);
        if (!doc.RootElement.TryGetProperty("issues", out var issues)) return null;
        // Jira's ~ is a word search: adopt only an execution whose description holds the exact marker.
        var issue = issues.EnumerateArray().FirstOrDefault(i =>
            i.TryGetProperty("fields", out var f) && f.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String && RunMarker.IsIn(d.GetString(), marker));
        if (issue.ValueKind != JsonValueKind.Object) return null;
        var found = new System.Text.Json.Nodes.JsonObject
        {
            ["testExecIssue"] = new System.Text.Json.Nodes.JsonObject { ["id"] = issue.GetProperty("id").ToString(), ["key"] = issue.GetProperty("key").GetString() },
        };
        return Recovered(found.ToJsonString());
    }
}
