using System.Text.Json;

namespace TmsBridge.AcceptanceTests;

/// <summary>Reads GET /_sandbox/state over HTTP, as a user would.</summary>
public static class SandboxStateReader
{
    public static async Task<JsonDocument> ReadAsync(Uri sandbox)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return JsonDocument.Parse(await http.GetStringAsync(new Uri(sandbox, "_sandbox/state")));
    }

    public static IReadOnlyList<JsonElement> Executions(JsonDocument state) =>
        state.RootElement.GetProperty("xray").GetProperty("executions").EnumerateArray().ToList();

    public static JsonElement Test(JsonElement execution, string key) =>
        execution.GetProperty("tests").EnumerateArray().Single(t => t.GetProperty("testKey").GetString() == key);

    public static IEnumerable<(string Test, string Requirement)> Links(JsonDocument state) =>
        state.RootElement.GetProperty("xray").GetProperty("links").EnumerateArray()
            .Select(l => (l.GetProperty("test").GetString()!, l.GetProperty("requirement").GetString()!));

    public static IReadOnlyList<string> Strings(JsonElement e, string property) =>
        e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
}
