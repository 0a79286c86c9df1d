namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A clock the test sets by hand. Only "now" is fake: timers (the limiter's short re-check
/// delays) still run in real time, so a waiting caller re-checks the clock the test moved.
/// The clock may even go back, which no real clock and no FakeTimeProvider allows.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly List<TimeSpan> _waits = [];
    private DateTimeOffset _now = start;
    public DateTimeOffset Now { get { lock (this) return _now; } set { lock (this) _now = value; } }
    public void Advance(TimeSpan by) { lock (this) _now += by; }
    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>The sum of every timer's due time: how long the code under test chose to wait.</summary>
    public TimeSpan Waited { get { lock (_waits) return TimeSpan.FromTicks(_waits.Sum(w => w.Ticks)); } }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan) lock (_waits) _waits.Add(dueTime);
        return System.CreateTimer(callback, state, dueTime, period);
    }
}

/// <summary>
/// A clock that never sleeps: every timer created through it fires at once and moves the clock
/// ahead by the timer's due time. Retry waits (Retry-After, backoff) therefore cost no real time,
/// and <see cref="Waits"/> tells exactly how long the code under test chose to wait. A manual
/// FakeTimeProvider would need the test to know when the code has armed its timer; this does not.
/// </summary>
internal sealed class SkipAheadClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _waits = [];
    private DateTimeOffset _now = start;

    public IReadOnlyList<TimeSpan> Waits { get { lock (_gate) return _waits.ToList(); } }
    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Timer(this, callback, state, dueTime);

    private void Fire(TimerCallback callback, object? state, TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan) return;
        lock (_gate)
        {
            _now += dueTime;
            _waits.Add(dueTime);
        }
        ThreadPool.QueueUserWorkItem(_ => callback(state));
    }

    private sealed class Timer : ITimer
    {
        private readonly SkipAheadClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public Timer(SkipAheadClock clock, TimerCallback callback, object? state, TimeSpan dueTime)
        {
            (_clock, _callback, _state) = (clock, callback, state);
            clock.Fire(callback, state, dueTime);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _clock.Fire(_callback, _state, dueTime);
            return true;
        }

        public void Dispose() { }
        public ValueTask DisposeAsync() => default;
    }
}
