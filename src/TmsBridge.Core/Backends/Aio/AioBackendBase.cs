using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Aio;

/// <summary>
/// The publishing flow both AIO Tests flavours share (api-notes/aio-qmetry.md §1):
/// <list type="number">
/// <item>optionally read the project's run statuses once and stop, naming the valid ones, if a mapped status is not among them (<see cref="AioSession.CheckStatusesAsync"/>);</item>
/// <item>find the cycle: testExecution, or (cycleMode) search it by exact title, or create it (folder by path,
/// linked Jira tasks), a create whose answer was lost being found by title and run marker, never made twice (<see cref="AioSession.ResolveCycleAsync"/>);</item>
/// <item>bulk run updates in chunks of at most 100 runs; a 200 with errors is a partial failure per case (<see cref="AioSession.SendRunsAsync"/>);</item>
/// <item>evidence: one paged listing of the cycle's runs for the run ids, then one multipart upload per file;
/// a 404 there (older AIO Server) turns attachments off for the rest of the run with one warning (<see cref="AioSession.AttachEvidenceAsync"/>).</item>
/// </list>
/// About ceil(N/100) + E + a few requests, paced by the client-side limiter (60 per minute per IP).
/// </summary>
internal abstract class AioBackendBase : DescribedBackend, ITmsProbe
{
    public const int MaxRunsPerBulk = 100;
    public const int PageSize = 100;
    /// <summary>Bound on listing pages (100 runs each): a cycle with more runs is not read whole.</summary>
    public const int MaxListingPages = 200;

    // Name, statuses and rate limit (AIO: 60 requests per minute per IP) come from the flavour's descriptor (DescribedBackend).

    /// <summary>The API root, ending in '/': {cloud host}/aio-tcms/api/v1/ or {jira}/rest/aio-tcms-api/1.0/.</summary>
    public abstract Uri ApiRoot(TmsOptions options);
    protected internal abstract void Authorize(HttpRequestMessage request, TmsOptions options);
    /// <summary>Runs inside Jira Server/DC: its multipart calls carry X-Atlassian-Token: no-check (<see cref="BrowserMultipart.Post"/>).</summary>
    protected internal abstract bool IsJiraServer { get; }
    /// <summary>The hint after a 401: which credentials the flavour takes.</summary>
    protected internal abstract string CredentialsHint { get; }
    /// <summary>What baseUrl should be, for the hint after a 404.</summary>
    protected internal abstract string BaseUrlHint { get; }
    protected abstract IEnumerable<string> ValidateFlavour(TmsOptions options);

    public override IEnumerable<string> Validate(TmsOptions options)
    {
        foreach (var p in ValidateFlavour(options)) yield return p;
        if (options.TestExecution is null && options.For<AioOptions>().CycleMode == "reuse")
            yield return $"target '{TargetName}': cycleMode=reuse needs the cycle to report into: set testExecution ({OptionCatalog.TestExecution.EnvironmentVariable}) to a cycle key such as DEMO-CY-12.";
        if (options.TestExecution is null && options.For<AioOptions>().CycleMode == "createIfAbsent" && options.Summary is null)
            yield return $"target '{TargetName}': cycleMode=createIfAbsent looks the cycle up by its title: set summary ({OptionCatalog.Summary.EnvironmentVariable}).";
    }

    /// <summary>AIO lists the project's run statuses (GET config): the map is checked against them.</summary>
    public bool ListsStatuses => true;

    /// <summary>
    /// GET config (credentials, project, run statuses), GET the cycle testExecution names, and the keys
    /// through AIO's case search (POST testcase/search, key IN the chunk's keys: a search, it changes nothing).
    /// </summary>
    public async Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken)
    {
        var project = RunProject.Of(probe.Options.Project, probe.KeysToCheck);
        if (project is null)
        {
            probe.Failed(ProbeContext.Project, $"no project: set the project option ({OptionCatalog.Project.EnvironmentVariable}) to the Jira project key.");
            return;
        }
        var session = new AioSession(this, probe.Context, project);
        var config = await probe.FirstCallAsync(() => session.Request(HttpMethod.Get, session.Api("config")), CredentialsHint, cancellationToken).ConfigureAwait(false);
        if (config is null) return;
        if (config.StatusCode is 400 or 404)
        {
            probe.Failed(ProbeContext.Project, $"project '{project}' does not exist, or AIO Tests is not enabled in it (option project, {OptionCatalog.Project.EnvironmentVariable}): {probe.Describe(config)}");
            return;
        }
        if (!config.IsSuccess)
        {
            probe.Failed(ProbeContext.Project, $"reading project {project}'s configuration was refused: {probe.Describe(config)}");
            return;
        }
        probe.Ok(ProbeContext.Project, $"project {project} exists, with AIO Tests enabled.");
        var names = new List<string>();
        if (session.ReadRunStatuses(config.Body, names) is { } unreadable) probe.Failed(ProbeContext.Statuses, $"project {project}'s run statuses could not be read: GET config answered {unreadable}.");
        else if (names.Count == 0) probe.Skipped(ProbeContext.Statuses, $"project {project}'s configuration lists no run statuses.");
        else
        {
            probe.ProjectStatuses = names;
            probe.StatusesWhere = $"project {project}";
            probe.StatusNoun = "run status";
        }
        if (probe.StatusesOnly) return;

        if (probe.Options.TestExecution is { } cycle)
        {
            var detail = await probe.SendAsync(() => session.Request(HttpMethod.Get, session.Api("testcycle/" + Uri.EscapeDataString(cycle) + "/detail")), cancellationToken).ConfigureAwait(false);
            if (detail is null) return;
            if (detail.IsSuccess) probe.Ok("testExecution", $"cycle {cycle} exists in project {project}.");
            else probe.Failed("testExecution", detail.StatusCode is 400 or 404
                ? $"cycle '{cycle}' does not exist in project {project} (option testExecution, {OptionCatalog.TestExecution.EnvironmentVariable})."
                : $"reading cycle {cycle} was refused: {probe.Describe(detail)}");
        }
        if (probe.NoKeysToCheck()) return;
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // One case search per 100 keys (AIO pages hold at most 100): "key IN [...]" answers only the cases that exist.
        foreach (var chunk in Chunks.Of(probe.KeysToCheck.ToList(), PageSize))
        {
            var search = await probe.SendAsync(() => session.Request(HttpMethod.Post, session.Api("testcase/search?startAt=0&maxResults=" + PageSize), AioPayload.SearchCasesByKey(chunk)), cancellationToken).ConfigureAwait(false);
            if (search is null) return;
            if (!search.IsSuccess)
            {
                probe.Failed(ProbeContext.Keys, $"searching project {project}'s cases by key was refused: {probe.Describe(search)}");
                return;
            }
            if (AioPayload.CaseKeysOf(search.Body) is not { } keys)
            {
                probe.Failed(ProbeContext.Keys, $"the case search answered no list of cases ({probe.Describe(search)}).");
                return;
            }
            found.UnionWith(keys);
        }
        probe.MissingKeys(probe.KeysToCheck.Where(k => !found.Contains(k)).ToList(), $"{DisplayName} project {project}");
    }

    public override async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var report = context.Report;
        if (o.ProvisionUnmapped && context.Run.Unmapped.Count > 0)
            report.Warnings.Add($"{DisplayName}: provisionUnmapped is not supported (AIO runs are posted by case key); {context.Run.Unmapped.Count} test(s) without a case key were not sent.");
        if (context.Run.Keyed.Count == 0) return;

        var project = RunProject.Of(o.Project, context.Run.Keyed.Select(k => k.Key));
        if (project is null)
        {
            report.Errors.Add($"{DisplayName}: no project: set the project option ({OptionCatalog.Project.EnvironmentVariable}).");
            context.MarkAll(KeyStates.NotSent, "no project");
            return;
        }
        // A replay of keys whose runs went but not all their evidence (evidencePending): no run again
        // (createNewRun would add a second one), only the files not yet sent.
        var evidenceOnly = context.EvidenceOnly;
        var runs = AioPayload.Runs(context.Run.Keyed.Where(k => !evidenceOnly.ContainsKey(k.Key)).ToList(), context.Statuses, o.For<AioOptions>().CreateNewRun);
        var evidence = EvidencePlan.For(context.Run.Keyed, o, report)
            .Where(e => !(evidenceOnly.TryGetValue(e.Keyed.Key, out var sent) && sent.Contains(PublishContext.EvidenceId(e.File.Path)))).ToList();
        var session = new AioSession(this, context, project);

        if (context.DryRun)
        {
            AioDryRun.Write(session, runs, evidence);
            context.MarkAll(KeyStates.Planned, null);
            return;
        }

        if (o.For<AioOptions>().CheckStatuses && !await session.CheckStatusesAsync(runs, cancellationToken).ConfigureAwait(false)) return;

        var cycle = await session.ResolveCycleAsync(cancellationToken).ConfigureAwait(false);
        if (cycle is null) return;
        context.ExecutionKnown(cycle.Name);

        // Keys with files to upload are evidencePending from their run's answer until their uploads are done.
        var evidenceFollows = new HashSet<string>(evidence.Select(e => e.Keyed.Key), StringComparer.OrdinalIgnoreCase);
        var sentRuns = await session.SendRunsAsync(cycle, runs, evidenceFollows, cancellationToken).ConfigureAwait(false);
        foreach (var k in context.Run.Keyed.Where(k => evidenceOnly.ContainsKey(k.Key)))
        {
            // Their runs are in the cycle already (one per result, as the earlier publish sent them).
            sentRuns[k.Key] = k.Results.Count;
            KeyLedger.Settle(context, k.Key, evidenceFollows.Contains(k.Key) ? KeyStates.EvidencePending : KeyStates.Sent, [], cycle.Name);
        }
        await session.AttachEvidenceAsync(cycle, evidence, sentRuns, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The cycle the run goes into: key (or ID) used in paths.</summary>
internal sealed class AioCycleRef(string path, string? key)
{
    public string Path { get; } = path;
    public string? Key { get; } = key;
    public string Name => Key ?? Path;
}
