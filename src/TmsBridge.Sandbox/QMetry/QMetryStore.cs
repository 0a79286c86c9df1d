using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using TmsBridge.Sandbox.Auth;
using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.QMetry;

public enum QMetryFlavor { Cloud, Server }

/// <summary>
/// One QMetry (QTM4J) instance: the seeded test case library and cycles, the imports (trackingId,
/// one-time upload URL, status) and what the uploaded JUnit files made of them, as QTM4J documents
/// it (api-notes/aio-qmetry.md §2.5): automationHierarchy 3 = one cycle, each testcase a case matched
/// by testcasekey, else by summary, else created. Callers hold <see cref="SandboxState.SyncRoot"/>.
/// </summary>
public sealed class QMetryStore
{
    internal const int MaxNameLength = 255;
    internal static readonly TimeSpan UrlLifetime = TimeSpan.FromMinutes(5);

    private readonly SandboxSeed _seed;
    private readonly Dictionary<string, QMetryCase> _cases = new(StringComparer.Ordinal);
    private readonly List<QMetryCycle> _cycles = [];
    private readonly Dictionary<string, QMetryImport> _imports = new(StringComparer.Ordinal);
    private readonly List<string> _created = [];
    private readonly Dictionary<string, int> _nextCase = [], _nextCycle = [];
    private int _nextCycleId, _nextImport, _nextExecutionId = 600001;

    internal QMetryStore(SandboxSeed seed, QMetryFlavor flavor)
    {
        _seed = seed;
        Flavor = flavor;
        Load();
    }

    public QMetryFlavor Flavor { get; }

    /// <summary>Upload URLs handed out from now on that are refused as expired (403), for tests of the restart.</summary>
    internal int ExpireNextUploads { get; set; }
    /// <summary>Imports from now on that end FAILED with this message (count, message).</summary>
    internal (int Count, string Message) FailNextImports { get; set; } = (0, "");
    /// <summary>Track polls answered as still running before the final status.</summary>
    internal int InProgressPolls { get; set; } = 1;

    /// <summary>The project of a seeded Automation API key, or null.</summary>
    internal string? ProjectOfKey(string apiKey) =>
        _seed.QMetryApiKeys.FirstOrDefault(k => JiraAuth.FixedEquals(k.Key, apiKey))?.Project;

    /// <summary>The project of a seeded Open API key (Cloud), or null.</summary>
    internal string? ProjectOfOpenKey(string apiKey) =>
        _seed.QMetryOpenApiKeys.FirstOrDefault(k => JiraAuth.FixedEquals(k.Key, apiKey))?.Project;

    /// <summary>A test case of the library (seeded or created by an import), or null.</summary>
    internal QMetryCase? FindCase(string key) => _cases.GetValueOrDefault(key);

    /// <summary>The library's test cases of a project, in key order.</summary>
    internal IEnumerable<QMetryCase> CasesOf(string project) => _cases.Values.Where(c => c.Project == project).OrderBy(c => c.Key, StringComparer.Ordinal);

    internal QMetryCycle? FindCycleById(string id) => _cycles.FirstOrDefault(c => c.Id == id);

    internal (QMetryCycle Cycle, QMetryExecution Execution)? FindExecution(string executionId)
    {
        foreach (var c in _cycles)
            foreach (var e in c.Executions)
                if (e.Id.ToString(CultureInfo.InvariantCulture) == executionId) return (c, e);
        return null;
    }

    /// <summary>Attachment upload policies handed out: storage key → execution id.</summary>
    internal Dictionary<string, int> AttachmentPolicies { get; } = new(StringComparer.Ordinal);

    internal bool CycleExists(string project, string key) => _cycles.Exists(c => c.Project == project && c.Key == key);

    internal QMetryImport Begin(string project, JsonObject body, DateTimeOffset now)
    {
        var id = "sandbox-" + (++_nextImport).ToString("D4", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
        var import = new QMetryImport(id, project, body.ToJsonString(), Guid.NewGuid().ToString("N"), now + UrlLifetime);
        if (ExpireNextUploads > 0)
        {
            ExpireNextUploads--;
            import.ExpiresAt = now.AddSeconds(-1);
        }
        _imports[id] = import;
        return import;
    }

    internal QMetryImport? FindImport(string trackingId) => _imports.GetValueOrDefault(trackingId);
    internal QMetryImport? FindUpload(string token) => _imports.Values.FirstOrDefault(i => i.UploadToken == token);

    /// <summary>Applies an uploaded file: parses it (XML or zip of XML), then cycles and executions; a bad file ends FAILED and changes nothing.</summary>
    internal void Apply(QMetryImport import, string? fileName, byte[] bytes)
    {
        import.Uploads++;
        import.FileName = fileName;
        import.FileSize = bytes.Length;
        import.Status = "FAILED";
        var body = JsonNode.Parse(import.Request)!.AsObject();
        if (FailNextImports.Count > 0)
        {
            import.DetailedMessage = FailNextImports.Message;
            FailNextImports = (FailNextImports.Count - 1, FailNextImports.Message);
            return;
        }
        var format = ((string?)body["format"] ?? "").ToLowerInvariant();
        if (format != "junit")
        {
            import.DetailedMessage = $"The sandbox imports JUnit files only (format '{format}').";
            return;
        }
        List<XDocument> documents;
        try
        {
            documents = (bool?)body["isZip"] == true ? Unzip(bytes) : [Parse(bytes)];
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            import.DetailedMessage = "Invalid JUnit result file: " + e.Message;
            return;
        }
        var roots = documents.Select(d => d.Root!).ToList();
        if (roots.Exists(r => r.Name.LocalName is not ("testsuites" or "testsuite")))
        {
            import.DetailedMessage = "Invalid JUnit result file: the root element must be testsuites or testsuite.";
            return;
        }
        var hierarchy = (int?)body["automationHierarchy"] ?? 1;
        var fields = body["fields"] as JsonObject;
        var reuse = (string?)body["testCycleToReuse"];
        var suites = roots.SelectMany(r => r.Name.LocalName == "testsuite" ? [r] : r.Descendants("testsuite")).ToList();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["testCasesCreated"] = 0, ["testCaseVersionsReused"] = 0, ["testStepsCreated"] = 0 };

        QMetryCycle? last = null;
        if (hierarchy == 2)
        {
            foreach (var suite in suites)
            {
                last = NewCycle(import.Project, Short((string?)suite.Attribute("name") ?? "Automated Test Cycle"), fields, body);
                foreach (var tc in suite.Elements("testcase")) Record(last, import.Project, tc, counts);
            }
        }
        else
        {
            last = reuse is not null ? _cycles.First(c => c.Project == import.Project && c.Key == reuse)
                : NewCycle(import.Project, (string?)fields?["testCycle"]?["summary"] ?? "Automated Test Cycle", fields, body);
            if (hierarchy == 3)
            {
                foreach (var tc in suites.SelectMany(s => s.Elements("testcase"))) Record(last, import.Project, tc, counts);
            }
            else
            {
                // Hierarchy 1: each suite is a test case, its testcases the steps.
                foreach (var suite in suites)
                {
                    counts["testStepsCreated"] += suite.Elements("testcase").Count();
                    Record(last, import.Project, suite, counts, worstOf: suite.Elements("testcase"));
                }
            }
        }
        import.Status = "SUCCESS";
        import.CycleKey = last?.Key;
        import.CycleId = last?.Id;
        import.CycleSummary = last?.Summary;
        import.Counts = counts;
    }

    private static XDocument Parse(byte[] bytes) =>
        XDocument.Load(XmlReader.Create(new MemoryStream(bytes), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit }));

    private static List<XDocument> Unzip(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var docs = new List<XDocument>();
        foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)))
        {
            using var s = entry.Open();
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            docs.Add(Parse(copy.ToArray()));
        }
        if (docs.Count == 0) throw new InvalidDataException("the zip holds no .xml file of the declared format.");
        return docs;
    }

    private QMetryCycle NewCycle(string project, string summary, JsonObject? fields, JsonObject body)
    {
        var n = _nextCycle[project]++;
        var cycle = new QMetryCycle($"{project}-TR-{n.ToString(CultureInfo.InvariantCulture)}", (_nextCycleId++).ToString(CultureInfo.InvariantCulture), project, Short(summary), created: true)
        {
            Description = (string?)fields?["testCycle"]?["description"],
            Environment = (string?)body["environment"] ?? "No Environment",
            Build = (string?)body["build"],
        };
        _cycles.Add(cycle);
        return cycle;
    }

    /// <summary>One testcase (or, hierarchy 1, one suite) into the cycle: its case by testcasekey, else by summary, else created.</summary>
    private void Record(QMetryCycle cycle, string project, XElement element, SortedDictionary<string, int> counts, IEnumerable<XElement>? worstOf = null)
    {
        var summary = Short((string?)element.Attribute("name") ?? "");
        var key = Linked(element, "testcasekey").FirstOrDefault();
        string matched;
        QMetryCase? c = null;
        if (key is not null && _cases.TryGetValue(key, out var byKey) && byKey.Project == project) { c = byKey; matched = "key"; }
        else
        {
            // An invalid or unknown key falls back to summary matching (§2.5).
            c = _cases.Values.FirstOrDefault(x => x.Project == project && x.Summary == summary);
            matched = "summary";
        }
        if (c is null)
        {
            var n = _nextCase[project]++;
            c = new QMetryCase($"{project}-TC-{n.ToString(CultureInfo.InvariantCulture)}", project, summary);
            _cases[c.Key] = c;
            _created.Add(c.Key);
            counts["testCasesCreated"]++;
            matched = "created";
        }
        else counts["testCaseVersionsReused"]++;

        var status = worstOf is null ? StatusOf(element) : Worst(worstOf.Select(StatusOf));
        var execution = new QMetryExecution(_nextExecutionId++, c.Key, summary, status, matched, Linked(element, "storykey").ToList(),
            (string?)element.Element("failure")?.Attribute("message"));
        cycle.Executions.RemoveAll(e => e.TestCaseKey == c.Key);
        cycle.Executions.Add(execution);
    }

    /// <summary>A link by name: a property of the testcase, or its attribute (several comma-separated).</summary>
    private static IEnumerable<string> Linked(XElement element, string name)
    {
        var values = element.Elements("properties").Elements("property")
            .Where(p => string.Equals((string?)p.Attribute("name"), name, StringComparison.OrdinalIgnoreCase))
            .Select(p => (string?)p.Attribute("value") ?? "")
            .Concat(element.Attributes().Where(a => string.Equals(a.Name.LocalName, name, StringComparison.OrdinalIgnoreCase)).Select(a => a.Value));
        return values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct();
    }

    private static string StatusOf(XElement testcase) =>
        testcase.Element("failure") is not null || testcase.Element("error") is not null ? "Fail"
        : testcase.Element("skipped") is not null ? "Not Executed"
        : "Pass";

    private static string Worst(IEnumerable<string> statuses)
    {
        var list = statuses.ToList();
        return list.Contains("Fail") ? "Fail" : list.Contains("Not Executed") ? "Not Executed" : "Pass";
    }

    private static string Short(string name) => name.Length > MaxNameLength ? name[..MaxNameLength] : name;

    internal void Clear()
    {
        _cases.Clear();
        _cycles.Clear();
        _imports.Clear();
        _created.Clear();
        _nextCase.Clear();
        _nextCycle.Clear();
        AttachmentPolicies.Clear();
        ExpireNextUploads = 0;
        FailNextImports = (0, "");
        InProgressPolls = 1;
        Load();
    }

    private void Load()
    {
        _nextCycleId = 8001;
        foreach (var p in _seed.Projects)
        {
            long maxCase = 0, maxCycle = 0;
            foreach (var (key, n) in KeyRange.ExpandAll(p.QMetryCases, p.Key, "TC-"))
            {
                _cases[key] = new QMetryCase(key, p.Key, "Test case " + n.ToString(CultureInfo.InvariantCulture));
                maxCase = Math.Max(maxCase, n);
            }
            foreach (var (key, n) in KeyRange.ExpandAll(p.QMetryCycles, p.Key, "TR-"))
            {
                _cycles.Add(new QMetryCycle(key, (_nextCycleId++).ToString(CultureInfo.InvariantCulture), p.Key, "Existing cycle " + n.ToString(CultureInfo.InvariantCulture), created: false));
                maxCycle = Math.Max(maxCycle, n);
            }
            _nextCase[p.Key] = (int)maxCase + 1;
            _nextCycle[p.Key] = (int)maxCycle + 1;
        }
    }

    internal QMetrySnapshot Snapshot() => new(
        _cycles.Where(c => c.Created || c.Executions.Count > 0).Select(c => new QMetryCycleSnapshot(c.Key, c.Id, c.Project, c.Summary, c.Description, c.Environment, c.Build, c.Created,
            c.Executions.Select(e => new QMetryExecutionSnapshot(e.Id.ToString(CultureInfo.InvariantCulture), e.TestCaseKey, e.Summary, e.Status, e.Matched, e.StoryKeys, e.Comment, e.Attachments.ToList())).ToList())).ToList(),
        _imports.Values.Select(i => new QMetryImportSnapshot(i.TrackingId, i.Project, i.Status, i.FileName, i.FileSize, i.Uploads, i.Polls, i.CycleKey, i.DetailedMessage, i.Request)).ToList(),
        _created.ToList());
}

internal sealed record QMetryCase(string Key, string Project, string Summary);

internal sealed class QMetryCycle(string key, string id, string project, string summary, bool created)
{
    public string Key { get; } = key;
    public string Id { get; } = id;
    public string Project { get; } = project;
    public string Summary { get; } = summary;
    public bool Created { get; } = created;
    public string? Description { get; init; }
    public string? Environment { get; init; }
    public string? Build { get; init; }
    public List<QMetryExecution> Executions { get; } = [];
}

internal sealed record QMetryExecution(int Id, string TestCaseKey, string Summary, string Status, string Matched, List<string> StoryKeys, string? Comment)
{
    public List<QMetryAttachmentSnapshot> Attachments { get; } = [];
}

internal sealed class QMetryImport(string trackingId, string project, string request, string uploadToken, DateTimeOffset expiresAt)
{
    public string TrackingId { get; } = trackingId;
    public string Project { get; } = project;
    public string Request { get; } = request;
    public string UploadToken { get; } = uploadToken;
    public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
    /// <summary>new until the file arrives, then SUCCESS or FAILED (the tracker says INPROCESS first).</summary>
    public string Status { get; set; } = "new";
    public int Uploads { get; set; }
    public int Polls { get; set; }
    public string? FileName { get; set; }
    public long FileSize { get; set; }
    public string? CycleKey { get; set; }
    public string? CycleId { get; set; }
    public string? CycleSummary { get; set; }
    public string? DetailedMessage { get; set; }
    public SortedDictionary<string, int> Counts { get; set; } = [];
}
