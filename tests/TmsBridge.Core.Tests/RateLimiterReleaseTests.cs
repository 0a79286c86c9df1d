using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests;

/// <summary>
/// A slot is held from the moment the answer arrived (Release), not from the send: the server counted
/// the request somewhere in between, so a budget equal to the server's (AIO's 60/1m) never draws a 429
/// at the window's edge when a later request travels faster than an earlier one.
/// </summary>
public sealed class RateLimiterReleaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_window_counts_from_the_answer_of_a_released_request()
    {
        var clock = new ManualClock(T0);
        var limiter = new RequestRateLimiter(new RequestRate(2, TimeSpan.FromMinutes(1)), clock);
        var a = await limiter.WaitAsync(TestContext.Current.CancellationToken);   // A sent at 0 s
        clock.Now = T0.AddSeconds(5);
        limiter.Release(a);                                                        // A answered at 5 s
        await limiter.WaitAsync(TestContext.Current.CancellationToken);            // B at 5 s
        clock.Now = T0.AddSeconds(61);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var c = limiter.WaitAsync(cancel.Token);
        Assert.False(c.IsCompleted, "A left the window 60 s after its answer (65 s), not after its send (60 s)");
        Assert.Equal(TimeSpan.FromSeconds(4), clock.Waited);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c);
    }

    [Fact]
    public async Task Releasing_an_unlimited_or_earlier_slot_changes_nothing()
    {
        var unlimited = new RequestRateLimiter(RequestRate.Unlimited);
        var none = await unlimited.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Null(none);
        unlimited.Release(none);

        var clock = new ManualClock(T0.AddSeconds(10));
        var limiter = new RequestRateLimiter(new RequestRate(1, TimeSpan.FromSeconds(10)), clock);
        var a = await limiter.WaitAsync(TestContext.Current.CancellationToken);
        clock.Now = T0; // a clock that went back never shortens the hold
        limiter.Release(a);
        clock.Now = T0.AddSeconds(20);
        Assert.True(limiter.WaitAsync(TestContext.Current.CancellationToken).IsCompletedSuccessfully);
    }
}
