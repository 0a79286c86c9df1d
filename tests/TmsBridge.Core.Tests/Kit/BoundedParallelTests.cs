using TmsBridge.Backends.Kit;

namespace TmsBridge.Core.Tests.Kit;

/// <summary>BoundedParallel: every item once, never more than the degree in flight.</summary>
public sealed class BoundedParallelTests
{
    [Fact]
    public async Task Every_item_runs_once_with_at_most_degree_in_flight()
    {
        var inFlight = 0;
        var max = 0;
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        await BoundedParallel.ForEachAsync(Enumerable.Range(0, 20).ToList(), 3, async (i, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (seen) max = Math.Max(max, now);
            await Task.Delay(20, ct);
            seen.Add(i);
            Interlocked.Decrement(ref inFlight);
        }, TestContext.Current.CancellationToken);

        Assert.Equal(3, max);
        Assert.Equal(Enumerable.Range(0, 20), seen.OrderBy(i => i));
    }

    [Fact]
    public async Task Fewer_items_than_workers_and_no_items_are_fine()
    {
        var count = 0;
        await BoundedParallel.ForEachAsync([1, 2], 8, (_, _) => { Interlocked.Increment(ref count); return Task.CompletedTask; }, TestContext.Current.CancellationToken);
        await BoundedParallel.ForEachAsync(new List<int>(), 8, (_, _) => throw new InvalidOperationException(), TestContext.Current.CancellationToken);
        Assert.Equal(2, count);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BoundedParallel.ForEachAsync([1], 0, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken));
    }
}
