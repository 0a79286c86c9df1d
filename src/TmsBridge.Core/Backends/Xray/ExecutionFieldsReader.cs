using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;

namespace TmsBridge.Backends.Xray;

/// <summary>executionFields: a JSON object inline, or the path of a file holding one (<see cref="JsonObjectOption"/>).</summary>
internal static class ExecutionFieldsReader
{
    public static JsonObject? Read(string value, out string problem) =>
        JsonObjectOption.Read(value, "executionFields", "a JSON object of Jira field ids to values, e.g. {\"customfield_10115\": 3}", out problem);
}
