using System.Globalization;
using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Aio;

/// <summary>Which AIO Tests product a store emulates.</summary>
public enum AioFlavor
{
    /// <summary>AIO Tests Cloud (<c>/aio-tcms/api/v1</c>, <c>AioAuth</c> tokens).</summary>
    Cloud,

    /// <summary>AIO Tests Server/Data Center (<c>/rest/aio-tcms-api/1.0</c>, Jira Basic or PAT).</summary>
    Server,
}

internal sealed record AioRunStatus(int Id, string Name, string Type);

internal sealed record AioCase(string Key, string ProjectKey, string Status)
{
    public bool IsPublished => Status == "Published";
}

internal sealed class AioFolder(int id, string projectKey, string name, AioFolder? parent)
{
    public int Id { get; } = id;
    public string ProjectKey { get; } = projectKey;
    public string Name { get; } = name;
    public AioFolder? Parent { get; } = parent;

    /// <summary>Names from the root, joined by <c>/</c> (the state JSON's form).</summary>
    public string Path => Parent is null ? Name : $"{Parent.Path}/{Name}";
}

internal sealed class AioAttachment(int id, string filename, string? contentType, long size, string sha256)
{
    public int Id { get; } = id;
    public string Filename { get; } = filename;
    public string? ContentType { get; } = contentType;
    public long Size { get; } = size;
    public string Sha256 { get; } = sha256;
}

internal sealed class AioStoredRun(int id, string testCaseKey, DateTimeOffset created)
{
    public int Id { get; } = id;
    public string TestCaseKey { get; } = testCaseKey;
    public DateTimeOffset Created { get; } = created;
    public required AioRunStatus Status { get; set; }
    public double? Effort { get; set; }
    public bool IsAutomated { get; set; }
    public List<string> Comments { get; set; } = [];
    public List<AioAttachment> Attachments { get; } = [];
}

internal sealed class AioCycle(int id, string key, string projectKey, bool created)
{
    public int Id { get; } = id;
    public string Key { get; } = key;
    public string ProjectKey { get; } = projectKey;

    /// <summary>Created through the API (false: seeded).</summary>
    public bool Created { get; } = created;

    public required string Title { get; init; }
    public string? Objective { get; init; }
    public AioFolder? Folder { get; init; }
    public IReadOnlyList<string> JiraTaskIds { get; init; } = [];

    /// <summary>Case keys associated with the cycle (added through <c>addCaseToCycle</c>).</summary>
    public HashSet<string> Cases { get; } = new(StringComparer.Ordinal);

    /// <summary>Every run, oldest first (so "latest run of a case" is the last one with its key).</summary>
    public List<AioStoredRun> Runs { get; } = [];

    public AioStoredRun? LatestRun(string caseKey) => Runs.LastOrDefault(r => r.TestCaseKey == caseKey);
}

/// <summary>An AIO-enabled Jira project: its run statuses and the next cycle number.</summary>
internal sealed class AioProject(JiraProject jira, IReadOnlyList<AioRunStatus> statuses)
{
    public JiraProject Jira { get; } = jira;
    public string Key => Jira.Key;
    public IReadOnlyList<AioRunStatus> RunStatuses { get; } = statuses;
    public int NextCycle { get; set; } = 1;

    public AioRunStatus? Status(string name) => RunStatuses.FirstOrDefault(s => s.Name == name);
}
