using TmsBridge.Model;

namespace TmsBridge.Mapping;

/// <summary>
/// Outcome → TMS status name for one target: the target's documented defaults, overridden
/// entry by entry by the user's statusMap option.
/// </summary>
public sealed class StatusMap
{
    private readonly Dictionary<TestOutcome, string> _map;

    public StatusMap(IReadOnlyDictionary<TestOutcome, string> defaults, IReadOnlyDictionary<TestOutcome, string>? overrides = null)
    {
        _map = defaults.ToDictionary(p => p.Key, p => p.Value);
        if (overrides is not null)
        {
            foreach (var p in overrides) _map[p.Key] = p.Value;
        }
        foreach (TestOutcome o in Enum.GetValues(typeof(TestOutcome)))
        {
            if (!_map.ContainsKey(o)) throw new ArgumentException($"status map has no entry for {o}", nameof(defaults));
        }
    }

    public string this[TestOutcome outcome] => _map[outcome];

    public IReadOnlyDictionary<TestOutcome, string> Entries => _map;

    /// <summary>
    /// Xray Server/DC native statuses. Skipped and the like go to TODO: ABORTED is not in DC's
    /// default status table, and SKIPPED exists only where an admin created it (api-notes/xray.md §3.5).
    /// </summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> XrayServerDefaults = new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "PASS",
        [TestOutcome.Failed] = "FAIL",
        [TestOutcome.Skipped] = "TODO",
        [TestOutcome.Inconclusive] = "TODO",
        [TestOutcome.NotRun] = "TODO",
    };

    /// <summary>
    /// Xray Cloud native statuses (PASSED/FAILED/TODO/EXECUTING/ABORTED). Skipped stays TODO, as on DC,
    /// so one test reads the same on both flavours; a test that never ran is ABORTED, native on Cloud.
    /// </summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> XrayCloudDefaults = new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "PASSED",
        [TestOutcome.Failed] = "FAILED",
        [TestOutcome.Skipped] = "TODO",
        [TestOutcome.Inconclusive] = "TODO",
        [TestOutcome.NotRun] = "ABORTED",
    };

    /// <summary>
    /// AIO Tests default run statuses (Not Run, In Progress, Passed, Failed, Blocked; api-notes/aio-qmetry.md §1.4).
    /// Projects may rename them: statusMap overrides, and checkStatuses validates against the project's list.
    /// </summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> AioDefaults = new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "Passed",
        [TestOutcome.Failed] = "Failed",
        [TestOutcome.Skipped] = "Not Run",
        [TestOutcome.Inconclusive] = "Blocked",
        [TestOutcome.NotRun] = "Not Run",
    };

    /// <summary>
    /// qTest Manager automation status values (the left column of a project's Automation Settings;
    /// api-notes/qtest-rtm.md §1.5): PASS/FAIL/SKIP. Projects may map other values: statusMap overrides.
    /// </summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> QTestDefaults = new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "PASS",
        [TestOutcome.Failed] = "FAIL",
        [TestOutcome.Skipped] = "SKIP",
        [TestOutcome.Inconclusive] = "SKIP",
        [TestOutcome.NotRun] = "SKIP",
    };

    /// <summary>
    /// RTM test case execution results (api-notes/qtest-rtm.md §2.4: Pass, Fail, Blocked, To do). Statuses are per
    /// project and RTM has no listing endpoint: statusMap overrides, and a refused status is named per key.
    /// </summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> RtmDefaults = new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "Pass",
        [TestOutcome.Failed] = "Fail",
        [TestOutcome.Skipped] = "To do",
        [TestOutcome.Inconclusive] = "Blocked",
        [TestOutcome.NotRun] = "To do",
    };

    /// <summary>Neutral names used by the dry-run plan when no target is configured.</summary>
    public static readonly IReadOnlyDictionary<TestOutcome, string> NeutralDefaults = Enum.GetValues(typeof(TestOutcome)).Cast<TestOutcome>().ToDictionary(o => o, o => o.ToString());
}
