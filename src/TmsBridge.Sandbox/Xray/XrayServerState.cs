using System.Text.Json;
using System.Text.Json.Serialization;

namespace TmsBridge.Sandbox.Xray;

// Stored shapes of what Xray Server/DC received. Records are immutable: a re-import replaces a
// Test Run wholesale, exactly as Xray "resets all dataset related fields" of the run.

/// <summary>An evidence file, stored as its digest rather than its bytes (a run can carry many MB).</summary>
public sealed record XrayEvidence(string Filename, string? ContentType, long Size, string Sha256);

public sealed record XrayParameter(string Name, string? Value);

public sealed record XrayStepResult(
    string Status,
    string? Comment,
    string? ActualResult,
    IReadOnlyList<string> Defects,
    IReadOnlyList<XrayEvidence> Evidence);

public sealed record XrayIteration(
    string? Name,
    string Status,
    IReadOnlyList<XrayParameter> Parameters,
    IReadOnlyList<XrayStepResult> Steps)
{
    /// <summary>Iteration log (Xray Cloud only). Omitted from the JSON when absent, so the DC state keeps its shape.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Log { get; init; }
}

public sealed record XrayCustomField(string Id, JsonElement Value);

/// <summary>A Test Run: one test's result inside one Test Execution.</summary>
public sealed record XrayTestRun(
    string TestKey,
    string Status,
    string? Comment,
    string? Start,
    string? Finish,
    string? ExecutedBy,
    IReadOnlyList<string> Defects,
    IReadOnlyList<XrayIteration> Iterations,
    IReadOnlyList<XrayEvidence> Evidence,
    string? Assignee,
    IReadOnlyList<XrayStepResult> Steps,
    IReadOnlyList<string> Examples,
    IReadOnlyList<XrayCustomField> CustomFields);

public sealed record XrayExecutionSnapshot(
    string Key,
    string Id,
    string Project,
    string? Summary,
    string? Description,
    string? Version,
    string? Revision,
    string? TestPlanKey,
    IReadOnlyList<string> TestEnvironments,
    string? User,
    string? StartDate,
    string? FinishDate,
    IReadOnlyDictionary<string, JsonElement> Fields,
    int Imports,
    IReadOnlyList<XrayTestRun> Tests);

/// <summary>A Test issue whose definition the sandbox knows (touched via testInfo or provisioned).</summary>
public sealed record XrayTestSnapshot(
    string Key,
    string? Summary,
    string TestType,
    string? Definition,
    bool Provisioned,
    IReadOnlyList<string> RequirementKeys);

public sealed record XrayLink(string Test, string Requirement);

/// <summary>The "xray" section of <c>GET /_sandbox/state</c>.</summary>
public sealed record XraySnapshot(
    IReadOnlyList<XrayExecutionSnapshot> Executions,
    IReadOnlyList<XrayTestSnapshot> Tests,
    IReadOnlyList<XrayLink> Links);

/// <summary>Mutable Test Execution; lives only under <see cref="State.SandboxState.SyncRoot"/>.</summary>
internal sealed class XrayExecution(string key, string id, string project)
{
    public string Key { get; } = key;
    public string Id { get; } = id;
    public string Project { get; } = project;
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public string? Version { get; set; }
    public string? Revision { get; set; }
    public string? TestPlanKey { get; set; }
    public List<string> TestEnvironments { get; set; } = [];
    public string? User { get; set; }
    public string? StartDate { get; set; }
    public string? FinishDate { get; set; }
    public Dictionary<string, JsonElement> Fields { get; } = new(StringComparer.Ordinal);
    public int Imports { get; set; }

    // Insertion order kept: runs appear in the order their tests were first imported.
    public List<XrayTestRun> Runs { get; } = [];
    // Where each test's run is in Runs (Put is the only writer): a linear search made an import of n
    // results O(n²), minutes at 100,000 (issue 16's journal benchmark).
    private readonly Dictionary<string, int> _runIndex = new(StringComparer.Ordinal);

    /// <summary>
    /// A re-import replaces the Test Run's status, comment and iterations ("reset all dataset related
    /// fields", DC docs) but evidence accumulates: Xray stores imported evidence as attachments of the
    /// Test Run and a later import adds to them [choice: not stated in the docs]. The same file
    /// (name and bytes) sent again is kept once.
    /// </summary>
    public void Put(XrayTestRun run)
    {
        if (_runIndex.TryGetValue(run.TestKey, out var i))
        {
            var evidence = Runs[i].Evidence.ToList();
            evidence.AddRange(run.Evidence.Where(e => !evidence.Any(x => x.Filename == e.Filename && x.Sha256 == e.Sha256)));
            Runs[i] = run with { Evidence = evidence };
        }
        else
        {
            _runIndex[run.TestKey] = Runs.Count;
            Runs.Add(run);
        }
    }

    public XrayExecutionSnapshot Snapshot() => new(
        Key, Id, Project, Summary, Description, Version, Revision, TestPlanKey,
        TestEnvironments.ToArray(), User, StartDate, FinishDate,
        new SortedDictionary<string, JsonElement>(Fields, StringComparer.Ordinal), Imports, Runs.ToArray());
}

internal sealed class XrayTestDefinition(string key, string projectKey, string testType, bool provisioned)
{
    public string Key { get; } = key;
    public string ProjectKey { get; } = projectKey;
    public string TestType { get; set; } = testType;
    public string? Summary { get; set; }
    public string? Definition { get; set; }
    public bool Provisioned { get; } = provisioned;
    public List<string> RequirementKeys { get; } = [];

    public XrayTestSnapshot Snapshot() => new(Key, Summary, TestType, Definition, Provisioned, RequirementKeys.ToArray());
}

/// <summary>
/// The Xray Server/DC section of the sandbox state. Callers hold
/// <see cref="State.SandboxState.SyncRoot"/> for every access.
/// </summary>
public sealed class XrayServerState
{
    internal List<XrayExecution> Executions { get; } = [];
    internal List<XrayTestDefinition> Tests { get; } = [];
    internal List<XrayLink> Links { get; } = [];

    internal XrayExecution? FindExecution(string key) => Executions.Find(e => e.Key == key);

    internal XrayTestDefinition? FindTest(string key) => Tests.Find(t => t.Key == key);

    internal void Link(string test, string requirement)
    {
        var link = new XrayLink(test, requirement);
        if (!Links.Contains(link))
            Links.Add(link);
    }

    internal void Clear()
    {
        Executions.Clear();
        Tests.Clear();
        Links.Clear();
    }

    public XraySnapshot Snapshot() => new(
        Executions.Select(e => e.Snapshot()).ToArray(),
        Tests.Select(t => t.Snapshot()).ToArray(),
        Links.ToArray());
}
