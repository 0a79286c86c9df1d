using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>Xray's targets and the options only Xray reads (parsed here into <see cref="XrayOptions"/>).</summary>
public static class XrayTargets
{
    public static readonly OptionDefinition ClientId = new("clientId", OptionKind.Text, "Xray Cloud API key client id.",
        reader: (o, v, _) => o.For<XrayOptions>().ClientId = v.Length == 0 ? null : v, valueOf: o => o.For<XrayOptions>().ClientId);
    public static readonly OptionDefinition ClientSecret = new("clientSecret", OptionKind.Text, "Xray Cloud API key client secret.", isSecret: true,
        reader: (o, v, _) => o.For<XrayOptions>().ClientSecret = v.Length == 0 ? null : v, valueOf: o => o.For<XrayOptions>().ClientSecret);
    // Declared here (Xray Cloud had it first); QMetry Cloud and RTM Cloud list it among their options too.
    public static readonly OptionDefinition Region = new("region", OptionKind.Text, "Cloud region, picking the regional host when baseUrl is not set: Xray Cloud us, eu or au; QMetry Cloud us or au; RTM Cloud us or eu.",
        reader: (o, v, bad) =>
        {
            var region = v.ToLowerInvariant();
            if (region is "us" or "eu" or "au") o.For<XrayOptions>().Region = region; else bad("us, eu or au");
        }, valueOf: o => o.For<XrayOptions>().Region);
    public static readonly OptionDefinition ExecutionFields = new("executionFields", OptionKind.Text, "Jira fields of a new Test Execution: a JSON object of field ids to values, inline or in a file (Xray Cloud: sent through the multipart import).",
        reader: (o, v, _) => o.For<XrayOptions>().ExecutionFields = v.Length == 0 ? null : v, valueOf: o => o.For<XrayOptions>().ExecutionFields);

    public static readonly OptionDefinition StepResults = new("stepResults", OptionKind.Bool, "Xray: send runtime steps (Tms.Step) as step results to Manual tests whose step count matches (looked up before the import); false sends them as text in the comment.", defaultValue: "true",
        reader: (o, v, bad) => { if (ConfigurationResolver.TryBool(v, out var b)) o.For<XrayOptions>().StepResults = b; else bad("true or false"); },
        valueOf: o => o.For<XrayOptions>().StepResults ? "true" : "false");

    public static readonly TargetDescriptor Server = new("xray", "Xray", "Server/DC", KeyRule.JiraIssueKey, StatusMap.XrayServerDefaults,
        defaultRateLimit: null, options: [ExecutionFields, StepResults], create: () => new XrayServerBackend());

    /// <summary>Xray Cloud: 300 requests per 5 minutes per API key (api-notes/xray.md).</summary>
    public static readonly TargetDescriptor Cloud = new("xray-cloud", "Xray", "Cloud", KeyRule.JiraIssueKey, StatusMap.XrayCloudDefaults,
        defaultRateLimit: new(300, TimeSpan.FromMinutes(5)), options: [ClientId, ClientSecret, Region, ExecutionFields, StepResults], create: () => new XrayCloudBackend());
}

/// <summary>The options only Xray reads, typed; <c>options.For&lt;XrayOptions&gt;()</c>.</summary>
public sealed class XrayOptions
{
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>us, eu or au.</summary>
    public string? Region { get; set; }
    /// <summary>The executionFields option as given: inline JSON or a file path (read by the backend).</summary>
    public string? ExecutionFields { get; set; }
    /// <summary>Runtime steps as step results of Manual tests with the same step count (else as text).</summary>
    public bool StepResults { get; set; } = true;
}
