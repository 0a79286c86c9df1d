using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TmsBridge.Configuration;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Xray Server / Data Center: one Xray JSON import per run into
/// {baseUrl}/rest/raven/2.0/import/execution, with Basic (user + password) or a Jira PAT (Bearer).
/// </summary>
public sealed class XrayServerBackend : ITmsBackend
{
    public const string ImportPath = "rest/raven/2.0/import/execution";

    public string DisplayName => "Xray Server/DC";

    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses => StatusMap.XrayServerDefaults;

    public IEnumerable<string> Validate(TmsOptions options)
    {
        if (options.BaseUrl is null)
            yield return $"target 'xray' needs baseUrl, the Jira base URL (set {OptionCatalog.BaseUrl.EnvironmentVariable} or baseUrl in tmsbridge.json / .runsettings).";
        if (!options.DryRun && options.Token is null && (options.User is null || options.Password is null))
            yield return $"target 'xray' needs credentials: a Jira personal access token in {OptionCatalog.Token.EnvironmentVariable} (or {OptionCatalog.Token.SecretFileVariable}), or user plus {OptionCatalog.Password.EnvironmentVariable} (or {OptionCatalog.Password.SecretFileVariable}).";
    }

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var provisioned = options.ProvisionUnmapped ? context.Run.Unmapped.Where(u => !u.HasMalformedKeys).ToList() : [];
        var input = new XrayServerPayload.Input
        {
            Options = options,
            Keyed = context.Run.Keyed,
            Provisioned = provisioned,
            Statuses = context.Statuses,
            RunStarted = context.RunStarted,
            RunFinished = context.RunFinished,
            DefaultSummary = context.DefaultSummary,
        };
        if (options.TestExecution is null && XrayServerPayload.ProjectKey(input) is null)
        {
            context.Report.Errors.Add("Xray Server/DC: a new Test Execution needs a project: set the project option (TMS_PROJECT) or report into an existing one with testExecution.");
            context.MarkAll(KeyStates.NotSent, "no project for the new Test Execution");
            return;
        }

        var body = XrayServerPayload.Build(input, context.Report.Warnings);
        if (context.DryRun)
        {
            context.WriteDryRunFile("xray-import-1.json", body);
            context.MarkAll(KeyStates.Planned, null);
            foreach (var u in context.Report.Unmapped) if (options.ProvisionUnmapped) u.State = KeyStates.Planned;
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl!, ImportPath))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Authorization = options.Token is not null
            ? new AuthenticationHeaderValue("Bearer", options.Token)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.User + ":" + options.Password)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var response = await context.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            var message = $"HTTP {response.StatusCode} {response.Status}: {context.Redactor.Redact(XrayErrors.MessageOf(response.Body))}" + XrayErrors.Hint(response.StatusCode);
            context.Report.Errors.Add($"Xray Server/DC refused the import: {message}");
            context.MarkAll(KeyStates.NotSent, message);
            return;
        }
        ApplyResponse(context, response.Body, provisioned);
    }

    /// <summary>
    /// 200 carries the execution and, per test, success or error: an error entry is a partial
    /// failure (Xray did not store that test's result) and is reported under its key.
    /// </summary>
    internal static void ApplyResponse(PublishContext context, string body, IReadOnlyList<UnmappedTest> provisioned)
    {
        var report = context.Report;
        var refused = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("testExecIssue", out var exec) && exec.ValueKind == JsonValueKind.Object)
            {
                var key = exec.TryGetProperty("key", out var k) ? k.GetString() : null;
                report.Execution = new ExecutionReference
                {
                    Key = key,
                    Id = exec.TryGetProperty("id", out var id) ? id.ToString() : null,
                    Url = key is null ? null : new Uri(context.Options.BaseUrl!, "browse/" + key).ToString(),
                    Reused = context.Options.TestExecution is not null,
                };
            }
            if (root.TryGetProperty("testIssues", out var issues) && issues.TryGetProperty("error", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in errors.EnumerateArray())
                {
                    var key = e.TryGetProperty("testKey", out var tk) ? tk.GetString() : null;
                    var messages = e.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Array
                        ? m.EnumerateArray().Select(x => context.Redactor.Redact(x.ToString())).ToList()
                        : [context.Redactor.Redact(e.ToString())];
                    if (key is null) { report.Warnings.Add("Xray refused a test without a key: " + string.Join(" ", messages)); continue; }
                    if (!refused.TryGetValue(key, out var list)) refused[key] = list = [];
                    list.AddRange(messages);
                }
            }
            if (root.TryGetProperty("infoMessages", out var info) && info.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in info.EnumerateArray()) report.Warnings.Add("Xray: " + context.Redactor.Redact(m.ToString()));
            }
        }
        catch (JsonException)
        {
            report.Warnings.Add("Xray answered 200 with a body that is not JSON; per-test results could not be checked: " + context.Redactor.Redact(XrayErrors.MessageOf(body)));
        }

        foreach (var k in report.Keys.Where(k => k.State == KeyStates.NotSent))
        {
            if (refused.TryGetValue(k.Key, out var messages)) { k.State = KeyStates.Refused; k.Messages.AddRange(messages); }
            else k.State = KeyStates.Sent;
        }
        foreach (var u in report.Unmapped)
        {
            if (provisioned.Any(p => p.FullyQualifiedName == u.Test)) u.State = KeyStates.Sent;
        }
        if (report.Execution is null) report.Warnings.Add("Xray's answer named no Test Execution.");
    }
}

/// <summary>Reading Xray and Jira error bodies: {"error": "..."}, {"errorMessages": [...], "errors": {...}} or plain text.</summary>
public static class XrayErrors
{
    public static string MessageOf(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "(empty body)";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.String) return root.GetString() ?? "";
            if (root.ValueKind == JsonValueKind.Object)
            {
                var parts = new List<string>();
                if (root.TryGetProperty("error", out var e)) parts.Add(e.ToString());
                if (root.TryGetProperty("message", out var msg)) parts.Add(msg.ToString());
                if (root.TryGetProperty("errorMessages", out var em) && em.ValueKind == JsonValueKind.Array) parts.AddRange(em.EnumerateArray().Select(x => x.ToString()));
                if (root.TryGetProperty("errors", out var es) && es.ValueKind == JsonValueKind.Object) parts.AddRange(es.EnumerateObject().Select(p => $"{p.Name}: {p.Value}"));
                if (parts.Count > 0) return string.Join("; ", parts);
            }
        }
        catch (JsonException) { }
        var text = body.Trim();
        return text.Length > 500 ? text.Substring(0, 500) + "…" : text;
    }

    public static string Hint(int status) => status switch
    {
        401 => " (check the credentials: TMS_TOKEN, or user and TMS_PASSWORD)",
        403 => " (the user lacks permission in this project, or the Xray license is not valid)",
        404 => " (is baseUrl the Jira base URL, including its context path, with Xray installed?)",
        413 => " (the request is too large: reduce the evidence)",
        _ => "",
    };
}
