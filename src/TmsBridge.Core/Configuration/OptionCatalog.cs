namespace TmsBridge.Configuration;

public enum OptionKind { Text, Url, Bool, Seconds, List, StatusMap, Target, Bytes, Count, Rate }

/// <summary>One configuration option: its name in every layer and how its value is read.</summary>
public sealed class OptionDefinition(string name, OptionKind kind, string description, bool isSecret = false, string? defaultValue = null)
{
    /// <summary>camelCase name used in logger parameters, runsettings, tmsbridge.json and MTP.</summary>
    public string Name { get; } = name;
    public OptionKind Kind { get; } = kind;
    public string Description { get; } = description;
    /// <summary>Secrets are read only from the environment or a file named by TMS_NAME_FILE.</summary>
    public bool IsSecret { get; } = isSecret;
    public string? DefaultValue { get; } = defaultValue;
    /// <summary>TMS_ + UPPER_SNAKE: baseUrl → TMS_BASE_URL.</summary>
    public string EnvironmentVariable { get; } = "TMS_" + ToUpperSnake(name);
    public string SecretFileVariable => EnvironmentVariable + "_FILE";

    internal static string ToUpperSnake(string camel)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < camel.Length; i++)
        {
            var c = camel[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToUpperInvariant(c));
        }
        return sb.ToString();
    }
}

/// <summary>Every option TmsBridge knows. Unknown names in any layer are reported, never ignored.</summary>
public static class OptionCatalog
{
    public static readonly OptionDefinition Target = new("target", OptionKind.Target, "Where to publish: xray, xray-cloud, aio, aio-cloud, qmetry, qmetry-cloud, qtest, rtm, rtm-cloud or none (journal and dry-run plan only).", defaultValue: "none");
    public static readonly OptionDefinition BaseUrl = new("baseUrl", OptionKind.Url, "Jira base URL (with context path) for Server/DC targets; service host for Cloud targets.");
    public static readonly OptionDefinition Project = new("project", OptionKind.Text, "Project key (or id) that owns the test execution.");
    public static readonly OptionDefinition TestExecution = new("testExecution", OptionKind.Text, "Existing test execution / cycle key to report into instead of creating one.");
    public static readonly OptionDefinition TestPlan = new("testPlan", OptionKind.Text, "Test plan key to link the execution to.");
    public static readonly OptionDefinition Environments = new("environments", OptionKind.List, "Test environments, separated by ';'.");
    public static readonly OptionDefinition Version = new("version", OptionKind.Text, "Fix version name of the execution (must exist in the project).");
    public static readonly OptionDefinition Revision = new("revision", OptionKind.Text, "Revision (e.g. commit id) of the execution.");
    public static readonly OptionDefinition Summary = new("summary", OptionKind.Text, "Summary (title) of a new execution.");
    public static readonly OptionDefinition Description = new("description", OptionKind.Text, "Description of a new execution.");
    public static readonly OptionDefinition User = new("user", OptionKind.Text, "User name for Basic authentication.");
    public static readonly OptionDefinition Password = new("password", OptionKind.Text, "Password for Basic authentication.", isSecret: true);
    public static readonly OptionDefinition Token = new("token", OptionKind.Text, "API token / personal access token (sent as Bearer).", isSecret: true);
    public static readonly OptionDefinition StatusMap = new("statusMap", OptionKind.StatusMap, "Outcome to status overrides, e.g. Skipped:ABORTED,Failed:FAIL (the form --logger accepts) or Skipped=ABORTED;Failed=FAIL.");
    public static readonly OptionDefinition FailOnPublishError = new("failOnPublishError", OptionKind.Bool, "Make the test command fail when publishing fails.", defaultValue: "false");
    public static readonly OptionDefinition Timeout = new("timeout", OptionKind.Seconds, "Per-request timeout (seconds, or 90s / 2m).", defaultValue: "100");
    public static readonly OptionDefinition ProvisionUnmapped = new("provisionUnmapped", OptionKind.Bool, "Also send tests without a key so the TMS creates or matches them (Xray: Generic tests by definition).", defaultValue: "false");
    public static readonly OptionDefinition LinkRequirements = new("linkRequirements", OptionKind.Bool, "Send [Covers] requirement links (Xray: through testInfo, which also updates the Test's summary and definition).", defaultValue: "true");
    public static readonly OptionDefinition DryRun = new("dryRun", OptionKind.Bool, "Build the target's payloads and write them to the run folder without sending.", defaultValue: "false");
    public static readonly OptionDefinition ClientId = new("clientId", OptionKind.Text, "Xray Cloud API key client id.");
    public static readonly OptionDefinition ClientSecret = new("clientSecret", OptionKind.Text, "Xray Cloud API key client secret.", isSecret: true);
    public static readonly OptionDefinition Region = new("region", OptionKind.Text, "Xray Cloud region: us, eu or au (picks the regional host when baseUrl is not set).");
    public static readonly OptionDefinition ExecutionFields = new("executionFields", OptionKind.Text, "Jira fields of a new Test Execution: a JSON object of field ids to values, inline or in a file (Xray Cloud: sent through the multipart import).");
    public static readonly OptionDefinition PublishTimeout = new("publishTimeout", OptionKind.Seconds, "Deadline for the whole publish; what is not sent by then stays in the journal.", defaultValue: "300");
    public static readonly OptionDefinition MaxRequestBytes = new("maxRequestBytes", OptionKind.Bytes, "Largest request body; bigger runs are split into several imports into the same execution (bytes, or 20MB / 512KB).", defaultValue: "20MB");
    public static readonly OptionDefinition MaxEvidenceFileBytes = new("maxEvidenceFileBytes", OptionKind.Bytes, "Largest evidence file sent; bigger ones are listed in the report as skipped.", defaultValue: "10MB");
    public static readonly OptionDefinition MaxEvidenceRunBytes = new("maxEvidenceRunBytes", OptionKind.Bytes, "Evidence budget of the whole run; files past it are listed in the report as skipped.", defaultValue: "1GB");
    public static readonly OptionDefinition MaxRetries = new("maxRetries", OptionKind.Count, "Retries of a request after 429, 5xx, timeouts or dropped connections.", defaultValue: "4");
    public static readonly OptionDefinition RateLimit = new("rateLimit", OptionKind.Rate, "Client-side request budget, e.g. 300/5m (default: the target's documented limit; 'none' to turn it off).");
    public static readonly OptionDefinition MaxOutputChars = new("maxOutputChars", OptionKind.Count, "Characters of standard output and of standard error kept per result (head and tail, with a note of what was cut); error messages, stack traces and names keep at least 256K. 0 keeps everything.", defaultValue: "65536");
    public static readonly OptionDefinition CycleMode = new("cycleMode", OptionKind.Text, "AIO Tests, without testExecution: new (create a cycle), reuse (requires testExecution) or createIfAbsent (find the cycle titled by summary, else create it).", defaultValue: "new");
    public static readonly OptionDefinition CycleFolder = new("cycleFolder", OptionKind.Text, "AIO Tests: folder path of a new cycle, e.g. Nightly/Linux (created if missing).");
    public static readonly OptionDefinition Tasks = new("tasks", OptionKind.List, "AIO Tests: Jira issue keys a new cycle is linked to, separated by ';' (testPlan is added to them).");
    public static readonly OptionDefinition CreateNewRun = new("createNewRun", OptionKind.Bool, "AIO Tests: add a new run per result (keeps history) instead of overwriting the case's latest run in the cycle.", defaultValue: "false");
    public static readonly OptionDefinition AddCaseToCycle = new("addCaseToCycle", OptionKind.Bool, "AIO Tests: add cases that are not in the cycle yet (otherwise AIO refuses them).", defaultValue: "true");
    public static readonly OptionDefinition CheckStatuses = new("checkStatuses", OptionKind.Bool, "AIO Tests: read the project's run statuses first and stop, naming the valid ones, when a mapped status does not exist.", defaultValue: "true");
    public static readonly OptionDefinition Parallelism = new("parallelism", OptionKind.Count, "RTM: how many test case executions are updated at once (1 to 16), inside rateLimit and publishTimeout.", defaultValue: "4");
    public static readonly OptionDefinition RtmApiVersion = new("rtmApiVersion", OptionKind.Text, "RTM: v2 (default, RTM 6.0+) or v1 for the test case execution result and defect calls of older RTM Server releases.", defaultValue: "v2");
    public static readonly OptionDefinition RtmMode = new("rtmMode", OptionKind.Text, "RTM Cloud: tce (each test case execution written, with comments, defects and evidence) or import (one JUnit import for the whole run, no evidence).", defaultValue: "tce");
    public static readonly OptionDefinition ApiKey = new("apiKey", OptionKind.Text, "QMetry (QTM4J): the Automation API key of the project, sent as the apiKey header.", isSecret: true);
    public static readonly OptionDefinition QmetryOpenApiKey = new("qmetryOpenApiKey", OptionKind.Text, "QMetry Cloud: an Open API key; with it, evidence is attached to each execution after the import (a JUnit import carries none).", isSecret: true);
    public static readonly OptionDefinition AutomationHierarchy = new("automationHierarchy", OptionKind.Text, "QMetry: how the JUnit file maps to cycles and cases: 1, 2 or 3 (one cycle, each testcase a test case).", defaultValue: "3");
    public static readonly OptionDefinition KeyPlacement = new("keyPlacement", OptionKind.Text, "QMetry: where the case key goes in the JUnit file: property (<property name=\"testcasekey\">) or attribute (testcasekey=\"...\").", defaultValue: "property");
    public static readonly OptionDefinition MatchTestSteps = new("matchTestSteps", OptionKind.Bool, "QMetry: match test cases by summary and steps (true) or by key or summary only (false).", defaultValue: "false");
    public static readonly OptionDefinition QmetryFields = new("qmetryFields", OptionKind.Text, "QMetry: the import's fields as JSON, inline or in a file: {\"testCycle\":{...},\"testCase\":{...},\"testCaseExecution\":{...}} (labels, components, priority, status, folder, assignee, customFields...).");

    public static IReadOnlyList<OptionDefinition> All { get; } =
    [
        Target, BaseUrl, Project, TestExecution, TestPlan, Environments, Version, Revision, Summary, Description,
        User, Password, Token, StatusMap, FailOnPublishError, Timeout, ProvisionUnmapped, LinkRequirements, DryRun,
        ClientId, ClientSecret, Region, ExecutionFields, PublishTimeout, MaxRequestBytes, MaxEvidenceFileBytes, MaxEvidenceRunBytes,
        MaxRetries, RateLimit, MaxOutputChars,
        CycleMode, CycleFolder, Tasks, CreateNewRun, AddCaseToCycle, CheckStatuses,
        Parallelism, RtmApiVersion, RtmMode,
        ApiKey, QmetryOpenApiKey, AutomationHierarchy, KeyPlacement, MatchTestSteps, QmetryFields,
    ];

    public static OptionDefinition? Find(string name)
    {
        var n = name.Trim();
        foreach (var o in All)
        {
            if (string.Equals(o.Name, n, StringComparison.OrdinalIgnoreCase)) return o;
        }
        return null;
    }

    public static OptionDefinition? FindByEnvironmentVariable(string variable)
    {
        foreach (var o in All)
        {
            if (string.Equals(o.EnvironmentVariable, variable, StringComparison.OrdinalIgnoreCase)) return o;
        }
        return null;
    }

    /// <summary>The closest known name, for "did you mean" hints on typos.</summary>
    public static string? Suggest(string unknown) => Suggest(unknown, All.Select(o => o.Name));

    /// <summary>The closest of <paramref name="candidates"/> (option names, target names...), or null when none is close.</summary>
    public static string? Suggest(string unknown, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(unknown.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance) { bestDistance = d; best = c; }
        }
        return bestDistance <= Math.Max(2, unknown.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
