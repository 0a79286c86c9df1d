namespace TmsBridge.XunitV2;

/// <summary>
/// What <see cref="TmsTraitDiscoverer"/> reads from an attribute: the trait name and its keys. The
/// package's own attributes implement it, and so do the attributes a project referencing several
/// TmsBridge attribute packages compiles in (see the package's build/TmsBridge.Attributes.targets),
/// which cannot derive from <see cref="TmsTraitAttribute"/>. Test code never uses it directly.
/// </summary>
public interface ITmsKeyAttribute
{
    /// <summary>The trait name the keys are reported under.</summary>
    string Name { get; }

    /// <summary>The non-empty keys, trimmed, in the order given.</summary>
    IReadOnlyList<string> Keys { get; }
}
