using TmsBridge.Backends.Aio;
using TmsBridge.Backends.Xray;
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
    /// <summary>The runs that report into one execution (null: the CI run, else this dotnet test invocation; "none": off). See <see cref="Publishing.ExecutionGroup"/>.</summary>
    public string? ExecutionGroup { get; set; }
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
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public long MaxRequestBytes { get; set; } = 20L * 1024 * 1024;
    public long MaxEvidenceFileBytes { get; set; } = 10L * 1024 * 1024;
    public long MaxEvidenceRunBytes { get; set; } = 1024L * 1024 * 1024;
    public int MaxRetries { get; set; } = 4;
    /// <summary>Null: the target's default; <see cref="RequestRate.Unlimited"/>: off.</summary>
    public RequestRate? RateLimit { get; set; }
    /// <summary>Characters of stdout and of stderr kept per result (0: no cap); see <see cref="Journal.ResultSanitizer"/>.</summary>
    public int MaxOutputChars { get; set; } = Journal.ResultSanitizer.DefaultMaxOutputChars;
    /// <summary>atEnd or deferred (<see cref="PublishModes"/>): whether the run end publishes or only journals.</summary>
    public string PublishMode { get; set; } = PublishModes.AtEnd;
    /// <summary>Which attempt of a retried test counts (<see cref="Mapping.AttemptPolicy"/>).</summary>
    public Mapping.AttemptPolicy Attempts { get; set; } = Mapping.AttemptPolicy.Last;
    /// <summary>
    /// The typed options of one TMS (<c>For&lt;AioOptions&gt;()</c>), filled by the readers its
    /// folder declares; created with its defaults on first use.
    /// </summary>
    public T For<T>() where T : class, new()
    {
        if (!_perTms.TryGetValue(typeof(T), out var o)) _perTms[typeof(T)] = o = new T();
        return (T)o;
    }

    private readonly Dictionary<Type, object> _perTms = [];

    // Shorthands kept so existing callers and object initialisers read as before; the values live in the TMS's own options.
    public string? ClientId { get => For<XrayOptions>().ClientId; set => For<XrayOptions>().ClientId = value; }
    public string? ClientSecret { get => For<XrayOptions>().ClientSecret; set => For<XrayOptions>().ClientSecret = value; }
    public string? Region { get => For<XrayOptions>().Region; set => For<XrayOptions>().Region = value; }
    /// <summary>The executionFields option as given: inline JSON or a file path (read by the backend).</summary>
    public string? ExecutionFields { get => For<XrayOptions>().ExecutionFields; set => For<XrayOptions>().ExecutionFields = value; }
    public string CycleMode { get => For<AioOptions>().CycleMode; set => For<AioOptions>().CycleMode = value; }
    public string? CycleFolder { get => For<AioOptions>().CycleFolder; set => For<AioOptions>().CycleFolder = value; }
    public List<string> Tasks { get => For<AioOptions>().Tasks; set => For<AioOptions>().Tasks = value; }
    public bool CreateNewRun { get => For<AioOptions>().CreateNewRun; set => For<AioOptions>().CreateNewRun = value; }
    public bool AddCaseToCycle { get => For<AioOptions>().AddCaseToCycle; set => For<AioOptions>().AddCaseToCycle = value; }
    public bool CheckStatuses { get => For<AioOptions>().CheckStatuses; set => For<AioOptions>().CheckStatuses = value; }

    /// <summary>These options with another testExecution (a group's execution found in its state file); the rest shared, not copied.</summary>
    internal TmsOptions WithTestExecution(string key)
    {
        var copy = (TmsOptions)MemberwiseClone();
        copy.TestExecution = key;
        return copy;
    }

    /// <summary>Which layer each option's value came from (for the report).</summary>
    public Dictionary<string, string> Sources { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<ConfigurationProblem> Problems { get; } = [];
    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);

    /// <summary>All secret values in force, so that any text leaving TmsBridge can be redacted.</summary>
    public IEnumerable<string> SecretValues()
    {
        if (!string.IsNullOrEmpty(Password)) yield return Password!;
        if (!string.IsNullOrEmpty(Token)) yield return Token!;
        // Each TMS's own secrets (clientSecret...), as its folder reads them.
        foreach (var option in OptionCatalog.All)
        {
            if (option.IsSecret && option.ValueOf?.Invoke(this) is { Length: > 0 } secret) yield return secret;
        }
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
        Put("executionGroup", ExecutionGroup);
        Put("testPlan", TestPlan);
        Put("environments", Environments.Count == 0 ? null : string.Join(";", Environments));
        Put("version", Version);
        Put("revision", Revision);
        Put("summary", Summary);
        Put("description", Description);
        Put("user", User);
        d["publishTimeout"] = ((int)PublishTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxEvidenceFileBytes"] = MaxEvidenceFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxEvidenceRunBytes"] = MaxEvidenceRunBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["maxRetries"] = MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Put("rateLimit", RateLimit?.ToString());
        d["maxOutputChars"] = MaxOutputChars.ToString(System.Globalization.CultureInfo.InvariantCulture);
        d["publishMode"] = PublishMode;
        d["attempts"] = Mapping.AttemptPolicies.Name(Attempts);
        // Each TMS's own options, as its folder reads them; secrets never.
        foreach (var option in OptionCatalog.All)
        {
            if (option.ValueOf is not null && !option.IsSecret) Put(option.Name, option.ValueOf(this));
        }
        Put("statusMap", StatusOverrides.Count == 0 ? null : string.Join(";", StatusOverrides.Select(p => p.Key + "=" + p.Value)));
        return d;
    }
}

/// <summary>The values of the publishMode option.</summary>
public static class PublishModes
{
    /// <summary>The run end publishes (the default).</summary>
    public const string AtEnd = "atEnd";
    /// <summary>The run end only journals; `tmsbridge publish` sends later, possibly with other journals as one execution.</summary>
    public const string Deferred = "deferred";

    public static bool TryParse(string value, out string mode)
    {
        var v = value.Trim();
        mode = string.Equals(v, AtEnd, StringComparison.OrdinalIgnoreCase) ? AtEnd
            : string.Equals(v, Deferred, StringComparison.OrdinalIgnoreCase) ? Deferred : "";
        return mode.Length > 0;
    }
}
