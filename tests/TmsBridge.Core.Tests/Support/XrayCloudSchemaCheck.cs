using System.Text.Json;
using Json.Schema;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// Checks an Xray Cloud import body against Specs/xray-cloud-import-execution.schema.json: the
/// official Cloud schema ("$id": "XraySchema"), a committed copy of shared/specs (provenance in
/// Specs/README.md). It has no "$schema" line; its "dependencies" keyword (the mutual exclusions
/// evidence ⊕ evidences, steps ⊕ examples ⊕ iterations) is draft-07, so it is evaluated as draft-07.
/// </summary>
internal static class XrayCloudSchemaCheck
{
    public static string SchemaPath => Path.Combine(Golden.ProjectDir, "Specs", "xray-cloud-import-execution.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(SchemaPath), new BuildOptions { Dialect = Dialect.Draft07 },
            baseUri: new Uri("https://tmsbridge.test/xray-cloud-import-execution.schema.json")));

    /// <summary>Every problem found, as "location: message"; empty when the payload conforms.</summary>
    public static List<string> Problems(string json)
    {
        var problems = new List<string>();
        using var doc = JsonDocument.Parse(json);
        var result = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
        });
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
        Assert.True(problems.Count == 0, "payload does not conform to the official Xray Cloud import schema:\n  " + string.Join("\n  ", problems));
    }
}
