using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Where Xray Server/DC and Xray Cloud spell the same import differently (api-notes/xray.md §3.6):
/// evidence key, test type key, iteration fields and native statuses.
/// </summary>
internal sealed class XrayDialect
{
    private XrayDialect(string name, bool isJiraServer, string evidenceProperty, string testTypeProperty, bool iterationNameAndLog, IReadOnlyDictionary<TestOutcome, string> statuses)
    {
        Name = name;
        IsJiraServer = isJiraServer;
        EvidenceProperty = evidenceProperty;
        TestTypeProperty = testTypeProperty;
        IterationNameAndLog = iterationNameAndLog;
        DefaultStatuses = statuses;
    }

    public string Name { get; }
    /// <summary>Runs inside Jira Server/DC: its multipart calls carry X-Atlassian-Token: no-check (<see cref="Http.BrowserMultipart.Post"/>).</summary>
    public bool IsJiraServer { get; }
    /// <summary>DC: "evidences" (the DC docs and every DC client); Cloud: "evidence" ("evidences" is deprecated there).</summary>
    public string EvidenceProperty { get; }
    /// <summary>DC: "testType"; Cloud: "type" (required by the Cloud schema).</summary>
    public string TestTypeProperty { get; }
    /// <summary>Cloud iterations carry a name and a log; DC iterations only parameters and status.</summary>
    public bool IterationNameAndLog { get; }
    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses { get; }

    public static readonly XrayDialect Server = new(XrayTargets.Server.DisplayName, isJiraServer: true, "evidences", "testType", false, XrayTargets.Server.DefaultStatuses);
    public static readonly XrayDialect Cloud = new(XrayTargets.Cloud.DisplayName, isJiraServer: false, "evidence", "type", true, XrayTargets.Cloud.DefaultStatuses);
}
