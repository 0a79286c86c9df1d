namespace TmsBridge.Sandbox.Rtm;

/// <summary>The <c>rtm</c> (Server/DC) and <c>rtmCloud</c> sections of <c>GET /_sandbox/state</c>.</summary>
/// <param name="CoveredRequirements">Test case key → the requirements it covers (as the link operations left them).</param>
public sealed record RtmSnapshot(IReadOnlyList<RtmExecutionSnapshot> Executions, IReadOnlyDictionary<string, IReadOnlyList<string>> CoveredRequirements);

/// <param name="TestPlan">The plan it was created from, or null for one given by key only.</param>
/// <param name="Status">Pending while its TCEs are being created, then Done.</param>
/// <param name="Imported">Made by the Cloud automation import (TestPlan null).</param>
public sealed record RtmExecutionSnapshot(
    string Key,
    string Project,
    string? TestPlan,
    string? Summary,
    string? Description,
    string? Environment,
    IReadOnlyList<string> Versions,
    string? StartDate,
    string? EndDate,
    string Status,
    bool Imported,
    IReadOnlyList<RtmTceSnapshot> TestCaseExecutions);

/// <param name="Result">The result name, or null while not run.</param>
/// <param name="ActualTime">As sent (RTM does not say its unit; TmsBridge sends seconds).</param>
public sealed record RtmTceSnapshot(
    string Key,
    string TestCaseKey,
    string? Result,
    long? ActualTime,
    string? Environment,
    int ResultWrites,
    IReadOnlyList<string> Comments,
    IReadOnlyList<string> Defects,
    IReadOnlyList<RtmAttachmentSnapshot> Attachments,
    IReadOnlyList<RtmStepSnapshot> Steps);

/// <summary>An execution step: RTM's step id, its 1-based ordinal, the action text, status ("To do" until set), comment and evidence.</summary>
public sealed record RtmStepSnapshot(long Id, int Ordinal, string Action, string Status, string? Comment, IReadOnlyList<RtmAttachmentSnapshot> Attachments);

/// <summary>An uploaded file, stored as its digest rather than its bytes.</summary>
public sealed record RtmAttachmentSnapshot(string Filename, string? ContentType, long Size, string Sha256);
