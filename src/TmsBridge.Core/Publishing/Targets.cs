using TmsBridge.Keys;

namespace TmsBridge.Publishing;

/// <summary>The target names TmsBridge understands and the key shape each expects.</summary>
public static class Targets
{
    public const string None = "none";

    public static readonly string[] Known = ["xray", "xray-cloud", "aio", "aio-cloud", "qmetry", "qmetry-cloud", "qtest", "rtm", "rtm-cloud", None];

    public static KeyRule KeyRuleFor(string target) => target switch
    {
        "xray" or "xray-cloud" or "rtm" or "rtm-cloud" => KeyRule.JiraIssueKey,
        "aio" or "aio-cloud" or "qmetry" or "qmetry-cloud" => KeyRule.TestCaseKey,
        "qtest" => KeyRule.QTestId,
        _ => KeyRule.Any,
    };
}
