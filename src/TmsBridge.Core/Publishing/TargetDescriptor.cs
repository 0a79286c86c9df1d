using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Model;

namespace TmsBridge.Publishing;

/// <summary>
/// Everything TmsBridge knows about one target, in one place: the registry, the target list of
/// help texts and errors, the option catalogue, the CLI demo and the MTP option descriptions are
/// all derived from <see cref="Targets.All"/>. A new target is one folder declaring its
/// descriptors and one line in that list.
/// </summary>
public sealed class TargetDescriptor
{
    private readonly Func<ITmsBackend>? _factory;

    internal TargetDescriptor(string name, string tms, string flavour, KeyRule keyRule, IReadOnlyDictionary<TestOutcome, string> defaultStatuses,
        RequestRate? defaultRateLimit = null, IReadOnlyList<OptionDefinition>? options = null, Func<ITmsBackend>? create = null)
    {
        Name = name;
        Tms = tms;
        Flavour = flavour;
        KeyRule = keyRule;
        DefaultStatuses = defaultStatuses;
        DefaultRateLimit = defaultRateLimit;
        Options = options ?? [];
        _factory = create;
    }

    /// <summary>The value of the target option: "aio-cloud".</summary>
    public string Name { get; }
    /// <summary>The product: "AIO Tests".</summary>
    public string Tms { get; }
    /// <summary>"Server/DC" or "Cloud".</summary>
    public string Flavour { get; }
    public string DisplayName => Tms + " " + Flavour;
    /// <summary>The shape of a test case key for this target.</summary>
    public KeyRule KeyRule { get; }
    /// <summary>Outcome → status name before the user's statusMap.</summary>
    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses { get; }
    /// <summary>The service's documented request budget (null: none), unless rateLimit says otherwise.</summary>
    public RequestRate? DefaultRateLimit { get; }
    /// <summary>Options only this TMS reads (shared ones live in <see cref="OptionCatalog"/>).</summary>
    public IReadOnlyList<OptionDefinition> Options { get; }
    /// <summary>False for names reserved by the design whose backend has not landed yet.</summary>
    public bool IsImplemented => _factory is not null;

    /// <summary>A new backend, or null when the target is not implemented yet (internal: backends are not public API).</summary>
    internal ITmsBackend? Create() => _factory?.Invoke();

    public override string ToString() => Name;
}
