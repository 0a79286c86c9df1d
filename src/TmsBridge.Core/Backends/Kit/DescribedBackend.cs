using TmsBridge.Configuration;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// A backend whose name, statuses and rate limit come from its <see cref="TargetDescriptor"/>, so they are
/// declared once, in the TMS's Targets file (AIO, QMetry, qTest and RTM; Xray's dialect holds its own).
/// </summary>
internal abstract class DescribedBackend : ITmsBackend
{
    /// <summary>The target this backend publishes to.</summary>
    protected internal abstract TargetDescriptor Descriptor { get; }
    public string DisplayName => Descriptor.DisplayName;
    /// <summary>The target name ("aio-cloud"), for messages.</summary>
    protected internal string TargetName => Descriptor.Name;
    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses => Descriptor.DefaultStatuses;
    public RequestRate? DefaultRateLimit => Descriptor.DefaultRateLimit;

    public abstract IEnumerable<string> Validate(TmsOptions options);
    public abstract Task PublishAsync(PublishContext context, CancellationToken cancellationToken);
}
