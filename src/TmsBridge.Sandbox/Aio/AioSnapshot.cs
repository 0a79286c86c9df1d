namespace TmsBridge.Sandbox.Aio;

/// <summary>The <c>aio</c> (Cloud) and <c>aioServer</c> (Server/DC) sections of <c>GET /_sandbox/state</c>.</summary>
public sealed record AioSnapshot(IReadOnlyList<AioCycleSnapshot> Cycles, IReadOnlyList<string> Folders);

/// <param name="Folder">The folder path from the root, <c>Nightly/Linux</c>, or null.</param>
/// <param name="Created">True when created through the API; false for a seeded cycle that received runs.</param>
public sealed record AioCycleSnapshot(
    string Key,
    string Id,
    string Project,
    string Title,
    string? Objective,
    string? Folder,
    IReadOnlyList<string> JiraTaskIds,
    bool Created,
    IReadOnlyList<AioRunSnapshot> Runs);

/// <param name="Status">The run status name (e.g. <c>Passed</c>).</param>
public sealed record AioRunSnapshot(
    string Id,
    string TestCaseKey,
    string Status,
    double? Effort,
    bool IsAutomated,
    IReadOnlyList<string> Comments,
    string CreatedDate,
    IReadOnlyList<AioAttachmentSnapshot> Attachments);

/// <summary>An uploaded file, stored as its digest rather than its bytes.</summary>
public sealed record AioAttachmentSnapshot(string Filename, string? ContentType, long Size, string Sha256);
