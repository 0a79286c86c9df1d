using NUnit.Framework;

namespace TmsBridge;

/// <summary>
/// Base of the TmsBridge NUnit attributes: an NUnit <see cref="PropertyAttribute"/> that adds one
/// property value per key under a fixed name, so each key reaches the runner as its own trait
/// (VSTest <c>TestCase.Traits</c>, Microsoft.Testing.Platform test metadata). On a fixture the
/// values apply to every test in it, as for any NUnit property.
/// </summary>
/// <remarks>
/// Null, empty and whitespace-only keys are skipped (an exception here would surface as a
/// confusing discovery error); the others are trimmed. Key format is validated by the logger.
/// </remarks>
public abstract class TmsPropertyAttribute : PropertyAttribute
{
    /// <summary>Adds one <paramref name="name"/> property per non-empty key.</summary>
    /// <param name="name">Property name, one of <see cref="TmsTraitNames"/>.</param>
    /// <param name="keys">The keys; empty ones are skipped.</param>
    protected TmsPropertyAttribute(string name, string[]? keys)
    {
        Name = name;
        Keys = TmsKeyList.Normalize(keys);
        foreach (var key in Keys)
        {
            Properties.Add(name, key);
        }
    }

    /// <summary>The property name the keys are stored under.</summary>
    public string Name { get; }

    /// <summary>The non-empty keys, trimmed, in the order given.</summary>
    public IReadOnlyList<string> Keys { get; }
}

/// <summary>
/// Links a test (or every test of a fixture) to one or more TMS test cases, e.g.
/// <c>[TestCaseKey("DEMO-1")]</c>. Surfaces as the NUnit property <c>TestCaseKey</c>, one value per key;
/// <c>[Property("TestCaseKey", "DEMO-1")]</c> is equivalent.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class TestCaseKeyAttribute : TmsPropertyAttribute
{
    /// <summary>Links the test to the given test case keys (empty values are skipped).</summary>
    public TestCaseKeyAttribute(params string[] keys) : base(TmsTraitNames.TestCaseKey, keys) { }
}

/// <summary>
/// Declares the requirement(s) a test (or every test of a fixture) covers, e.g. <c>[Covers("DEMO-100")]</c>.
/// Surfaces as the NUnit property <c>Covers</c>, one value per key.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class CoversAttribute : TmsPropertyAttribute
{
    /// <summary>Links the test to the given requirement keys (empty values are skipped).</summary>
    public CoversAttribute(params string[] requirementKeys) : base(TmsTraitNames.Covers, requirementKeys) { }
}

/// <summary>
/// Links a test (or every test of a fixture) to known defect(s), e.g. <c>[Defect("DEMO-200")]</c>.
/// Surfaces as the NUnit property <c>Defect</c>, one value per key.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class DefectAttribute : TmsPropertyAttribute
{
    /// <summary>Links the test to the given defect keys (empty values are skipped).</summary>
    public DefectAttribute(params string[] defectKeys) : base(TmsTraitNames.Defect, defectKeys) { }
}
