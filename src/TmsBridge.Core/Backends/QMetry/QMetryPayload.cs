using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Model;

namespace TmsBridge.Backends.QMetry;

/// <summary>Step 1's answer: the one-time upload URL and the tracking id (api-notes/aio-qmetry.md §2.3).</summary>
internal sealed class QMetryUploadTicket
{
    public string? Url { get; set; }
    public string? TrackingId { get; set; }
    public string? Message { get; set; }
}

/// <summary>Step 3's answer: importStatus (SUCCESS, FAILED, anything else still running) and the summary.</summary>
internal sealed class QMetryTrackAnswer
{
    public string? ImportStatus { get; set; }
    public string? ProcessStatus { get; set; }
    public string? DetailedMessage { get; set; }
    public string? CycleKey { get; set; }
    public string? CycleId { get; set; }
    /// <summary>The summary's numbers: testCasesCreated, testCaseVersionsCreated, ...</summary>
    public SortedDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);
    public bool Succeeded => string.Equals(ImportStatus, "SUCCESS", StringComparison.OrdinalIgnoreCase);
    public bool Failed => string.Equals(ImportStatus, "FAILED", StringComparison.OrdinalIgnoreCase);
    public bool Finished => Succeeded || Failed;
}

/// <summary>The importresult body (step 1) and the answers of steps 1 and 3.</summary>
internal static class QMetryPayload
{
    /// <summary>
    /// What a JUnit import gives each outcome in QTM4J's default execution results (§2.5: a failure
    /// is Fail, no child is Pass; skipped is "Not Executed" unless the project has a Skipped status).
    /// Informational: the import decides, so statusMap cannot change them.
    /// </summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> DefaultStatuses = new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "Pass",
        [TestOutcome.Failed] = "Fail",
        [TestOutcome.Skipped] = "Not Executed",
        [TestOutcome.Inconclusive] = "Not Executed",
        [TestOutcome.NotRun] = "Not Executed",
    };

    /// <summary>
    /// {"format":"junit", "automationHierarchy":3, "matchTestSteps":false, "isZip":..., "testCycleToReuse":...,
    /// "environment":..., "build":..., "fields":{testCycle (new cycles only), testCase, testCaseExecution}}.
    /// </summary>
    public static JsonObject ImportBody(QMetrySettings q, string? cycleToReuse, string? environment, string? build, bool isZip, string cycleSummary, string cycleDescription)
    {
        var body = new JsonObject
        {
            ["format"] = "junit",
            ["isZip"] = isZip,
            ["matchTestSteps"] = q.MatchTestSteps,
            ["automationHierarchy"] = q.AutomationHierarchy,
        };
        if (cycleToReuse is not null) body["testCycleToReuse"] = cycleToReuse;
        if (environment is not null) body["environment"] = environment;
        if (build is not null) body["build"] = build;

        var fields = new JsonObject();
        // QTM4J ignores test-cycle fields when a cycle is reused: they are not sent then.
        if (cycleToReuse is null)
        {
            var cycle = Group(q, "testCycle");
            if (!cycle.ContainsKey("summary")) cycle["summary"] = cycleSummary;
            if (!cycle.ContainsKey("description")) cycle["description"] = cycleDescription;
            fields["testCycle"] = cycle;
        }
        foreach (var name in new[] { "testCase", "testCaseExecution" })
        {
            var group = Group(q, name);
            if (group.Count > 0) fields[name] = group;
        }
        if (fields.Count > 0) body["fields"] = fields;
        return body;
    }

    private static JsonObject Group(QMetrySettings q, string name) =>
        q.Fields?[name] is JsonObject given ? (JsonObject)given.DeepClone() : new JsonObject();

    /// <summary>Step 1's 200: url, trackingId, message. Null when the body is not a JSON object.</summary>
    public static QMetryUploadTicket? ParseTicket(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            return new QMetryUploadTicket { Url = Text(root, "url"), TrackingId = Text(root, "trackingId"), Message = Text(root, "message") };
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Step 3's 200. Null when the body is not a JSON object.</summary>
    public static QMetryTrackAnswer? ParseTrack(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var answer = new QMetryTrackAnswer
            {
                ImportStatus = Text(root, "importStatus"),
                ProcessStatus = Text(root, "processStatus"),
                DetailedMessage = Text(root, "detailedMessage"),
            };
            if (root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                answer.CycleKey = Text(s, "testCycleIssueKey");
                answer.CycleId = Text(s, "testCycle");
                foreach (var p in s.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n)) answer.Counts[p.Name] = n;
                }
            }
            return answer;
        }
        catch (JsonException) { return null; }
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    /// <summary>"12 test cases created, 3 reused ...": the summary's counts, invariant.</summary>
    public static string CountsText(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.Select(c => c.Key + " " + c.Value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The cycle key of a finder's answer ({"key": "PROJ-TR-12"}), or null.</summary>
    public static string? CycleKeyOf(string body)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body)?["key"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var key) && key.Length > 0 ? key : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
