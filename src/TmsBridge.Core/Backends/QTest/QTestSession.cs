using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>
/// One qTest publish: credentials (API token as Bearer, or a login kept for the run and renewed once
/// on 401), how requests are built and failures worded. The steps live beside it:
/// QTestSession.Cases.cs, .Cycle.cs, .Submit.cs, .Links.cs.
/// </summary>
internal sealed partial class QTestSession(QTestBackend backend, PublishContext context)
{
    private readonly PublishContext _context = context;
    private string? _accessToken;
    private bool _renewed;
    private bool _stopped;

    private TmsOptions O => _context.Options;
    private PublishReport Report => _context.Report;
    private string Name => backend.DisplayName;
    private string Project => O.Project!;

    private Uri Api(string relative) => new(O.BaseUrl!, "api/v3/projects/" + Uri.EscapeDataString(Project) + "/" + relative);

    private HttpRequestMessage Request(HttpMethod method, Uri uri, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, uri).AcceptJson();
        if (body is not null) request.Content = JsonRequests.Body(body);
        // The token travels only in the header, to the qTest site (design §7).
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", O.Token ?? _accessToken);
        return request;
    }

    /// <summary>The site name qTest's login wants in its Basic header: "acme" for https://acme.qtestnet.com.</summary>
    internal static string SiteName(Uri baseUrl)
    {
        var host = baseUrl.Host;
        var dot = host.IndexOf('.');
        return dot > 0 ? host.Substring(0, dot) : host;
    }

    /// <summary>POST /oauth/token (grant_type=password) with Basic base64("site:"): the access token for the run.</summary>
    private async Task<bool> LoginAsync(CancellationToken ct)
    {
        TmsHttpResponse response;
        try
        {
            response = await _context.Http.SendAsync(new HttpCall(LoginRequest), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail($"the login (POST /oauth/token) failed: {Redact(e.Message)}");
            return false;
        }
        if (!response.IsSuccess)
        {
            Fail($"the login of user '{O.User}' (POST /oauth/token) was refused: {Describe(response)}");
            return false;
        }
        if (AcceptLogin(response)) return true;
        Fail($"the login answer (POST /oauth/token) held no access_token: {TmsErrors.Excerpt(response.Body, _context.Redactor)}");
        return false;
    }

    /// <summary>POST /oauth/token: the login request (a new one for every attempt).</summary>
    private HttpRequestMessage LoginRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(O.BaseUrl!, "oauth/token")).AcceptJson();
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(SiteName(O.BaseUrl!) + ":")));
        request.Content = new FormUrlEncodedContent(
        [
            new KeyValuePair<string, string>("grant_type", "password"),
            new KeyValuePair<string, string>("username", O.User!),
            new KeyValuePair<string, string>("password", O.Password!),
        ]);
        return request;
    }

    /// <summary>Keeps the access_token of a successful login answer (a secret: redacted from then on); false when it holds none.</summary>
    private bool AcceptLogin(TmsHttpResponse response)
    {
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            if (doc.RootElement.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } token)
            {
                _accessToken = token;
                _context.Redactor.Add(token);
                return true;
            }
        }
        catch (JsonException) { }
        return false;
    }

    /// <summary>Sends a call; with a login, a 401 (the token expired) logs in once more and repeats the call.</summary>
    private async Task<TmsHttpResponse> SendAsync(HttpCall call, CancellationToken ct)
    {
        var response = await _context.Http.SendAsync(call, ct).ConfigureAwait(false);
        if (response.StatusCode != 401 || O.Token is not null || _renewed) return response;
        _renewed = true;
        if (!await LoginAsync(ct).ConfigureAwait(false)) return response;
        return await _context.Http.SendAsync(call, ct).ConfigureAwait(false);
    }

    private Task<TmsHttpResponse> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct) => SendAsync(new HttpCall(request), ct);

    private string Describe(TmsHttpResponse r) => TmsErrors.Describe(r, _context.Redactor, Hint(r.StatusCode));

    private string Hint(int status) => status switch
    {
        401 => $" (check the API token from qTest's \"API & SDK\" page in {OptionCatalog.Token.EnvironmentVariable}, or user and {OptionCatalog.Password.EnvironmentVariable})",
        403 => $" (the user lacks permission in project {Project}, or the project's Automation Settings are off)",
        404 => $" (is project {Project} right, and baseUrl the qTest site such as https://acme.qtestnet.com?)",
        413 => $" (the request is too large for qTest: lower maxRequestBytes ({OptionCatalog.MaxRequestBytes.EnvironmentVariable}))",
        _ => "",
    };

    private string Redact(string text) => _context.Redactor.Redact(text);

    private void Fail(string message)
    {
        Report.Errors.Add($"{Name}: {message}");
        _context.MarkAll(KeyStates.NotSent, message);
        _stopped = true;
    }

    public async Task PublishAsync(CancellationToken ct)
    {
        if (O.Token is null && !await LoginAsync(ct).ConfigureAwait(false)) return;
        var cases = await ResolveCasesAsync(ct).ConfigureAwait(false);
        if (_stopped) return;
        var logs = BuildLogs(cases);
        if (logs.Count == 0) return;
        var cycle = await ResolveCycleAsync(ct).ConfigureAwait(false);
        if (cycle is null) return;
        // Journalled at once (the attempt's execution): a publish killed during the submit is replayed into this cycle.
        _context.ExecutionKnown(Report.Execution?.Key ?? Report.Execution?.Id);
        var stored = await SubmitAsync(cycle, logs, ct).ConfigureAwait(false);
        if (O.LinkRequirements) await LinkRequirementsAsync(cases, stored, ct).ConfigureAwait(false);
    }

    /// <summary>dryRun: the submit bodies as they would be sent, with each keyed case's Automation Content still to be read (shown as "&lt;Automation Content of TC-1&gt;").</summary>
    public void WriteDryRun()
    {
        var cases = _context.Run.Keyed.ToDictionary(k => k.Key, k => new QTestCase(k.Key, 0, "<Automation Content of " + k.Key + ">", null), StringComparer.OrdinalIgnoreCase);
        var logs = BuildLogs(cases);
        var n = 0;
        foreach (var chunk in Split(logs))
            _context.WriteDryRunFile($"qtest-auto-test-logs-{++n}.json",
                Encoding.UTF8.GetBytes(QTestPayload.Submit(O.TestExecution ?? "<new test cycle>", chunk).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
    }
}

/// <summary>A resolved test case: its PID (the key), id, Automation Content and version id.</summary>
internal sealed record QTestCase(string Key, long Id, string AutomationContent, long? VersionId);
