namespace TmsBridge;

/// <summary>
/// The trait / property names the TmsBridge logger reads. The TmsBridge attributes surface their
/// values under these names, and a plain framework attribute with the same name (NUnit
/// <c>[Property("TestCaseKey", "DEMO-1")]</c>, xUnit <c>[Trait("TestCaseKey", "DEMO-1")]</c>,
/// MSTest <c>[TestProperty("TestCaseKey", "DEMO-1")]</c>) is treated exactly the same.
/// </summary>
public static class TmsTraitNames
{
    /// <summary>Trait naming the TMS test case(s) a test reports to, e.g. <c>DEMO-1</c>.</summary>
    public const string TestCaseKey = "TestCaseKey";

    /// <summary>Trait naming the requirement(s) / stories a test covers, e.g. <c>DEMO-100</c>.</summary>
    public const string Covers = "Covers";

    /// <summary>Trait naming the known defect(s) linked to a test, e.g. <c>DEMO-200</c>.</summary>
    public const string Defect = "Defect";
}
