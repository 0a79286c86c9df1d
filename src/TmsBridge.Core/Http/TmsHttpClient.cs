using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Polly;
using Polly.Retry;
using TmsBridge.Configuration;
using TmsBridge.Publishing;

namespace TmsBridge.Http;

/// <summary>A response read whole: status, body text and the headers backends need.</summary>
internal sealed class TmsHttpResponse(HttpStatusCode status, string body, string? contentType, IReadOnlyDictionary<string, string> headers)
{
    public HttpStatusCode Status { get; } = status;
    public int StatusCode => (int)Status;
    public string Body { get; } = body;
    public string? ContentType { get; } = contentType;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

internal enum HttpFailureKind
{
    /// <summary>The connection was refused: the server never saw the request.</summary>
    NotSent,
    /// <summary>No answer within the per-request timeout: the server may have acted on it.</summary>
    Timeout,
    /// <summary>The connection broke after the request went out: the server may have acted on it.</summary>
    Dropped,
    /// <summary>The publish deadline (or the caller) cancelled the request.</summary>
    Cancelled,
    /// <summary>A retry was due, but its wait (Retry-After or backoff) would have ended after the publish deadline, so it was not made.</summary>
    Deadline,
}

/// <summary>A request that got no HTTP answer. The message names the URL and the cause.</summary>
internal sealed class TmsHttpException(string message, HttpFailureKind kind, Exception? inner = null, bool? outcomeUnknown = null) : Exception(message, inner)
{
    public HttpFailureKind Kind { get; } = kind;
    /// <summary>True when the server may have processed the request although no answer arrived.</summary>
    public bool OutcomeUnknown { get; } = outcomeUnknown ?? (kind is HttpFailureKind.Timeout or HttpFailureKind.Dropped);
}

/// <summary>One logical call: how to build its request (again for every attempt) and how safe it is to repeat.</summary>
internal sealed class HttpCall(Func<HttpRequestMessage> createRequest)
{
    public Func<HttpRequestMessage> CreateRequest { get; } = createRequest;

    /// <summary>False for calls that create something (a new Test Execution): those are never repeated blindly.</summary>
    public bool Idempotent { get; init; } = true;

    /// <summary>
    /// For non-idempotent calls: asked before a repeat when the previous attempt may have reached the
    /// server (timeout, dropped connection, 500/502/504). Returns the effect it finds (e.g. the
    /// execution the lost answer would have named), or null to send again.
    /// </summary>
    public Func<CancellationToken, Task<TmsHttpResponse?>>? FindEarlierEffect { get; init; }
}

/// <summary>
/// The one HTTP path every backend uses, built on a Polly retry pipeline: bounded retries with
/// exponential backoff and jitter on 429, 408, 5xx, timeouts and broken connections, honouring
/// Retry-After but never waiting past the publish deadline; a per-request timeout; a client-side
/// rate limit; one report line per attempt; secrets redacted from everything it reports.
/// </summary>
internal sealed class TmsHttpClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly SecretRedactor _redactor;
    private readonly List<RequestReport> _log;
    private readonly RequestRateLimiter _limiter;
    private readonly int _maxRetries;
    private readonly TimeSpan _baseDelay;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset? _deadline;
    private readonly ResiliencePipeline<TmsHttpResponse> _pipeline;
    private readonly object _pauseGate = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    /// <summary>The per-call data the shared pipeline's callbacks need.</summary>
    private static readonly ResiliencePropertyKey<CallState> CallKey = new("TmsBridge.HttpCall");

    /// <param name="deadline">The publish deadline, on <paramref name="timeProvider"/>'s clock: no retry waits past it (null: none).</param>
    /// <param name="timeProvider">The clock for retry waits, Retry-After dates, the deadline and the rate limit (null: the system clock).</param>
    public TmsHttpClient(TimeSpan timeout, SecretRedactor redactor, List<RequestReport> log, HttpMessageHandler? handler = null,
        RequestRate? rate = null, int maxRetries = 4, TimeSpan? baseDelay = null, DateTimeOffset? deadline = null, TimeProvider? timeProvider = null)
    {
        _client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // per-request timeout below, so it can be told apart from the caller's cancellation
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("TmsBridge", typeof(TmsHttpClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        _timeout = timeout;
        _redactor = redactor;
        _log = log;
        _time = timeProvider ?? TimeProvider.System;
        _deadline = deadline;
        _limiter = new RequestRateLimiter(rate ?? RequestRate.Unlimited, _time);
        _maxRetries = maxRetries;
        _baseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        _pipeline = BuildPipeline();
    }

    public SecretRedactor Redactor => _redactor;

    /// <summary>Called after each request attempt ends, answered or failed (the publish's progress line counts them).</summary>
    public Action? RequestEnded { get; set; }

    /// <summary>A single attempt, no retries: for calls whose failures the caller handles itself.</summary>
    public Task<TmsHttpResponse> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) => SendAttemptAsync(request, 1, cancellationToken);

    /// <summary>
    /// One idempotent call with retries from a ready-made message. A message can be sent only once,
    /// so its body is buffered and every attempt gets a fresh copy (for small requests only; large
    /// bodies use <see cref="HttpCall"/> with a factory that re-opens the body).
    /// </summary>
    public async Task<TmsHttpResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return await SendAsync(new HttpCall(() => Copy(request, body)), cancellationToken).ConfigureAwait(false);
    }

    private static HttpRequestMessage Copy(HttpRequestMessage original, byte[]? body)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
        foreach (var h in original.Headers) copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var h in original.Content!.Headers) copy.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
        }
        return copy;
    }

    /// <summary>One logical call's state across its attempts.</summary>
    private sealed class CallState(HttpCall call)
    {
        public HttpCall Call { get; } = call;
        public int Attempt { get; set; }
        // Sticky: once an attempt may have taken effect, every later attempt looks first, until a
        // lookup has answered "not there" (a 503 after a 500 proves nothing about the 500).
        public bool MaybeTookEffect { get; set; }
        /// <summary>"POST https://…/import" of the last attempt (redacted), for the deadline message.</summary>
        public string LastRequest { get; set; } = "";
    }

    public async Task<TmsHttpResponse> SendAsync(HttpCall call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        var state = new CallState(call);
        context.Properties.Set(CallKey, state);
        try
        {
            return await _pipeline.ExecuteAsync(static (ctx, self) => self.AttemptAsync(ctx), context, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<TmsHttpResponse> AttemptAsync(ResilienceContext context)
    {
        var state = context.Properties.GetValue(CallKey, null!);
        var call = state.Call;
        var token = context.CancellationToken;
        state.Attempt++;
        if (state.MaybeTookEffect && !call.Idempotent && call.FindEarlierEffect is not null)
        {
            // The last attempt may have created the resource: look before creating it twice.
            TmsHttpResponse? earlier;
            try
            {
                earlier = await call.FindEarlierEffect(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not TmsHttpException and not OperationCanceledException)
            {
                // An unreadable lookup answer proves nothing: look again on the next attempt, never create blindly.
                throw new TmsHttpException("looking up an earlier attempt's effect failed: " + _redactor.Redact(e.Message), HttpFailureKind.Dropped, e);
            }
            if (earlier is not null) return earlier;
            state.MaybeTookEffect = false;
        }
        try
        {
            using var request = call.CreateRequest();
            state.LastRequest = $"{request.Method.Method} {_redactor.Redact(request.RequestUri?.ToString())}";
            var response = await SendAttemptAsync(request, state.Attempt, token).ConfigureAwait(false);
            state.MaybeTookEffect |= response.StatusCode is 500 or 502 or 504;
            return response;
        }
        catch (TmsHttpException e)
        {
            state.MaybeTookEffect |= e.OutcomeUnknown;
            throw;
        }
    }

    /// <summary>Built once per client; each call's own data travels in the ResilienceContext (<see cref="CallKey"/>).</summary>
    private ResiliencePipeline<TmsHttpResponse> BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder<TmsHttpResponse> { TimeProvider = _time };
        if (_maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<TmsHttpResponse>
            {
                MaxRetryAttempts = _maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _baseDelay,
                MaxDelay = TimeSpan.FromSeconds(60),
                ShouldHandle = args => new ValueTask<bool>(IsTransient(args.Outcome, args.Context.Properties.GetValue(CallKey, null!).Call)),
                // The server's own Retry-After wins over our backoff.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is { } r ? RetryAfter(r, _time.GetUtcNow()) : null),
                OnRetry = args =>
                {
                    StopAtTheDeadline(args.Outcome, args.RetryDelay, args.Context.Properties.GetValue(CallKey, null!));
                    return default;
                },
            });
        }
        return builder.Build();
    }

    /// <summary>
    /// Runs just before the pipeline waits for a retry: a wait that would end after the publish
    /// deadline is not started at all. Waiting would only be cut off by the deadline, with nothing
    /// sent and the time lost; failing now says why and leaves the rest of the budget to the
    /// remaining work. Throws from here end the call (Polly passes them on).
    /// </summary>
    private void StopAtTheDeadline(Outcome<TmsHttpResponse> outcome, TimeSpan wait, CallState state)
    {
        if (_deadline is not { } deadline) return;
        var now = _time.GetUtcNow();
        if (now + wait <= deadline) return;
        var left = deadline - now;
        var leftText = left <= TimeSpan.Zero ? "already passed" : $"in {Seconds(left)} s";
        if (outcome.Exception is TmsHttpException e)
        {
            // Keep the failure's kind: an unknown outcome of a create is still looked up by the backend.
            throw new TmsHttpException($"{e.Message}; not retried: the retry in {Seconds(wait)} s would end after the publish deadline ({leftText})", e.Kind, e, e.OutcomeUnknown);
        }
        var status = outcome.Result?.StatusCode ?? 0;
        var reason = outcome.Result is { } r && RetryAfter(r, now) is not null
            ? $"the server asked to wait {Seconds(wait)} s (Retry-After), past the publish deadline ({leftText})"
            : $"the retry in {Seconds(wait)} s would end after the publish deadline ({leftText})";
        // 500/502/504 may have been processed; 429/503/408 were not.
        throw new TmsHttpException($"{state.LastRequest}: HTTP {status}; not retried: {reason}", HttpFailureKind.Deadline, null, outcomeUnknown: status is 500 or 502 or 504);
    }

    private static string Seconds(TimeSpan t) => Math.Ceiling(t.TotalSeconds).ToString("0", CultureInfo.InvariantCulture);

    private static bool IsTransient(Outcome<TmsHttpResponse> outcome, HttpCall call)
    {
        if (outcome.Exception is TmsHttpException e)
        {
            // Unknown outcomes of a create are repeated only when the call can look for its earlier effect.
            return e.Kind is not (HttpFailureKind.Cancelled or HttpFailureKind.Deadline) && (call.Idempotent || !e.OutcomeUnknown || call.FindEarlierEffect is not null);
        }
        if (outcome.Result is { } r)
        {
            if (r.StatusCode is 429 or 503 or 408) return true; // not processed: safe to repeat
            if (r.StatusCode is 500 or 502 or 504) return call.Idempotent || call.FindEarlierEffect is not null;
        }
        return false;
    }

    /// <summary>Retry-After as seconds or as an HTTP date (capped at an hour; the publish deadline usually cuts it shorter).</summary>
    public static TimeSpan? RetryAfter(TmsHttpResponse response) => RetryAfter(response, DateTimeOffset.UtcNow);

    /// <summary>Retry-After read at <paramref name="now"/> (an HTTP date counts from it).</summary>
    public static TimeSpan? RetryAfter(TmsHttpResponse response, DateTimeOffset now)
    {
        if (!response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(Math.Min(seconds, 3600));
        if (DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;
        }
        return null;
    }

    private async Task<TmsHttpResponse> SendAttemptAsync(HttpRequestMessage request, int attempt, CancellationToken cancellationToken)
    {
        await WaitOutPauseAsync(cancellationToken).ConfigureAwait(false);
        var slot = await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await SendCountedAsync(request, attempt, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == 429 && RetryAfter(response, _time.GetUtcNow()) is { } wait) Pause(wait);
            return response;
        }
        finally
        {
            _limiter.Release(slot);
        }
    }

    /// <summary>
    /// A 429 is about the client, not one request: every request of this client (all the workers of a
    /// parallel backend) waits until the server's Retry-After has passed, so
    /// parallel workers do not keep drawing 429s while one of them waits. Never past the publish deadline.
    /// </summary>
    private void Pause(TimeSpan wait)
    {
        var until = _time.GetUtcNow() + wait;
        if (_deadline is { } deadline && until > deadline) until = deadline;
        lock (_pauseGate) if (until > _pausedUntil) _pausedUntil = until;
    }

    private async Task WaitOutPauseAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset until;
        lock (_pauseGate) until = _pausedUntil;
        var wait = until - _time.GetUtcNow();
        if (wait > TimeSpan.Zero) await _time.Delay(wait, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TmsHttpResponse> SendCountedAsync(HttpRequestMessage request, int attempt, CancellationToken cancellationToken)
    {
        var entry = new RequestReport
        {
            Method = request.Method.Method,
            Url = _redactor.Redact(request.RequestUri?.ToString()),
            RequestBytes = request.Content?.Headers.ContentLength ?? 0,
            Attempt = attempt,
        };
        lock (_log) _log.Add(entry);
        try
        {
            return await SendLoggedAsync(request, entry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            RequestEnded?.Invoke();
        }
    }

    private async Task<TmsHttpResponse> SendLoggedAsync(HttpRequestMessage request, RequestReport entry, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        // Wall-clock on purpose: this watchdog bounds real socket I/O, whatever clock the waits use.
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
            throw Fail(entry, watch, FormattableString.Invariant($"no answer within {_timeout.TotalSeconds:0.#} s (timeout option)"), HttpFailureKind.Timeout, e, request);
        }
        catch (OperationCanceledException e)
        {
            throw Fail(entry, watch, "cancelled (publish deadline reached)", HttpFailureKind.Cancelled, e, request);
        }
        catch (HttpRequestException e)
        {
            var refused = Inner<SocketException>(e) is { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable or SocketError.HostUnreachable };
            throw Fail(entry, watch, _redactor.Redact(Describe(e)), refused ? HttpFailureKind.NotSent : HttpFailureKind.Dropped, e, request);
        }
        catch (IOException e)
        {
            throw Fail(entry, watch, _redactor.Redact(Describe(e)), HttpFailureKind.Dropped, e, request);
        }
    }

    private static TmsHttpException Fail(RequestReport entry, Stopwatch watch, string error, HttpFailureKind kind, Exception inner, HttpRequestMessage request)
    {
        entry.Error = error;
        entry.DurationMs = watch.ElapsedMilliseconds;
        return new TmsHttpException($"{request.Method} {entry.Url}: {error}", kind, inner);
    }

    private static T? Inner<T>(Exception e) where T : Exception
    {
        for (var x = e; x is not null; x = x.InnerException) if (x is T t) return t;
        return null;
    }

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) if (!messages.Contains(x.Message)) messages.Add(x.Message);
        return string.Join(" → ", messages);
    }

    public void Dispose() => _client.Dispose();
}
