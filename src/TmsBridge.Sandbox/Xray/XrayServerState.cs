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
    /// <summary>Actions of a Manual test's steps, in order; empty for other types.</summary>
    public List<string> Steps { get; } = [];

    /// <summary>Xray's test type kind: "Steps" (Manual), "Gherkin" (Cucumber) or "Unstructured" (Generic and others).</summary>
    public string Kind => TestType switch { "Manual" => "Steps", "Cucumber" => "Gherkin", _ => "Unstructured" };

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

    /// <summary>Seeded Manual tests (seed <c>manualTests</c>): key → step actions. Kept across resets.</summary>
    internal Dictionary<string, IReadOnlyList<string>> SeededManual { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The definition of Test <paramref name="key"/>: the one imports touched, else a seeded Manual test,
    /// else a seeded Test issue, which is Generic without a definition. Null only for keys that are not Tests.
    /// </summary>
    internal XrayTestDefinition? Definition(string key, State.JiraInstance jira)
    {
        if (FindTest(key) is { } touched) return touched;
        var issue = jira.Find(key);
        if (issue is null || issue.Kind != State.IssueKind.Test) return null;
        if (SeededManual.TryGetValue(key, out var steps))
        {
            var manual = new XrayTestDefinition(key, issue.ProjectKey, "Manual", provisioned: false) { Summary = $"Manual test {key}" };
            manual.Steps.AddRange(steps);
            return manual;
        }
        return new XrayTestDefinition(key, issue.ProjectKey, "Generic", provisioned: false);
    }

    /// <summary>Reads the seed's Manual tests (both flavours' stores are seeded alike).</summary>
    internal void SeedManualTests(Seed.SandboxSeed seed)
    {
        SeededManual.Clear();
        foreach (var p in seed.Projects)
        {
            foreach (var (key, steps) in p.ManualTests)
            {
                if (!State.KeyRange.ExpandAll(p.Tests, p.Key).Any(k => k.Key == key))
                    throw new Seed.SeedException($"Seed project {p.Key}: manualTests names {key}, which is not among its tests.");
                if (steps.Count == 0 || steps.Any(string.IsNullOrWhiteSpace))
                    throw new Seed.SeedException($"Seed project {p.Key}: Manual test {key} needs at least one step, each with an action.");
                SeededManual[key] = steps.ToArray();
            }
        }
    }

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
