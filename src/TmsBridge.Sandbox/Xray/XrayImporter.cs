using System.Text.Json;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Xray;

/// <summary>
/// Applies a structurally valid import to the state, with the checks Xray makes against the
/// Jira instance. Server/DC has two levels, as on the real server:
/// <list type="bullet">
/// <item>request-level problems (execution, project, version, Test Plan, requirement keys) →
/// <see cref="XrayRequestException"/> → 400, and nothing is stored;</item>
/// <item>test-level problems (unknown/non-Test key, unknown status, bad defect, &gt;20 parameters)
/// refuse only that test: it is listed in <c>testIssues.error</c> and its run is not stored.</item>
/// </list>
/// Xray Cloud (<see cref="XrayFlavor.Cloud"/>) has no partial-failure body, so there a refused
/// test refuses the whole request (docs/sandbox.md, a choice); Cloud also checks Test
/// Environments against the project and requires a summary to create an execution.
/// The caller holds <see cref="SandboxState.SyncRoot"/>, so an import is all-or-nothing.
/// </summary>
internal sealed partial class XrayImporter(JiraInstance jira, XrayServerState xray, XrayFlavor flavor, IReadOnlySet<string> statuses)
{
    // Xray rejects iterations with more than 20 parameters (api-notes §3.4, playwright-xray #152).
    internal const int MaxParametersPerIteration = 20;

    internal const string CreateFailed = "Error creating Test Execution - Issue create failed! - ";

    /// <summary>The Server/DC importer over the sandbox's DC Jira instance.</summary>
    public XrayImporter(SandboxState state) : this(state.Jira, state.Xray, XrayFlavor.Server, state.Jira.Statuses)
    {
    }

    private JiraInstance Jira => jira;
    private XrayServerState Xray => xray;
    private bool Cloud => flavor == XrayFlavor.Cloud;

    public ImportOutcome Import(ImportRequest request, IssueFields? multipartFields, CloudXrayFields? xrayFields = null)
    {
        // ---- Request level: decide everything before touching the state. ----
        XrayExecution? existing = null;
        JiraProject project;
        if (request.TestExecutionKey is { } execKey)
        {
            var issue = Jira.Find(execKey)
                ?? throw new XrayRequestException($"Test Execution with key {execKey} was not found.");
            if (issue.Kind != IssueKind.TestExecution)
                throw new XrayRequestException($"Issue {execKey} is not a Test Execution (issue type: {issue.IssueTypeName}).");
            existing = Xray.FindExecution(execKey);
            project = Jira.FindProject(issue.ProjectKey)!;
        }
        else if (multipartFields is not null)
        {
            project = ResolveCreateProject(multipartFields);
        }
        else
        {
            // Documented DC behaviour (api-notes §3.1): without a project Xray cannot pick the
            // Test Execution issue type and Jira answers with this terse text.
            var key = request.Info?.Project ?? throw new XrayRequestException("issuetype: issuetype");
            project = Jira.FindProject(key)
                ?? throw new XrayRequestException($"{CreateFailed}project: Specify a valid project ID or key");
            // Cloud: "effectively required on create" (api-notes §3.1); DC leaves it to Jira's default.
            if (Cloud && string.IsNullOrWhiteSpace(request.Info.Summary))
                throw new XrayRequestException($"{CreateFailed}summary: You must specify a summary of the issue.");
        }

        // Jira's required fields apply when the issue is created (seed: requiredExecutionFields).
        if (request.TestExecutionKey is null)
        {
            foreach (var (id, name) in project.RequiredExecutionFields)
            {
                if (multipartFields is null || !multipartFields.Extra.TryGetValue(id, out var value) || IsEmpty(value))
                    throw new XrayRequestException($"{CreateFailed}{id}: {name} is required.");
            }
        }

        // On the multipart endpoint the result part's "info" is ignored (seed docs).
        var info = multipartFields is null ? request.Info : null;
        var version = info?.Version;
        if (version is not null && !project.Versions.Contains(version, StringComparer.Ordinal))
            throw new XrayRequestException("fixVersions: fixVersions");
        if (multipartFields is not null)
            version = ResolveFixVersions(multipartFields, project) ?? existing?.Version;

        var environments = info?.TestEnvironments ?? xrayFields?.Environments;
        if (Cloud && environments is not null)
        {
            // Cloud checks environments against the project (api-notes §3.6, xray-action #692).
            var unknown = environments.Where(e => !project.TestEnvironments.Contains(e, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();
            if (unknown.Length > 0)
                throw new XrayRequestException(
                    "Error importing results: the following environments don't exist or are not in the context of test execution project: "
                    + string.Join(", ", unknown.Select(u => $"'{u}'")) + "!");
        }

        var testPlanKey = info?.TestPlanKey ?? xrayFields?.TestPlanKey;
        if (testPlanKey is { } planKey && Jira.Find(planKey)?.Kind != IssueKind.TestPlan)
            throw new XrayRequestException($"Test Plan with key {planKey} was not found.");

        // requirementKeys are checked for the whole request: Xray refuses the import with this text
        // (api-notes §6, xray-junit-extensions #28), it does not just skip the test.
        foreach (var t in request.Tests)
        {
            foreach (var req in t.TestInfo?.RequirementKeys ?? [])
            {
                if (Jira.Find(req)?.Kind != IssueKind.Requirement)
                    throw new XrayRequestException($"{req} is not a requirement issue or is not a valid issue key.");
            }
        }

        if (Cloud)
        {
            // No partial failure on Cloud: every refused test is named in one 400.
            var refused = new List<string>();
            foreach (var t in request.Tests)
            {
                var messages = new List<string>();
                if (t.TestKey is { } key)
                    CheckTestKey(key, messages);
                messages.AddRange(CheckTest(t));
                if (messages.Count > 0)
                    refused.Add($"{t.TestKey ?? $"tests[{t.Index}]"}: {string.Join(" ", messages)}");
            }
            if (refused.Count > 0)
                throw new XrayRequestException("Error importing results: " + string.Join("; ", refused));
        }

        // ---- From here on the import is accepted; apply it. ----
        var execution = existing ?? CreateExecution(request.TestExecutionKey, project);
        if (info is not null)
            ApplyInfo(execution, info);
        if (multipartFields is not null)
            ApplyFields(execution, multipartFields, version);
        if (xrayFields is not null)
        {
            execution.TestPlanKey = xrayFields.TestPlanKey ?? execution.TestPlanKey;
            if (xrayFields.Environments is not null)
                execution.TestEnvironments = xrayFields.Environments.ToList();
        }
        execution.Imports++;

        var success = new List<IssueRef>();
        // Keys already in success: a list scan per test made a 100,000-result import quadratic (issue 16, goal 3).
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<TestError>();
        foreach (var test in request.Tests)
        {
            var messages = CheckTest(test);
            if (messages.Count > 0)
            {
                errors.Add(new TestError(test.TestKey, messages));
                continue;
            }

            var testIssue = ResolveTest(test, messages);
            if (testIssue is null)
            {
                errors.Add(new TestError(test.TestKey, messages));
                continue;
            }

            execution.Put(ToRun(testIssue.Key, test));
            if (succeeded.Add(testIssue.Key))
                success.Add(new IssueRef(testIssue.Id, testIssue.Key));
        }

        return new ImportOutcome(new IssueRef(execution.Id, execution.Key), success, errors);
    }

    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        _ => false,
    };

    private void CheckTestKey(string key, List<string> messages)
    {
        var issue = Jira.Find(key);
        if (issue is null)
            messages.Add($"Test with key {key} was not found.");
        else if (issue.Kind != IssueKind.Test)
            messages.Add($"Issue {key} is not a Test (issue type: {issue.IssueTypeName}).");
    }

    private XrayExecution CreateExecution(string? seededKey, JiraProject project)
    {
        // A seeded Test Execution that no import has touched yet gets its state entry on first use.
        var issue = seededKey is not null ? Jira.Find(seededKey)! : Jira.CreateTestExecution(project);
        var execution = new XrayExecution(issue.Key, issue.Id, project.Key);
        Xray.Executions.Add(execution);
        return execution;
    }

    private static void ApplyInfo(XrayExecution e, ExecutionInfo info)
    {
        // On reuse Xray updates the fields that are given; testEnvironments replace the old ones
        // (api-notes §3.1, cypress-xray-plugin #223).
        e.Summary = info.Summary ?? e.Summary;
        e.Description = info.Description ?? e.Description;
        e.Version = info.Version ?? e.Version;
        e.Revision = info.Revision ?? e.Revision;
        e.User = info.User ?? e.User;
        e.StartDate = info.StartDate ?? e.StartDate;
        e.FinishDate = info.FinishDate ?? e.FinishDate;
        e.TestPlanKey = info.TestPlanKey ?? e.TestPlanKey;
        if (info.TestEnvironments is not null)
            e.TestEnvironments = info.TestEnvironments.ToList();
    }

    private static void ApplyFields(XrayExecution e, IssueFields f, string? version)
    {
        e.Summary = f.Summary ?? e.Summary;
        e.Description = f.Description ?? e.Description;
        e.Version = version;
        foreach (var (name, value) in f.Extra)
            e.Fields[name] = value;
    }

    private JiraProject ResolveCreateProject(IssueFields f)
    {
        if (f.Project is not { } p)
            throw new XrayRequestException($"{CreateFailed}project: Specify a valid project ID or key");
        JiraProject? project = null;
        if (p.ValueKind == JsonValueKind.Object)
        {
            if (p.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String)
                project = Jira.FindProject(k.GetString()!);
            else if (p.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                project = Jira.FindProjectById(id.ToString());
        }
        if (project is null)
            throw new XrayRequestException($"{CreateFailed}project: Specify a valid project ID or key");

        var typeOk = f.IssueType is { ValueKind: JsonValueKind.Object } t
            && ((t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == "Test Execution")
                || (t.TryGetProperty("id", out var tid) && tid.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    && tid.ToString() == Jira.TestExecutionIssueTypeId));
        if (f.IssueType is null)
            throw new XrayRequestException("issuetype: issuetype");
        if (!typeOk)
            throw new XrayRequestException($"{CreateFailed}issuetype: The issue type selected is invalid.");
        if (string.IsNullOrWhiteSpace(f.Summary))
            throw new XrayRequestException($"{CreateFailed}summary: You must specify a summary of the issue.");
        return project;
    }

    private static string? ResolveFixVersions(IssueFields f, JiraProject project)
    {
        if (f.FixVersions is not { } fv)
            return null;
        string? first = null;
        if (fv.ValueKind != JsonValueKind.Array)
            throw new XrayRequestException("fixVersions: fixVersions");
        foreach (var v in fv.EnumerateArray())
        {
            var name = v.ValueKind == JsonValueKind.Object && v.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                ? n.GetString()
                : null;
            if (name is null || !project.Versions.Contains(name, StringComparer.Ordinal))
                throw new XrayRequestException("fixVersions: fixVersions");
            first ??= name;
        }
        return first;
    }
}
