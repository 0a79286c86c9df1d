using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Publishing;

/// <summary>One line of `tmsbridge validate`: what was checked, ok / failed / skipped, and why.</summary>
public sealed class TargetCheck
{
    public const string Ok = "ok";
    public const string Failed = "failed";
    /// <summary>Not checked (with the reason): does not change the verdict.</summary>
    public const string Skipped = "skipped";

    /// <summary>configuration, reachability, credentials, project, keys, statuses, or an option name (testExecution, testPlan).</summary>
    public string Check { get; set; } = "";
    public string State { get; set; } = Ok;
    /// <summary>Redacted: no secret ever appears here.</summary>
    public string Message { get; set; } = "";

    public override string ToString() => $"{State,-7} {Check}: {Message}";
}

/// <summary>The outcome of <see cref="TargetChecker.ValidateAsync"/> or <see cref="TargetChecker.ReadStatusesAsync"/>.</summary>
public sealed class TargetCheckReport
{
    public string Target { get; set; } = Targets.None;
    public string TargetName { get; set; } = "";
    public List<TargetCheck> Checks { get; } = [];
    /// <summary>No check failed (skipped ones do not count).</summary>
    public bool Passed => Checks.TrueForAll(c => c.State != TargetCheck.Failed);
    /// <summary>False when the configuration itself was refused (a usage problem, not a TMS answer).</summary>
    public bool ConfigurationValid { get; set; } = true;

    /// <summary>The status names the target accepts: the project's where its API lists them, else the built-in defaults.</summary>
    public IReadOnlyList<string> Statuses { get; set; } = [];
    /// <summary>True when <see cref="Statuses"/> were read from the project; false: the built-in defaults.</summary>
    public bool StatusesFromProject { get; set; }
    /// <summary>Where the statuses come from, in words.</summary>
    public string StatusesSource { get; set; } = "";
    /// <summary>Outcome → status name in force (the target's defaults with the statusMap option on top).</summary>
    public IReadOnlyDictionary<TestOutcome, string> StatusMap { get; set; } = new Dictionary<TestOutcome, string>();

    /// <summary>Every request sent ("GET https://..."), to show (and test) that nothing was written.</summary>
    public List<RequestReport> Requests { get; } = [];
}

/// <summary>
/// `tmsbridge validate` and `tmsbridge statuses`: the configuration, then the target's read-only
/// probe (<see cref="ITmsProbe"/>). Nothing is created or changed in the TMS. Never throws for
/// server or network problems.
/// </summary>
public static class TargetChecker
{
    /// <summary>Checks the configuration, then reachability, credentials, project, the keys and the mapped statuses.</summary>
    /// <param name="keys">Test case keys to look up, each with where it comes from (e.g. "test Ns.C.Login"); invalid ones for the target are reported, not looked up.</param>
    public static Task<TargetCheckReport> ValidateAsync(TmsOptions options, IReadOnlyDictionary<string, string> keys, CancellationToken cancellationToken = default, HttpMessageHandler? handler = null) =>
        RunAsync(options, keys, statusesOnly: false, handler, cancellationToken);

    /// <summary>The target's status names: read from the project where the API lists them, else the built-in defaults.</summary>
    public static Task<TargetCheckReport> ReadStatusesAsync(TmsOptions options, CancellationToken cancellationToken = default, HttpMessageHandler? handler = null) =>
        RunAsync(options, new Dictionary<string, string>(), statusesOnly: true, handler, cancellationToken);

    /// <summary>True when the target's API lists the project's statuses (so `tmsbridge statuses` needs the connection options).</summary>
    public static bool ListsStatuses(string target) => BackendRegistry.Create(target) is ITmsProbe { ListsStatuses: true };

    private static async Task<TargetCheckReport> RunAsync(TmsOptions options, IReadOnlyDictionary<string, string> keys, bool statusesOnly, HttpMessageHandler? handler, CancellationToken ct)
    {
        var redactor = new SecretRedactor(options.SecretValues(), options.User);
        var backend = options.Target == Targets.None ? null : BackendRegistry.Create(options.Target);
        var report = new TargetCheckReport { Target = options.Target, TargetName = backend?.DisplayName ?? options.Target };
        void Line(string check, string state, string message) => report.Checks.Add(new TargetCheck { Check = check, State = state, Message = redactor.Redact(message) });

        var statusMap = new StatusMap(backend?.DefaultStatuses ?? StatusMap.NeutralDefaults, options.StatusOverrides);
        report.StatusMap = statusMap.Entries;
        report.Statuses = (backend?.DefaultStatuses ?? StatusMap.NeutralDefaults).Values.Distinct(StringComparer.Ordinal).ToList();
        report.StatusesSource = $"the built-in defaults for {report.TargetName}";

        // 1. The configuration, as publish checks it: a misspelt option or missing credential is named here.
        var errors = options.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Message).ToList();
        if (options.Target == Targets.None)
            errors.Add(options.RejectedTarget is { } rejected
                ? $"target '{rejected}' is not a target TmsBridge knows ({string.Join(", ", Targets.Known)})."
                : $"no target is set: set target ({OptionCatalog.Target.EnvironmentVariable}) to one of {string.Join(", ", Targets.All.Select(t => t.Name))}.");
        else errors.AddRange(Publisher.TargetProblems(options));
        foreach (var w in options.Problems.Where(p => p.Severity == ProblemSeverity.Warning)) Line("configuration", TargetCheck.Skipped, "warning: " + w.Message);
        if (errors.Count > 0)
        {
            foreach (var e in errors.Distinct()) Line("configuration", TargetCheck.Failed, e);
            report.ConfigurationValid = false;
            return report;
        }
        Line("configuration", TargetCheck.Ok, $"target {options.Target} ({report.TargetName})"
            + (options.BaseUrl is null ? "" : $", baseUrl {options.BaseUrl}")
            + (options.Project is null ? "" : $", project {options.Project}") + ".");

        if (backend is not ITmsProbe probe)
        {
            Line("reachability", TargetCheck.Skipped, $"{report.TargetName} has no read-only probe.");
            return report;
        }

        // Keys the target cannot take are not looked up: the run reports them as unmapped tests.
        var rule = Targets.KeyRuleFor(options.Target);
        // A key of another target's shape (tests tagged for several TMSs) is not this target's business.
        var valid = new List<string>();
        var otherTargets = 0;
        foreach (var key in keys.Keys.Select(Keys.KeyRule.Normalize).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (rule.IsValid(key)) valid.Add(key);
            else if (Keys.KeyRule.IsAnyKnownShape(key)) otherTargets++;
            else Line("keys", TargetCheck.Failed, $"'{key}' ({Source(keys, key)}) is malformed: expected {rule.Expected(options.Project)}; the test would be reported as unmapped.");
        }
        if (otherTargets > 0) Line("keys", TargetCheck.Skipped, $"{otherTargets} key{(otherTargets == 1 ? " has" : "s have")} another target's shape and {(otherTargets == 1 ? "is" : "are")} not {report.TargetName}'s to check.");

        using var http = new TmsHttpClient(options.Timeout, redactor, report.Requests, handler,
            rate: options.RateLimit ?? backend.DefaultRateLimit,
            // A check should answer quickly: one retry for a blip, not the publish's patience.
            maxRetries: Math.Min(options.MaxRetries, 1));
        var context = new PublishContext(options, new AggregatedRun(), statusMap, new PublishReport { Target = options.Target }, http, dryRunFolder: "");
        var sources = keys.ToDictionary(p => Keys.KeyRule.Normalize(p.Key), p => p.Value, StringComparer.OrdinalIgnoreCase);
        var session = new ProbeContext(context, report.TargetName, valid, sources, statusesOnly);
        try
        {
            await probe.ProbeAsync(session, ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            session.Failed(ProbeContext.Reachability, $"{report.TargetName}: {redactor.Redact(e.Message)}");
        }
        report.Checks.AddRange(session.Checks);

        if (session.ProjectStatuses is { Count: > 0 } listed)
        {
            report.Statuses = listed;
            report.StatusesFromProject = true;
            report.StatusesSource = $"the {session.StatusNoun}es of {session.StatusesWhere}";
            if (!statusesOnly)
            {
                // Every mapped status, used by this run or not: a later run may need it.
                var check = StatusCatalogCheck.Run(listed, statusMap, _ => true, session.StatusesWhere, session.StatusNoun, report.TargetName);
                if (check.Error is null) Line(ProbeContext.Statuses, TargetCheck.Ok, $"every mapped status ({MapText(statusMap)}) is one of {report.StatusesSource}.");
                else Line(ProbeContext.Statuses, TargetCheck.Failed, check.Error);
            }
        }
        else if (!statusesOnly && !session.HasFailed && !probe.ListsStatuses)
        {
            Line(ProbeContext.Statuses, TargetCheck.Skipped,
                $"{report.TargetName}'s API does not list the project's statuses to TmsBridge, so the map ({MapText(statusMap)}) is not checked; a status the TMS lacks is refused at publish, naming it. `tmsbridge statuses` shows the built-in defaults.");
        }
        return report;
    }

    private static string Source(IReadOnlyDictionary<string, string> keys, string key) =>
        keys.FirstOrDefault(p => string.Equals(Keys.KeyRule.Normalize(p.Key), key, StringComparison.OrdinalIgnoreCase)).Value ?? "given";

    private static string MapText(StatusMap map) => string.Join(", ", map.Entries.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
}
