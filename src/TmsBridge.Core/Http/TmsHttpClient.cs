using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using TmsBridge.Publishing;

namespace TmsBridge.Http;

/// <summary>A response read whole: status, body text and the headers backends need.</summary>
public sealed class TmsHttpResponse(HttpStatusCode status, string body, string? contentType, IReadOnlyDictionary<string, string> headers)
{
    public HttpStatusCode Status { get; } = status;
    public int StatusCode => (int)Status;
    public string Body { get; } = body;
    public string? ContentType { get; } = contentType;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

/// <summary>A request that got no HTTP answer (timeout, refused or dropped connection). The message names the URL and the cause.</summary>
public sealed class TmsHttpException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The one HTTP path every backend uses: per-request timeout, a line per request in the
/// publish report, and secrets redacted from everything it reports. Retries and rate limits
/// belong here too (one pipeline for every backend).
/// </summary>
public sealed class TmsHttpClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly SecretRedactor _redactor;
    private readonly List<RequestReport> _log;

    public TmsHttpClient(TimeSpan timeout, SecretRedactor redactor, List<RequestReport> log, HttpMessageHandler? handler = null)
    {
        _client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // per-request timeout below, so it can be told apart from the caller's cancellation
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("TmsBridge", typeof(TmsHttpClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        _timeout = timeout;
        _redactor = redactor;
        _log = log;
    }

    public SecretRedactor Redactor => _redactor;

    public async Task<TmsHttpResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var entry = new RequestReport
        {
            Method = request.Method.Method,
            Url = _redactor.Redact(request.RequestUri?.ToString()),
            RequestBytes = request.Content?.Headers.ContentLength ?? 0,
        };
        lock (_log) _log.Add(entry);
        var watch = Stopwatch.StartNew();
        using var timeoutSource = new CancellationTokenSource(_timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            entry.Status = (int)response.StatusCode;
            entry.DurationMs = watch.ElapsedMilliseconds;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in response.Headers) headers[h.Key] = string.Join(",", h.Value);
            return new TmsHttpResponse(response.StatusCode, body, response.Content?.Headers.ContentType?.MediaType, headers);
        }
        catch (OperationCanceledException e) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            entry.Error = $"no answer within {_timeout.TotalSeconds:0.#} s (timeout option)";
            entry.DurationMs = watch.ElapsedMilliseconds;
            throw new TmsHttpException($"{request.Method} {entry.Url}: {entry.Error}", e);
        }
        catch (HttpRequestException e)
        {
            entry.Error = _redactor.Redact(Describe(e));
            entry.DurationMs = watch.ElapsedMilliseconds;
            throw new TmsHttpException($"{request.Method} {entry.Url}: {entry.Error}", e);
        }
        catch (OperationCanceledException e)
        {
            entry.Error = "cancelled (publish deadline reached)";
            entry.DurationMs = watch.ElapsedMilliseconds;
            throw new TmsHttpException($"{request.Method} {entry.Url}: {entry.Error}", e);
        }
    }

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) if (!messages.Contains(x.Message)) messages.Add(x.Message);
        return string.Join(" → ", messages);
    }

    public void Dispose() => _client.Dispose();
}
