using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// The bodies RTM is sent (api-notes/qtest-rtm.md §2.2), apart from the HTTP code so tests can call
/// them. Everything culture-invariant (design §7).
/// </summary>
internal static class RtmPayload
{
    /// <summary>The TCE key: "{Test Execution key}-{Test Case key}", e.g. DEMO-900-DEMO-12.</summary>
    public static string TceKey(string executionKey, string testCaseKey) => executionKey + "-" + testCaseKey;

    /// <summary>
    /// POST test-execution/execute/{plan}: the run's test case keys as a JSON list, summary, the
    /// description with the run marker, environment, versions and the run's dates (YYYY-MM-DD, UTC).
    /// Keys null: no testCaseIssueKeys, so the TE holds every test case of the plan (a TE shared by a
    /// group: RTM's API cannot add a Test Case Execution to a TE after its create, so the members that
    /// join later find theirs there).
    /// </summary>
    public static JsonObject ExecuteBody(IEnumerable<string>? keys, string summary, string description, TmsOptions options, DateTimeOffset start, DateTimeOffset end)
    {
        var body = new JsonObject();
        if (keys is not null) body["testCaseIssueKeys"] = new JsonArray(keys.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray());
        body["summary"] = summary;
        body["description"] = description;
        body["startDate"] = Day(start);
        body["endDate"] = Day(end);
        if (Environment(options) is { } env) body["environment"] = env;
        if (options.Version is { } v) body["versions"] = new JsonArray(JsonValue.Create(v));
        return body;
    }

    /// <summary>RTM's environment is one text: the environments option joined with ", ", or null.</summary>
    public static string? Environment(TmsOptions options) => options.Environments.Count == 0 ? null : string.Join(", ", options.Environments);

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// PUT test-case-execution/{tce}: <c>result {name}</c> from the status map, <c>actualTime</c>
    /// (whole seconds of the key's results together), <c>environment</c>.
    /// </summary>
    public static JsonObject ResultBody(KeyedResult keyed, StatusMap statuses, TmsOptions options)
    {
        var body = new JsonObject
        {
            ["result"] = new JsonObject { ["name"] = statuses[keyed.Outcome] },
            ["actualTime"] = (long)Math.Round(keyed.Results.Sum(r => r.DurationMs) / 1000.0, MidpointRounding.AwayFromZero),
        };
        if (Environment(options) is { } env) body["environment"] = env;
        return body;
    }

    /// <summary>
    /// The TCE's comment, or null when there is nothing to say (one passing result without data):
    /// each result by name and outcome when the key has several (data rows, several tests), with
    /// their parameters; the message and stack of every result that did not pass; each result's runtime
    /// comments and steps.
    /// </summary>
    /// <param name="stepsOnTce">The runtime steps went onto the TCE's own steps: they are not repeated as text.</param>
    public static string? Comment(KeyedResult keyed, bool stepsOnTce = false)
    {
        var several = keyed.Results.Count > 1 || keyed.HasIterations;
        var lines = new List<string>();
        foreach (var r in keyed.Results)
        {
            if (several)
                lines.Add(r.Name + ": " + r.Outcome + (r.Parameters.Count > 0 ? " (" + string.Join(", ", r.Parameters.Select(p => p.Name + "=" + p.Value)) + ")" : ""));
            if (!string.IsNullOrWhiteSpace(r.ErrorMessage)) lines.Add(r.ErrorMessage!.Trim());
            if (!string.IsNullOrWhiteSpace(r.ErrorStackTrace)) lines.Add(r.ErrorStackTrace!.Trim());
            // Runtime comments (Tms.Comment), and the steps (Tms.Step) as text unless they went onto the TCE's own steps.
            lines.AddRange(r.Comments.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.Trim()));
            var steps = stepsOnTce ? "" : StepText.Format(r);
            if (steps.Length > 0) lines.Add("Steps:\n" + steps);
        }
        return lines.Count == 0 ? null : string.Join("\n", lines);
    }

    /// <summary>
    /// The one result whose runtime steps can go onto the TCE's steps, or null: a key with several
    /// results (data rows, several tests) has no one step list to match, so its steps stay text.
    /// </summary>
    public static TestResultRecord? StepSource(KeyedResult keyed) =>
        keyed.Results.Count == 1 && keyed.Results[0].Steps.Count > 0 ? keyed.Results[0] : null;

    /// <summary>
    /// A TCE's execution steps in RTM's order (GET test-case-execution/{tce}:
    /// <c>executionGroups[].executionSteps[]</c>, groups and steps by <c>ordinal</c>): each step's id as text.
    /// </summary>
    public static List<string> ExecutionStepIdsOf(JsonElement tce)
    {
        var ids = new List<string>();
        if (tce.ValueKind != JsonValueKind.Object || !tce.TryGetProperty("executionGroups", out var groups) || groups.ValueKind != JsonValueKind.Array) return ids;
        foreach (var group in groups.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.Object).OrderBy(Ordinal))
        {
            if (!group.TryGetProperty("executionSteps", out var steps) || steps.ValueKind != JsonValueKind.Array) continue;
            foreach (var step in steps.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object).OrderBy(Ordinal))
                ids.Add(step.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.Number or JsonValueKind.String ? (id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText()) : "");
        }
        return ids;
    }

    private static long Ordinal(JsonElement e) => e.TryGetProperty("ordinal", out var o) && o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var n) ? n : long.MaxValue;

    /// <summary>PUT {step}/status: <c>{name}</c>, the step status through the status map (RTM's step results are the project's results).</summary>
    public static JsonObject StepStatusBody(string name) => new() { ["name"] = name };

    /// <summary>
    /// A step's comment, or null: its failure message, and its nested steps as numbered text (RTM's steps
    /// do not nest).
    /// </summary>
    public static string? StepComment(TestStep step)
    {
        var lines = new List<string>();
        if (!string.IsNullOrWhiteSpace(step.Message)) lines.Add(step.Message!.Trim());
        if (step.Steps.Count > 0) lines.Add(StepText.Format(new TestResultRecord { Steps = step.Steps }));
        return lines.Count == 0 ? null : string.Join("\n", lines);
    }

    /// <summary>The step path of <see cref="RtmOptions.RtmStepPath"/> for one step: its TCE, 1-based and 0-based position, and id.</summary>
    public static string StepPath(string template, string tce, int index0, string stepId) => template
        .Replace("{tce}", Uri.EscapeDataString(tce))
        .Replace("{index}", (index0 + 1).ToString(CultureInfo.InvariantCulture))
        .Replace("{index0}", index0.ToString(CultureInfo.InvariantCulture))
        .Replace("{stepId}", Uri.EscapeDataString(stepId));

    /// <summary>POST test-case-execution-comment/{tce}/comments: <c>{text}</c>.</summary>
    public static JsonObject CommentBody(string text) => new() { ["text"] = text };

    /// <summary>
    /// PUT test-case/{key}: <c>{"coveredRequirements": {"add": [{"testKey": ...}]}}</c>. Always
    /// <c>add</c>: an empty or <c>set</c> operation would drop the links the test case already has.
    /// </summary>
    public static JsonObject CoverBody(IEnumerable<string> requirements) => new()
    {
        ["coveredRequirements"] = new JsonObject
        {
            ["add"] = new JsonArray(requirements.Select(r => (JsonNode)new JsonObject { ["testKey"] = r }).ToArray()),
        },
    };

    /// <summary>V1 defect link (PUT test-case-execution/{tce}/defect): <c>{testKey}</c>; V2 puts the key in the path.</summary>
    public static JsonObject DefectBodyV1(string defect) => new() { ["testKey"] = defect };

    /// <summary>The TE key a create answered: <c>testKey</c>, else <c>issueKey</c>.</summary>
    public static string? ExecutionKeyOf(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object) return null;
        foreach (var name in new[] { "testKey", "issueKey", "key" })
            if (answer.TryGetProperty(name, out var k) && k.ValueKind == JsonValueKind.String && k.GetString() is { Length: > 0 } key) return key;
        return null;
    }

    /// <summary>The TCE keys a TE holds (GET test-execution/{key}: <c>testCaseExecutions[].testKey</c>).</summary>
    public static HashSet<string> TceKeysOf(JsonElement execution)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (execution.ValueKind == JsonValueKind.Object && execution.TryGetProperty("testCaseExecutions", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var tce in list.EnumerateArray())
                if (tce.ValueKind == JsonValueKind.Object && tce.TryGetProperty("testKey", out var k) && k.ValueKind == JsonValueKind.String) keys.Add(k.GetString()!);
        return keys;
    }

    /// <summary>True while the status endpoint says the TE is still being created (<c>executionStatus: Pending</c>).</summary>
    public static bool IsPending(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("executionStatus", out var s)
                && s.ValueKind == JsonValueKind.String && string.Equals(s.GetString(), "Pending", StringComparison.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
