namespace TmsBridge.Sandbox.Http;

/// <summary>What <c>GET /_sandbox/limits</c> shows for one limiter.</summary>
public sealed record RateLimitSnapshot(int Requests, int WindowSeconds, bool RetryAfter, int Used);

/// <summary>
/// A sliding-window limiter: a request is allowed when fewer than <see cref="RateLimit.Requests"/>
/// were allowed in the last <see cref="RateLimit.Window"/>. Refused requests do not use up the
/// budget. Thread-safe.
/// </summary>
public sealed class RateLimiter(RateLimit initial)
{
    private readonly Queue<DateTimeOffset> _allowed = new();
    private readonly object _sync = new();

    public RateLimit Limit { get; private set; } = initial;

    /// <summary>Replaces the limit and forgets the history, so a test starts from a known budget.</summary>
    public void Set(RateLimit limit)
    {
        lock (_sync)
        {
            Limit = limit;
            _allowed.Clear();
        }
    }

    /// <summary>Back to <paramref name="limit"/> with no history (<c>/_sandbox/reset</c>).</summary>
    public void Reset(RateLimit limit) => Set(limit);

    /// <summary>True when the request may proceed; otherwise the time until a slot frees.</summary>
    public bool TryAcquire(DateTimeOffset now, out TimeSpan wait)
    {
        lock (_sync)
        {
            Prune(now);
            if (_allowed.Count < Limit.Requests)
            {
                _allowed.Enqueue(now);
                wait = TimeSpan.Zero;
                return true;
            }
            wait = _allowed.Peek() + Limit.Window - now;
            return false;
        }
    }

    public RateLimitSnapshot Snapshot()
    {
        lock (_sync)
        {
            Prune(DateTimeOffset.UtcNow);
            return new RateLimitSnapshot(Limit.Requests, (int)Math.Ceiling(Limit.Window.TotalSeconds), Limit.RetryAfter, _allowed.Count);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_allowed.Count > 0 && _allowed.Peek() + Limit.Window <= now)
            _allowed.Dequeue();
    }
}

/// <summary>
/// One sliding window per client IP, all with the same <see cref="Limit"/> (AIO Tests: 60 requests
/// per minute per IP). Thread-safe.
/// </summary>
public sealed class PerClientRateLimiter(RateLimit initial)
{
    private readonly Dictionary<string, RateLimiter> _clients = new(StringComparer.Ordinal);
    private readonly object _sync = new();

    public RateLimit Limit { get; private set; } = initial;

    /// <summary>Replaces the limit and forgets every client's history.</summary>
    public void Set(RateLimit limit)
    {
        lock (_sync)
        {
            Limit = limit;
            _clients.Clear();
        }
    }

    /// <inheritdoc cref="RateLimiter.Reset"/>
    public void Reset(RateLimit limit) => Set(limit);

    /// <summary>True when <paramref name="client"/> may proceed; otherwise the time until one of its slots frees.</summary>
    public bool TryAcquire(string client, DateTimeOffset now, out TimeSpan wait)
    {
        RateLimiter limiter;
        lock (_sync)
        {
            if (!_clients.TryGetValue(client, out limiter!))
                _clients.Add(client, limiter = new RateLimiter(Limit));
        }
        return limiter.TryAcquire(now, out wait);
    }

    /// <summary>The limit, with <c>used</c> = requests in the current window of the busiest client.</summary>
    public RateLimitSnapshot Snapshot()
    {
        lock (_sync)
        {
            var used = _clients.Values.Select(c => c.Snapshot().Used).DefaultIfEmpty(0).Max();
            return new RateLimitSnapshot(Limit.Requests, (int)Math.Ceiling(Limit.Window.TotalSeconds), Limit.RetryAfter, used);
        }
    }
}
