using TmsBridge.Configuration;
using TmsBridge.Backends.Aio;
using TmsBridge.Backends.QMetry;
using TmsBridge.Backends.QTest;
using TmsBridge.Backends.Rtm;
using TmsBridge.Backends.Xray;
using TmsBridge.Keys;
using TmsBridge.Mapping;

namespace TmsBridge.Publishing;

/// <summary>The registration list: every target TmsBridge understands, each declared by its TMS folder.</summary>
public static class Targets
{
    public const string None = "none";

    /// <summary>
    /// One line per target: the descriptors each TMS folder declares (see docs/architecture.md,
    /// "Adding a TMS"). Every name the design fixes is implemented, so none is reserved any more.
    /// </summary>
    public static IReadOnlyList<TargetDescriptor> All { get; } =
    [
        XrayTargets.Server,
        XrayTargets.Cloud,
        AioTargets.Server,
        AioTargets.Cloud,
        QMetryTargets.Server,
        QMetryTargets.Cloud,
        QTestTargets.Manager,
        RtmTargets.Server,
        RtmTargets.Cloud,
    ];

    /// <summary>Every target name, with "none" last.</summary>
    public static readonly string[] Known = [.. All.Select(t => t.Name), None];

    /// <summary>Names with a backend.</summary>
    public static IEnumerable<TargetDescriptor> Implemented => All.Where(t => t.IsImplemented);

    public static TargetDescriptor? Find(string target) =>
        All.FirstOrDefault(t => string.Equals(t.Name, target, StringComparison.OrdinalIgnoreCase));

    public static KeyRule KeyRuleFor(string target) => Find(target)?.KeyRule ?? KeyRule.Any;

    /// <summary>The targets whose TMS owns <paramref name="option"/>; empty for shared options.</summary>
    public static IReadOnlyList<string> OwnersOf(OptionDefinition option) =>
        All.Where(t => t.Options.Contains(option)).Select(t => t.Name).ToList();

    /// <summary>The products, in registration order: "Xray, AIO Tests, QMetry, qTest, RTM".</summary>
    public static IEnumerable<string> Products => All.Select(t => t.Tms).Distinct();
}
