using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QMetry;

/// <summary>QMetry's targets and the options only QMetry reads (kept in <see cref="QMetryOptions"/>).</summary>
public static class QMetryTargets
{
    public static readonly OptionDefinition ApiKey = new("apiKey", OptionKind.Text, "QMetry (QTM4J): the Automation API key of the project, sent as the apiKey header.", isSecret: true,
        reader: (o, v, _) => o.For<QMetryOptions>().ApiKey = v.Length == 0 ? null : v, valueOf: o => o.For<QMetryOptions>().ApiKey);
    public static readonly OptionDefinition QmetryOpenApiKey = new("qmetryOpenApiKey", OptionKind.Text, "QMetry Cloud: an Open API key; with it, evidence is attached to each execution after the import (a JUnit import carries none).", isSecret: true,
        reader: (o, v, _) => o.For<QMetryOptions>().QmetryOpenApiKey = v.Length == 0 ? null : v, valueOf: o => o.For<QMetryOptions>().QmetryOpenApiKey);
    // The import options are kept as given and parsed by QMetrySettings when the target is known,
    // so a bad value is reported naming the target (and qmetryFields, a file or inline JSON, is read once, at publish).
    public static readonly OptionDefinition AutomationHierarchy = new("automationHierarchy", OptionKind.Text, "QMetry: how the JUnit file maps to cycles and cases: 1, 2 or 3 (one cycle, each testcase a test case).", defaultValue: "3",
        reader: (o, v, _) => o.For<QMetryOptions>().AutomationHierarchy = v.Length == 0 ? null : v, valueOf: o => o.For<QMetryOptions>().AutomationHierarchy);
    public static readonly OptionDefinition KeyPlacement = new("keyPlacement", OptionKind.Text, "QMetry: where the case key goes in the JUnit file: property (<property name=\"testcasekey\">) or attribute (testcasekey=\"...\").", defaultValue: "property",
        reader: (o, v, _) => o.For<QMetryOptions>().KeyPlacement = v.Length == 0 ? null : v, valueOf: o => o.For<QMetryOptions>().KeyPlacement);
    public static readonly OptionDefinition MatchTestSteps = new("matchTestSteps", OptionKind.Bool, "QMetry: match test cases by summary and steps (true) or by key or summary only (false).", defaultValue: "false",
        reader: (o, v, _) => o.For<QMetryOptions>().MatchTestSteps = v.Length == 0 ? null : v, valueOf: o => o.For<QMetryOptions>().MatchTestSteps);
    public static readonly OptionDefinition QmetryFields = new("qmetryFields", OptionKind.Text, "QMetry: the import's fields as JSON, inline or in a file: {\"testCycle\":{...},\"testCase\":{...},\"testCaseExecution\":{...}} (labels, components, priority, status, folder, assignee, customFields...).",
        reader: (o, v, _) => o.For<QMetryOptions>().QmetryFields = v.Length == 0 ? null : v, valueOf: o => o.For<QMetryOptions>().QmetryFields);

    private static readonly OptionDefinition[] ServerOptions = [ApiKey, QmetryOpenApiKey, AutomationHierarchy, KeyPlacement, MatchTestSteps, QmetryFields];
    /// <summary>QMetry Cloud also reads region (us or au), which Xray Cloud declares.</summary>
    private static readonly OptionDefinition[] CloudOptions = [.. ServerOptions, XrayTargets.Region];

    /// <summary>QTM4J documents no rate limit; statuses are informational (the import decides, see QMetryPayload).</summary>
    public static readonly TargetDescriptor Server = new("qmetry", "QMetry", "Server/DC", KeyRule.TestCaseKey, QMetryPayload.DefaultStatuses,
        options: ServerOptions, create: () => new QMetryServerBackend());

    public static readonly TargetDescriptor Cloud = new("qmetry-cloud", "QMetry", "Cloud", KeyRule.TestCaseKey, QMetryPayload.DefaultStatuses,
        options: CloudOptions, create: () => new QMetryCloudBackend());
}

/// <summary>The options only QMetry reads; <c>options.For&lt;QMetryOptions&gt;()</c>. The import options are as given (parsed by the backend, which names the target).</summary>
public sealed class QMetryOptions
{
    /// <summary>The Automation API key (apiKey header); a secret.</summary>
    public string? ApiKey { get; set; }
    /// <summary>QMetry Cloud: the Open API key, for evidence after the import; a secret.</summary>
    public string? QmetryOpenApiKey { get; set; }
    /// <summary>"1", "2" or "3" as given (default 3).</summary>
    public string? AutomationHierarchy { get; set; }
    /// <summary>"property" or "attribute" as given (default property).</summary>
    public string? KeyPlacement { get; set; }
    /// <summary>true/false as given (default false).</summary>
    public string? MatchTestSteps { get; set; }
    /// <summary>Inline JSON or a file path, as given.</summary>
    public string? QmetryFields { get; set; }
}
