using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A small AIO Tests REST fake behind <see cref="TinyHttpServer"/>: config, cycle search / create /
/// folder hierarchy, bulk run updates (answers with per-case errors), the paged run listing (flat or
/// nested case key), the latest run of a case and attachments, with switches for the failures the
/// backend must handle. Paths are those of
/// api-notes/aio-qmetry.md §1.2 under <see cref="ApiRoot"/>.
/// </summary>
internal sealed class FakeAio : IDisposable
{
    public sealed record Run(long Id, string Cycle, string CaseKey, string Status, double Effort, List<string> Comments);

    private readonly object _gate = new();
    private long _nextRunId = 500;
    private int _nextCycle = 10;

    public FakeAio(bool cloud = true, string project = "DEMO")
    {
        ApiRoot = cloud ? "/aio-tcms/api/v1/" : "/rest/aio-tcms-api/1.0/";
        Project = project;
        Server = new TinyHttpServer(Handle);
    }

    public TinyHttpServer Server { get; }
    public Uri BaseUrl => Server.BaseUrl;
    public string ApiRoot { get; }
    public string Project { get; }
    public string Prefix => ApiRoot + "project/" + Project + "/";

    public List<string> Statuses { get; set; } = ["Not Run", "In Progress", "Passed", "Failed", "Blocked"];
    /// <summary>Case keys the bulk update refuses (in a 200 with errors), with AIO's message.</summary>
    public Dictionary<string, string> Refuse { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<JsonObject> Cycles { get; } = [];
    public List<Run> Runs { get; } = [];
    public List<(long RunId, string FileName, string? ContentType, string Body)> Attachments { get; } = [];
    public List<JsonObject> Folders { get; } = [];
    /// <summary>Answer attachments with 404 (older AIO Server).</summary>
    public bool AttachmentsNotFound { get; set; }
    /// <summary>Create the cycle, then lose the answer this many times.</summary>
    public int LoseCreateAnswers { get; set; }
    /// <summary>Every request answered with this status instead (e.g. 401).</summary>
    public int? FailAllWith { get; set; }
    /// <summary>Answers this status to every attachment upload of these file names (nothing stored).</summary>
    public Dictionary<string, int> FailAttachment { get; } = new(StringComparer.Ordinal);
    public int ListingPageSize { get; set; } = 100;
    /// <summary>GET config answered with this instead of the statuses (an unreadable configuration).</summary>
    public TinyHttpServer.Reply? ConfigReply { get; set; }
    /// <summary>The run listing names the case nested, as testCase.key, instead of a flat testCaseKey.</summary>
    public bool NestedListing { get; set; }
    /// <summary>Case keys whose runs the listing leaves out (found only through the latest-run endpoint).</summary>
    public HashSet<string> HiddenFromListing { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Case keys the latest-run endpoint answers 404 for.</summary>
    public HashSet<string> NoLatestRun { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The project's cases, for the case search by key (validate).</summary>
    public HashSet<string> Cases { get; } = new(Enumerable.Range(1, 50).Select(i => "DEMO-TC-" + i), StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<TinyHttpServer.Request> Requests => Server.Requests;
    public List<TinyHttpServer.Request> RequestsTo(string method, string relative) =>
        Requests.Where(r => r.Method == method && Regex.IsMatch(r.Path.Substring(Math.Min(r.Path.Length, Prefix.Length)), "^" + relative + "$") && r.Path.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
    public List<TinyHttpServer.Request> Bulks => RequestsTo("POST", @"testcycle/[^/]+/bulk/testrun/update");

    public JsonObject AddCycle(string title, string? objective = null)
    {
        lock (_gate)
        {
            var n = _nextCycle++;
            var cycle = new JsonObject { ["ID"] = 9000 + n, ["key"] = $"{Project}-CY-{n}", ["title"] = title, ["objective"] = objective };
            Cycles.Add(cycle);
            return cycle;
        }
    }

    private static TinyHttpServer.Reply Json(JsonNode node, int status = 200) => new(status, node.ToJsonString());
    private static TinyHttpServer.Reply NotFound(string what) => new(404, new JsonObject { ["message"] = what + " not found" }.ToJsonString());

    private TinyHttpServer.Reply? Handle(TinyHttpServer.Request r)
    {
        if (FailAllWith is { } failWith) return new TinyHttpServer.Reply(failWith, """{"message":"Unauthorized"}""");
        if (!r.Path.StartsWith(Prefix, StringComparison.Ordinal)) return NotFound("path " + r.Path);
        var rest = r.Path.Substring(Prefix.Length);
        lock (_gate)
        {
            if (r.Method == "GET" && rest == "config" && ConfigReply is not null) return ConfigReply;
            if (r.Method == "GET" && rest == "config")
                return Json(new JsonObject { ["runStatuses"] = new JsonArray(Statuses.Select((s, i) => (JsonNode?)new JsonObject { ["ID"] = i + 1, ["name"] = s }).ToArray()) });

            if (r.Method == "POST" && rest == "testcycle/search")
            {
                var title = (string?)JsonNode.Parse(r.Body)!["title"]!["value"];
                var items = Cycles.Where(c => (string?)c["title"] == title).Select(c => (JsonNode?)c.DeepClone()).ToArray();
                return Json(new JsonObject { ["items"] = new JsonArray(items), ["startAt"] = 0, ["maxResults"] = 100, ["isLast"] = true });
            }

            if (r.Method == "POST" && rest == "testcase/search")
            {
                var keys = JsonNode.Parse(r.Body)!["key"]!["list"]!.AsArray().Select(k => (string)k!).ToList();
                var items = keys.Where(Cases.Contains).Select(k => (JsonNode?)new JsonObject { ["key"] = k }).ToArray();
                return Json(new JsonObject { ["items"] = new JsonArray(items), ["startAt"] = 0, ["maxResults"] = 100, ["isLast"] = true });
            }

            if (r.Method == "PUT" && rest == "testcycle/folder/hierarchy")
            {
                var names = JsonNode.Parse(r.Body)!["folderHierarchy"]!.AsArray().Select(n => (string)n!).ToList();
                var folder = new JsonObject { ["ID"] = 700 + Folders.Count, ["name"] = names.Last(), ["path"] = string.Join("/", names) };
                Folders.Add(folder);
                return Json(folder.DeepClone());
            }

            if (r.Method == "POST" && rest == "testcycle/detail")
            {
                var body = JsonNode.Parse(r.Body)!.AsObject();
                var cycle = AddCycle((string)body["title"]!, (string?)body["objective"]);
                cycle["folder"] = body["folder"]?.DeepClone();
                cycle["jiraTaskIDs"] = body["jiraTaskIDs"]?.DeepClone();
                if (LoseCreateAnswers > 0) { LoseCreateAnswers--; return TinyHttpServer.Reply.Drop; }
                return Json(cycle.DeepClone());
            }

            var m = Regex.Match(rest, "^testcycle/([^/]+)/bulk/testrun/update$");
            if (r.Method == "POST" && m.Success)
            {
                var cycle = FindCycle(Uri.UnescapeDataString(m.Groups[1].Value));
                if (cycle is null) return NotFound("cycle");
                var createNew = r.Query.Contains("createNewRun=true");
                var errors = new JsonObject();
                var runs = JsonNode.Parse(r.Body)!["testRuns"]!.AsArray();
                var ok = 0;
                foreach (var run in runs)
                {
                    var key = (string)run!["testCaseKey"]!;
                    if (Refuse.TryGetValue(key, out var why)) { errors[key] = new JsonObject { ["message"] = why }; continue; }
                    var status = (string)run["testRunStatus"]!;
                    if (!Statuses.Contains(status)) { errors[key] = new JsonObject { ["message"] = $"Invalid status {status}" }; continue; }
                    ok++;
                    var comments = run["comments"]?.AsArray().Select(c => (string)c!).ToList() ?? [];
                    var existing = Runs.LastOrDefault(x => x.Cycle == (string)cycle["key"]! && x.CaseKey == key);
                    if (existing is not null && !createNew) Runs.Remove(existing);
                    Runs.Add(new Run(existing is not null && !createNew ? existing.Id : _nextRunId++, (string)cycle["key"]!, key, status, (double)run["effort"]!, comments));
                }
                var failed = errors.Count > 0;
                return Json(new JsonObject
                {
                    ["status"] = failed ? "FAILED" : "SUCCESS",
                    ["requestCount"] = runs.Count,
                    ["successCount"] = ok,
                    ["errorCount"] = errors.Count,
                    ["errors"] = errors,
                });
            }

            m = Regex.Match(rest, "^testcycle/([^/]+)/testrun$");
            if (r.Method == "GET" && m.Success)
            {
                var cycle = FindCycle(Uri.UnescapeDataString(m.Groups[1].Value));
                if (cycle is null) return NotFound("cycle");
                var query = System.Web.HttpUtility.ParseQueryString(r.Query);
                var startAt = int.Parse(query["startAt"] ?? "0");
                var size = Math.Min(ListingPageSize, int.Parse(query["maxResults"] ?? "100"));
                var all = Runs.Where(x => x.Cycle == (string)cycle["key"]! && !HiddenFromListing.Contains(x.CaseKey)).ToList();
                var page = all.Skip(startAt).Take(size).Select(x =>
                {
                    var item = new JsonObject { ["ID"] = x.Id, ["testRunStatus"] = new JsonObject { ["ID"] = 1, ["name"] = x.Status } };
                    if (NestedListing) item["testCase"] = new JsonObject { ["ID"] = 4000 + x.Id, ["key"] = x.CaseKey };
                    else item["testCaseKey"] = x.CaseKey;
                    return (JsonNode?)item;
                }).ToArray();
                return Json(new JsonObject { ["startAt"] = startAt, ["maxResults"] = size, ["total"] = all.Count, ["isLast"] = startAt + page.Length >= all.Count, ["items"] = new JsonArray(page) });
            }

            m = Regex.Match(rest, "^testcycle/([^/]+)/testcase/([^/]+)/testrun$");
            if (r.Method == "GET" && m.Success)
            {
                var cycle = FindCycle(Uri.UnescapeDataString(m.Groups[1].Value));
                if (cycle is null) return NotFound("cycle");
                var key = Uri.UnescapeDataString(m.Groups[2].Value);
                var latest = Runs.LastOrDefault(x => x.Cycle == (string)cycle["key"]! && string.Equals(x.CaseKey, key, StringComparison.OrdinalIgnoreCase));
                if (latest is null || NoLatestRun.Contains(key)) return NotFound("run of " + key);
                return Json(new JsonObject { ["ID"] = latest.Id, ["testRunStatus"] = new JsonObject { ["ID"] = 1, ["name"] = latest.Status }, ["effort"] = latest.Effort });
            }

            m = Regex.Match(rest, "^testcycle/([^/]+)/testrun/([0-9]+)/attachment$");
            if (r.Method == "POST" && m.Success)
            {
                if (AttachmentsNotFound) return new TinyHttpServer.Reply(404, "<html>Not Found</html>", "text/html");
                var id = long.Parse(m.Groups[2].Value);
                if (!Runs.Any(x => x.Id == id)) return NotFound("run");
                var part = Multipart.Parse(r.ContentType, r.Body).Single();
                Assert.Equal("file", part.Name);
                if (FailAttachment.TryGetValue(part.FileName!, out var failure)) return new TinyHttpServer.Reply(failure, """{"message":"busy"}""");
                Attachments.Add((id, part.FileName!, part.ContentType, part.Body));
                return Json(new JsonObject { ["ID"] = 800 + Attachments.Count, ["fileName"] = part.FileName, ["size"] = part.Body.Length });
            }
        }
        return NotFound("endpoint " + r.Method + " " + rest);
    }

    private JsonObject? FindCycle(string keyOrId) =>
        Cycles.FirstOrDefault(c => (string?)c["key"] == keyOrId || c["ID"]!.ToString() == keyOrId);

    public void Dispose() => Server.Dispose();
}
