using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Aio;

/// <summary>What a bulk run update answered: the cases AIO refused, with its words.</summary>
internal sealed class AioBulkAnswer
{
    public string? Status { get; set; }
    public int ErrorCount { get; set; }
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Set when the body could not be read: the per-case outcome is unknown.</summary>
    public string? Unreadable { get; set; }
    public bool IsFailed => string.Equals(Status, "FAILED", StringComparison.OrdinalIgnoreCase) || ErrorCount > 0;
}

/// <summary>
/// AIO Tests request bodies and answers (api-notes/aio-qmetry.md §1.3): bulk run updates
/// (testCaseKey, testRunStatus name, effort in seconds, isAutomated, comments), cycle creation
/// and search, folder hierarchy, and the answers of the bulk, listing and cycle calls.
/// </summary>
internal static class AioPayload
{
    /// <summary>Comments stay well below Jira-sized text limits.</summary>
    public const int MaxCommentLength = 30000;
    public const int MaxTitleLength = 255;

    /// <summary>
    /// The runs to send. With <paramref name="runPerResult"/> (createNewRun=true) each result of a key
    /// is its own run; otherwise a key is one run with the worst status and every result in its comment.
    /// </summary>
    public static List<AioRunUpdate> Runs(IEnumerable<KeyedResult> keyed, StatusMap statuses, bool runPerResult)
    {
        var runs = new List<AioRunUpdate>();
        foreach (var k in keyed)
        {
            if (runPerResult && k.Results.Count > 1)
            {
                var index = 0;
                foreach (var r in k.Results)
                {
                    runs.Add(new AioRunUpdate
                    {
                        Keyed = k,
                        Status = statuses[r.Outcome],
                        Effort = Seconds(r.DurationMs),
                        Comments = RowComment(r, named: true),
                        Results = [r],
                        Index = index++,
                    });
                }
                continue;
            }
            runs.Add(new AioRunUpdate
            {
                Keyed = k,
                Status = statuses[k.Outcome],
                Effort = Seconds(k.Results.Sum(r => r.DurationMs)),
                Comments = k.Results.Count == 1 ? RowComment(k.Results[0], named: k.HasIterations) : CombinedComment(k),
                Results = k.Results,
            });
        }
        return runs;
    }

    private static double Seconds(double ms) => Math.Round(Math.Max(0, ms) / 1000.0, 3);

    /// <summary>"message\nstack" for a result that has them; its name first when it is one row of several.</summary>
    private static List<string> RowComment(TestResultRecord r, bool named)
    {
        var text = new StringBuilder();
        if (named) text.Append(r.Name).Append(": ").Append(r.Outcome);
        var detail = Detail(r);
        if (detail.Length > 0)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(detail);
        }
        return text.Length == 0 ? [] : [Cap(text.ToString())];
    }

    /// <summary>One comment naming every result of the key with its outcome and message, stack traces after the list.</summary>
    private static List<string> CombinedComment(KeyedResult k)
    {
        var text = new StringBuilder();
        text.Append(k.Results.Count.ToString(CultureInfo.InvariantCulture)).Append(" results, worst ").Append(k.Outcome).Append(':');
        foreach (var r in k.Results)
        {
            text.Append('\n').Append(r.Outcome).Append(": ").Append(r.Name);
            if (!string.IsNullOrWhiteSpace(r.ErrorMessage)) text.Append(" — ").Append(FirstLine(r.ErrorMessage!));
        }
        foreach (var r in k.Results.Where(r => !string.IsNullOrWhiteSpace(r.ErrorStackTrace) || (r.ErrorMessage ?? "").IndexOf('\n') >= 0
                     || r.Steps.Count > 0 || r.Comments.Count > 0
                     || (r.Outcome != TestOutcome.Passed && !string.IsNullOrWhiteSpace(r.StandardOutput + r.StandardError))))
            text.Append("\n\n").Append(r.Name).Append(":\n").Append(Detail(r));
        return [Cap(text.ToString())];
    }

    /// <summary>"message\nstack", then (for a result that did not pass) its output, each part capped.</summary>
    private static string Detail(TestResultRecord r)
    {
        var parts = new List<string>();
        var message = (r.ErrorMessage ?? "").Trim();
        var stack = (r.ErrorStackTrace ?? "").Trim();
        if (message.Length > 0) parts.Add(message);
        if (stack.Length > 0) parts.Add(stack);
        // Runtime comments and steps as text: AIO's bulk run update takes no step results (api-notes, gap).
        foreach (var c in r.Comments) parts.Add(c.Trim());
        var steps = StepText.Format(r);
        if (steps.Length > 0) parts.Add("Steps:\n" + steps);
        if (r.Outcome != TestOutcome.Passed)
        {
            if (!string.IsNullOrWhiteSpace(r.StandardOutput)) parts.Add("Output:\n" + CapOutput(r.StandardOutput!.Trim()));
            if (!string.IsNullOrWhiteSpace(r.StandardError)) parts.Add("Error output:\n" + CapOutput(r.StandardError!.Trim()));
        }
        return string.Join("\n", parts);
    }

    private const int MaxOutputPerResult = 4000;
    private static string CapOutput(string text) => text.Length <= MaxOutputPerResult ? text : text.Substring(0, MaxOutputPerResult) + "…";

    private static string FirstLine(string text)
    {
        var t = text.Trim();
        var nl = t.IndexOf('\n');
        return nl < 0 ? t : t.Substring(0, nl).TrimEnd('\r') + " …";
    }

    private static string Cap(string text) => text.Length <= MaxCommentLength ? text : text.Substring(0, MaxCommentLength - 1) + "…";

    /// <summary>{"testRuns":[{testCaseKey, testRunStatus, effort, isAutomated, comments}]}.</summary>
    public static JsonObject BulkBody(IEnumerable<AioRunUpdate> runs)
    {
        var array = new JsonArray();
        foreach (var run in runs)
        {
            var o = new JsonObject
            {
                ["testCaseKey"] = run.CaseKey,
                ["testRunStatus"] = run.Status,
                ["effort"] = run.Effort,
                ["isAutomated"] = true,
            };
            if (run.Comments.Count > 0) o["comments"] = new JsonArray(run.Comments.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
            array.Add(o);
        }
        return new JsonObject { ["testRuns"] = array };
    }

    /// <summary>The create-cycle body: title, objective, folder {ID}, jiraTaskIDs.</summary>
    public static JsonObject CycleBody(string title, string? objective, JsonNode? folderId, IReadOnlyList<string> tasks)
    {
        var o = new JsonObject { ["title"] = Title(title) };
        if (!string.IsNullOrEmpty(objective)) o["objective"] = objective;
        if (folderId is not null) o["folder"] = new JsonObject { ["ID"] = folderId.DeepClone() };
        if (tasks.Count > 0) o["jiraTaskIDs"] = new JsonArray(tasks.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        return o;
    }

    public static string Title(string title) => title.Length <= MaxTitleLength ? title : title.Substring(0, MaxTitleLength);

    public static JsonObject SearchByTitle(string title) =>
        new() { ["title"] = new JsonObject { ["comparisonType"] = "EXACT_MATCH", ["value"] = Title(title) } };

    /// <summary>A title search by part (AIO's text comparison CONTAINS): a group's cycle by the marker id its title holds.</summary>
    public static JsonObject SearchTitleContaining(string part) =>
        new() { ["title"] = new JsonObject { ["comparisonType"] = "CONTAINS", ["value"] = part } };

    /// <summary>A case search by key list (AIO's list comparison IN; api-notes §1.3): the cases among <paramref name="keys"/> that exist.</summary>
    public static JsonObject SearchCasesByKey(IEnumerable<string> keys) =>
        new() { ["key"] = new JsonObject { ["comparisonType"] = "IN", ["list"] = new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()) } };

    /// <summary>The case keys of a case search's answer (<c>items[].key</c>), or null when it holds no list.</summary>
    public static List<string>? CaseKeysOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
                : doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("items", out var i) ? i : default;
            if (items.ValueKind != JsonValueKind.Array) return null;
            return items.EnumerateArray()
                .Where(item => item.ValueKind == JsonValueKind.Object && item.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String)
                .Select(item => item.GetProperty("key").GetString()!).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static JsonObject FolderBody(string path) =>
        new() { ["folderHierarchy"] = new JsonArray(FolderPath(path).Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()) };

    public static List<string> FolderPath(string path) =>
        path.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();

    public static AioBulkAnswer ParseBulk(string body)
    {
        var answer = new AioBulkAnswer();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                answer.Unreadable = "the body is not a JSON object";
                return answer;
            }
            if (root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String) answer.Status = s.GetString();
            if (root.TryGetProperty("errorCount", out var ec) && ec.ValueKind == JsonValueKind.Number && ec.TryGetInt32(out var n)) answer.ErrorCount = n;
            if (root.TryGetProperty("errors", out var errors))
            {
                if (errors.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in errors.EnumerateObject()) answer.Errors[p.Name] = MessageOf(p.Value);
                }
                else if (errors.ValueKind == JsonValueKind.Array)
                {
                    // Not the documented shape, but read it rather than lose the errors: [{testCaseKey|key, message}].
                    foreach (var e in errors.EnumerateArray())
                    {
                        var key = e.ValueKind == JsonValueKind.Object
                            ? (e.TryGetProperty("testCaseKey", out var k1) ? Text(k1) : e.TryGetProperty("key", out var k2) ? Text(k2) : null)
                            : null;
                        if (key is not null) answer.Errors[key] = MessageOf(e);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            answer.Unreadable = "the body is not JSON (" + e.Message + ")";
        }
        return answer;
    }

    private static string MessageOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Object when e.TryGetProperty("message", out var m) => m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : m.ToString(),
        JsonValueKind.Array => string.Join("; ", e.EnumerateArray().Select(MessageOf)),
        _ => e.ToString(),
    };

    /// <summary>A cycle object (create answer, search item): its key and ID.</summary>
    public static (string? Key, string? Id) CycleOf(JsonElement cycle)
    {
        if (cycle.ValueKind != JsonValueKind.Object) return (null, null);
        var key = cycle.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        var id = cycle.TryGetProperty("ID", out var i) ? IdText(i) : cycle.TryGetProperty("id", out var j) ? IdText(j) : null;
        return (key, id);
    }

    /// <summary>A key or name that a server may send as a string or a number.</summary>
    private static string? Text(JsonElement e) => IdText(e);

    public static string? IdText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.String => e.GetString(),
        _ => null,
    };

    /// <summary>Orders run ids numerically when they are numbers (AIO's are), else as text.</summary>
    public static int CompareIds(string a, string b) =>
        long.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) && long.TryParse(b, NumberStyles.Integer, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);
}
