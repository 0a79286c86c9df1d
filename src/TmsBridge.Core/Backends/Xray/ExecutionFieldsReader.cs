using System.Text.Json;
using System.Text.Json.Nodes;

namespace TmsBridge.Backends.Xray;

/// <summary>executionFields: a JSON object inline, or the path of a file holding one.</summary>
internal static class ExecutionFieldsReader
{
    public static JsonObject? Read(string value, out string problem)
    {
        problem = "";
        var text = value.TrimStart();
        string source = "the executionFields option";
        if (!text.StartsWith("{", StringComparison.Ordinal))
        {
            if (!File.Exists(value))
            {
                problem = $"executionFields is neither a JSON object nor an existing file: '{value}'.";
                return null;
            }
            source = $"the executionFields file '{value}'";
            text = File.ReadAllText(value);
        }
        try
        {
            if (JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) is JsonObject o) return o;
            problem = $"{source} must hold a JSON object of Jira field ids to values, e.g. {{\"customfield_10115\": 3}}.";
        }
        catch (JsonException e)
        {
            problem = $"{source} is not valid JSON: {e.Message}";
        }
        return null;
    }
}
