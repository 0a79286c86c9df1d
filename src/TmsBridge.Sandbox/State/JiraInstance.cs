using System.Globalization;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.State;

/// <summary>The issue types the sandbox distinguishes. Requirements are Stories, defects are Bugs.</summary>
public enum IssueKind
{
    Test,
    Requirement,
    Defect,
    TestPlan,
    TestExecution,
}

public sealed record JiraIssue(string Key, string Id, string ProjectKey, IssueKind Kind)
{
    /// <summary>Creation order within the instance (seeded issues first); stands in for Jira's "created".</summary>
    public long Sequence { get; init; }

    public string IssueTypeName => Kind switch
    {
        IssueKind.Test => "Test",
        IssueKind.Requirement => "Story",
        IssueKind.Defect => "Bug",
        IssueKind.TestPlan => "Test Plan",
        IssueKind.TestExecution => "Test Execution",
        _ => Kind.ToString(),
    };
}

public sealed class JiraProject(string key, string id, int index, IReadOnlyList<string> versions)
{
    public string Key { get; } = key;
    public string Id { get; } = id;

    /// <summary>Position in the seed; spaces issue ids apart so keys of two projects never share an id.</summary>
    internal int Index { get; } = index;

    public IReadOnlyList<string> Versions { get; } = versions;

    /// <summary>Test Environments of the project (checked by Xray Cloud only).</summary>
    public IReadOnlyList<string> TestEnvironments { get; init; } = [];

    /// <summary>Jira fields required to create a Test Execution, id → display name.</summary>
    public IReadOnlyDictionary<string, string> RequiredExecutionFields { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The Jira side of the emulated instance: projects, users, issues (seeded and created).
/// Every emulated API resolves keys here, so a Test Execution created by one import is a
/// valid <c>testExecutionKey</c> for the next. Not thread-safe by itself: callers hold
/// <see cref="SandboxState.SyncRoot"/>.
/// </summary>
public sealed class JiraInstance
{
    private readonly SandboxSeed _seed;
    private readonly Dictionary<string, JiraProject> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JiraIssue> _issues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextExecution = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextTest = new(StringComparer.Ordinal);
    private long _sequence;

    public JiraInstance(SandboxSeed seed)
    {
        _seed = seed;
        Validate(seed);
        Statuses = new HashSet<string>(seed.Statuses, StringComparer.Ordinal);
        TestTypes = new HashSet<string>(seed.TestTypes, StringComparer.Ordinal);
        Load();
    }

    public IReadOnlySet<string> Statuses { get; }
    public IReadOnlySet<string> TestTypes { get; }
    public string TestExecutionIssueTypeId => _seed.TestExecutionIssueTypeId;
    public IReadOnlyList<SeedUser> Users => _seed.Users;
    public IEnumerable<JiraProject> Projects => _projects.Values;

    public JiraProject? FindProject(string key) => _projects.GetValueOrDefault(key);

    public JiraProject? FindProjectById(string id) => _projects.Values.FirstOrDefault(p => p.Id == id);

    public JiraIssue? Find(string key) => _issues.GetValueOrDefault(key);

    /// <summary>Every issue of the instance, seeded and created.</summary>
    public IEnumerable<JiraIssue> Issues => _issues.Values;

    /// <summary>Creates a Test Execution with the next free key of the project (DEMO-1000 upwards).</summary>
    public JiraIssue CreateTestExecution(JiraProject project) => Create(project, IssueKind.TestExecution, _nextExecution);

    /// <summary>Creates a Test with the next free key of the project (DEMO-500 upwards).</summary>
    public JiraIssue CreateTest(JiraProject project) => Create(project, IssueKind.Test, _nextTest);

    /// <summary>Back to the seed: created issues disappear, key counters restart.</summary>
    public void Reset() => Load();

    private JiraIssue Create(JiraProject project, IssueKind kind, Dictionary<string, int> counters)
    {
        var number = counters[project.Key];
        string key;
        while (_issues.ContainsKey(key = $"{project.Key}-{number}"))
            number++;
        counters[project.Key] = number + 1;
        var issue = new JiraIssue(key, IdFor(project, number), project.Key, kind) { Sequence = ++_sequence };
        _issues.Add(key, issue);
        return issue;
    }

    // Jira ids are numeric and unrelated to keys; deriving them keeps them stable across
    // resets (DEMO-1000 is always id 11000), which makes test assertions and logs readable.
    private static string IdFor(JiraProject project, long number) =>
        (10000L + project.Index * 100000L + number).ToString(CultureInfo.InvariantCulture);

    private void Load()
    {
        _projects.Clear();
        _issues.Clear();
        _nextExecution.Clear();
        _nextTest.Clear();
        _sequence = 0;
        var index = 0;
        foreach (var p in _seed.Projects)
        {
            var project = new JiraProject(p.Key, p.Id ?? (10000 + index).ToString(CultureInfo.InvariantCulture), index, p.Versions.ToArray())
            {
                TestEnvironments = p.TestEnvironments.ToArray(),
                RequiredExecutionFields = new Dictionary<string, string>(p.RequiredExecutionFields, StringComparer.Ordinal),
            };
            _projects.Add(p.Key, project);
            _nextExecution[p.Key] = p.NextTestExecution;
            _nextTest[p.Key] = p.NextTest;
            AddAll(project, p.Tests, IssueKind.Test);
            AddAll(project, p.Requirements, IssueKind.Requirement);
            AddAll(project, p.Defects, IssueKind.Defect);
            AddAll(project, p.TestPlans, IssueKind.TestPlan);
            AddAll(project, p.TestExecutions, IssueKind.TestExecution);
            index++;
        }
    }

    private void AddAll(JiraProject project, List<string> keys, IssueKind kind)
    {
        foreach (var (key, number) in KeyRange.ExpandAll(keys, project.Key))
        {
            if (_issues.TryGetValue(key, out var existing))
                throw new SeedException($"Seed lists {key} twice (as {existing.Kind} and as {kind}).");
            _issues.Add(key, new JiraIssue(key, IdFor(project, number), project.Key, kind) { Sequence = ++_sequence });
        }
    }

    private static void Validate(SandboxSeed seed)
    {
        if (seed.Projects.Count == 0)
            throw new SeedException("Seed has no projects.");
        if (seed.Users.Count == 0)
            throw new SeedException("Seed has no users: nobody could authenticate.");
        if (seed.Statuses.Count == 0)
            throw new SeedException("Seed has no Test Run statuses.");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in seed.Projects)
        {
            if (!KeyRange.IsProjectKey(p.Key))
                throw new SeedException($"Invalid project key '{p.Key}' (expected uppercase letters, digits, '_', starting with a letter).");
            if (!keys.Add(p.Key))
                throw new SeedException($"Project {p.Key} is listed twice.");
            if (p.NextTestExecution < 1 || p.NextTest < 1)
                throw new SeedException($"Project {p.Key}: nextTestExecution and nextTest must be positive.");
        }
        foreach (var u in seed.Users)
        {
            if (string.IsNullOrEmpty(u.Name))
                throw new SeedException("A seed user has no name.");
        }
        foreach (var k in seed.XrayCloudApiKeys)
        {
            if (string.IsNullOrEmpty(k.ClientId) || string.IsNullOrEmpty(k.ClientSecret))
                throw new SeedException("An Xray Cloud API key needs both clientId and clientSecret.");
        }
    }
}

/// <summary>
/// Expands seed key lists: single keys ("DEMO-7") and inclusive ranges ("DEMO-1..DEMO-50"); with an
/// infix, keys like AIO's "DEMO-TC-7" ("DEMO-TC-1..DEMO-TC-50").
/// </summary>
internal static class KeyRange
{
    // Bounds a typo like DEMO-1..DEMO-10000000 before it eats the machine's memory.
    private const int MaxIssuesPerEntry = 100_000;

    public static bool IsProjectKey(string key) =>
        key.Length > 0 && char.IsAsciiLetterUpper(key[0]) && key.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    public static IEnumerable<(string Key, long Number)> ExpandAll(IEnumerable<string> entries, string projectKey, string infix = "")
    {
        foreach (var entry in entries)
        {
            var dots = entry.IndexOf("..", StringComparison.Ordinal);
            if (dots < 0)
            {
                yield return (entry, Parse(entry, projectKey, infix, entry));
                continue;
            }

            var first = Parse(entry[..dots].Trim(), projectKey, infix, entry);
            var last = Parse(entry[(dots + 2)..].Trim(), projectKey, infix, entry);
            if (last < first)
                throw new SeedException($"Key range '{entry}' runs backwards.");
            if (last - first >= MaxIssuesPerEntry)
                throw new SeedException($"Key range '{entry}' holds more than {MaxIssuesPerEntry} issues.");
            for (var n = first; n <= last; n++)
                yield return ($"{projectKey}-{infix}{n.ToString(CultureInfo.InvariantCulture)}", n);
        }
    }

    private static long Parse(string key, string projectKey, string infix, string entry)
    {
        var prefix = projectKey + "-" + infix;
        if (!key.StartsWith(prefix, StringComparison.Ordinal)
            || !long.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1
            || key[prefix.Length] == '0')
            throw new SeedException(infix.Length == 0
                ? $"'{entry}' is not an issue key (or key range) of project {projectKey}."
                : $"'{entry}' is not a {projectKey}-{infix}n key (or key range) of project {projectKey}.");
        return number;
    }
}
