using System.Globalization;
using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Aio;

/// <summary>
/// One AIO Tests instance (Cloud or Server/DC): projects and cases from the seed, cycles (seeded
/// and created), cycle folders, runs and their attachments. Callers hold
/// <see cref="SandboxState.SyncRoot"/> for every access.
/// </summary>
public sealed class AioStore
{
    // Distinct id ranges per kind, so a client that sends a cycle id where a run id belongs gets a
    // 404 instead of a lucky match. Stable across resets.
    internal const int FirstFolderId = 101;
    internal const int FirstCycleId = 5001;
    internal const int FirstRunId = 70001;
    internal const int FirstAttachmentId = 900001;

    internal static readonly string[] RunStatusTypes = ["NOT RUN", "IN PROGRESS", "PASSED", "FAILED", "BLOCKED"];

    private readonly SandboxSeed _seed;
    private readonly Dictionary<string, AioProject> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AioCase> _cases = new(StringComparer.Ordinal);
    private readonly List<AioCycle> _cycles = [];
    private readonly List<AioFolder> _folders = [];
    private int _nextFolderId, _nextCycleId, _nextRunId, _nextAttachmentId;

    internal AioStore(SandboxSeed seed, JiraInstance jira, AioFlavor flavor)
    {
        _seed = seed;
        Jira = jira;
        Flavor = flavor;
        AttachmentsEnabled = flavor == AioFlavor.Cloud || seed.AioServerAttachments;
        Validate(seed);
        Load();
    }

    public AioFlavor Flavor { get; }

    /// <summary>The Jira site the app runs in: resolves projects and <c>jiraTaskIDs</c>.</summary>
    internal JiraInstance Jira { get; }

    /// <summary>False for an older AIO Server without the run attachment endpoint (seed <c>aioServerAttachments</c>).</summary>
    public bool AttachmentsEnabled { get; }

    /// <summary>The run listing names the case as <c>testCase.key</c> (seed <c>aioNestedRunListing</c>).</summary>
    internal bool NestedRunListing => _seed.AioNestedRunListing;

    /// <summary>A project by key or numeric id (AIO's <c>{jiraProjectId}</c> accepts both).</summary>
    internal AioProject? FindProject(string keyOrId)
    {
        if (_projects.TryGetValue(keyOrId, out var p))
            return p;
        var jira = Jira.FindProjectById(keyOrId);
        return jira is null ? null : _projects.GetValueOrDefault(jira.Key);
    }

    internal AioCase? FindCase(string key) => _cases.GetValueOrDefault(key);

    /// <summary>A cycle of the project by key (<c>DEMO-CY-4</c>) or numeric id.</summary>
    internal AioCycle? FindCycle(AioProject project, string keyOrId) =>
        _cycles.FirstOrDefault(c => c.ProjectKey == project.Key
            && (c.Key == keyOrId || c.Id.ToString(CultureInfo.InvariantCulture) == keyOrId));

    internal IEnumerable<AioCycle> Cycles(AioProject project) => _cycles.Where(c => c.ProjectKey == project.Key);

    internal AioFolder? FindFolder(AioProject project, int id) => _folders.FirstOrDefault(f => f.Id == id && f.ProjectKey == project.Key);

    /// <summary>Get-or-create of a folder path under <paramref name="parent"/> (null: the root); returns the leaf.</summary>
    internal AioFolder GetOrCreateFolder(AioProject project, AioFolder? parent, IReadOnlyList<string> names)
    {
        var current = parent;
        foreach (var name in names)
        {
            var existing = _folders.FirstOrDefault(f => f.ProjectKey == project.Key && f.Parent == current && f.Name == name);
            if (existing is null)
            {
                existing = new AioFolder(_nextFolderId++, project.Key, name, current);
                _folders.Add(existing);
            }
            current = existing;
        }
        return current!;
    }

    internal AioCycle CreateCycle(AioProject project, string title, string? objective, AioFolder? folder, IReadOnlyList<string> jiraTaskIds)
    {
        var cycle = new AioCycle(_nextCycleId++, $"{project.Key}-CY-{project.NextCycle++}", project.Key, created: true)
        {
            Title = title,
            Objective = objective,
            Folder = folder,
            JiraTaskIds = jiraTaskIds,
        };
        _cycles.Add(cycle);
        return cycle;
    }

    internal AioStoredRun NewRun(AioCycle cycle, string caseKey, AioRunStatus status)
    {
        var run = new AioStoredRun(_nextRunId++, caseKey, DateTimeOffset.UtcNow) { Status = status };
        cycle.Runs.Add(run);
        return run;
    }

    internal AioAttachment Attach(AioStoredRun run, string filename, string? contentType, long size, string sha256)
    {
        var attachment = new AioAttachment(_nextAttachmentId++, filename, contentType, size, sha256);
        run.Attachments.Add(attachment);
        return attachment;
    }

    /// <summary>Back to the seed: created cycles, folders and runs disappear, ids restart.</summary>
    internal void Clear() => Load();

    /// <summary>
    /// The <c>aio</c>/<c>aioServer</c> section of the state: cycles created through the API or
    /// holding runs (untouched seeded cycles are left out), and every folder path.
    /// </summary>
    public AioSnapshot Snapshot() => new(
        _cycles.Where(c => c.Created || c.Runs.Count > 0).Select(c => new AioCycleSnapshot(
            c.Key, c.Id.ToString(CultureInfo.InvariantCulture), c.ProjectKey, c.Title, c.Objective, c.Folder?.Path,
            c.JiraTaskIds.ToArray(), c.Created,
            c.Runs.Select(r => new AioRunSnapshot(
                r.Id.ToString(CultureInfo.InvariantCulture), r.TestCaseKey, r.Status.Name, r.Effort, r.IsAutomated, r.Comments.ToArray(),
                FormatDate(r.Created),
                r.Attachments.Select(a => new AioAttachmentSnapshot(a.Filename, a.ContentType, a.Size, a.Sha256)).ToArray())).ToArray())).ToArray(),
        _folders.Select(f => f.Path).Distinct(StringComparer.Ordinal).ToArray());

    internal static string FormatDate(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void Load()
    {
        _projects.Clear();
        _cases.Clear();
        _cycles.Clear();
        _folders.Clear();
        _nextFolderId = FirstFolderId;
        _nextCycleId = FirstCycleId;
        _nextRunId = FirstRunId;
        _nextAttachmentId = FirstAttachmentId;

        foreach (var sp in _seed.Projects)
        {
            var jira = Jira.FindProject(sp.Key)!;
            var project = new AioProject(jira, sp.AioRunStatuses.Select(s => new AioRunStatus(s.Id, s.Name, s.Type)).ToArray());
            _projects.Add(sp.Key, project);
            foreach (var (status, keys) in sp.AioCases)
            {
                foreach (var (key, _) in KeyRange.ExpandAll(keys, sp.Key, "TC-"))
                    _cases.Add(key, new AioCase(key, sp.Key, status));
            }
            foreach (var (key, number) in KeyRange.ExpandAll(sp.AioCycles, sp.Key, "CY-").OrderBy(k => k.Number))
            {
                _cycles.Add(new AioCycle(_nextCycleId++, key, sp.Key, created: false)
                {
                    Title = $"Existing cycle {number.ToString(CultureInfo.InvariantCulture)}",
                });
                project.NextCycle = Math.Max(project.NextCycle, (int)number + 1);
            }
        }
    }

    private static void Validate(SandboxSeed seed)
    {
        var cases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in seed.Projects)
        {
            if (p.AioRunStatuses.Count == 0)
                throw new SeedException($"Project {p.Key}: aioRunStatuses is empty (AIO always has run statuses).");
            foreach (var s in p.AioRunStatuses)
            {
                if (string.IsNullOrWhiteSpace(s.Name))
                    throw new SeedException($"Project {p.Key}: an AIO run status has no name.");
                if (!RunStatusTypes.Contains(s.Type, StringComparer.Ordinal))
                    throw new SeedException($"Project {p.Key}: AIO run status '{s.Name}' has type '{s.Type}' (expected one of {string.Join(", ", RunStatusTypes)}).");
            }
            if (p.AioRunStatuses.Select(s => s.Id).Distinct().Count() != p.AioRunStatuses.Count
                || p.AioRunStatuses.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != p.AioRunStatuses.Count)
                throw new SeedException($"Project {p.Key}: AIO run status ids and names must be unique.");
            foreach (var (status, keys) in p.AioCases)
            {
                if (string.IsNullOrWhiteSpace(status))
                    throw new SeedException($"Project {p.Key}: aioCases has an empty case status.");
                foreach (var (key, _) in KeyRange.ExpandAll(keys, p.Key, "TC-"))
                {
                    if (!cases.Add(key))
                        throw new SeedException($"Seed lists AIO case {key} twice.");
                }
            }
            var cycles = KeyRange.ExpandAll(p.AioCycles, p.Key, "CY-").Select(k => k.Key).ToList();
            if (cycles.Distinct(StringComparer.Ordinal).Count() != cycles.Count)
                throw new SeedException($"Project {p.Key}: aioCycles lists a cycle twice.");
        }
        foreach (var token in seed.AioCloudTokens)
        {
            if (string.IsNullOrWhiteSpace(token))
                throw new SeedException("An AIO Cloud token is empty.");
        }
    }
}
