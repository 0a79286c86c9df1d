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
/// test case keys, once (a lost answer is found by the run marker: Jira search on Server, the test cases' TCEs on Cloud), then waited for while its status is Pending;</item>
/// <item>per key, with at most <c>parallelism</c> keys in flight: the TCE's result, a comment (failure, rows), its defects,
/// its runtime steps on the TCE's steps when they match, its evidence, and the test case's [Covers] requirements with <c>add</c>.</item>
/// </list>
/// N + comments + defects + evidence + requirement links + a few requests, in about N/parallelism round trips.
/// RTM Cloud's rtmMode=import instead sends the run as one zipped JUnit file (RtmSession.Import.cs): one request plus polls, no evidence.
/// </summary>
internal abstract class RtmBackendBase : DescribedBackend, ITmsProbe
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

    /// <summary>RTM's statuses are configurable, but TmsBridge reads none: the defaults are shown.</summary>
    public bool ListsStatuses => false;

    /// <summary>
    /// Server/DC: RTM's test cases, plans and executions are Jira issues, so project, keys and the
    /// option keys go through Jira search (<see cref="JiraLookup"/>). Cloud: RTM's own API has no key or
    /// project lookup TmsBridge uses, so one GET of a Test Execution proves the token (401 otherwise)
    /// and, when testExecution is set, that it exists.
    /// </summary>
    public async Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken)
    {
        var o = probe.Options;
        if (IsJiraServer)
        {
            await JiraLookup.ProbeServerAsync(probe, Authorize, CredentialsHint,
            [
                ("testExecution", OptionCatalog.TestExecution.EnvironmentVariable, o.TestExecution),
                ("testPlan", OptionCatalog.TestPlan.EnvironmentVariable, o.TestPlan),
            ], cancellationToken).ConfigureAwait(false);
            return;
        }
        var v1 = o.For<RtmOptions>().RtmApiVersion == "v1";
        var key = o.TestExecution ?? o.TestPlan ?? "TMSBRIDGE-1";
        var read = await probe.FirstCallAsync(() =>
        {
            var request = JsonRequests.Create(HttpMethod.Get, new Uri(ApiRoot(o), (v1 ? "test-execution/" : "v2/test-execution/") + Uri.EscapeDataString(key)));
            Authorize(request, o);
            return request;
        }, CredentialsHint, cancellationToken).ConfigureAwait(false);
        if (read is null) return;
        if (o.TestExecution is not null)
        {
            if (read.IsSuccess) probe.Ok("testExecution", $"Test Execution {key} exists.");
            else probe.Failed("testExecution", read.StatusCode is 400 or 404
                ? $"Test Execution '{key}' does not exist in RTM (option testExecution, {OptionCatalog.TestExecution.EnvironmentVariable}): {probe.Describe(read)}"
                : $"reading Test Execution {key} was refused: {probe.Describe(read)}");
        }
        probe.Skipped(ProbeContext.Project, $"not looked up: RTM Cloud's API has no project lookup TmsBridge uses; the project is checked when the Test Execution is created.");
        if (probe.StatusesOnly || probe.NoKeysToCheck()) return;
        await ProbeCloudKeysAsync(probe, v1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>validate reads at most this many keys one GET each (RTM Cloud has no search by key list).</summary>
    public const int MaxKeysLookedUp = 200;

    /// <summary>
    /// RTM Cloud: GET test-case/{key} (V2 v2/test-case/{key}) per key, parallelism at a time inside the
    /// rate limit, capped at <see cref="MaxKeysLookedUp"/>: 200 the test case exists, 404 it does not.
    /// </summary>
    private async Task ProbeCloudKeysAsync(ProbeContext probe, bool v1, CancellationToken cancellationToken)
    {
        var o = probe.Options;
        var keys = probe.CappedKeys(MaxKeysLookedUp, "RTM Cloud reads test cases one request per key");
        // Workers only collect answers: the check lines are added afterwards, in key order, on one thread.
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, TmsHttpResponse>(StringComparer.OrdinalIgnoreCase);
        string? unreachable = null;
        await BoundedParallel.ForEachAsync(keys, o.For<RtmOptions>().Parallelism, async (key, ct) =>
        {
            if (Volatile.Read(ref unreachable) is not null) return;
            try
            {
                answers[key] = await probe.Http.SendAsync(new HttpCall(() =>
                {
                    var request = JsonRequests.Create(HttpMethod.Get, new Uri(ApiRoot(o), (v1 ? "test-case/" : "v2/test-case/") + Uri.EscapeDataString(key)));
                    Authorize(request, o);
                    return request;
                }), ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                Interlocked.CompareExchange(ref unreachable, e.Message, null);
            }
        }, cancellationToken).ConfigureAwait(false);
        // A cancelled validate leaves keys unread: it stops here rather than judge them.
        cancellationToken.ThrowIfCancellationRequested();
        if (unreachable is not null)
        {
            probe.Failed(ProbeContext.Reachability, $"{DisplayName} stopped answering while the test cases were read: {probe.Redactor.Redact(unreachable)}");
            return;
        }
        var refused = keys.Select(k => (Key: k, Answer: answers[k])).FirstOrDefault(a => !a.Answer.IsSuccess && a.Answer.StatusCode != 404);
        if (refused.Answer is not null)
        {
            probe.Failed(ProbeContext.Keys, $"reading test case {refused.Key} was refused: {probe.Describe(refused.Answer, CredentialsHint)}");
            return;
        }
        probe.MissingKeys(keys.Where(k => answers[k].StatusCode == 404).ToList(), "RTM Cloud", keys.Count);
    }

    public override async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var report = context.Report;
        if (context.Options.ProvisionUnmapped && context.Run.Unmapped.Count > 0)
            report.Warnings.Add($"{DisplayName}: provisionUnmapped is not supported (results go to the Test Case Executions of existing Test Cases); {context.Run.Unmapped.Count} test(s) without a test case key were not sent.");
        if (context.Run.Keyed.Count == 0) return;

        // A replay of evidencePending keys sends only the files that did not go (RtmSession.PublishCaseAsync skips their result).
        var evidence = EvidencePlan.For(context.Run.Keyed, context.Options, report)
            .Where(e => !(context.EvidenceOnly.TryGetValue(e.Keyed.Key, out var sent) && sent.Contains(PublishContext.EvidenceId(e.File.Path)))).ToList();
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
        context.ExecutionKnown(execution.Key);
        await session.PublishCasesAsync(execution, evidence, cancellationToken).ConfigureAwait(false);
    }
}
