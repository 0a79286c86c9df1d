using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A small RTM REST fake behind <see cref="TinyHttpServer"/> (api-notes/qtest-rtm.md §2.2): the Test
/// Execution create from a plan (with a Pending status for a few reads), the TE read, the TCE result,
/// comments, defects, attachments, the test case's requirement links, and Jira's search for a lost
/// create. TCEs exist for the plan's test cases only; error bodies in RTM's shape.
/// </summary>
internal sealed class FakeRtm : IDisposable
{
    private readonly object _gate = new();
    private int _nextExecution = 900;
    private int _inFlight;

    public FakeRtm(bool cloud)
    {
        ApiRoot = cloud ? "/api/" : "/rest/rtm/1.0/api/";
        Server = new TinyHttpServer(r => HandleAsync(r));
    }

    public TinyHttpServer Server { get; }
    public Uri BaseUrl => Server.BaseUrl;
    public string ApiRoot { get; }

    /// <summary>Test case keys of the test plans (a TE gets a TCE for each of them that the create names).</summary>
    public HashSet<string> PlanCases { get; } = new(StringComparer.OrdinalIgnoreCase) { "DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-5" };
    public HashSet<string> Statuses { get; } = new(StringComparer.OrdinalIgnoreCase) { "Pass", "Fail", "Blocked", "To do" };
    /// <summary>TE key → its TCE keys.</summary>
    public Dictionary<string, HashSet<string>> Executions { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> ExecutionDescriptions { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>GET test-execution answers the description as ADF (a JSON document), as Jira Cloud fields may be.</summary>
    public bool AdfDescriptions { get; set; }
    public Dictionary<string, string> Results { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Tce, string Text)> Comments { get; } = [];
    public List<(string Tce, string Defect)> Defects { get; } = [];
    public List<(string Tce, string Body)> Attachments { get; } = [];
    public List<(string TestCase, string Body)> Covers { get; } = [];
    /// <summary>How many status reads answer Pending after a create.</summary>
    public int PendingReads { get; set; }
    /// <summary>Drop this many creates before doing anything (the client cannot tell them from a lost answer).</summary>
    public int DropBeforeCreate { get; set; }
    /// <summary>Create the TE, then lose the answer this many times.</summary>
    public int LoseCreateAnswers { get; set; }
    /// <summary>Every result PUT waits this long (to observe parallelism).</summary>
    public TimeSpan ResultDelay { get; set; }
    /// <summary>The first this-many result PUTs are answered 429 with Retry-After: 1.</summary>
    public int TooManyRequests { get; set; }
    public int MaxInFlight { get; private set; }
    /// <summary>TCE keys whose result PUT always answers 500.</summary>
    public HashSet<string> BrokenTces { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int? FailAllWith { get; set; }
    /// <summary>Import status reads that answer IMPORTING before the final one.</summary>
    public int ImportingReads { get; set; } = 1;
    /// <summary>The final import status (DONE, FAILED...).</summary>
    public string ImportResult { get; set; } = "DONE";
    public List<TinyHttpServer.Request> Imports { get; } = [];
    /// <summary>Test case key → how many steps its TCEs have (ids 501, 502, ...); others have none.</summary>
    public Dictionary<string, int> CaseSteps { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Step statuses the project has (RTM's step results); by default the TCE results.</summary>
    public HashSet<string>? StepStatuses { get; set; }
    /// <summary>(TCE, 1-based step index) → the status, comment, or evidence body it was given.</summary>
    public Dictionary<(string Tce, int Index), string> StepResults { get; } = [];
    public Dictionary<(string Tce, int Index), string> StepComments { get; } = [];
    public List<(string Tce, string StepId, string Body)> StepAttachments { get; } = [];

    public IReadOnlyList<TinyHttpServer.Request> Requests => Server.Requests;
    public List<string> Calls => Requests.Select(r => r.Method + " " + (r.Path.StartsWith(ApiRoot, StringComparison.Ordinal) ? r.Path.Substring(ApiRoot.Length) : r.Path)).ToList();

    private static TinyHttpServer.Reply Error(int status, string message) =>
        new(status, new JsonObject { ["errorMessages"] = new JsonArray(message), ["errors"] = new JsonObject() }.ToJsonString());

    private async Task<TinyHttpServer.Reply?> HandleAsync(TinyHttpServer.Request r)
    {
        if (FailAllWith is { } fail) return Error(fail, "You are not authenticated.");
        if (r.Path.StartsWith("/rest/api/2/search", StringComparison.Ordinal)) return Search(r);
        if (!r.Path.StartsWith(ApiRoot, StringComparison.Ordinal)) return Error(404, "no such path");
        var path = r.Path.Substring(ApiRoot.Length);
        Match m;
        if (r.Method == "POST" && (m = Regex.Match(path, "^(?:v2/)?test-execution/execute/([^/]+)$")).Success) return Execute(r, m.Groups[1].Value);
        if (r.Method == "GET" && (m = Regex.Match(path, "^test-execution/status/([^/]+)$")).Success)
        {
            lock (_gate)
            {
                if (PendingReads-- > 0) return new(200, "{\"executionStatus\":\"Pending\",\"executionResult\":\"Unknown\"}");
                return new(200, "{\"executionStatus\":\"Done\",\"executionResult\":\"Success\"}");
            }
        }
        if (r.Method == "GET" && (m = Regex.Match(path, "^(?:v2/)?test-execution/([^/]+)$")).Success)
        {
            lock (_gate)
            {
                if (!Executions.TryGetValue(m.Groups[1].Value, out var tces)) return Error(404, $"Test Execution {m.Groups[1].Value} does not exist.");
                return new(200, new JsonObject { ["testKey"] = m.Groups[1].Value, ["description"] = Description(m.Groups[1].Value), ["testCaseExecutions"] = new JsonArray(tces.Select(t => (JsonNode)new JsonObject { ["testKey"] = t }).ToArray()) }.ToJsonString());
            }
        }
        if (r.Method == "PUT" && (m = Regex.Match(path, "^(?:v2/)?test-case-execution/([^/]+)$")).Success) return await ResultAsync(r, m.Groups[1].Value);
        if (r.Method == "GET" && (m = Regex.Match(path, "^test-case-execution/test-case/([^/]+)$")).Success)
        {
            lock (_gate)
                return new(200, new JsonArray(Executions.Values.SelectMany(t => t).Where(t => t.EndsWith("-" + m.Groups[1].Value, StringComparison.OrdinalIgnoreCase))
                    .Select(t => (JsonNode)new JsonObject { ["testKey"] = t }).ToArray()).ToJsonString());
        }
        if (r.Method == "GET" && (m = Regex.Match(path, "^(?:v2/)?test-case-execution/([^/]+)$")).Success)
            return Known(m.Groups[1].Value, () => new(200, new JsonObject
            {
                ["testKey"] = m.Groups[1].Value,
                ["executionGroups"] = new JsonArray(new JsonObject
                {
                    ["ordinal"] = 1,
                    ["executionSteps"] = new JsonArray(Enumerable.Range(1, StepCount(m.Groups[1].Value))
                        .Select(i => (JsonNode)new JsonObject { ["id"] = 500 + i, ["ordinal"] = i, ["currentStatus"] = new JsonObject { ["name"] = "To do" } }).ToArray()),
                }),
            }.ToJsonString()));
        if (r.Method == "PUT" && (m = Regex.Match(path, "^test-case-execution/([^/]+)/step/([0-9]+)/(status|comment)$")).Success)
        {
            var (tce, index, what) = (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[3].Value);
            return Known(tce, () =>
            {
                if (index < 1 || index > StepCount(tce)) return Error(404, $"Test Case Execution {tce} has no step with index {index}.");
                var body = JsonNode.Parse(r.Body)!;
                if (what == "comment")
                {
                    StepComments[(tce, index)] = (string)body["text"]!;
                    return new(204, "");
                }
                var name = (string?)body["name"];
                if (name is null || !(StepStatuses ?? Statuses).Contains(name)) return Error(400, $"Step status '{name}' does not exist in this project.");
                StepResults[(tce, index)] = name;
                return new(204, "");
            });
        }
        if (r.Method == "POST" && (m = Regex.Match(path, "^v2/test-case-execution/([^/]+)/step/([^/]+)/attachment$")).Success)
            return Known(m.Groups[1].Value, () => { StepAttachments.Add((m.Groups[1].Value, m.Groups[2].Value, r.Body)); return new(200, "{\"id\":8}"); });
        if (r.Method == "POST" && path == "v2/automation/import-test-results")
        {
            lock (_gate) Imports.Add(r);
            return new(200, "77", "text/plain");
        }
        if (r.Method == "GET" && path == "v2/automation/import-status/77")
        {
            lock (_gate)
                return ImportingReads-- > 0
                    ? new(200, "{\"status\":\"IMPORTING\",\"progress\":40}")
                    : new(200, new JsonObject { ["status"] = ImportResult, ["progress"] = 100, ["testExecutionKey"] = "DEMO-990", ["message"] = ImportResult == "DONE" ? null : "Invalid JUnit file" }.ToJsonString());
        }
        if (r.Method == "POST" && (m = Regex.Match(path, "^test-case-execution-comment/([^/]+)/comments$")).Success)
            return Known(m.Groups[1].Value, () => { Comments.Add((m.Groups[1].Value, (string)JsonNode.Parse(r.Body)!["text"]!)); return new(200, "{\"id\":1}"); });
        if (r.Method == "POST" && (m = Regex.Match(path, "^v2/test-case-execution/([^/]+)/defect/([^/]+)$")).Success)
            return Known(m.Groups[1].Value, () => { Defects.Add((m.Groups[1].Value, m.Groups[2].Value)); return new(204, ""); });
        if (r.Method == "PUT" && (m = Regex.Match(path, "^test-case-execution/([^/]+)/defect$")).Success)
            return Known(m.Groups[1].Value, () => { Defects.Add((m.Groups[1].Value, (string)JsonNode.Parse(r.Body)!["testKey"]!)); return new(204, ""); });
        if (r.Method == "POST" && (m = Regex.Match(path, "^(?:v2/)?test-case-execution/([^/]+)/attachment$")).Success)
            return Known(m.Groups[1].Value, () => { Attachments.Add((m.Groups[1].Value, r.Body)); return new(200, "{\"id\":7}"); });
        if (r.Method == "GET" && (m = Regex.Match(path, "^(?:v2/)?test-case/([^/]+)$")).Success)
            return PlanCases.Contains(m.Groups[1].Value) ? new TinyHttpServer.Reply(200, new JsonObject { ["testKey"] = m.Groups[1].Value }.ToJsonString()) : Error(404, $"Test Case with key {m.Groups[1].Value} does not exist.");
        if (r.Method == "PUT" && (m = Regex.Match(path, "^test-case/([^/]+)$")).Success)
        {
            lock (_gate) Covers.Add((m.Groups[1].Value, r.Body));
            return new(200, "[]");
        }
        return Error(404, "no such endpoint: " + path);
    }

    private int StepCount(string tce) =>
        CaseSteps.FirstOrDefault(c => tce.EndsWith("-" + c.Key, StringComparison.OrdinalIgnoreCase)).Value;

    private TinyHttpServer.Reply Known(string tce, Func<TinyHttpServer.Reply> then)
    {
        lock (_gate)
            return Executions.Values.Any(t => t.Contains(tce)) ? then() : Error(404, $"Test Case Execution {tce} does not exist.");
    }

    private TinyHttpServer.Reply Execute(TinyHttpServer.Request r, string plan)
    {
        if (!plan.StartsWith("DEMO-3", StringComparison.Ordinal)) return Error(404, $"Test Plan {plan} does not exist.");
        var body = JsonNode.Parse(r.Body)!;
        string key;
        bool lose;
        lock (_gate)
        {
            if (DropBeforeCreate-- > 0) return TinyHttpServer.Reply.Drop;
            key = "DEMO-" + _nextExecution++;
            Executions[key] = body["testCaseIssueKeys"]!.AsArray().Select(k => (string)k!).Where(PlanCases.Contains).Select(k => key + "-" + k).ToHashSet(StringComparer.OrdinalIgnoreCase);
            ExecutionDescriptions[key] = (string?)body["description"] ?? "";
            lose = LoseCreateAnswers-- > 0;
        }
        return lose ? TinyHttpServer.Reply.Drop : new(200, new JsonObject { ["issueId"] = 20000 + _nextExecution, ["issueKey"] = key, ["testKey"] = key, ["warnings"] = new JsonArray() }.ToJsonString());
    }

    private async Task<TinyHttpServer.Reply> ResultAsync(TinyHttpServer.Request r, string tce)
    {
        lock (_gate)
        {
            _inFlight++;
            MaxInFlight = Math.Max(MaxInFlight, _inFlight);
        }
        try
        {
            if (ResultDelay > TimeSpan.Zero) await Task.Delay(ResultDelay);
            lock (_gate)
            {
                if (TooManyRequests > 0)
                {
                    TooManyRequests--;
                    return new(429, "{\"errorMessages\":[\"Too many requests\"]}", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
                }
                if (BrokenTces.Contains(tce)) return Error(500, "Internal server error");
                if (!Executions.Values.Any(t => t.Contains(tce))) return Error(404, $"Test Case Execution {tce} does not exist.");
                var name = (string?)JsonNode.Parse(r.Body)?["result"]?["name"];
                if (name is null || !Statuses.Contains(name)) return Error(400, $"Status '{name}' does not exist in this project.");
                Results[tce] = name;
                return new(204, "");
            }
        }
        finally
        {
            lock (_gate) _inFlight--;
        }
    }

    private TinyHttpServer.Reply Search(TinyHttpServer.Request r)
    {
        var jql = Uri.UnescapeDataString(r.Query.TrimStart('?').Split('&').First(p => p.StartsWith("jql=", StringComparison.Ordinal)).Substring(4));
        var word = Regex.Match(jql, "description ~ \"([^\"]+)\"").Groups[1].Value;
        lock (_gate)
        {
            var issues = ExecutionDescriptions.Where(e => e.Value.Contains(word, StringComparison.Ordinal))
                .Select(e => (JsonNode)new JsonObject { ["id"] = "20001", ["key"] = e.Key, ["fields"] = new JsonObject { ["description"] = e.Value } }).ToArray();
            return new(200, new JsonObject { ["issues"] = new JsonArray(issues) }.ToJsonString());
        }
    }

    public void Dispose() => Server.Dispose();

    private JsonNode? Description(string key)
    {
        var text = ExecutionDescriptions.GetValueOrDefault(key);
        if (!AdfDescriptions || text is null) return text;
        var paragraphs = text.Split("\n\n").Select(p => (JsonNode)new JsonObject
        {
            ["type"] = "paragraph",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = p }),
        }).ToArray();
        return new JsonObject { ["type"] = "doc", ["version"] = 1, ["content"] = new JsonArray(paragraphs) };
    }
}
