using System.Text.RegularExpressions;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>
/// qTest Manager (target qtest; api-notes/qtest-rtm.md §1, the Swagger in shared/specs):
/// <list type="number">
/// <item>the run's test-case PIDs resolved in batches through the search API, each case's Automation Content read from its properties
/// (a manual case is refused with guidance, or marked automated with adoptManualCases);</item>
/// <item>the test cycle: testExecution, or one created once under testCycleParent (found again by the run marker after a lost answer);</item>
/// <item>the bulk submit (auto-test-logs?type=automation), split by maxRequestBytes, each job polled until SUCCESS or FAILED;</item>
/// <item>[Covers] requirements linked to the test cases after success.</item>
/// </list>
/// Each keyed log carries its test case's own Automation Content, the fingerprint by which qTest
/// attaches the log to that case: a keyed test never creates a new test case.
/// </summary>
internal sealed class QTestBackend : DescribedBackend, ITmsProbe
{
    /// <summary>Keys per search request and items per page.</summary>
    public const int PageSize = 100;
    /// <summary>Bound on search pages per batch.</summary>
    public const int MaxPages = 50;

    /// <summary>Name, statuses and rate limit (qTest documents none for the Manager API v3) from the descriptor.</summary>
    protected internal override TargetDescriptor Descriptor => QTestTargets.Manager;

    /// <summary>How long the poll waits before its first look, and the most it waits between looks.</summary>
    internal static TimeSpan PollFirst { get; set; } = TimeSpan.FromMilliseconds(500);
    internal static TimeSpan PollMax { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Looks at a job in a row that got no answer (after their own retries) before the job's keys are reported unknown.</summary>
    public const int MaxFailedPolls = 3;
    /// <summary>The environment the CI build variables are read from (tests replace it).</summary>
    internal static Func<string, string?> Environment { get; set; } = System.Environment.GetEnvironmentVariable;

    private static readonly Regex NumericId = new(@"^[1-9][0-9]*$", RegexOptions.CultureInvariant);

    public override IEnumerable<string> Validate(TmsOptions options)
    {
        if (options.BaseUrl is null)
            yield return $"target 'qtest' needs baseUrl, the qTest site such as https://acme.qtestnet.com (set {OptionCatalog.BaseUrl.EnvironmentVariable} or baseUrl in tmsbridge.json / .runsettings).";
        if (options.Project is null)
            yield return $"target 'qtest' needs project, the numeric qTest project id (set {OptionCatalog.Project.EnvironmentVariable}); it is in the project's URL: /p/<id>/portal/project.";
        else if (!NumericId.IsMatch(options.Project))
            yield return $"target 'qtest': project '{options.Project}' is not a qTest project id: qTest names projects by number (e.g. 12345, from the URL /p/12345/portal/project), not by key.";
        if (!options.DryRun && options.Token is null && (options.User is null || options.Password is null))
            yield return $"target 'qtest' needs credentials: the API token from qTest's \"API & SDK\" page in {OptionCatalog.Token.EnvironmentVariable} (or {OptionCatalog.Token.SecretFileVariable}), or user plus {OptionCatalog.Password.EnvironmentVariable} (or {OptionCatalog.Password.SecretFileVariable}).";
        if (options.For<QTestOptions>().TestCycleParent is { } parent && QTestSession.ParentOf(parent) is null)
            yield return $"target 'qtest': testCycleParent '{parent}' is neither a release nor a test cycle: give a PID such as RL-3 or CL-4, or a test cycle id.";
    }

    /// <summary>qTest lists execution statuses (GET test-runs/execution-statuses), but TmsBridge does not read them yet: the defaults are shown.</summary>
    public bool ListsStatuses => false;

    public Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken) => new QTestSession(this, probe.Context).ProbeAsync(probe, cancellationToken);

    public override async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var session = new QTestSession(this, context);
        if (context.DryRun)
        {
            session.WriteDryRun();
            context.MarkAll(KeyStates.Planned, null);
            return;
        }
        await session.PublishAsync(cancellationToken).ConfigureAwait(false);
    }
}
