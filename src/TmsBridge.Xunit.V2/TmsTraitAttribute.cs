using Xunit.Sdk;

namespace TmsBridge;

/// <summary>
/// Base of the TmsBridge xUnit v2 attributes: an <see cref="ITraitAttribute"/> whose keys are turned into
/// traits by <see cref="XunitV2.TmsTraitDiscoverer"/>, one trait per key under a fixed name, so each key
/// reaches the runner as its own trait (VSTest <c>TestCase.Traits</c>). Valid on methods and classes;
/// class-level traits apply to every test in the class, as for xUnit's own <c>[Trait]</c>.
/// </summary>
/// <remarks>
/// Null, empty and whitespace-only keys are skipped (an exception here would surface as a confusing
/// discovery error); the others are trimmed. Key format is validated by the logger.
/// </remarks>
public abstract class TmsTraitAttribute : Attribute, ITraitAttribute, XunitV2.ITmsKeyAttribute
{
    /// <summary>Stores the non-empty keys under the trait <paramref name="name"/>.</summary>
    /// <param name="name">Trait name, one of <see cref="TmsTraitNames"/>.</param>
    /// <param name="keys">The keys; empty ones are skipped.</param>
    protected TmsTraitAttribute(string name, string[]? keys)
    {
        Name = name;
        Keys = TmsKeyList.Normalize(keys);
    }

    /// <summary>The trait name the keys are reported under.</summary>
    public string Name { get; }

    /// <summary>The non-empty keys, trimmed, in the order given.</summary>
    public IReadOnlyList<string> Keys { get; }
}

/// <summary>
/// Links a test (or every test of a class) to one or more TMS test cases, e.g.
/// <c>[TestCaseKey("DEMO-1")]</c>. Surfaces as the xUnit trait <c>TestCaseKey</c>, one trait per key;
/// <c>[Trait("TestCaseKey", "DEMO-1")]</c> is equivalent.
/// </summary>
[TraitDiscoverer(XunitV2.TmsTraitDiscoverer.TypeName, XunitV2.TmsTraitDiscoverer.AssemblyName)]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class TestCaseKeyAttribute : TmsTraitAttribute
{
    /// <summary>Links the test to the given test case keys (empty values are skipped).</summary>
    public TestCaseKeyAttribute(params string[] keys) : base(TmsTraitNames.TestCaseKey, keys) { }
}

/// <summary>
/// Declares the requirement(s) a test (or every test of a class) covers, e.g. <c>[Covers("DEMO-100")]</c>.
/// Surfaces as the xUnit trait <c>Covers</c>, one trait per key.
/// </summary>
[TraitDiscoverer(XunitV2.TmsTraitDiscoverer.TypeName, XunitV2.TmsTraitDiscoverer.AssemblyName)]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class CoversAttribute : TmsTraitAttribute
{
    /// <summary>Links the test to the given requirement keys (empty values are skipped).</summary>
    public CoversAttribute(params string[] requirementKeys) : base(TmsTraitNames.Covers, requirementKeys) { }
}

/// <summary>
/// Links a test (or every test of a class) to known defect(s), e.g. <c>[Defect("DEMO-200")]</c>.
/// Surfaces as the xUnit trait <c>Defect</c>, one trait per key.
/// </summary>
[TraitDiscoverer(XunitV2.TmsTraitDiscoverer.TypeName, XunitV2.TmsTraitDiscoverer.AssemblyName)]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class DefectAttribute : TmsTraitAttribute
{
    /// <summary>Links the test to the given defect keys (empty values are skipped).</summary>
    public DefectAttribute(params string[] defectKeys) : base(TmsTraitNames.Defect, defectKeys) { }
}
