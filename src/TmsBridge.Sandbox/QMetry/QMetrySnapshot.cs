namespace TmsBridge.Sandbox.QMetry;

/// <summary>The <c>qmetry</c> (Cloud) and <c>qmetryServer</c> (Server/DC) sections of <c>GET /_sandbox/state</c>.</summary>
public sealed record QMetrySnapshot(
    IReadOnlyList<QMetryCycleSnapshot> Cycles,
    IReadOnlyList<QMetryImportSnapshot> Imports,
    IReadOnlyList<string> CreatedCases);

/// <param name="Created">True when an import created it; false for a seeded cycle that received results.</param>
public sealed record QMetryCycleSnapshot(
    string Key,
    string Id,
    string Project,
    string Summary,
    string? Description,
    string? Environment,
    string? Build,
    bool Created,
    IReadOnlyList<QMetryExecutionSnapshot> Executions);

/// <param name="Status">The execution result: Pass, Fail or Not Executed.</param>
/// <param name="Matched">How the case was found: key, summary, or created.</param>
public sealed record QMetryExecutionSnapshot(
    string Id,
    string TestCaseKey,
    string Summary,
    string Status,
    string Matched,
    IReadOnlyList<string> StoryKeys,
    string? Comment,
    IReadOnlyList<QMetryAttachmentSnapshot> Attachments);

/// <summary>A file attached through the Open API's storage upload, as its digest.</summary>
public sealed record QMetryAttachmentSnapshot(string Filename, string? ContentType, long Size, string Sha256);

/// <param name="Status">new (URL handed out), SUCCESS or FAILED (after the upload; polls say INPROCESS first).</param>
/// <param name="Request">The step-1 JSON body as received.</param>
public sealed record QMetryImportSnapshot(
    string TrackingId,
    string Project,
    string Status,
    string? FileName,
    long FileSize,
    int Uploads,
    int Polls,
    string? CycleKey,
    string? DetailedMessage,
    string Request);
