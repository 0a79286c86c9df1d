using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Rtm;

/// <summary>
/// RTM Cloud's automation import (api-notes/qtest-rtm.md §2.3): multipart <c>file</c> (a .zip of JUnit
/// XML files), <c>projectKey</c>, <c>reportType=JUNIT</c>, <c>name</c>, optional <c>jobUrl</c> (http(s)),
/// <c>testExecutionFields</c> (a JSON string with <c>fields</c>), <c>testExecutionKey</c>. Each testcase is
/// matched to a Test Case by <c>TC_KEY=&lt;key&gt;</c> in system-out, then by <c>TC_KEY_&lt;key&gt;</c> or a key in
/// its name; unmatched ones create nothing (the project's "Create Test Case" is off in the sandbox).
/// The answer is the task id as plain text; its status reads <c>IMPORTING</c> once, then
/// <c>{"status":"DONE","progress":100,"testExecutionKey"}</c>.
/// </summary>
internal static partial class RtmImport
{
    [GeneratedRegex(@"TC_KEY=([A-Z][A-Z0-9_]*-[0-9]+)")]
    private static partial Regex SystemOutKey();

    [GeneratedRegex(@"(?:TC_KEY_)?([A-Z][A-Z0-9_]*-[0-9]+)")]
    private static partial Regex NameKey();

    public static async Task<IResult> ImportAsync(HttpContext http, SandboxState state, RtmStore store)
    {
        if (!http.Request.HasFormContentType) throw new RtmException("The request must be multipart/form-data.", 415);
        var (form, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        if (form is null) throw new RtmException(problem!);
        string Field(string name, bool required = true) =>
            form[name].ToString() is { Length: > 0 } v ? v : required ? throw new RtmException($"{name} is required.", field: name) : "";
        var projectKey = Field("projectKey");
        var reportType = Field("reportType");
        if (reportType != "JUNIT") throw new RtmException($"reportType '{reportType}' is not supported here (JUNIT).", field: "reportType");
        var name = Field("name", required: false);
        var jobUrl = Field("jobUrl", required: false);
        if (jobUrl.Length > 0 && !(jobUrl.StartsWith("http://", StringComparison.Ordinal) || jobUrl.StartsWith("https://", StringComparison.Ordinal)))
            throw new RtmException("jobUrl must start with http:// or https://.", field: "jobUrl");
        string? description = null;
        if (Field("testExecutionFields", required: false) is { Length: > 0 } fields)
        {
            try
            {
                using var doc = JsonDocument.Parse(fields);
                if (!doc.RootElement.TryGetProperty("fields", out var f) || f.ValueKind != JsonValueKind.Object)
                    throw new RtmException("testExecutionFields must be a JSON object with \"fields\".", field: "testExecutionFields");
                if (f.TryGetProperty("description", out var d)) description = d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText();
            }
            catch (JsonException e)
            {
                throw new RtmException("testExecutionFields is not JSON: " + e.Message, field: "testExecutionFields");
            }
        }
        var file = form.Files.GetFile("file") ?? throw new RtmException("The multipart part 'file' is missing.", field: "file");
        var cases = new List<(string Key, string Result)>();
        try
        {
            await using var stream = file.OpenReadStream();
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            var xmls = zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)).ToList();
            if (xmls.Count == 0) throw new RtmException("The archive holds no .xml result file.", field: "file");
            foreach (var entry in xmls)
            {
                await using var s = entry.Open();
                var doc = await XDocument.LoadAsync(s, LoadOptions.None, http.RequestAborted);
                foreach (var tc in doc.Descendants("testcase"))
                {
                    var output = tc.Element("system-out")?.Value ?? "";
                    var match = SystemOutKey().Match(output);
                    if (!match.Success) match = NameKey().Match(tc.Attribute("name")?.Value ?? "");
                    if (!match.Success) continue;
                    var result = tc.Element("failure") is not null || tc.Element("error") is not null ? "Fail" : tc.Element("skipped") is not null ? "To do" : "Pass";
                    cases.Add((match.Groups[1].Value, result));
                }
            }
        }
        catch (InvalidDataException)
        {
            throw new RtmException("file must be a .zip (or .tar.gz) archive of result files.", field: "file");
        }
        catch (System.Xml.XmlException e)
        {
            throw new RtmException("A result file is not valid XML: " + e.Message, field: "file");
        }
        lock (state.SyncRoot)
        {
            var project = store.Jira.FindProject(projectKey) ?? throw new RtmException($"Project {projectKey} does not exist.", 404);
            RtmExecution execution;
            if (form["testExecutionKey"].ToString() is { Length: > 0 } existing)
                execution = store.Executions.GetValueOrDefault(existing) ?? throw new RtmException($"Test Execution with key {existing} does not exist.", 404);
            else
            {
                var issue = store.Jira.CreateTestExecution(project);
                execution = new RtmExecution(issue.Key, project.Key) { Imported = true, Summary = name.Length > 0 ? name : "Automation import", Description = description };
                store.Executions[issue.Key] = execution;
            }
            foreach (var (key, result) in cases)
            {
                if (store.Jira.Find(key) is not { Kind: IssueKind.Test } test || test.ProjectKey != project.Key) continue;
                var tceKey = execution.Key + "-" + key;
                var tce = execution.Tces.FirstOrDefault(t => t.Key == tceKey);
                if (tce is null) execution.Tces.Add(tce = store.NewTce(tceKey, key, execution));
                tce.Result = result;
                tce.ResultWrites++;
            }
            var task = "task-" + (store.Imports.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            store.Imports[task] = (execution.Key, 1);
            return Results.Text(task, "text/plain;charset=UTF-8");
        }
    }

    public static IResult Status(HttpContext http, SandboxState state, RtmStore store)
    {
        var task = RtmEndpoints.Route(http, "task");
        lock (state.SyncRoot)
        {
            if (!store.Imports.TryGetValue(task, out var import)) throw new RtmException($"Import task {task} does not exist.", 404);
            if (import.ImportingReads > 0)
            {
                store.Imports[task] = (import.Execution, import.ImportingReads - 1);
                return RtmEndpoints.Json(new JsonObject { ["status"] = "IMPORTING", ["progress"] = 50 });
            }
            return RtmEndpoints.Json(new JsonObject { ["status"] = "DONE", ["progress"] = 100, ["testExecutionKey"] = import.Execution });
        }
    }
}
