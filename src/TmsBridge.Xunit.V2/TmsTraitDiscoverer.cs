using Xunit.Abstractions;
using Xunit.Sdk;

namespace TmsBridge.XunitV2;

/// <summary>
/// xUnit v2 trait discoverer for the TmsBridge attributes (<see cref="TestCaseKeyAttribute"/>,
/// <see cref="CoversAttribute"/>, <see cref="DefectAttribute"/>, and any <see cref="ITmsKeyAttribute"/>,
/// such as the combined attributes of a project with several TmsBridge attribute packages): returns one
/// trait per key, named <c>TestCaseKey</c>, <c>Covers</c> or <c>Defect</c>. xUnit creates it from the
/// <see cref="TraitDiscovererAttribute"/> on each attribute; test code never uses it directly.
/// </summary>
/// <remarks>
/// The runner discovers tests by reflection, so the attribute instance is read directly. Source-based
/// (non-reflection) attribute information carries no trait name and yields no traits.
/// </remarks>
public sealed class TmsTraitDiscoverer : ITraitDiscoverer
{
    /// <summary>Full name of this type, as given to <see cref="TraitDiscovererAttribute"/>.</summary>
    public const string TypeName = "TmsBridge.XunitV2.TmsTraitDiscoverer";

    /// <summary>Name of the assembly holding this type, as given to <see cref="TraitDiscovererAttribute"/>.</summary>
    public const string AssemblyName = "TmsBridge.Xunit.V2";

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        if (traitAttribute is IReflectionAttributeInfo { Attribute: ITmsKeyAttribute attribute })
        {
            return attribute.Keys.Select(key => new KeyValuePair<string, string>(attribute.Name, key)).ToArray();
        }

        return [];
    }
}
