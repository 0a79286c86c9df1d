using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Reports;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// The QMetry-only import options parsed from <see cref="QMetryOptions"/> (kept there as given):
/// automationHierarchy, keyPlacement, matchTestSteps, qmetryFields. Parsed here, when the target is
/// known, so each bad value is a problem naming the target, the option and what it accepts.
/// </summary>
internal sealed class QMetrySettings
{
    public int AutomationHierarchy { get; private set; } = 3;
    public JUnitKeyPlacement KeyPlacement { get; private set; } = JUnitKeyPlacement.Property;
    public bool MatchTestSteps { get; private set; }
    /// <summary>qmetryFields: {"testCycle": {...}, "testCase": {...}, "testCaseExecution": {...}}.</summary>
    public JsonObject? Fields { get; private set; }
    public List<string> Problems { get; } = [];

    public static readonly string[] FieldGroups = ["testCycle", "testCase", "testCaseExecution"];

    public static QMetrySettings Read(TmsOptions options, string target)
    {
        var q = new QMetrySettings();
        var given = options.For<QMetryOptions>();
        static string? Value(string? v) => v is { Length: > 0 } ? v : null;
        void Bad(OptionDefinition o, string value, string expected) =>
            q.Problems.Add($"target '{target}': option '{o.Name}' has the value '{value}'; expected {expected}.");

        if (Value(given.AutomationHierarchy) is { } h)
        {
            if (h is "1" or "2" or "3") q.AutomationHierarchy = h[0] - '0';
            else Bad(QMetryTargets.AutomationHierarchy, h, "1, 2 or 3 (3: one cycle, each testcase a test case)");
        }
        if (Value(given.KeyPlacement) is { } p)
        {
            switch (p.ToLowerInvariant())
            {
                case "property": q.KeyPlacement = JUnitKeyPlacement.Property; break;
                case "attribute": q.KeyPlacement = JUnitKeyPlacement.Attribute; break;
                default: Bad(QMetryTargets.KeyPlacement, p, "property or attribute"); break;
            }
        }
        if (Value(given.MatchTestSteps) is { } m)
        {
            switch (m.ToLowerInvariant())
            {
                case "true" or "yes" or "1" or "on": q.MatchTestSteps = true; break;
                case "false" or "no" or "0" or "off": q.MatchTestSteps = false; break;
                default: Bad(QMetryTargets.MatchTestSteps, m, "true or false"); break;
            }
        }
        if (Value(given.QmetryFields) is { } f)
        {
            const string expected = "a JSON object such as {\"testCycle\": {\"labels\": [\"nightly\"]}, \"testCase\": {...}, \"testCaseExecution\": {...}}";
            var fields = JsonObjectOption.Read(f, QMetryTargets.QmetryFields.Name, expected, out var problem);
            if (fields is null) q.Problems.Add($"target '{target}': {problem}");
            else
            {
                foreach (var group in fields)
                {
                    if (!FieldGroups.Contains(group.Key))
                        q.Problems.Add($"target '{target}': qmetryFields has '{group.Key}'; expected only {string.Join(", ", FieldGroups)}.");
                    else if (group.Value is not JsonObject)
                        q.Problems.Add($"target '{target}': qmetryFields.{group.Key} must be a JSON object of field names to values.");
                }
                q.Fields = fields;
            }
        }
        if (options.Environments.Count > 1)
            q.Problems.Add($"target '{target}': QMetry takes one environment per import; option 'environments' has {options.Environments.Count} ({string.Join(";", options.Environments)}).");
        return q;
    }
}
