using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.QTest;

/// <summary>One test log of the bulk submit and what it carries (its key, or the unkeyed test it provisions).</summary>
internal sealed class QTestLog(string owner, bool keyed, JsonObject body)
{
    /// <summary>The key (keyed) or the test's fully qualified name (provisioned).</summary>
    public string Owner { get; } = owner;
    public bool Keyed { get; } = keyed;
    public JsonObject Body { get; } = body;
    /// <summary>UTF-8 bytes of the log as sent (for the maxRequestBytes split).</summary>
    public int Bytes => Encoding.UTF8.GetByteCount(Body.ToJsonString());
}

/// <summary>
/// The qTest Manager request bodies (Swagger definitions AutomationRequest, AutomationTestLogResource,
/// AutomationTestStepLog, ArtifactSearchParams, TestCycleResource), built apart from HTTP so tests
/// validate them against the official Swagger. Everything formatted with the invariant culture.
/// </summary>
internal static class QTestPayload
{
    /// <summary>qTest SaaS refuses attachments over 50 MB (api-notes/qtest-rtm.md §1.5).</summary>
    public const long MaxAttachmentBytes = 50L * 1024 * 1024;
    /// <summary>Cap of the note (failure message, stack trace, data rows): qTest keeps notes as text fields.</summary>
    public const int MaxNoteChars = 32000;

    /// <summary>ISO-8601 with offset, in UTC: "2026-05-06T07:08:09.000+00:00".</summary>
    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>POST /search body: the objects whose field is one of the values (Data Query, values quoted).</summary>
    public static JsonObject Search(string objectType, string field, IEnumerable<string> values) => new()
    {
        ["object_type"] = objectType,
        ["fields"] = new JsonArray("*"),
        ["query"] = string.Join(" or ", values.Select(v => $"'{field}' = '{v.Replace("'", "\\'")}'")),
    };

    /// <summary>PUT /test-cases/{id} body (TestCaseWithCustomFieldResource): Automation = Yes and the Automation Content.</summary>
    public static JsonObject AdoptCase(string name, long automationFieldId, string yesValue, long contentFieldId, string content) => new()
    {
        ["name"] = name,
        ["properties"] = new JsonArray(
            new JsonObject { ["field_id"] = automationFieldId, ["field_value"] = yesValue },
            new JsonObject { ["field_id"] = contentFieldId, ["field_value"] = content }),
    };

    /// <summary>POST /test-cycles body: name and the description carrying the run marker.</summary>
    public static JsonObject Cycle(string name, string description) => new() { ["name"] = name, ["description"] = description };

    /// <summary>The bulk submit: the cycle (id or PID, as a string) and the logs.</summary>
    public static JsonObject Submit(string testCycle, IEnumerable<QTestLog> logs) => new()
    {
        ["test_cycle"] = testCycle,
        ["test_logs"] = new JsonArray(logs.Select(l => (JsonNode)l.Body.DeepClone()).ToArray()),
    };

    /// <summary>
    /// "Ns.Sub.Class+Nested.Method" → ["Ns", "Sub", "Class", "Nested"]: qTest builds the module tree
    /// and the sub test cycles from it; never empty (the assembly name, else "Tests").
    /// </summary>
    public static List<string> ModuleNames(TestResultRecord result)
    {
        var name = result.TestName;
        var dot = name.LastIndexOf('.');
        var parts = dot > 0 ? name.Substring(0, dot).Split(['.', '+'], StringSplitOptions.RemoveEmptyEntries).ToList() : [];
        if (parts.Count == 0) parts.Add(result.Source is { Length: > 0 } s ? Path.GetFileNameWithoutExtension(s) : "Tests");
        return parts;
    }

    /// <summary>
    /// One log for a keyed test case: its worst status; data rows are listed in the note (one log per
    /// key, because qTest keeps one test run per automation content and location: several logs of one
    /// test case in a submit would leave its status to the last one processed).
    /// </summary>
    public static QTestLog Log(KeyedResult keyed, string automationContent, StatusMap statuses, IReadOnlyList<(string Name, string ContentType, byte[] Bytes)> attachments,
        CiBuild build, DateTimeOffset runStart, DateTimeOffset runEnd) =>
        new(keyed.Key, true, Body(keyed.Results, keyed.Outcome, automationContent, statuses, attachments, keyed.Defects, build, runStart, runEnd));

    /// <summary>One log for an unkeyed test (provisionUnmapped): its fully qualified name is its automation content.</summary>
    public static QTestLog Provision(UnmappedTest test, StatusMap statuses, IReadOnlyList<(string Name, string ContentType, byte[] Bytes)> attachments,
        CiBuild build, DateTimeOffset runStart, DateTimeOffset runEnd) =>
        new(test.FullyQualifiedName, false, Body(test.Results, TestOutcomes.Worst(test.Results.Select(r => r.Outcome)), test.FullyQualifiedName, statuses, attachments, test.Defects, build, runStart, runEnd));

    private static JsonObject Body(List<TestResultRecord> results, TestOutcome outcome, string automationContent, StatusMap statuses,
        IReadOnlyList<(string Name, string ContentType, byte[] Bytes)> attachments, List<string> defects, CiBuild build, DateTimeOffset runStart, DateTimeOffset runEnd)
    {
        var first = results[0];
        var start = results.Where(r => r.StartTime.HasValue).Select(r => r.StartTime!.Value).DefaultIfEmpty(runStart).Min();
        var end = results.Where(r => r.EndTime.HasValue).Select(r => r.EndTime!.Value).DefaultIfEmpty(runEnd).Max();
        if (end < start) end = start;
        var log = new JsonObject
        {
            ["name"] = TmsErrors.Cap(first.MethodName, 500),
            ["status"] = statuses[outcome],
            ["exe_start_date"] = Date(start),
            ["exe_end_date"] = Date(end),
            ["automation_content"] = automationContent,
            ["module_names"] = new JsonArray(ModuleNames(first).Select(m => (JsonNode)m).ToArray()),
        };
        var note = Note(results, statuses);
        if (note.Length > 0) log["note"] = note;
        if (attachments.Count > 0)
            log["attachments"] = new JsonArray(attachments.Select(a => (JsonNode)new JsonObject
            {
                ["name"] = a.Name,
                ["content_type"] = a.ContentType,
                ["data"] = Convert.ToBase64String(a.Bytes),
            }).ToArray());
        if (defects.Count > 0) log["defect_pids"] = new JsonArray(defects.Select(d => (JsonNode)d).ToArray());
        if (build.Number is not null) log["build_number"] = build.Number;
        if (build.Url is not null) log["build_url"] = build.Url;
        var steps = StepLogs(results, statuses);
        if (steps.Count > 0) log["test_step_logs"] = steps;
        return log;
    }

    /// <summary>
    /// Runtime steps (Tms.Step) as qTest test step logs: depth first, order from 0 (qTest wants a
    /// continuous series), description the step's name, status per step through the status map,
    /// the failed step's message as its actual result. expected_result is required by the Swagger
    /// and a runtime step has none: it is sent empty. With data rows each step names its row.
    /// </summary>
    public static JsonArray StepLogs(IReadOnlyList<TestResultRecord> results, StatusMap statuses)
    {
        var logs = new JsonArray();
        var rows = results.Count > 1;
        foreach (var r in results)
        {
            foreach (var step in r.Steps.SelectMany(s => s.SelfAndDescendants()))
            {
                var entry = new JsonObject
                {
                    ["description"] = TmsErrors.Cap(rows ? r.Name + ": " + step.Name : step.Name, MaxNoteChars),
                    ["expected_result"] = "",
                    ["order"] = logs.Count,
                    ["status"] = statuses[step.Outcome],
                };
                if (!string.IsNullOrWhiteSpace(step.Message)) entry["actual_result"] = TmsErrors.Cap(step.Message!, MaxNoteChars);
                if (step.StartTime is { } at) entry["exe_date"] = Date(at);
                logs.Add(entry);
            }
        }
        return logs;
    }

    /// <summary>The failure message and stack of each result, its runtime comments, and each data row with its status when there are rows; capped.</summary>
    public static string Note(IReadOnlyList<TestResultRecord> results, StatusMap statuses)
    {
        var text = new StringBuilder();
        var rows = results.Count > 1 || results.Any(r => r.Parameters.Count > 0);
        foreach (var r in results)
        {
            if (rows) text.Append(statuses[r.Outcome]).Append(": ").Append(r.Name).Append('\n');
            if (!string.IsNullOrEmpty(r.ErrorMessage)) text.Append(r.ErrorMessage).Append('\n');
            if (!string.IsNullOrEmpty(r.ErrorStackTrace)) text.Append(r.ErrorStackTrace).Append('\n');
            // Tms.Comment text, in order: qTest's log has no comment field, the note is where a reader looks.
            foreach (var c in r.Comments.Where(c => !string.IsNullOrWhiteSpace(c))) text.Append(c.Trim()).Append('\n');
        }
        return TmsErrors.Cap(text.ToString().TrimEnd('\n'), MaxNoteChars);
    }
}
