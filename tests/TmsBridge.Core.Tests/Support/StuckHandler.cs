namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A network stack stuck in synchronous work: it blocks its caller's thread and ignores
/// cancellation (released after two minutes, or when disposed). Proves the run end is bounded
/// even when a publish never returns. Also compiled into TmsBridge.TestLogger.Tests.
/// </summary>
internal sealed class StuckHandler : HttpMessageHandler
{
    private readonly ManualResetEventSlim _release = new();
    public int Calls;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        _release.Wait(TimeSpan.FromMinutes(2));
        return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable));
    }

    protected override void Dispose(bool disposing) { _release.Set(); base.Dispose(disposing); }
}
