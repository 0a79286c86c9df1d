namespace TmsBridge.Configuration;

public enum OptionKind { Text, Url, Bool, Seconds, List, StatusMap, Target, Bytes, Count, Rate }

/// <summary>One configuration option: its name in every layer and how its value is read.</summary>
public sealed class OptionDefinition(string name, OptionKind kind, string description, bool isSecret = false, string? defaultValue = null, OptionReader? reader = null, Func<TmsOptions, string?>? valueOf = null)
{
    /// <summary>A TMS-owned option's value as text (null: not set): shown in the journal header and report, or, for a secret, only redacted.</summary>
    public Func<TmsOptions, string?>? ValueOf { get; } = valueOf;
    /// <summary>How a TMS-owned option is parsed into its owner's typed options (null: a shared option read by <see cref="ConfigurationResolver"/>).</summary>
    public OptionReader? Reader { get; } = reader;
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

/// <summary>Reads a TMS-owned option's trimmed value into <paramref name="options"/>; calls <paramref name="bad"/> with what was expected when the value is wrong.</summary>
public delegate void OptionReader(TmsOptions options, string value, Action<string> bad);

/// <summary>Every option TmsBridge knows. Unknown names in any layer are reported, never ignored.</summary>
public static class OptionCatalog
{
    public static readonly OptionDefinition Target = new("target", OptionKind.Target, "Where to publish: " + string.Join(", ", Publishing.Targets.All.Select(t => t.Name)) + " or none (journal and dry-run plan only).", defaultValue: "none");
    public static readonly OptionDefinition BaseUrl = new("baseUrl", OptionKind.Url, "Jira base URL (with context path) for Server/DC targets; service host for Cloud targets.");
    public static readonly OptionDefinition Project = new("project", OptionKind.Text, "Project key (or id) that owns the test execution.");
    public static readonly OptionDefinition TestExecution = new("testExecution", OptionKind.Text, "Existing test execution / cycle key to report into instead of creating one.");
    public static readonly OptionDefinition ExecutionGroup = new("executionGroup", OptionKind.Text, "The runs that report into one execution: every run with the same value (shards on several machines) joins the execution the first creates. Default: the CI run's id (GitHub Actions, Azure Pipelines, GitLab CI, Jenkins), else the test projects and frameworks of one dotnet test; 'none': each run its own execution.");
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
    public static readonly OptionDefinition ClientId = Backends.Xray.XrayTargets.ClientId;
    public static readonly OptionDefinition ClientSecret = Backends.Xray.XrayTargets.ClientSecret;
    public static readonly OptionDefinition Region = Backends.Xray.XrayTargets.Region;
    public static readonly OptionDefinition ExecutionFields = Backends.Xray.XrayTargets.ExecutionFields;
    public static readonly OptionDefinition PublishTimeout = new("publishTimeout", OptionKind.Seconds, "Deadline for the whole publish; what is not sent by then stays in the journal.", defaultValue: "300");
    public static readonly OptionDefinition MaxRequestBytes = new("maxRequestBytes", OptionKind.Bytes, "Largest request body; bigger runs are split into several imports into the same execution (bytes, or 20MB / 512KB).", defaultValue: "20MB");
    public static readonly OptionDefinition MaxEvidenceFileBytes = new("maxEvidenceFileBytes", OptionKind.Bytes, "Largest evidence file sent; bigger ones are listed in the report as skipped.", defaultValue: "10MB");
    public static readonly OptionDefinition MaxEvidenceRunBytes = new("maxEvidenceRunBytes", OptionKind.Bytes, "Evidence budget of the whole run; files past it are listed in the report as skipped.", defaultValue: "1GB");
    public static readonly OptionDefinition MaxRetries = new("maxRetries", OptionKind.Count, "Retries of a request after 429, 5xx, timeouts or dropped connections.", defaultValue: "4");
    public static readonly OptionDefinition RateLimit = new("rateLimit", OptionKind.Rate, "Client-side request budget, e.g. 300/5m (default: the target's documented limit; 'none' to turn it off).");
    public static readonly OptionDefinition MaxOutputChars = new("maxOutputChars", OptionKind.Count, "Characters of standard output and of standard error kept per result (head and tail, with a note of what was cut); error messages, stack traces and names keep at least 256K. 0 keeps everything.", defaultValue: "65536");
    public static readonly OptionDefinition PublishMode = new("publishMode", OptionKind.Text, "When the run end publishes: atEnd (default) sends at the end of the test run; deferred only journals, for a later `tmsbridge publish` of this run's folder (with other projects' or shards' journals).", defaultValue: "atEnd");
    public static readonly OptionDefinition Attempts = new("attempts", OptionKind.Text, "Which attempt of a retried test (same test, data row, assembly and target framework, in one journal or across journals) counts: last (default) or worst.", defaultValue: "last");
    public static readonly OptionDefinition CycleMode = Backends.Aio.AioTargets.CycleMode;
    public static readonly OptionDefinition CycleFolder = Backends.Aio.AioTargets.CycleFolder;
    public static readonly OptionDefinition Tasks = Backends.Aio.AioTargets.Tasks;
    public static readonly OptionDefinition CreateNewRun = Backends.Aio.AioTargets.CreateNewRun;
    public static readonly OptionDefinition AddCaseToCycle = Backends.Aio.AioTargets.AddCaseToCycle;
    public static readonly OptionDefinition CheckStatuses = Backends.Aio.AioTargets.CheckStatuses;

    /// <summary>Options every target reads (or that belong to no single TMS).</summary>
    public static IReadOnlyList<OptionDefinition> Shared { get; } =
    [
        Target, BaseUrl, Project, TestExecution, ExecutionGroup, TestPlan, Environments, Version, Revision, Summary, Description,
        User, Password, Token, StatusMap, FailOnPublishError, Timeout, ProvisionUnmapped, LinkRequirements, DryRun,
        PublishTimeout, MaxRequestBytes, MaxEvidenceFileBytes, MaxEvidenceRunBytes,
        MaxRetries, RateLimit, MaxOutputChars,
        PublishMode, Attempts,
    ];

    /// <summary>The shared options, then each TMS's own, in registration order (<see cref="Publishing.Targets.All"/>).</summary>
    public static IReadOnlyList<OptionDefinition> All { get; } = [.. Shared.Concat(Publishing.Targets.All.SelectMany(t => t.Options)).Distinct()];

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
