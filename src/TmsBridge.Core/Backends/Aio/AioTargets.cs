using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Aio;

/// <summary>AIO Tests' targets and the options only AIO reads (parsed here into <see cref="AioOptions"/>).</summary>
public static class AioTargets
{
    public static readonly OptionDefinition CycleMode = new("cycleMode", OptionKind.Text, "AIO Tests, without testExecution: new (create a cycle), reuse (requires testExecution) or createIfAbsent (find the cycle titled by summary, else create it).", defaultValue: "new",
        reader: (o, v, bad) =>
        {
            var mode = v.ToLowerInvariant();
            if (mode is "new" or "reuse") o.For<AioOptions>().CycleMode = mode;
            else if (mode is "createifabsent" or "create_if_absent" or "create-if-absent") o.For<AioOptions>().CycleMode = "createIfAbsent";
            else bad("new, reuse or createIfAbsent");
        }, valueOf: o => o.For<AioOptions>().CycleMode);
    public static readonly OptionDefinition CycleFolder = new("cycleFolder", OptionKind.Text, "AIO Tests: folder path of a new cycle, e.g. Nightly/Linux (created if missing).",
        reader: (o, v, _) => o.For<AioOptions>().CycleFolder = v.Length == 0 ? null : v.Trim('/'), valueOf: o => o.For<AioOptions>().CycleFolder);
    public static readonly OptionDefinition Tasks = new("tasks", OptionKind.List, "AIO Tests: Jira issue keys a new cycle is linked to, separated by ';' (testPlan is added to them).",
        reader: (o, v, _) => o.For<AioOptions>().Tasks = ConfigurationResolver.SplitList(v), valueOf: o => o.For<AioOptions>().Tasks is { Count: > 0 } t ? string.Join(";", t) : null);
    public static readonly OptionDefinition CreateNewRun = new("createNewRun", OptionKind.Bool, "AIO Tests: add a new run per result (keeps history) instead of overwriting the case's latest run in the cycle.", defaultValue: "false",
        reader: (o, v, bad) => { if (ConfigurationResolver.TryBool(v, out var b)) o.For<AioOptions>().CreateNewRun = b; else bad("true or false"); },
        valueOf: o => o.For<AioOptions>().CreateNewRun ? "true" : "false");
    public static readonly OptionDefinition AddCaseToCycle = new("addCaseToCycle", OptionKind.Bool, "AIO Tests: add cases that are not in the cycle yet (otherwise AIO refuses them).", defaultValue: "true",
        reader: (o, v, bad) => { if (ConfigurationResolver.TryBool(v, out var b)) o.For<AioOptions>().AddCaseToCycle = b; else bad("true or false"); },
        valueOf: o => o.For<AioOptions>().AddCaseToCycle ? "true" : "false");
    public static readonly OptionDefinition CheckStatuses = new("checkStatuses", OptionKind.Bool, "AIO Tests: read the project's run statuses first and stop, naming the valid ones, when a mapped status does not exist.", defaultValue: "true",
        reader: (o, v, bad) => { if (ConfigurationResolver.TryBool(v, out var b)) o.For<AioOptions>().CheckStatuses = b; else bad("true or false"); },
        valueOf: o => o.For<AioOptions>().CheckStatuses ? "true" : "false");

    private static readonly OptionDefinition[] Options = [CycleMode, CycleFolder, Tasks, CreateNewRun, AddCaseToCycle, CheckStatuses];

    /// <summary>AIO: 60 requests per minute per IP, on every endpoint (api-notes/aio-qmetry.md).</summary>
    public static readonly RequestRate RateLimit = new(60, TimeSpan.FromMinutes(1));

    public static readonly TargetDescriptor Server = new("aio", "AIO Tests", "Server/DC", KeyRule.TestCaseKey, StatusMap.AioDefaults,
        defaultRateLimit: RateLimit, options: Options, create: () => new AioServerBackend());

    public static readonly TargetDescriptor Cloud = new("aio-cloud", "AIO Tests", "Cloud", KeyRule.TestCaseKey, StatusMap.AioDefaults,
        defaultRateLimit: RateLimit, options: Options, create: () => new AioCloudBackend());
}

/// <summary>The options only AIO Tests reads, typed; <c>options.For&lt;AioOptions&gt;()</c>.</summary>
public sealed class AioOptions
{
    /// <summary>"new", "reuse" or "createIfAbsent".</summary>
    public string CycleMode { get; set; } = "new";
    /// <summary>Folder path of a new cycle ("Nightly/Linux").</summary>
    public string? CycleFolder { get; set; }
    /// <summary>Jira issue keys a new cycle is linked to.</summary>
    public List<string> Tasks { get; set; } = [];
    public bool CreateNewRun { get; set; }
    public bool AddCaseToCycle { get; set; } = true;
    public bool CheckStatuses { get; set; } = true;
}
