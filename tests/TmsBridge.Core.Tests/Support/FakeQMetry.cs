using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A small QTM4J automation-import fake (api-notes/aio-qmetry.md §2.3) behind <see cref="TinyHttpServer"/>:
/// step 1 answers a one-time upload URL and a trackingId, step 2 takes the file (Cloud: a PUT on a second
/// server, standing for the pre-signed storage host; Server: a multipart POST on the Jira host, 204), step 3
/// answers INPROCESS for a number of polls, then SUCCESS with a summary or FAILED with a detailed message.
/// </summary>
internal sealed class FakeQMetry : IDisposable
{
    private readonly object _gate = new();
    private int _next = 1;
    private readonly Dictionary<string, string> _states = [];

    public FakeQMetry(bool cloud)
    {
        Cloud = cloud;
        ImportPath = cloud ? "/rest/api/automation/importresult" : "/rest/qtm4j/automation/latest/importresult";
        Api = new TinyHttpServer(HandleApi);
        Storage = cloud ? new TinyHttpServer(HandleStorage) : Api;
    }

    public bool Cloud { get; }
    public string ImportPath { get; }
    public TinyHttpServer Api { get; }
    /// <summary>Cloud: the pre-signed storage host (another port, so another authority). Server: the Jira host.</summary>
    public TinyHttpServer Storage { get; }
    public Uri BaseUrl => Api.BaseUrl;

    /// <summary>Track polls answered INPROCESS before the final answer.</summary>
    public int InProgressPolls { get; set; } = 1;
    /// <summary>The word for "still running" (the docs show INPROCESS, community code In Progress).</summary>
    public string RunningWord { get; set; } = "INPROCESS";
    /// <summary>The import ends FAILED with this detailed message.</summary>
    public string? FailImport { get; set; }
    /// <summary>Uploads answered 403 "Request has expired".</summary>
    public int ExpireUploads { get; set; }
    /// <summary>Step 1 answers 200 without url (the body holds the error).</summary>
    public bool NoUrl { get; set; }
    /// <summary>Step 1 answers this instead.</summary>
    public TinyHttpServer.Reply? ImportReply { get; set; }
    /// <summary>Server: the upload URL handed out is on this host instead of the Jira host.</summary>
    public Uri? UploadHostOverride { get; set; }
    /// <summary>Every track poll says INPROCESS.</summary>
    public bool NeverFinish { get; set; }

    public List<byte[]> Uploads { get; } = [];
    public IEnumerable<TinyHttpServer.Request> All => Cloud ? Api.Requests.Concat(Storage.Requests) : Api.Requests;
    public List<TinyHttpServer.Request> Imports => Api.Requests.Where(r => r.Method == "POST" && r.Path == ImportPath).ToList();
    public List<TinyHttpServer.Request> Tracks => Api.Requests.Where(r => r.Path == ImportPath + "/track").ToList();
    public List<TinyHttpServer.Request> UploadRequests => Storage.Requests.Where(r => r.Path.Contains("/upload/", StringComparison.Ordinal)).ToList();
    /// <summary>The test cases the Open API's testcases/search finds (project DEMO, id 10000).</summary>
    public HashSet<string> Cases { get; } = new(StringComparer.OrdinalIgnoreCase) { "DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3" };
    public List<TinyHttpServer.Request> OpenApi => Api.Requests.Where(r => r.Path.StartsWith("/rest/api/latest/", StringComparison.Ordinal)).ToList();
    public List<TinyHttpServer.Request> AttachmentUploads => Storage.Requests.Where(r => r.Path == "/attachments").ToList();

    /// <summary>The last uploaded JUnit file (Server: the multipart part "file").</summary>
    public XDocument LastJUnit()
    {
        var bytes = Uploads.Last();
        var text = Encoding.UTF8.GetString(bytes);
        if (!Cloud)
        {
            var start = text.IndexOf("<?xml", StringComparison.Ordinal);
            var end = text.IndexOf("</testsuites>", StringComparison.Ordinal) + "</testsuites>".Length;
            text = text.Substring(start, end - start);
        }
        return XDocument.Parse(text);
    }

    private static TinyHttpServer.Reply Json(JsonNode node, int status = 200) => new(status, node.ToJsonString());

    private TinyHttpServer.Reply? HandleApi(TinyHttpServer.Request r)
    {
        if (r.Method == "POST" && r.Path == ImportPath)
        {
            if (ImportReply is { } reply) return reply;
            if (NoUrl) return Json(new JsonObject { ["message"] = "Project not found for the given apiKey" });
            string id;
            lock (_gate) { id = "track-" + _next++; _states[id] = "new"; }
            var host = Cloud ? Storage.BaseUrl : UploadHostOverride ?? Api.BaseUrl;
            return Json(new JsonObject
            {
                ["url"] = new Uri(host, "upload/" + id + (Cloud ? "?X-Amz-Signature=abc" : "")).ToString(),
                ["message"] = "Generated Upload URL is valid for one time use and will expire in 5 minutes.",
                ["trackingId"] = id,
            });
        }
        if (r.Method == "GET" && r.Path == ImportPath + "/track")
        {
            var id = Uri.UnescapeDataString(r.Query.Replace("?trackingId=", ""));
            lock (_gate)
            {
                if (!_states.TryGetValue(id, out var state) || state == "new")
                    return Json(new JsonObject { ["status"] = 404, ["errorMessage"] = $"No import details found for given tracking id '{id}'", ["timestamp"] = "02/Apr/2020 16:19" }, 400);
                var polls = int.Parse(state.Substring("polls:".Length), System.Globalization.CultureInfo.InvariantCulture);
                _states[id] = "polls:" + (polls + 1);
                if (NeverFinish || polls < InProgressPolls)
                    return Json(new JsonObject { ["importStatus"] = RunningWord, ["processStatus"] = "PARSING", ["trackingId"] = id });
                if (FailImport is { } why)
                    return Json(new JsonObject { ["importStatus"] = "FAILED", ["processStatus"] = "VALIDATION", ["detailedMessage"] = why, ["trackingId"] = id });
                return Json(new JsonObject
                {
                    ["importStatus"] = "SUCCESS", ["processStatus"] = "SUCCESS", ["trackingId"] = id,
                    ["summary"] = new JsonObject { ["testCycleIssueKey"] = "DEMO-TR-7", ["testCycle"] = 4711, ["testCasesCreated"] = 0, ["testCaseVersionsReused"] = 4 },
                });
            }
        }
        if (r.Method == "POST" && r.Path == "/rest/api/latest/testcycles/4711/testcases/search")
        {
            var data = new JsonArray();
            foreach (var (key, n) in new[] { ("DEMO-TC-1", 1), ("DEMO-TC-2", 2), ("DEMO-TC-3", 3) })
                data.Add(new JsonObject { ["key"] = key, ["testCaseExecutionId"] = 600000 + n, ["projectId"] = 10000 });
            return Json(new JsonObject { ["total"] = 3, ["startAt"] = 0, ["maxResults"] = 100, ["data"] = data });
        }
        if (r.Method == "GET" && r.Path == "/rest/api/latest/projects")
            return Json(new JsonObject { ["total"] = 1, ["startAt"] = 0, ["maxResults"] = 50, ["data"] = new JsonArray(new JsonObject { ["id"] = 10000, ["key"] = "DEMO", ["name"] = "Demo" }) });
        if (r.Method == "POST" && r.Path == "/rest/api/latest/testcases/search")
        {
            var filter = JsonNode.Parse(r.Body)!["filter"]!;
            var key = (string?)filter["key"];
            var data = new JsonArray();
            if ((long?)filter["projectId"] == 10000 && key is not null && Cases.Contains(key)) data.Add(new JsonObject { ["id"] = "uid-" + key, ["key"] = key });
            return Json(new JsonObject { ["total"] = data.Count, ["startAt"] = 0, ["maxResults"] = 1, ["data"] = data });
        }
        if (r.Method == "GET" && r.Path == "/rest/api/latest/testcycles/4711/testcase-executions/attachments/url")
            return Json(new JsonObject
            {
                ["endpoint_url"] = new Uri(Storage.BaseUrl, "attachments").ToString(),
                ["params"] = new JsonObject { ["key"] = "att/" + r.Query, ["policy"] = "cG9saWN5" },
            });
        if (!Cloud && r.Path.StartsWith("/upload/", StringComparison.Ordinal)) return HandleStorage(r);
        return Json(new JsonObject { ["status"] = 404, ["errorMessage"] = "no such path " + r.Path }, 404);
    }

    private TinyHttpServer.Reply? HandleStorage(TinyHttpServer.Request r)
    {
        if (r.Path == "/attachments") return new TinyHttpServer.Reply(204, "", "text/plain");
        var id = r.Path.Substring("/upload/".Length);
        lock (_gate)
        {
            if (ExpireUploads > 0)
            {
                ExpireUploads--;
                return new TinyHttpServer.Reply(403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml");
            }
            if (!_states.TryGetValue(id, out var state) || state != "new")
                return new TinyHttpServer.Reply(403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml");
            _states[id] = "polls:0";
            Uploads.Add(r.RawBody ?? Encoding.UTF8.GetBytes(r.Body));
        }
        return Cloud ? new TinyHttpServer.Reply(200, "", "text/plain") : new TinyHttpServer.Reply(204, "", "text/plain");
    }

    public void Dispose()
    {
        if (Cloud) Storage.Dispose();
        Api.Dispose();
    }
}
