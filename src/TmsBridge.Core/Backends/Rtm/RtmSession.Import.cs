using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;
using TmsBridge.Reports;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// rtmMode=import (RTM Cloud, api-notes/qtest-rtm.md §2.3): the run as one JUnit file (the TMS-neutral
/// <see cref="JUnitWriter"/>, each key as <c>TC_KEY=&lt;key&gt;</c> in system-out, where RTM matches it first),
/// zipped, posted to v2/automation/import-test-results, then its task polled until it is no longer
/// importing. One request plus polls for any N, but no evidence, comments, defects or links.
/// </summary>
internal sealed partial class RtmSession
{
    public const string ImportFileName = "tmsbridge-junit.xml";
    private const string NoEvidence = "rtmMode=import: RTM's JUnit import carries no evidence (rtmMode=tce attaches it to each test case execution)";

    /// <summary>The JUnit file: one testcase per key (worst status, rows in system-out), TC_KEY first in system-out.</summary>
    private byte[] ImportXml() => JUnitWriter.Write(Context.Run, new JUnitOptions
    {
        KeyPlacement = JUnitKeyPlacement.SystemOut,
        KeyName = "TC_KEY",
        // RTM reads REQ_KEY=<k1>,<k2> as one comma list; the writer writes one line per key, so requirements stay out.
        RequirementName = null,
        Grouping = JUnitGrouping.PerKey,
        SuiteName = Summary(),
        Timestamp = Context.Run.Start ?? Context.RunStarted,
    });

    /// <summary>testExecutionFields: Jira Cloud fields as a JSON string; the description (with the run marker) in Atlassian Document Format.</summary>
    private string ExecutionFields() => new JsonObject
    {
        ["fields"] = new JsonObject
        {
            ["description"] = new JsonObject
            {
                ["type"] = "doc",
                ["version"] = 1,
                ["content"] = new JsonArray(Description().Split('\n').Where(l => l.Length > 0).Select(l => (JsonNode)new JsonObject
                {
                    ["type"] = "paragraph",
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = l }),
                }).ToArray()),
            },
        },
    }.ToJsonString();

    public async Task ImportAsync(List<PlannedEvidence> evidence, CancellationToken ct)
    {
        var project = RunProject.Of(O.Project, Context.Run.Keyed.Select(k => k.Key));
        if (project is null)
        {
            Fail($"rtmMode=import needs the project: set project ({Configuration.OptionCatalog.Project.EnvironmentVariable}).");
            return;
        }
        var xml = ImportXml();
        if (evidence.Count > 0)
        {
            foreach (var e in evidence) EvidencePlan.Skip(Report, e.Keyed.Key, e.FileName, e.Size, NoEvidence);
            Report.Warnings.Add($"{Name}: {NoEvidence}; {evidence.Count} file(s) not sent.");
        }
        if (Context.DryRun)
        {
            Context.WriteDryRunFile(ImportFileName, xml);
            Context.MarkAll(KeyStates.Planned, null);
            return;
        }

        // A group's (or a replayed publish's) TE that exists already is imported into (testExecutionKey).
        var into = O.TestExecution;
        if (into is null && Context.Marker is { } marker
            && await CreateOnce.FindFirstAsync(Context, Name, FindEarlier(marker, project), ct).ConfigureAwait(false) is { } found)
        {
            try
            {
                using var doc = JsonDocument.Parse(found.Body);
                into = RtmPayload.ExecutionKeyOf(doc.RootElement);
            }
            catch (JsonException) { }
            if (into is not null) Context.ReportJoined(Name, new ExecutionReference { Key = into, Url = BrowseUrl(into) });
        }
        var zip = SingleFileZip.Of(ImportFileName, xml);
        HttpRequestMessage Build()
        {
            var form = new BrowserMultipart()
                .AddFile("file", Path.ChangeExtension(ImportFileName, ".zip"), new ByteArrayContent(zip), "application/zip")
                .AddText("projectKey", project)
                .AddText("reportType", "JUNIT")
                .AddText("name", Summary())
                .AddText("testExecutionFields", ExecutionFields());
            if (into is { } te) form.AddText("testExecutionKey", te);
            return Authorized(BrowserMultipart.Post(Api("v2/automation/import-test-results"), form, jiraServer: false).AcceptJson());
        }
        CreateOnceAnswer sent;
        try
        {
            // An import is a create: never repeated after a lost answer (there is nothing to find it by).
            sent = await CreateOnce.SendAsync(Context.Http, Build, null, ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail("the import could not be sent: " + Redact(e.Message));
            return;
        }
        if (!sent.Response.IsSuccess)
        {
            Fail("the import was refused: " + Describe(sent.Response));
            return;
        }
        var taskId = TaskIdOf(sent.Response.Body);
        if (taskId is null)
        {
            Fail("the import's answer named no task id: " + TmsErrors.Excerpt(sent.Response.Body, Context.Redactor));
            return;
        }
        var (executionKey, problem) = await PollImportAsync(taskId, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            Fail($"the import (task {taskId}) failed: {problem}");
            return;
        }
        if (executionKey is null && into is null)
            Report.Warnings.Add($"{Name}: the import (task {taskId}) finished without naming its Test Execution.");
        var joined = Report.Execution?.Joined == true;
        Report.Execution = new ExecutionReference { Key = executionKey ?? into ?? "import " + taskId, Id = taskId, Reused = into is not null, Joined = joined, Url = joined ? Report.Execution!.Url : null };
        // RTM's import answers for the whole file, not per test: every key it carried is sent.
        foreach (var k in Context.Run.Keyed) KeyLedger.Settle(Context, k.Key, KeyStates.Sent, [], executionKey);
    }

    /// <summary>The task id: the answer as plain text, a JSON string, or {"taskId": ...}.</summary>
    internal static string? TaskIdOf(string body)
    {
        var text = body.Trim();
        if (text.Length == 0) return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.String) return root.GetString() is { Length: > 0 } s ? s : null;
            if (root.ValueKind == JsonValueKind.Number) return root.GetRawText();
            if (root.ValueKind == JsonValueKind.Object)
                foreach (var name in new[] { "taskId", "id" })
                    if (root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number) return v.ToString();
            return null;
        }
        catch (JsonException)
        {
            return text.Any(char.IsWhiteSpace) ? null : text;
        }
    }

    /// <summary>GET import-status/{task} while it is importing: the TE key, or why it failed.</summary>
    private async Task<(string? ExecutionKey, string? Problem)> PollImportAsync(string taskId, CancellationToken ct)
    {
        var uri = Api("v2/automation/import-status/" + Uri.EscapeDataString(taskId));
        for (var poll = 0; ; poll++)
        {
            TmsHttpResponse response;
            try
            {
                response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, uri)), ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                return (null, "its status could not be read: " + Redact(e.Message));
            }
            if (!response.IsSuccess) return (null, "its status could not be read: " + Describe(response));
            var (status, key, message) = ImportStatusOf(response.Body);
            if (status is "IMPORTING" or "PENDING" or "IN_PROGRESS" or "QUEUED")
            {
                await Task.Delay(backend.PendingPollDelay(poll), ct).ConfigureAwait(false);
                continue;
            }
            if (status is "FAILED" or "ERROR")
                return (null, $"RTM says {status}" + (message is null ? "" : ": " + Redact(message)));
            return (key, null);
        }
    }

    /// <summary>The status answer: JSON {status, testExecutionKey, message/errorMessage}, or the status as plain text.</summary>
    internal static (string Status, string? ExecutionKey, string? Message) ImportStatusOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.String) return (root.GetString()!.Trim().ToUpperInvariant(), null, null);
            if (root.ValueKind == JsonValueKind.Object)
            {
                string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                return ((Text("status") ?? "").ToUpperInvariant(), Text("testExecutionKey"), Text("message") ?? Text("errorMessage") ?? Text("error"));
            }
        }
        catch (JsonException) { }
        return (body.Trim().ToUpperInvariant(), null, null);
    }
}
