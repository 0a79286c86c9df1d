using System.Globalization;
using System.Net;
using System.Text;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>
/// The retry pipeline against a real HttpListener on 127.0.0.1: which answers are repeated, how
/// often, after how long (only generous lower bounds), and that a create is never repeated blindly.
/// Base delays are 5 ms so the backoff itself costs nothing; waits the server asks for run on a
/// <see cref="SkipAheadClock"/>, which records them without sleeping.
/// </summary>
public sealed class TmsHttpClientTests
{
    private readonly List<RequestReport> _log = [];
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(5);

    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private readonly SkipAheadClock _clock = new(T0);

    private TmsHttpClient Client(int maxRetries = 4, double timeoutSeconds = 10, SecretRedactor? redactor = null, TimeSpan? baseDelay = null, DateTimeOffset? deadline = null) =>
        new(TimeSpan.FromSeconds(timeoutSeconds), redactor ?? SecretRedactor.None, _log, maxRetries: maxRetries, baseDelay: baseDelay ?? Quick,
            deadline: deadline, timeProvider: _clock);

    /// <summary>A server answering the n-th request (1-based) with replies[n-1], the last reply forever after.</summary>
    private static TinyHttpServer Sequence(params TinyHttpServer.Reply[] replies)
    {
        var count = 0;
        return new TinyHttpServer(_ =>
        {
            var n = Interlocked.Increment(ref count);
            return replies[Math.Min(n, replies.Length) - 1];
        });
    }

    private static TinyHttpServer.Reply Status(int status, IReadOnlyDictionary<string, string>? headers = null) => new(status, $$"""{"status":{{status}}}""", Headers: headers);

    private static HttpCall Post(Uri url, bool idempotent = true, Func<CancellationToken, Task<TmsHttpResponse?>>? find = null) =>
        new(() => new HttpRequestMessage(HttpMethod.Post, new Uri(url, "import")) { Content = new StringContent("{\"tests\":[]}", Encoding.UTF8, "application/json") })
        {
            Idempotent = idempotent,
            FindEarlierEffect = find,
        };

    private static TmsHttpResponse Found() => new(HttpStatusCode.OK, """{"key":"DEMO-900"}""", "application/json", new Dictionary<string, string> { ["X-Found"] = "1" });

    [Fact]
    public async Task Http_429_with_Retry_After_1_is_repeated_after_that_second()
    {
        using var server = Sequence(Status(429, new Dictionary<string, string> { ["Retry-After"] = "1" }), Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([(1, (int?)429), (2, 200)], _log.Select(r => (r.Attempt, r.Status)));
        Assert.All(_log, r => Assert.Equal("POST", r.Method));
        Assert.All(_log, r => Assert.EndsWith("/import", r.Url));
        // The base delay is 5 ms: the one wait is the server's Retry-After, exactly.
        Assert.Equal([TimeSpan.FromSeconds(1)], _clock.Waits);
    }

    [Fact]
    public async Task A_429s_Retry_After_pauses_the_clients_other_requests_too()
    {
        // Parallel workers share the client: one 429 means the server wants all of them to wait.
        using var server = Sequence(Status(429, new Dictionary<string, string> { ["Retry-After"] = "2" }), Status(200));
        using var http = Client(maxRetries: 0);
        var first = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        var second = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);

        Assert.Equal(429, first.StatusCode);
        Assert.Equal(200, second.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(2)], _clock.Waits);
    }

    [Fact]
    public async Task Http_503_twice_then_200()
    {
        using var server = Sequence(Status(503), Status(503), Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal([503, 503, 200], _log.Select(r => r.Status ?? 0));
        Assert.Equal([1, 2, 3], _log.Select(r => r.Attempt));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Not_processed_answers_are_repeated_even_for_a_create(int status)
    {
        using var server = Sequence(Status(status), Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: false), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(413)]
    public async Task Client_errors_are_not_repeated(int status)
    {
        using var server = Sequence(Status(status), Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(status, response.StatusCode);
        Assert.Single(server.Requests);
        Assert.Single(_log);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task Server_errors_are_repeated_for_idempotent_calls(int status)
    {
        using var server = Sequence(Status(status), Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: true), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task Server_errors_of_a_create_are_not_repeated_blindly(int status)
    {
        using var server = Sequence(Status(status), Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: false), TestContext.Current.CancellationToken);
        Assert.Equal(status, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_create_whose_earlier_effect_is_found_is_not_sent_again()
    {
        using var server = Sequence(Status(500), Status(200));
        using var http = Client();
        var looked = 0;
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: false, find: _ => { looked++; return Task.FromResult<TmsHttpResponse?>(Found()); }),
            TestContext.Current.CancellationToken);

        Assert.Single(server.Requests); // no second POST
        Assert.Equal(1, looked);
        Assert.Equal(200, response.StatusCode);
        Assert.True(response.Headers.ContainsKey("X-Found"));
        Assert.Equal("""{"key":"DEMO-900"}""", response.Body);
    }

    [Fact]
    public async Task A_create_whose_earlier_effect_is_not_found_is_sent_again()
    {
        using var server = Sequence(Status(502), Status(200));
        using var http = Client();
        var looked = 0;
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: false, find: _ => { looked++; return Task.FromResult<TmsHttpResponse?>(null); }),
            TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(1, looked);
    }

    [Fact]
    public async Task No_lookup_before_a_repeat_after_an_answer_that_was_not_processed()
    {
        using var server = Sequence(Status(503), Status(200));
        using var http = Client();
        var looked = 0;
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: false, find: _ => { looked++; return Task.FromResult<TmsHttpResponse?>(Found()); }),
            TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(0, looked); // 503: the server did nothing, so there is nothing to find
        Assert.False(response.Headers.ContainsKey("X-Found"));
    }

    [Fact]
    public async Task A_dropped_connection_is_repeated_for_idempotent_calls()
    {
        using var server = Sequence(TinyHttpServer.Reply.Drop, Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        Assert.NotNull(_log[0].Error);
        Assert.Null(_log[0].Status);
        Assert.Equal(200, _log[1].Status);
    }

    [Fact]
    public async Task A_dropped_create_is_looked_up_and_not_sent_again()
    {
        using var server = Sequence(TinyHttpServer.Reply.Drop, Status(200));
        using var http = Client();
        var looked = 0;
        var response = await http.SendAsync(Post(server.BaseUrl, idempotent: false, find: _ => { looked++; return Task.FromResult<TmsHttpResponse?>(Found()); }),
            TestContext.Current.CancellationToken);
        Assert.Single(server.Requests);
        Assert.Equal(1, looked);
        Assert.True(response.Headers.ContainsKey("X-Found"));
    }

    [Fact]
    public async Task A_dropped_create_without_a_lookup_fails_with_an_unknown_outcome()
    {
        using var server = Sequence(TinyHttpServer.Reply.Drop, Status(200));
        using var http = Client();
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(Post(server.BaseUrl, idempotent: false), TestContext.Current.CancellationToken));
        Assert.Equal(HttpFailureKind.Dropped, e.Kind);
        Assert.True(e.OutcomeUnknown);
        Assert.Contains(server.BaseUrl.Authority, e.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_refused_connection_is_repeated_even_for_a_create_and_then_fails_as_not_sent()
    {
        Uri dead;
        using (var server = Sequence(Status(200))) dead = server.BaseUrl; // the port is closed now
        using var http = Client(maxRetries: 2);
        var looked = 0;
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(
            Post(dead, idempotent: false, find: _ => { looked++; return Task.FromResult<TmsHttpResponse?>(null); }), TestContext.Current.CancellationToken));

        Assert.Equal(HttpFailureKind.NotSent, e.Kind);
        Assert.False(e.OutcomeUnknown);
        Assert.Equal([1, 2, 3], _log.Select(r => r.Attempt));
        Assert.All(_log, r => Assert.NotNull(r.Error));
        Assert.Equal(0, looked); // the server never saw the request: nothing to look for
    }

    [Fact]
    public async Task MaxRetries_0_means_one_attempt()
    {
        using var server = Sequence(Status(503), Status(200));
        using var http = Client(maxRetries: 0);
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(503, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Retries_stop_after_maxRetries_and_return_the_last_answer()
    {
        using var server = Sequence(Status(503));
        using var http = Client(maxRetries: 3);
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(503, response.StatusCode);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal([1, 2, 3, 4], _log.Select(r => r.Attempt));
    }

    [Fact]
    public async Task Retry_After_as_an_http_date_is_honoured()
    {
        // The date is read against the client's clock (whole seconds, as T0).
        var count = 0;
        using var dated = new TinyHttpServer(_ => Interlocked.Increment(ref count) == 1
            ? Status(503, new Dictionary<string, string> { ["Retry-After"] = _clock.GetUtcNow().AddSeconds(2).ToString("r", CultureInfo.InvariantCulture) })
            : Status(200));
        using var http = Client();
        var response = await http.SendAsync(Post(dated.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, dated.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(2)], _clock.Waits);
    }

    [Fact]
    public async Task A_Retry_After_that_ends_past_the_deadline_is_not_waited_for()
    {
        // An hour is honoured in general, but not when the publish has a minute left.
        using var server = Sequence(Status(429, new Dictionary<string, string> { ["Retry-After"] = "3600" }), Status(200));
        using var http = Client(deadline: T0.AddMinutes(1));
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken));

        Assert.Equal(HttpFailureKind.Deadline, e.Kind);
        Assert.False(e.OutcomeUnknown); // a 429 was not processed
        Assert.Contains("the server asked to wait 3600 s (Retry-After), past the publish deadline (in 60 s)", e.Message);
        Assert.Contains("POST " + server.BaseUrl + "import: HTTP 429", e.Message);
        Assert.Single(server.Requests);
        Assert.Empty(_clock.Waits); // stopped at once, not after waiting
    }

    [Fact]
    public async Task A_Retry_After_that_ends_before_the_deadline_is_waited_for()
    {
        using var server = Sequence(Status(503, new Dictionary<string, string> { ["Retry-After"] = "30" }), Status(200));
        using var http = Client(deadline: T0.AddMinutes(1));
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(30)], _clock.Waits);
    }

    [Fact]
    public async Task A_backoff_that_ends_past_the_deadline_is_not_waited_for()
    {
        using var server = Sequence(Status(503), Status(200));
        // Polly's jittered first delay can be a small fraction of the base delay: the deadline is far
        // closer than any delay it can draw (at least ~0.01 % of 20 s), so the test cannot flake.
        using var http = Client(baseDelay: TimeSpan.FromSeconds(20), deadline: T0.AddMilliseconds(1));
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken));
        Assert.Equal(HttpFailureKind.Deadline, e.Kind);
        Assert.Contains("HTTP 503; not retried: the retry in", e.Message);
        Assert.Contains("would end after the publish deadline (in ", e.Message);
        Assert.Single(server.Requests);
        Assert.Empty(_clock.Waits);
    }

    [Fact]
    public async Task A_lost_create_stopped_by_the_deadline_keeps_its_unknown_outcome()
    {
        // The backend still looks the create up once (OutcomeUnknown), so the failure's kind is kept.
        using var server = Sequence(TinyHttpServer.Reply.Drop, Status(200));
        using var http = Client(baseDelay: TimeSpan.FromSeconds(20), deadline: T0.AddMilliseconds(1)); // see the backoff test: no jitter can fit
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(
            Post(server.BaseUrl, idempotent: false, find: _ => Task.FromResult<TmsHttpResponse?>(null)), TestContext.Current.CancellationToken));
        Assert.Equal(HttpFailureKind.Dropped, e.Kind);
        Assert.True(e.OutcomeUnknown);
        Assert.Contains("not retried", e.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task One_client_serves_parallel_calls_each_with_its_own_rules()
    {
        // The pipeline is shared by every call of a client; idempotency travels with each call.
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var server = new TinyHttpServer(r => counts.AddOrUpdate(r.Body, 1, (_, n) => n + 1) == 1 ? Status(500) : Status(200));
        using var http = Client();
        HttpCall Call(string body, bool idempotent) =>
            new(() => new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, "import")) { Content = new StringContent(body) }) { Idempotent = idempotent };
        var calls = Enumerable.Range(0, 20).Select(i => http.SendAsync(Call("call-" + i, idempotent: i % 2 == 0), TestContext.Current.CancellationToken)).ToList();
        var responses = await Task.WhenAll(calls);

        for (var i = 0; i < 20; i++)
        {
            // Idempotent calls are repeated after their 500; creates (without a lookup) are not.
            Assert.Equal(i % 2 == 0 ? 200 : 500, responses[i].StatusCode);
            Assert.Equal(i % 2 == 0 ? 2 : 1, counts["call-" + i]);
        }
    }

    private static TmsHttpResponse WithRetryAfter(string value) =>
        new(HttpStatusCode.TooManyRequests, "", null, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["retry-after"] = value });

    [Theory]
    [InlineData("120", 120)]
    [InlineData("0", 0)]
    [InlineData(" 2.5 ", 2.5)]
    [InlineData("999999", 3600)] // capped at an hour (and the publish deadline cuts it shorter)
    public void RetryAfter_in_seconds(string value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), TmsHttpClient.RetryAfter(WithRetryAfter(value)));

    [Fact]
    public void RetryAfter_as_dates()
    {
        var ahead = TmsHttpClient.RetryAfter(WithRetryAfter(DateTimeOffset.UtcNow.AddSeconds(30).ToString("r", CultureInfo.InvariantCulture)));
        Assert.NotNull(ahead);
        Assert.InRange(ahead!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));
        Assert.Equal(TimeSpan.Zero, TmsHttpClient.RetryAfter(WithRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")));
        Assert.Equal(TimeSpan.FromHours(1), TmsHttpClient.RetryAfter(WithRetryAfter(DateTimeOffset.UtcNow.AddDays(3).ToString("r", CultureInfo.InvariantCulture))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    public void RetryAfter_that_cannot_be_read_falls_back_to_backoff(string value) =>
        Assert.Null(TmsHttpClient.RetryAfter(WithRetryAfter(value)));

    [Fact]
    public void RetryAfter_absent_is_null() =>
        Assert.Null(TmsHttpClient.RetryAfter(new TmsHttpResponse(HttpStatusCode.TooManyRequests, "", null, new Dictionary<string, string>())));

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_a_timeout_and_a_create_is_not_repeated()
    {
        using var server = new TinyHttpServer(_ => (TinyHttpServer.Reply?)null);
        using var http = Client(timeoutSeconds: 0.3);
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(Post(server.BaseUrl, idempotent: false), TestContext.Current.CancellationToken));
        Assert.Equal(HttpFailureKind.Timeout, e.Kind);
        Assert.True(e.OutcomeUnknown);
        Assert.Contains("no answer within", e.Message);
        Assert.Single(_log);
        Assert.Contains("timeout", _log[0].Error);
    }

    [Fact]
    public async Task Timeouts_of_idempotent_calls_are_repeated()
    {
        using var server = new TinyHttpServer(_ => (TinyHttpServer.Reply?)null);
        using var http = Client(maxRetries: 1, timeoutSeconds: 0.3);
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken));
        Assert.Equal(HttpFailureKind.Timeout, e.Kind);
        Assert.Equal([1, 2], _log.Select(r => r.Attempt));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        using var server = new TinyHttpServer(_ => (TinyHttpServer.Reply?)null);
        using var http = Client(timeoutSeconds: 30);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => http.SendAsync(Post(server.BaseUrl), cancel.Token));
        Assert.True(e is OperationCanceledException || e is TmsHttpException { Kind: HttpFailureKind.Cancelled }, e.ToString());
        Assert.Single(_log);
    }

    [Fact]
    public async Task SendOnceAsync_makes_exactly_one_attempt()
    {
        using var server = Sequence(Status(503), Status(200));
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "search"));
        var response = await http.SendOnceAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(503, response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Each_attempt_builds_a_fresh_request()
    {
        using var server = Sequence(Status(503), Status(200));
        using var http = Client();
        var built = 0;
        var call = new HttpCall(() =>
        {
            built++;
            return new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, "import")) { Content = new StringContent("body-" + built) };
        });
        await http.SendAsync(call, TestContext.Current.CancellationToken);
        Assert.Equal(2, built);
        Assert.Equal(["body-1", "body-2"], server.Requests.Select(r => r.Body));
    }

    [Fact]
    public async Task The_single_message_overload_can_retry()
    {
        using var server = Sequence(Status(503), Status(200));
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "search"));
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Secrets_in_the_url_are_redacted_in_the_report()
    {
        using var server = Sequence(Status(200));
        using var http = Client(redactor: new SecretRedactor(["s3cr3t-value"]));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "x?token=s3cr3t-value"));
        await http.SendOnceAsync(request, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("s3cr3t-value", _log[0].Url);
        Assert.Contains("token=***", _log[0].Url);
    }

    [Fact]
    public async Task The_rate_limit_applies_to_every_attempt()
    {
        using var server = Sequence(Status(503), Status(503), Status(200));
        using var http = new TmsHttpClient(TimeSpan.FromSeconds(10), SecretRedactor.None, _log, rate: new TmsBridge.Configuration.RequestRate(2, TimeSpan.FromMilliseconds(400)), baseDelay: Quick);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await http.SendAsync(Post(server.BaseUrl), TestContext.Current.CancellationToken);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(3, server.Requests.Count);
        // The third attempt may go only 400 ms after the first one's answer: it waited for the budget.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(390), $"three attempts took {clock.Elapsed}: the third should have waited for the budget");
    }
}
