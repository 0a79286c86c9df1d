using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace TmsBridge;

/// <summary>
/// Base of the TmsBridge MSTest attributes: an MSTest <see cref="TestPropertyAttribute"/> with a fixed
/// name, so the keys reach the runner as a trait (VSTest <c>TestCase.Traits</c>,
/// Microsoft.Testing.Platform test metadata). Works on a test method and on a test class (class-level
/// values apply to every test in the class).
/// </summary>
/// <remarks>
/// MSTest carries exactly one name/value pair per attribute instance, so several keys given to one
/// attribute are joined with <c>,</c> (<c>[TestCaseKey("DEMO-5", "DEMO-6")]</c> arrives as
/// <c>TestCaseKey = "DEMO-5,DEMO-6"</c>); the TmsBridge logger splits values on <c>,</c> and <c>;</c>.
/// Null, empty and whitespace-only keys are skipped (an exception here would surface as a confusing
/// discovery error); the others are trimmed. Key format is validated by the logger.
/// </remarks>
public abstract class TmsTestPropertyAttribute : TestPropertyAttribute
{
    /// <summary>Creates a <paramref name="name"/> property whose value is the non-empty keys joined with <c>,</c>.</summary>
    /// <param name="name">Property name, one of <see cref="TmsTraitNames"/>.</param>
    /// <param name="keys">The keys; empty ones are skipped.</param>
    protected TmsTestPropertyAttribute(string name, string[]? keys)
        : base(name, string.Join(",", TmsKeyList.Normalize(keys)))
    {
        Keys = TmsKeyList.Normalize(keys);
    }

    /// <summary>The non-empty keys, trimmed, in the order given.</summary>
    public IReadOnlyList<string> Keys { get; }
}

/// <summary>
/// Links a test (or every test of a class) to one or more TMS test cases, e.g.
/// <c>[TestCaseKey("DEMO-1")]</c>. Surfaces as the MSTest test property <c>TestCaseKey</c>;
/// <c>[TestProperty("TestCaseKey", "DEMO-1")]</c> is equivalent.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class TestCaseKeyAttribute : TmsTestPropertyAttribute
{
    /// <summary>Links the test to the given test case keys (empty values are skipped).</summary>
    public TestCaseKeyAttribute(params string[] keys) : base(TmsTraitNames.TestCaseKey, keys) { }
}

/// <summary>
/// Declares the requirement(s) a test (or every test of a class) covers, e.g. <c>[Covers("DEMO-100")]</c>.
/// Surfaces as the MSTest test property <c>Covers</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class CoversAttribute : TmsTestPropertyAttribute
{
    /// <summary>Links the test to the given requirement keys (empty values are skipped).</summary>
    public CoversAttribute(params string[] requirementKeys) : base(TmsTraitNames.Covers, requirementKeys) { }
}

/// <summary>
/// Links a test (or every test of a class) to known defect(s), e.g. <c>[Defect("DEMO-200")]</c>.
/// Surfaces as the MSTest test property <c>Defect</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class DefectAttribute : TmsTestPropertyAttribute
{
    /// <summary>Links the test to the given defect keys (empty values are skipped).</summary>
    public DefectAttribute(params string[] defectKeys) : base(TmsTraitNames.Defect, defectKeys) { }
}
