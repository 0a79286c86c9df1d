namespace TmsBridge.Backends.Kit;

/// <summary>
/// Runs work items with at most a given number in flight (netstandard2.0 has no Parallel.ForEachAsync):
/// N items take about N/degree round trips. The pace stays the HTTP client's (rate limit, a 429's
/// Retry-After pausing every worker); cancellation stops taking new items.
/// </summary>
internal static class BoundedParallel
{
    public static async Task ForEachAsync<T>(IReadOnlyList<T> items, int degree, Func<T, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        if (degree < 1) throw new ArgumentOutOfRangeException(nameof(degree), degree, "at least one worker");
        var next = -1;
        async Task WorkerAsync()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= items.Count) return;
                await body(items[i], cancellationToken).ConfigureAwait(false);
            }
        }
        var workers = Enumerable.Range(0, Math.Min(degree, items.Count)).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}
