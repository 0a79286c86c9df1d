using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace TmsBridge.Sandbox.QTest;

/// <summary>
/// The official qTest Manager API v3 Swagger (qtest-manager-v3.swagger.yaml, a verbatim copy of
/// shared/specs, embedded) turned into JSON Schema: its "definitions" read with YamlDotNet, each
/// object schema closed (additionalProperties: false, so a misspelt field fails instead of being
/// ignored as qTest would), and a body checked against one definition with JsonSchema.Net
/// (draft-07, whose "definitions" the Swagger's $refs point into). Used by the sandbox for what it
/// receives and linked into the unit tests for what the backend sends.
/// </summary>
public static class QTestSwagger
{
    public const string ResourceName = "TmsBridge.Sandbox.QTest.qtest-manager-v3.swagger.yaml";

    private static readonly Lazy<JsonObject> Definitions = new(() =>
    {
        using var stream = typeof(QTestSwagger).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var yaml = new YamlStream();
        yaml.Load(reader);
        var root = (JsonObject)ToJson(yaml.Documents[0].RootNode)!;
        var definitions = (JsonObject)root["definitions"]!;
        Close(definitions);
        return definitions;
    });

    private static readonly Dictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>Every problem of <paramref name="json"/> against definition <paramref name="definition"/>, as "location: message"; empty when it conforms.</summary>
    public static List<string> Problems(string definition, string json) => Problems(SchemaFor(definition), json);

    /// <summary>Problems against an inline schema whose $refs point into the definitions (e.g. an array of int64 ids).</summary>
    public static List<string> ProblemsAgainst(JsonObject schema, string json)
    {
        var document = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["definitions"] = Definitions.Value.DeepClone(),
        };
        foreach (var p in schema) document[p.Key] = p.Value?.DeepClone();
        return Problems(JsonSchema.FromText(document.ToJsonString(), baseUri: new Uri("https://tmsbridge.test/qtest/inline-" + Guid.NewGuid().ToString("N"))), json);
    }

    private static JsonSchema SchemaFor(string definition)
    {
        lock (Schemas)
        {
            if (Schemas.TryGetValue(definition, out var s)) return s;
            if (!Definitions.Value.ContainsKey(definition)) throw new ArgumentException($"the qTest Swagger has no definition '{definition}'", nameof(definition));
            var document = new JsonObject
            {
                ["$schema"] = "http://json-schema.org/draft-07/schema#",
                ["definitions"] = Definitions.Value.DeepClone(),
                ["$ref"] = "#/definitions/" + definition,
            };
            s = JsonSchema.FromText(document.ToJsonString(), baseUri: new Uri("https://tmsbridge.test/qtest/" + definition));
            Schemas[definition] = s;
            return s;
        }
    }

    private static List<string> Problems(JsonSchema schema, string json)
    {
        JsonElement element;
        try
        {
            using var doc = JsonDocument.Parse(json);
            element = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return [$"(root): not JSON: {e.Message}"];
        }
        var result = schema.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        return (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "(root)")}: {e.Key}: {e.Value}"))
            .Distinct()
            .ToList();
    }

    /// <summary>Object schemas with properties get additionalProperties: false (qTest would drop an unknown field silently).</summary>
    private static void Close(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            if (o.ContainsKey("properties") && !o.ContainsKey("additionalProperties")) o["additionalProperties"] = false;
            foreach (var p in o.ToList()) Close(p.Value);
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a) Close(item);
        }
    }

    /// <summary>YAML to JSON: plain scalars that read as booleans or numbers become those, quoted ones stay strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => new KeyValuePair<string, JsonNode?>(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var v = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(v);
        if (v is "true" or "false") return JsonValue.Create(v == "true");
        if (v is "null" or "~" or "") return null;
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }
}
