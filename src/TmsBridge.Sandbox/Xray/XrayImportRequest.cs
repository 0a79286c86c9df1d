namespace TmsBridge.Sandbox.Xray;

// The Xray JSON import body after structural validation (XrayJsonParser). Field names follow
// the Xray Server/DC JSON format; evidence is already decoded into size + digest.

/// <summary>Which Xray the body is for: Server/Data Center (<c>/rest/raven</c>) or Cloud (<c>/api/v2</c>).</summary>
internal enum XrayFlavor
{
    Server,
    Cloud,
}

internal sealed record ImportRequest(string? TestExecutionKey, ExecutionInfo? Info, IReadOnlyList<TestEntry> Tests);

internal sealed record ExecutionInfo(
    string? Project,
    string? Summary,
    string? Description,
    string? Version,
    string? Revision,
    string? User,
    string? StartDate,
    string? FinishDate,
    string? TestPlanKey,
    IReadOnlyList<string>? TestEnvironments);

internal sealed record TestInfoEntry(
    string ProjectKey,
    string Summary,
    string TestType,
    string? Definition,
    string? Description,
    IReadOnlyList<string> RequirementKeys,
    IReadOnlyList<string> Labels);

internal sealed record TestEntry(
    int Index,
    string? TestKey,
    TestInfoEntry? TestInfo,
    string Status,
    string? Comment,
    string? Start,
    string? Finish,
    string? ExecutedBy,
    string? Assignee,
    IReadOnlyList<string> Defects,
    IReadOnlyList<XrayEvidence> Evidence,
    IReadOnlyList<XrayStepResult> Steps,
    IReadOnlyList<string> Examples,
    IReadOnlyList<XrayIteration> Iterations,
    IReadOnlyList<XrayCustomField> CustomFields);

/// <summary>A request Xray refuses as a whole: HTTP 400 with <c>{"error": Message}</c>.</summary>
internal sealed class XrayRequestException(string message) : Exception(message);
