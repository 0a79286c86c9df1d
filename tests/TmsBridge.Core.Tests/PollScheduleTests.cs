using TmsBridge.Backends.QMetry;
using TmsBridge.Backends.Rtm;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 16: an asynchronous import or create is polled soon after it starts (a small one is usually
/// done within a fraction of a second), then at the vendor's cadence. A first wait of a whole second
/// was most of a small QMetry or RTM publish (4 requests, 3.5 s against a 0.2 s request bound).
/// </summary>
public sealed class PollScheduleTests
{
    [Fact]
    public void QMetry_polls_the_tracker_after_a_quarter_second_then_backs_off_to_its_clients_cadence()
    {
        var delays = QMetryBackendBase.DefaultPollDelays;
        Assert.Equal(TimeSpan.FromMilliseconds(250), delays[0]);
        Assert.True(delays.Zip(delays.Skip(1)).All(p => p.First < p.Second), "the pauses grow");
        Assert.Equal(TimeSpan.FromSeconds(5), delays[^1]); // QMetry's own clients poll every 2-5 s
        // Waited in all before the 6th poll: under 4 s (was 1+2+3+5+5 = 16 s), so a long import still sees few polls.
        Assert.InRange(delays.Take(5).Aggregate(TimeSpan.Zero, (a, b) => a + b), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void Rtm_reads_a_pending_status_after_a_quarter_second_then_every_second()
    {
        var backend = new RtmServerBackend();
        Assert.Equal(TimeSpan.FromMilliseconds(250), backend.PendingPollDelay(0));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backend.PendingPollDelay(1));
        Assert.Equal(TimeSpan.FromSeconds(1), backend.PendingPollDelay(2));
        Assert.Equal(TimeSpan.FromSeconds(1), backend.PendingPollDelay(50));
        Assert.Equal(TimeSpan.FromMilliseconds(1), new RtmServerBackend { PendingPollDelays = [TimeSpan.FromMilliseconds(1)] }.PendingPollDelay(7));
    }
}
