using TmsBridge.Model;

namespace TmsBridge.Configuration;

/// <summary>
/// The resolved, typed options of one run. Built by <see cref="ConfigurationResolver"/>;
/// secrets are held here but never serialised, logged or written to the journal.
/// </summary>
public sealed class TmsOptions
{
    public string Target { get; set; } = "none";
    /// <summary>A target value that is not a known target (e.g. "xary"): <see cref="Target"/> stays "none", and this names what was asked for.</summary>
    public string? RejectedTarget { get; set; }
    public Uri? BaseUrl { get; set; }
    public string? Project { get; set; }
    public string? TestExecution { get; set; }
    public string? TestPlan { get; set; }
    public List<string> Environments { get; set; } = [];
    public string? Version { get; set; }
    public string? Revision { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? Token { get; set; }
    public Dictionary<TestOutcome, string> StatusOverrides { get; set; } = [];
    public bool FailOnPublishError { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);
    public bool ProvisionUnmapped { get; set; }
    public bool LinkRequirements { get; set; } = true;
    public bool DryRun { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? Region { get; set; }
    /// <summary>The executionFields option as given: inline JSON or a file path (read by the backend).</summary>
    public string? ExecutionFields { get; set; }
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public long MaxRequestBytes { get; set; } = 20L * 1024 * 1024;
    public long MaxEvidenceFileBytes { get; set; } = 10L * 1024 * 1024;
    public long MaxEvidenceRunBytes { get; set; } = 1024L * 1024 * 1024;
    public int MaxRetries { get; set; } = 4;
    /// <summary>Null: the target's default; <see cref="RequestRate.Unlimited"/>: off.</summary>
    public RequestRate? RateLimit { get; set; }
    /// <summary>Characters of stdout and of stderr kept per result (0: no cap); see <see cref="Journal.ResultSanitizer"/>.</summary>
    public int MaxOutputChars { get; set; } = Journal.ResultSanitizer.DefaultMaxOutputChars;
    /// <summary>AIO Tests: "new", "reuse" or "createIfAbsent".</summary>
    public string CycleMode { get; set; } = "new";
    /// <summary>AIO Tests: folder path of a new cycle ("Nightly/Linux").</summary>
    public string? CycleFolder { get; set; }
    /// <summary>AIO Tests: Jira issue keys a new cycle is linked to.</summary>
    public List<string> Tasks { get; set; } = [];
    public bool CreateNewRun { get; set; }
    public bool AddCaseToCycle { get; set; } = true;
    public bool CheckStatuses { get; set; } = true;
    /// <summary>RTM: test case executions updated at once.</summary>
    public int Parallelism { get; set; } = 4;
    /// <summary>RTM: "v2" or "v1" for the per-TCE result and defect calls.</summary>
    public string RtmApiVersion { get; set; } = "v2";
    /// <summary>QMetry: the Automation API key (apiKey header).</summary>
    public string? ApiKey { get; set; }
    /// <summary>QMetry Cloud: the Open API key, for evidence after the import.</summary>
    public string? QmetryOpenApiKey { get; set; }
    /// <summary>Non-secret options only one target reads, as given (its own options class parses them).</summary>
    public SortedDictionary<string, string> TargetValues { get; } = new(StringComparer.Ordinal);

    /// <summary>Which layer each option's value came from (for the report).</summary>
    public Dictionary<string, string> Sources { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<ConfigurationProblem> Problems { get; } = [];
    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);

    /// <summary>All secret values in force, so that any text leaving TmsBridge can be redacted.</summary>
    public IEnumerable<string> SecretValues()
    {
        if (!string.IsNullOrEmpty(Password)) yield return Password!;
        if (!string.IsNullOrEmpty(Token)) yield return Token!;
        if (!string.IsNullOrEmpty(ClientSecret)) yield return ClientSecret!;
        if (!string.IsNullOrEmpty(ApiKey)) yield return ApiKey!;
        if (!string.IsNullOrEmpty(QmetryOpenApiKey)) yield return QmetryOpenApiKey!;
    }

    /// <summary>Non-secret options as text, for the journal header and the report.</summary>
    public SortedDictionary<string, string> ToPublicDictionary()
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["target"] = Target,
            ["failOnPublishError"] = FailOnPublishError ? "true" : "false",
            ["timeout"] = ((int)Timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["provisionUnmapped"] = ProvisionUnmapped ? "true" : "false",
            ["linkRequirements"] = LinkRequirements ? "true" : "false",
            ["dryRun"] = DryRun ? "true" : "false",
        };
        void Put(string k, string? v) { if (!string.IsNullOrEmpty(v)) d[k] = v!; }
        Put("baseUrl", BaseUrl?.ToString());
        Put("project", Project);
        Put("testExecution", TestExecution);
        Put("testPlan", TestPlan);
        Put("environments", Environments.Count == 0 ? null : string.Join(";", Environments));
        Put("version", Version);
        Put("revision", Revision);
        Put("summary", Summary);
        Put("description", Description);
        Put("user", User);
        Put("clientId", ClientId);
        Put("region", Region);
        Put("executionFields", ExecutionFields);
        d["publishTimeout"] = ((int)PublishTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxEvidenceFileBytes"] = MaxEvidenceFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxEvidenceRunBytes"] = MaxEvidenceRunBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxRetries"] = MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Put("rateLimit", RateLimit?.ToString());
        d["maxOutputChars"] = MaxOutputChars.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["cycleMode"] = CycleMode;
        Put("cycleFolder", CycleFolder);
        Put("tasks", Tasks.Count == 0 ? null : string.Join(";", Tasks));
        d["createNewRun"] = CreateNewRun ? "true" : "false";
        d["addCaseToCycle"] = AddCaseToCycle ? "true" : "false";
        d["checkStatuses"] = CheckStatuses ? "true" : "false";
        if (Target is "rtm" or "rtm-cloud")
        {
            // RTM-only: other targets' reports stay as they were.
            d["parallelism"] = Parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture);
            d["rtmApiVersion"] = RtmApiVersion;
        }
        foreach (var p in TargetValues) Put(p.Key, p.Value);
        Put("statusMap", StatusOverrides.Count == 0 ? null : string.Join(";", StatusOverrides.Select(p => p.Key + "=" + p.Value)));
        return d;
    }
}
