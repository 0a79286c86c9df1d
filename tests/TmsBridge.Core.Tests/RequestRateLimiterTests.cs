using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests;

/// <summary>
/// The sliding-window budget. "Now" comes from an injected TimeProvider (<see cref="ManualClock"/>), so which call passes and how long
/// a call must wait are exact; only the (short) real delay of a waiting call is real time.
/// </summary>
public sealed class RequestRateLimiterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Unlimited_never_waits()
    {
        var clock = new ManualClock(T0);
        var limiter = new RequestRateLimiter(RequestRate.Unlimited, clock);
        for (var i = 0; i < 1000; i++) Assert.True(limiter.WaitAsync(TestContext.Current.CancellationToken).IsCompletedSuccessfully);
        Assert.Equal(TimeSpan.Zero, clock.Waited);
    }

    [Fact]
    public async Task Lets_N_through_then_the_next_waits_until_the_window_moves()
    {
        var clock = new ManualClock(T0);
        var limiter = new RequestRateLimiter(new RequestRate(3, TimeSpan.FromMilliseconds(300)), clock);
        for (var i = 0; i < 3; i++) Assert.True(limiter.WaitAsync(TestContext.Current.CancellationToken).IsCompletedSuccessfully, $"call {i + 1} should pass at once");

        var fourth = limiter.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(fourth.IsCompleted, "the fourth call within the window must wait");
        clock.Advance(TimeSpan.FromMilliseconds(300)); // the window has moved past the first three
        await fourth.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // The wait is computed from the clock: exactly the rest of the window (once, or more if this thread stalled).
        Assert.True(clock.Waited >= TimeSpan.FromMilliseconds(300), $"waited {clock.Waited}");
        Assert.Equal(0, clock.Waited.Ticks % TimeSpan.FromMilliseconds(300).Ticks);
    }

    [Fact]
    public async Task The_window_slides_per_request_not_per_fixed_interval()
    {
        var clock = new ManualClock(T0);
        var limiter = new RequestRateLimiter(new RequestRate(2, TimeSpan.FromMinutes(1)), clock);
        await limiter.WaitAsync(TestContext.Current.CancellationToken);   // A at 0 s
        clock.Advance(TimeSpan.FromSeconds(30));
        await limiter.WaitAsync(TestContext.Current.CancellationToken);   // B at 30 s
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(limiter.WaitAsync(TestContext.Current.CancellationToken).IsCompletedSuccessfully); // C at 61 s: A has left the window

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var d = limiter.WaitAsync(cancel.Token);                          // D at 61 s: B (30 s) and C are still in it
        Assert.False(d.IsCompleted);
        // D must wait until B leaves the window: 30 + 60 - 61 = 29 s.
        Assert.Equal(TimeSpan.FromSeconds(29), clock.Waited);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => d);
    }

    [Fact]
    public async Task Concurrent_callers_never_exceed_the_budget_within_one_window()
    {
        var clock = new ManualClock(T0);
        var limiter = new RequestRateLimiter(new RequestRate(5, TimeSpan.FromMilliseconds(200)), clock);
        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() => limiter.WaitAsync(TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)).ToList();
        // While the clock stands still no more than 5 may ever pass: wait for 5, then give the others
        // longer than their 200 ms delay to re-check, and count again.
        for (var i = 0; i < 500 && calls.Count(c => c.IsCompleted) < 5; i++) await Task.Delay(10, TestContext.Current.CancellationToken);
        await Task.Delay(250, TestContext.Current.CancellationToken);
        Assert.Equal(5, calls.Count(c => c.IsCompletedSuccessfully));
        Assert.Equal(3, calls.Count(c => !c.IsCompleted));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
