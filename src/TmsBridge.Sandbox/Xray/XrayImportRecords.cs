using System.Text.Json;

namespace TmsBridge.Sandbox.Xray;

/// <summary>
/// The multipart endpoint's <c>info</c> part: a Jira create/update-issue body for the Test
/// Execution (<c>{"fields": {...}}</c>). Standard fields are resolved; all others are kept
/// as they came in <see cref="Extra"/> and stored on the execution's <c>fields</c>.
/// </summary>
internal sealed record IssueFields(
    JsonElement? Project,
    JsonElement? IssueType,
    string? Summary,
    string? Description,
    JsonElement? FixVersions,
    IReadOnlyDictionary<string, JsonElement> Extra);

/// <summary>Response of a successful import (HTTP 200), in Xray DC's v2 shape.</summary>
internal sealed record ImportOutcome(IssueRef TestExecIssue, IReadOnlyList<IssueRef> Success, IReadOnlyList<TestError> Errors);

internal sealed record IssueRef(string Id, string Key);

internal sealed record TestError(string? TestKey, IReadOnlyList<string> Messages);

/// <summary>The Cloud multipart <c>info</c> part's <c>xrayFields</c> (api-notes §4).</summary>
internal sealed record CloudXrayFields(string? TestPlanKey, IReadOnlyList<string>? Environments);
