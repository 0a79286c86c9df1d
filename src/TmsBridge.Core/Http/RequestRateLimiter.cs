using TmsBridge.Configuration;

namespace TmsBridge.Http;

/// <summary>
/// Client-side budget of requests per sliding window (Xray Cloud: 300 per 5 minutes; AIO: 60 per
/// minute). Waiting here is cheaper than a 429: the server's limit is never hit by our own pace.
/// </summary>
public sealed class RequestRateLimiter(RequestRate rate, Func<DateTimeOffset>? clock = null)
{
    private readonly Queue<DateTimeOffset> _sent = new();
    private readonly object _gate = new();
    private readonly Func<DateTimeOffset> _now = clock ?? (() => DateTimeOffset.UtcNow);

    public RequestRate Rate { get; } = rate;

    /// <summary>Total time spent waiting for the budget, for the report.</summary>
    public TimeSpan Waited { get; private set; }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (Rate.IsUnlimited) return;
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _now();
                while (_sent.Count > 0 && now - _sent.Peek() >= Rate.Window) _sent.Dequeue();
                if (_sent.Count < Rate.Requests)
                {
                    _sent.Enqueue(now);
                    return;
                }
                wait = _sent.Peek() + Rate.Window - now;
            }
            if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
            Waited += wait;
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }
}
