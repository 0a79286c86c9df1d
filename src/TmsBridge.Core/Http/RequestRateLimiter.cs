using TmsBridge.Configuration;

namespace TmsBridge.Http;

/// <summary>
/// Client-side budget of requests per sliding window (Xray Cloud: 300 per 5 minutes; AIO: 60 per
/// minute). Waiting here is cheaper than a 429: the server's limit is never hit by our own pace.
/// </summary>
internal sealed class RequestRateLimiter(RequestRate rate, TimeProvider? timeProvider = null)
{
    private readonly Queue<Slot> _sent = new();
    private readonly object _gate = new();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public RequestRate Rate { get; } = rate;

    /// <summary>One request's place in the window, from when it was sent until (after <see cref="Release"/>) its answer arrived.</summary>
    public sealed class Slot
    {
        internal Slot(DateTimeOffset at) => At = at;
        internal DateTimeOffset At { get; set; }
    }

    /// <summary>Waits for room in the window and takes a slot (null when unlimited).</summary>
    public async Task<Slot?> WaitAsync(CancellationToken cancellationToken)
    {
        if (Rate.IsUnlimited) return null;
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                while (_sent.Count > 0 && now - _sent.Peek().At >= Rate.Window) _sent.Dequeue();
                if (_sent.Count < Rate.Requests)
                {
                    var slot = new Slot(now);
                    _sent.Enqueue(slot);
                    return slot;
                }
                wait = _sent.Peek().At + Rate.Window - now;
            }
            if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
            await _time.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The request's answer (or failure) has arrived. The server counted the request at some moment
    /// between sending and now, so its slot is held from now on: a budget equal to the server's never
    /// draws a 429 at the window's edge because a later request travelled faster than an earlier one.
    /// </summary>
    public void Release(Slot? slot)
    {
        if (slot is null) return;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now > slot.At) slot.At = now;
        }
    }
}
