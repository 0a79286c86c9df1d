using System.Text.Json;
using System.Text.Json.Nodes;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// An option holding a JSON object, inline or as the path of a file holding one (Xray's
/// executionFields, QMetry's qmetryFields): comments and trailing commas allowed, and every
/// problem worded with the option's name and what the object should hold.
/// </summary>
internal static class JsonObjectOption
{
    /// <param name="option">The option's name ("executionFields").</param>
    /// <param name="expected">What the object holds, for the message: "a JSON object of Jira field ids to values, e.g. {...}".</param>
    public static JsonObject? Read(string value, string option, string expected, out string problem)
    {
        problem = "";
        var text = value.TrimStart();
        var source = $"the {option} option";
        if (!text.StartsWith("{", StringComparison.Ordinal))
        {
            if (!File.Exists(value))
            {
                problem = $"{option} is neither a JSON object nor an existing file: '{value}'.";
                return null;
            }
            source = $"the {option} file '{value}'";
            text = File.ReadAllText(value);
        }
        try
        {
            if (JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) is JsonObject o) return o;
            problem = $"{source} must hold {expected}.";
        }
        catch (JsonException e)
        {
            problem = $"{source} is not valid JSON: {e.Message}";
        }
        return null;
    }
}
