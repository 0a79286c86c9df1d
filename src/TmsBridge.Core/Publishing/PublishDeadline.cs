namespace TmsBridge.Publishing;

/// <summary>
/// The end of the publish budget (publishTimeout), started once: at the run end by
/// <see cref="RunSession.CompleteAsync"/>, so reading the journal back, aggregation, payloads,
/// evidence and HTTP all share it; or by <see cref="Publisher"/> for `tmsbridge publish`.
/// </summary>
public sealed class PublishDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;

    private PublishDeadline(TimeSpan span, TimeProvider time)
    {
        Span = span;
        Time = time;
        At = time.GetUtcNow() + span;
        // Wall-clock on purpose: the cancellation is the watchdog that ends a real run; the clock
        // (the same in the product) decides whether a wait still fits before At.
        _source = new CancellationTokenSource(span);
    }

    public static PublishDeadline Start(TimeSpan span, TimeProvider? time = null) => new(span, time ?? TimeProvider.System);

    /// <summary>publishTimeout as configured, for messages.</summary>
    public TimeSpan Span { get; }
    /// <summary>When the budget ends, on <see cref="Time"/>'s clock.</summary>
    public DateTimeOffset At { get; }
    public TimeProvider Time { get; }
    /// <summary>Cancelled when the budget ends.</summary>
    public CancellationToken Token => _source.Token;
    public bool Reached => _source.IsCancellationRequested;

    public void Dispose() => _source.Dispose();
}
