using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Where Xray Server/DC and Xray Cloud spell the same import differently (api-notes/xray.md §3.6):
/// evidence key, test type key, iteration fields and native statuses.
/// </summary>
internal sealed class XrayDialect
{
    private XrayDialect(TargetDescriptor target, bool isJiraServer, string evidenceProperty, string testTypeProperty, bool iterationNameAndLog)
    {
        Target = target;
        IsJiraServer = isJiraServer;
        EvidenceProperty = evidenceProperty;
        TestTypeProperty = testTypeProperty;
        IterationNameAndLog = iterationNameAndLog;
    }

    /// <summary>The flavour's descriptor: its name, statuses and rate limit are not repeated here.</summary>
    public TargetDescriptor Target { get; }
    public string Name => Target.DisplayName;
    /// <summary>Runs inside Jira Server/DC: its multipart calls carry X-Atlassian-Token: no-check (<see cref="Http.BrowserMultipart.Post"/>).</summary>
    public bool IsJiraServer { get; }
    /// <summary>DC: "evidences" (the DC docs and every DC client); Cloud: "evidence" ("evidences" is deprecated there).</summary>
    public string EvidenceProperty { get; }
    /// <summary>DC: "testType"; Cloud: "type" (required by the Cloud schema).</summary>
    public string TestTypeProperty { get; }
    /// <summary>Cloud iterations carry a name and a log; DC iterations only parameters and status.</summary>
    public bool IterationNameAndLog { get; }
    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses => Target.DefaultStatuses;

    public static readonly XrayDialect Server = new(XrayTargets.Server, isJiraServer: true, "evidences", "testType", false);
    public static readonly XrayDialect Cloud = new(XrayTargets.Cloud, isJiraServer: false, "evidence", "type", true);
}
