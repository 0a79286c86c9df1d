using System.Text.Json;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Xray;

/// <summary>The test-level part of an import: checks, key resolution and the stored run (<see cref="XrayImporter"/>).</summary>
internal sealed partial class XrayImporter
{
    /// <summary>Test-level checks that need no issue lookup side effects.</summary>
    private List<string> CheckTest(TestEntry t)
    {
        var messages = new List<string>();
        CheckStatus(t.Status, "", messages);
        for (var i = 0; i < t.Iterations.Count; i++)
        {
            var it = t.Iterations[i];
            CheckStatus(it.Status, $"Iteration {i + 1}: ", messages);
            if (it.Parameters.Count > MaxParametersPerIteration)
                messages.Add($"Iteration {i + 1} has {it.Parameters.Count} parameters; at most {MaxParametersPerIteration} are allowed.");
            for (var s = 0; s < it.Steps.Count; s++)
                CheckStatus(it.Steps[s].Status, $"Iteration {i + 1}, step {s + 1}: ", messages);
        }
        for (var s = 0; s < t.Steps.Count; s++)
            CheckStatus(t.Steps[s].Status, $"Step {s + 1}: ", messages);
        CheckStepResults(t, messages);

        foreach (var d in t.Defects.Concat(t.Steps.SelectMany(s => s.Defects)).Distinct(StringComparer.Ordinal))
        {
            var issue = Jira.Find(d);
            if (issue is null)
                messages.Add($"Defect {d} was not found.");
            else if (issue.Kind != IssueKind.Defect)
                messages.Add($"Issue {d} is not a defect (issue type: {issue.IssueTypeName}).");
        }

        if (t.TestKey is null && t.TestInfo is null)
            messages.Add("The test has neither a testKey nor a testInfo to find or create the Test.");
        if (t.TestInfo is { } ti)
        {
            if (Jira.FindProject(ti.ProjectKey) is null)
                messages.Add($"Project {ti.ProjectKey} was not found.");
            if (!Jira.TestTypes.Contains(ti.TestType))
                messages.Add($"Test Type '{ti.TestType}' does not exist.");
        }
        return messages;
    }

    /// <summary>
    /// Step results are for Manual (step-based) tests only, one per step of the test: Xray maps them by
    /// position (api-notes §3.2). The wording is the sandbox's (docs/sandbox.md); the rule is Xray's.
    /// </summary>
    private void CheckStepResults(TestEntry t, List<string> messages)
    {
        var counts = new List<(string Prefix, int Count)>();
        if (t.Steps.Count > 0) counts.Add(("", t.Steps.Count));
        for (var i = 0; i < t.Iterations.Count; i++)
            if (t.Iterations[i].Steps.Count > 0) counts.Add(($"Iteration {i + 1}: ", t.Iterations[i].Steps.Count));
        if (counts.Count == 0) return;

        string? type;
        int? steps = null;
        var name = t.TestKey ?? "The new Test";
        if (t.TestKey is { } key)
        {
            var def = Xray.Definition(key, Jira);
            if (def is null) return; // an unknown key or a non-Test is refused by its own check
            type = def.TestType;
            steps = def.Steps.Count;
        }
        else type = t.TestInfo?.TestType;
        if (type != "Manual")
        {
            messages.Add($"{name} is not a Manual test (test type: {type}): step results are accepted only for Manual tests.");
            return;
        }
        foreach (var (prefix, count) in counts)
        {
            if (steps is { } n && n != count)
                messages.Add($"{prefix}Test {name} has {n} steps but the Test Run has {count} step results.");
        }
    }

    private void CheckStatus(string status, string prefix, List<string> messages)
    {
        if (!statuses.Contains(status))
            messages.Add($"{prefix}Test Run Status '{status}' does not exist.");
    }

    /// <summary>Finds (by key, or by definition/summary) or provisions the Test; null with messages when refused.</summary>
    private JiraIssue? ResolveTest(TestEntry t, List<string> messages)
    {
        if (t.TestKey is { } key)
        {
            var issue = Jira.Find(key);
            if (issue is null)
            {
                messages.Add($"Test with key {key} was not found.");
                return null;
            }
            if (issue.Kind != IssueKind.Test)
            {
                messages.Add($"Issue {key} is not a Test (issue type: {issue.IssueTypeName}).");
                return null;
            }
            if (t.TestInfo is { } info)
            {
                // testKey + testInfo: Xray updates that Test from testInfo (seed docs, example 4).
                var def = Xray.FindTest(key);
                if (def is null)
                {
                    // A seeded Manual test keeps its steps until testInfo changes its type.
                    def = Xray.Definition(key, Jira)!;
                    Xray.Tests.Add(def);
                }
                Update(def, info);
            }
            return issue;
        }

        var ti = t.TestInfo!;
        var project = Jira.FindProject(ti.ProjectKey)!;
        // Xray's matching rule (api-notes §3.7): Generic tests by definition, Manual/BDD by
        // summary, within the project. A Generic testInfo without definition uses its summary.
        var generic = string.Equals(ti.TestType, "Generic", StringComparison.Ordinal);
        var definition = generic ? ti.Definition ?? ti.Summary : ti.Definition;
        var match = Xray.Tests.Find(d => d.ProjectKey == project.Key && d.TestType == ti.TestType
            && (generic ? d.Definition == definition : d.Summary == ti.Summary));
        JiraIssue testIssue;
        if (match is not null)
        {
            testIssue = Jira.Find(match.Key)!;
        }
        else
        {
            testIssue = Jira.CreateTest(project);
            match = new XrayTestDefinition(testIssue.Key, project.Key, ti.TestType, provisioned: true);
            Xray.Tests.Add(match);
        }
        Update(match, ti with { Definition = definition });
        return testIssue;
    }

    private void Update(XrayTestDefinition def, TestInfoEntry info)
    {
        def.Summary = info.Summary;
        if (def.TestType != info.TestType) def.Steps.Clear();
        def.TestType = info.TestType;
        def.Definition = info.Definition ?? def.Definition;
        foreach (var req in info.RequirementKeys)
        {
            if (!def.RequirementKeys.Contains(req, StringComparer.Ordinal))
                def.RequirementKeys.Add(req);
            Xray.Link(def.Key, req);
        }
    }

    private static XrayTestRun ToRun(string testKey, TestEntry t) => new(
        testKey, t.Status, t.Comment, t.Start, t.Finish, t.ExecutedBy, t.Defects, t.Iterations, t.Evidence,
        t.Assignee, t.Steps, t.Examples, t.CustomFields);
}
