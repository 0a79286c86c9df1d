using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// Checks an Xray Server/DC import body against Specs/xray-server-import-execution.schema.json (a
/// committed copy of shared/specs: draft-07, additionalProperties:false everywhere, required fields,
/// types, date-time formats) plus the mutual exclusions the Xray docs state but the transcription
/// cannot express (api-notes/xray.md §3.2, §3.3).
/// </summary>
internal static class XraySchemaCheck
{
    public static string SchemaPath => Path.Combine(Golden.ProjectDir, "Specs", "xray-server-import-execution.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(SchemaPath), baseUri: new Uri("https://tmsbridge.test/xray-server-import-execution.schema.json")));

    /// <summary>Every problem found, as "location: message"; empty when the payload conforms.</summary>
    public static List<string> Problems(string json)
    {
        var problems = new List<string>();
        var root = JsonNode.Parse(json)!.AsObject();

        foreach (var (test, index) in (root["tests"]?.AsArray() ?? []).Select((t, i) => (t!.AsObject(), i)))
        {
            var at = $"/tests/{index}";
            var runKinds = new[] { "steps", "examples", "iterations" }.Where(test.ContainsKey).ToList();
            if (runKinds.Count > 1) problems.Add($"{at}: {string.Join(", ", runKinds)} are mutually exclusive");
            if (test.ContainsKey("evidence") && test.ContainsKey("evidences")) problems.Add($"{at}: evidence and evidences are mutually exclusive");
            if (test["testInfo"] is JsonObject info)
            {
                var kinds = new[] { "steps", "scenario", "definition" }.Where(info.ContainsKey).ToList();
                if (kinds.Count > 1) problems.Add($"{at}/testInfo: {string.Join(", ", kinds)} are mutually exclusive");
            }
            if (!test.ContainsKey("testKey") && !test.ContainsKey("testInfo")) problems.Add($"{at}: neither testKey nor testInfo: Xray cannot tell which Test this run belongs to");
            foreach (var (iteration, i) in (test["iterations"]?.AsArray() ?? []).Select((x, i) => (x!.AsObject(), i)))
            {
                var count = iteration["parameters"]?.AsArray().Count ?? 0;
                if (count is 0 or > 20) problems.Add($"{at}/iterations/{i}: {count} parameters (Xray wants 1..20)");
            }
            // The DC docs (seeds/004) and every DC client spell test-level attachments "evidences"; the
            // transcribed schema (from Qytera's TypeScript types) lists only "evidence". Same items, so rename
            // for the structural check only: any other unknown property still fails additionalProperties.
            if (test.ContainsKey("evidences") && !test.ContainsKey("evidence"))
            {
                var items = test["evidences"]!.DeepClone();
                test.Remove("evidences");
                test["evidence"] = items;
            }
        }
        if (root["testExecutionKey"] is null && root["info"]?["project"] is null)
            problems.Add("/info: a new Test Execution needs info.project (DC error \"issuetype: issuetype\" otherwise)");

        using var doc = JsonDocument.Parse(root.ToJsonString());
        var result = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (!result.IsValid)
        {
            foreach (var detail in result.Details ?? [])
            {
                if (detail.Errors is null) continue;
                foreach (var error in detail.Errors) problems.Add($"{detail.InstanceLocation}: {error.Key}: {error.Value}");
            }
            if (problems.Count == 0) problems.Add("schema validation failed (no detail)");
        }
        return problems;
    }

    public static void AssertValid(byte[] utf8) => AssertValid(System.Text.Encoding.UTF8.GetString(utf8));

    public static void AssertValid(string json)
    {
        var problems = Problems(json);
        Assert.True(problems.Count == 0, "payload does not conform to the Xray Server/DC import schema:\n  " + string.Join("\n  ", problems));
    }
}
