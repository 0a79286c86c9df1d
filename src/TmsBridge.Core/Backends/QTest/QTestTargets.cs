using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>qTest Manager's target and the options only qTest reads (parsed here into <see cref="QTestOptions"/>).</summary>
public static class QTestTargets
{
    public static readonly OptionDefinition TestCycleParent = new("testCycleParent", OptionKind.Text, "qTest: the release or test cycle (id, or PID such as RL-3 / CL-4) a new test cycle is created under (default: the root).",
        reader: (o, v, _) => o.For<QTestOptions>().TestCycleParent = v.Length == 0 ? null : v, valueOf: o => o.For<QTestOptions>().TestCycleParent);
    public static readonly OptionDefinition AdoptManualCases = new("adoptManualCases", OptionKind.Bool, "qTest: mark a keyed test case that is not automated as automated (Automation Content = the test's fully qualified name) instead of refusing it.", defaultValue: "false",
        reader: (o, v, bad) => { if (ConfigurationResolver.TryBool(v, out var b)) o.For<QTestOptions>().AdoptManualCases = b; else bad("true or false"); },
        valueOf: o => o.For<QTestOptions>().AdoptManualCases ? "true" : "false");

    private static readonly OptionDefinition[] Options = [TestCycleParent, AdoptManualCases];

    /// <summary>
    /// qTest Manager is one product (hosted or on-premises, one API), so its "flavour" is the
    /// product's own second word: the display name stays "qTest Manager" as qTest calls itself.
    /// qTest documents no request budget for the Manager API v3: no default rate limit.
    /// </summary>
    public static readonly TargetDescriptor Manager = new("qtest", "qTest", "Manager", KeyRule.QTestId, StatusMap.QTestDefaults,
        options: Options, create: () => new QTestBackend());
}

/// <summary>The options only qTest reads, typed; <c>options.For&lt;QTestOptions&gt;()</c>.</summary>
public sealed class QTestOptions
{
    /// <summary>Release or cycle (id or PID) a new test cycle goes under.</summary>
    public string? TestCycleParent { get; set; }
    /// <summary>Mark manual keyed test cases automated instead of refusing them.</summary>
    public bool AdoptManualCases { get; set; }
}
