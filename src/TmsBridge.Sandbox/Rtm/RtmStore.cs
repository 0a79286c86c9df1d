using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Rtm;

/// <summary>
/// One RTM flavour's data: the Test Executions created (as Test Execution issues of its Jira, so keys
/// never collide with Xray's), their TCEs, and the test cases' requirement links. Mutated only under
/// <see cref="SandboxState.SyncRoot"/>.
/// </summary>
public sealed class RtmStore(SandboxSeed seed, JiraInstance jira, bool cloud)
{
    public bool Cloud { get; } = cloud;
    public JiraInstance Jira { get; } = jira;
    public SandboxSeed Seed { get; } = seed;
    public Dictionary<string, RtmExecution> Executions { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<string>> Covers { get; } = new(StringComparer.Ordinal);
    /// <summary>Import tasks: id → the TE it made, and status reads left that answer IMPORTING.</summary>
    public Dictionary<string, (string Execution, int ImportingReads)> Imports { get; } = new(StringComparer.Ordinal);

    /// <summary>The test case keys of a plan: its seeded list, else every Test of its project.</summary>
    public HashSet<string> PlanCases(JiraIssue plan)
    {
        var project = Seed.Projects.FirstOrDefault(p => p.Key == plan.ProjectKey);
        var entries = project is not null && project.RtmPlans.TryGetValue(plan.Key, out var listed) ? listed : project?.Tests ?? [];
        return KeyRange.ExpandAll(entries, plan.ProjectKey).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Execution step ids, unique in the flavour (RTM's <c>executionSteps[].id</c>).</summary>
    private long _nextStepId = 7001;

    /// <summary>A new TCE of <paramref name="testCaseKey"/>, with the test case's seeded steps (status "To do").</summary>
    public RtmTce NewTce(string key, string testCaseKey, RtmExecution execution)
    {
        var tce = new RtmTce(key, testCaseKey, execution);
        var project = Seed.Projects.FirstOrDefault(p => p.Key == execution.Project);
        if (project is not null && project.RtmCaseSteps.TryGetValue(testCaseKey, out var steps))
            for (var i = 0; i < steps.Count; i++)
                tce.Steps.Add(new RtmStep(_nextStepId++, i + 1, steps[i]));
        return tce;
    }

    public RtmTce? FindTce(string key) => Executions.Values.SelectMany(e => e.Tces).FirstOrDefault(t => t.Key == key);

    public void Clear()
    {
        Executions.Clear();
        Covers.Clear();
        Imports.Clear();
        _nextStepId = 7001;
    }

    /// <summary>The summary and description of a Test Execution this flavour created (Jira search reads them), or null.</summary>
    public (string? Summary, string? Description)? Describe(string key) =>
        Executions.TryGetValue(key, out var e) ? (e.Summary, e.Description) : null;

    public RtmSnapshot Snapshot() => new(
        Executions.Values.Select(e => new RtmExecutionSnapshot(e.Key, e.Project, e.TestPlan, e.Summary, e.Description, e.Environment, e.Versions.ToList(),
            e.StartDate, e.EndDate, e.PendingReads > 0 ? "Pending" : "Done", e.Imported,
            e.Tces.Select(t => new RtmTceSnapshot(t.Key, t.TestCaseKey, t.Result, t.ActualTime, t.Environment, t.ResultWrites, t.Comments.ToList(), t.Defects.ToList(),
                t.Attachments.ToList(), t.Steps.Select(st => new RtmStepSnapshot(st.Id, st.Ordinal, st.Action, st.Status, st.Comment, st.Attachments.ToList())).ToList())).ToList())).ToList(),
        Covers.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.ToList(), StringComparer.Ordinal));
}

public sealed class RtmExecution(string key, string project)
{
    public string Key { get; } = key;
    public string Project { get; } = project;
    public string? TestPlan { get; init; }
    /// <summary>Made by the automation import (Cloud), not from a plan.</summary>
    public bool Imported { get; init; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public string? Environment { get; set; }
    public List<string> Versions { get; } = [];
    public string? StartDate { get; set; }
    public string? EndDate { get; set; }
    /// <summary>Status reads left that answer Pending; TCEs refuse writes until then.</summary>
    public int PendingReads { get; set; }
    public List<RtmTce> Tces { get; } = [];
}

public sealed class RtmTce(string key, string testCaseKey, RtmExecution execution)
{
    public string Key { get; } = key;
    public string TestCaseKey { get; } = testCaseKey;
    public RtmExecution Execution { get; } = execution;
    public string? Result { get; set; }
    public long? ActualTime { get; set; }
    public string? Environment { get; set; }
    public int ResultWrites { get; set; }
    public List<string> Comments { get; } = [];
    public List<string> Defects { get; } = [];
    public List<RtmAttachmentSnapshot> Attachments { get; } = [];
    /// <summary>The test case's steps as this TCE executes them (one group), by ordinal.</summary>
    public List<RtmStep> Steps { get; } = [];
}

/// <summary>One execution step of a TCE: RTM's id and ordinal (1-based), the step's action, its status, comment and evidence.</summary>
public sealed class RtmStep(long id, int ordinal, string action)
{
    public long Id { get; } = id;
    public int Ordinal { get; } = ordinal;
    public string Action { get; } = action;
    public string Status { get; set; } = "To do";
    public string? Comment { get; set; }
    public List<RtmAttachmentSnapshot> Attachments { get; } = [];
}
