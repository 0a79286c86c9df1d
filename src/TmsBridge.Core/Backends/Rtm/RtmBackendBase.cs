using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// The per-TCE flow both RTM flavours share (api-notes/qtest-rtm.md §2; RTM has no bulk result API):
/// <list type="number">
/// <item>the Test Execution: testExecution (read to learn its TCEs), or one created from testPlan with the run's
/// test case keys, once (a lost answer is found by the run marker on Server), then waited for while its status is Pending;</item>
/// <item>per key, with at most <c>parallelism</c> keys in flight: the TCE's result, a comment (failure, rows), its defects,
/// its evidence, and the test case's [Covers] requirements with <c>add</c>.</item>
/// </list>
/// N + comments + defects + evidence + requirement links + a few requests, in about N/parallelism round trips.
/// RTM Cloud's rtmMode=import instead sends the run as one zipped JUnit file (RtmSession.Import.cs): one request plus polls, no evidence.
/// </summary>
internal abstract class RtmBackendBase : DescribedBackend
{
    // Name, statuses and rate limit come from the flavour's descriptor (DescribedBackend). RTM documents no
    // request budget; a 429's Retry-After pauses every worker.

    /// <summary>The API root, ending in '/': {jira}/rest/rtm/1.0/api/ or {cloud host}/api/.</summary>
    public abstract Uri ApiRoot(TmsOptions options);
    protected internal abstract void Authorize(HttpRequestMessage request, TmsOptions options);
    /// <summary>Inside Jira Server/DC: multipart calls carry X-Atlassian-Token: no-check, and a lost create is searched in Jira.</summary>
    protected internal abstract bool IsJiraServer { get; }
    /// <summary>The Test Execution create, relative to the API root, for the test plan key.</summary>
    protected internal abstract string ExecutePath(string testPlan);
    protected internal abstract string CredentialsHint { get; }
    protected internal abstract string BaseUrlHint { get; }
    protected abstract IEnumerable<string> ValidateFlavour(TmsOptions options);

    /// <summary>RTM's pauses between reads of a pending status: short at first (the sandbox and a small
    /// execution are done within a fraction of a second, and a fixed 1 s wait was most of a small publish:
    /// issue 16), then every second as before; the last one repeats.</summary>
    internal static readonly IReadOnlyList<TimeSpan> DefaultPendingPollDelays =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

    /// <summary>How long to wait between reads of a pending status (tests shorten it).</summary>
    public IReadOnlyList<TimeSpan> PendingPollDelays { get; init; } = DefaultPendingPollDelays;

    /// <summary>The pause before the status read after <paramref name="poll"/> earlier ones.</summary>
    internal TimeSpan PendingPollDelay(int poll) => PendingPollDelays[Math.Min(poll, PendingPollDelays.Count - 1)];

    public override IEnumerable<string> Validate(TmsOptions options)
    {
        foreach (var p in ValidateFlavour(options)) yield return p;
        foreach (var p in RtmOptions.Validate(options, TargetName, cloud: !IsJiraServer)) yield return p;
        if (options.TestExecution is null && options.TestPlan is null && RtmOptions.Mode(options) != RtmOptions.Import)
            yield return $"target '{TargetName}' needs testPlan ({OptionCatalog.TestPlan.EnvironmentVariable}), the RTM Test Plan a new Test Execution is created from (e.g. DEMO-300), or testExecution ({OptionCatalog.TestExecution.EnvironmentVariable}) naming an existing Test Execution.";
    }

    public override async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var report = context.Report;
        if (context.Options.ProvisionUnmapped && context.Run.Unmapped.Count > 0)
            report.Warnings.Add($"{DisplayName}: provisionUnmapped is not supported (results go to the Test Case Executions of existing Test Cases); {context.Run.Unmapped.Count} test(s) without a test case key were not sent.");
        if (context.Run.Keyed.Count == 0) return;

        var evidence = EvidencePlan.For(context.Run.Keyed, context.Options, report);
        var session = new RtmSession(this, context);
        if (RtmOptions.Mode(context.Options) == RtmOptions.Import)
        {
            await session.ImportAsync(evidence, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (context.DryRun)
        {
            session.WriteDryRun(evidence);
            context.MarkAll(KeyStates.Planned, null);
            return;
        }
        var execution = await session.ResolveExecutionAsync(cancellationToken).ConfigureAwait(false);
        if (execution is null) return;
        await session.PublishCasesAsync(execution, evidence, cancellationToken).ConfigureAwait(false);
    }
}
