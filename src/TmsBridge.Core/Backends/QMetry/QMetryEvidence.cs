using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// Evidence after a Cloud import, through QMetry's Open API (api-notes/aio-qmetry.md §2.6; header apiKey = the
/// Open API key): the cycle's linked cases with their execution ids (paged, 100 a page), then per file the
/// upload policy (<c>attachments/url</c>) and a POST of the policy's fields and the file to its storage URL,
/// which gets no apiKey. Requests: the listing pages + 2 per file.
/// </summary>
internal sealed class QMetryEvidence(QMetryCloudBackend backend, PublishContext context)
{
    public const string OpenApiPath = "rest/api/latest/";
    public const int PageSize = 100;
    public const int MaxPages = 50;

    private string Name => backend.DisplayName;
    private Uri Api(string relative) => new(new Uri(QMetryFlavour.CloudHost(context.Options), OpenApiPath), relative);

    private HttpRequestMessage Request(HttpMethod method, Uri uri, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, uri).AcceptJson();
        if (body is not null) request.Content = JsonRequests.Body(body);
        request.Headers.TryAddWithoutValidation("apiKey", context.Options.For<QMetryOptions>().QmetryOpenApiKey);
        return request;
    }

    /// <summary>Attaches every planned file to its key's execution in the cycle; a failure costs that file (or the rest), never the results.</summary>
    public async Task AttachAsync(string cycleId, List<PlannedEvidence> evidence, CancellationToken ct)
    {
        var executions = new Dictionary<string, (string ExecutionId, string? ProjectId)>(StringComparer.OrdinalIgnoreCase);
        string? stop = null;
        try
        {
            await BoundedPager.ReadAsync(async (startAt, token) =>
            {
                var uri = Api($"testcycles/{Uri.EscapeDataString(cycleId)}/testcases/search?startAt={startAt.ToString(CultureInfo.InvariantCulture)}&maxResults={PageSize.ToString(CultureInfo.InvariantCulture)}");
                var response = await context.Http.SendAsync(Request(HttpMethod.Post, uri, new JsonObject { ["filter"] = new JsonObject() }), token).ConfigureAwait(false);
                if (!response.IsSuccess) throw new QMetryOpenApiException(TmsErrors.Describe(response, context.Redactor, response.StatusCode == 401 ? " (check TMS_QMETRY_OPEN_API_KEY: an Open API key, QMetry → Configuration → Open API)" : ""));
                return ReadPage(response.Body, startAt, executions);
            }, MaxPages, ct).ConfigureAwait(false);
        }
        catch (QMetryOpenApiException e) { stop = "the cycle's executions could not be listed: " + e.Message; }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled) { stop = "the cycle's executions could not be listed: " + context.Redactor.Redact(e.Message); }

        foreach (var e in evidence)
        {
            if (stop is not null) { Skip(e, stop); continue; }
            if (!executions.TryGetValue(e.Keyed.Key, out var execution)) { Skip(e, $"no execution of {e.Keyed.Key} in the cycle"); continue; }
            try
            {
                var problem = await UploadAsync(cycleId, execution, e, ct).ConfigureAwait(false);
                if (problem is null) context.Report.FindKey(e.Keyed.Key)?.Messages.Add($"evidence '{e.FileName}' attached");
                else
                {
                    Skip(e, problem);
                    if (problem.Contains("HTTP 401", StringComparison.Ordinal) || problem.Contains("HTTP 403", StringComparison.Ordinal)) stop = problem;
                }
            }
            catch (TmsHttpException x) when (x.Kind != HttpFailureKind.Cancelled) { Skip(e, context.Redactor.Redact(x.Message)); }
        }
    }

    private void Skip(PlannedEvidence e, string reason)
    {
        context.Report.Warnings.Add($"{Name}: evidence '{e.FileName}' of {e.Keyed.Key} not attached: {reason}");
        EvidencePlan.Skip(context.Report, e.Keyed.Key, e.FileName, e.Size, reason);
    }

    /// <summary>The policy, then the form to storage: policy fields first, the file last (as S3 requires), no apiKey.</summary>
    private async Task<string?> UploadAsync(string cycleId, (string ExecutionId, string? ProjectId) execution, PlannedEvidence e, CancellationToken ct)
    {
        var query = "fileName=" + Uri.EscapeDataString(e.FileName) + (execution.ProjectId is null ? "" : "&projectId=" + Uri.EscapeDataString(execution.ProjectId))
            + "&testcaseExecutionId=" + Uri.EscapeDataString(execution.ExecutionId);
        var policyAnswer = await context.Http.SendAsync(Request(HttpMethod.Get, Api($"testcycles/{Uri.EscapeDataString(cycleId)}/testcase-executions/attachments/url?{query}")), ct).ConfigureAwait(false);
        if (!policyAnswer.IsSuccess) return "upload policy refused: " + TmsErrors.Describe(policyAnswer, context.Redactor);
        string endpoint;
        var fields = new List<(string, string)>();
        try
        {
            using var doc = JsonDocument.Parse(policyAnswer.Body);
            endpoint = doc.RootElement.GetProperty("endpoint_url").GetString() ?? throw new KeyNotFoundException();
            if (doc.RootElement.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object)
                foreach (var f in p.EnumerateObject()) fields.Add((f.Name, f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString()! : f.Value.GetRawText()));
        }
        catch (Exception x) when (x is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "the upload policy has no endpoint_url: " + context.Redactor.Redact(TmsErrors.MessageOf(policyAnswer.Body));
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var storage)) return $"the upload policy's endpoint_url is not a URL: '{context.Redactor.Redact(endpoint)}'";
        var upload = await context.Http.SendAsync(new HttpCall(() =>
        {
            var form = new BrowserMultipart();
            foreach (var (name, value) in fields) form.AddText(name, value);
            form.AddFile("file", e.FileName, new StreamContent(File.OpenRead(e.File.Path)), e.File.ContentType);
            // Storage on another host: no apiKey, no Authorization (design §7).
            return BrowserMultipart.Post(storage, form, jiraServer: false);
        }), ct).ConfigureAwait(false);
        return upload.IsSuccess ? null : "storage refused the upload: " + TmsErrors.Describe(upload, context.Redactor);
    }

    /// <summary>A page of linked cases: {total, startAt, maxResults, data: [{key, testCaseExecutionId, projectId}]}.</summary>
    private static PageRead ReadPage(string body, int startAt, Dictionary<string, (string, string?)> into)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return new PageRead(0, isLast: true);
        var count = 0;
        foreach (var item in data.EnumerateArray())
        {
            count++;
            var key = item.TryGetProperty("key", out var k) ? k.GetString() : null;
            var exec = item.TryGetProperty("testCaseExecutionId", out var x) ? x.ToString() : null;
            var project = item.TryGetProperty("projectId", out var pr) ? pr.ToString() : null;
            if (key is not null && exec is not null) into[key] = (exec, project);
        }
        var total = root.TryGetProperty("total", out var t) && t.TryGetInt32(out var n) ? n : -1;
        return new PageRead(count, total < 0 || startAt + count >= total);
    }
}

internal sealed class QMetryOpenApiException(string message) : Exception(message);
