using System.Text;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using TmsBridge.Reports;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// QMetry Test Management for Jira (QTM4J), both flavours (api-notes/aio-qmetry.md §2): the run as one
/// JUnit XML file (<see cref="JUnitWriter"/>) through the three-step automation import:
/// <list type="number">
/// <item>POST importresult with a raw JSON body (format junit, automationHierarchy, fields...) → a one-time upload URL and a trackingId;</item>
/// <item>the file to that URL: Cloud a PUT of the raw bytes to pre-signed storage (no apiKey there), Server a multipart POST with apiKey and
/// the Jira credentials; a 403 (expired or used URL) restarts from step 1 once, unless the import is already known to the tracker;</item>
/// <item>GET importresult/track until SUCCESS or FAILED, with growing pauses, bounded by publishTimeout.</item>
/// </list>
/// 3 requests plus the polls; evidence only through QMetry Cloud's Open API when qmetryOpenApiKey is set.
/// </summary>
internal abstract class QMetryBackendBase(QMetryFlavour flavour) : DescribedBackend, ITmsProbe
{
    /// <summary>Files above this are sent zipped (isZip=true): QTM4J's upload limit is not documented, SmartBear's own client stops at 10 MB.</summary>
    public const int ZipAboveBytes = 4 * 1024 * 1024;

    public QMetryFlavour Flavour { get; } = flavour;
    /// <summary>Name, statuses and rate limit (QTM4J documents none) from the flavour's descriptor.</summary>
    protected internal override TargetDescriptor Descriptor => Flavour.Descriptor;

    /// <summary>The importresult endpoint: {cloud host}/rest/api/automation/importresult or {jira}/rest/qtm4j/automation/latest/importresult.</summary>
    public Uri ImportUri(TmsOptions options) => Flavour.ImportUri(options);
    public Uri TrackUri(TmsOptions options, string trackingId) =>
        new(ImportUri(options) + "/track?trackingId=" + Uri.EscapeDataString(trackingId));

    protected internal void Authorize(HttpRequestMessage request, TmsOptions options) => Flavour.Authorize(request, options);
    protected internal bool IsCloud => Flavour.IsCloud;

    /// <summary>QMetry's pauses between track polls: short at first (a small import is often done within a
    /// fraction of a second, and a first poll after a whole second made every publish wait for it: issue 16),
    /// then growing to the 2-5 s QMetry's own clients poll at; the last one repeats.</summary>
    internal static readonly IReadOnlyList<TimeSpan> DefaultPollDelays =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)];

    /// <summary>Pauses between track polls (<see cref="DefaultPollDelays"/>). Static so unit tests can shorten them for every backend the Publisher creates.</summary>
    internal static IReadOnlyList<TimeSpan> PollDelays { get; set; } = DefaultPollDelays;

    /// <summary>QMetry's execution results are per instance, but the import API lists none: the defaults are shown.</summary>
    public bool ListsStatuses => false;

    /// <summary>The tracking id the probe asks about: no import has it, so the tracker answers "not found" to valid credentials.</summary>
    public const string ProbeTrackingId = "tmsbridge-validate";

    /// <summary>
    /// One GET importresult/track for an id no import has: 401 is a refused key (and, on Server, refused
    /// Jira credentials), "no import found" an accepted one. The Automation API key belongs to one
    /// project and the import API looks nothing up: project and keys are checked only on Cloud with an
    /// Open API key (<see cref="QMetryKeyLookup"/>).
    /// </summary>
    public async Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken)
    {
        var o = probe.Options;
        var track = await probe.FirstCallAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, TrackUri(o, ProbeTrackingId)).AcceptJson();
            Authorize(request, o);
            return request;
        }, Flavour.CredentialsHint, cancellationToken).ConfigureAwait(false);
        if (track is null) return;
        if (track.StatusCode is >= 500 || track.StatusCode == 404 && !track.Body.Contains("tracking", StringComparison.OrdinalIgnoreCase))
        {
            probe.Failed(ProbeContext.Reachability, $"the import API did not answer as QMetry's does ({probe.Describe(track)}): is baseUrl {Flavour.BaseUrlHint}?");
            return;
        }
        // Cloud with an Open API key: project and keys through the Open API (QMetryKeyLookup).
        if (IsCloud && o.For<QMetryOptions>().QmetryOpenApiKey is not null)
        {
            await QMetryKeyLookup.ProbeAsync(probe, cancellationToken).ConfigureAwait(false);
            return;
        }
        probe.Skipped(ProbeContext.Project, "not looked up: the Automation API key belongs to one QMetry project, which the import API does not name.");
        if (!probe.StatusesOnly && !probe.NoKeysToCheck())
            probe.Skipped(ProbeContext.Keys, IsCloud
                ? $"not looked up: the Automation API key cannot read test cases; set {QMetryTargets.QmetryOpenApiKey.EnvironmentVariable} (an Open API key) and validate searches them. An unknown case key falls back to QMetry's summary matching (see docs/qmetry.md)."
                : $"not looked up: {DisplayName}'s import API has no test case lookup, and TmsBridge takes no Open API key on Server/DC; an unknown case key falls back to QMetry's summary matching (see docs/qmetry.md).");
    }

    public override IEnumerable<string> Validate(TmsOptions options)
    {
        foreach (var p in Flavour.Validate(options)) yield return p;
        if (!options.DryRun && options.For<QMetryOptions>().ApiKey is null)
            yield return $"target '{TargetName}' needs the QMetry Automation API key in {QMetryTargets.ApiKey.EnvironmentVariable} (or {QMetryTargets.ApiKey.SecretFileVariable}): QMetry → Configuration → Automation API → Generate, for the project the results go to. It is sent as the apiKey header.";
        foreach (var p in QMetrySettings.Read(options, TargetName).Problems) yield return p;
    }

    public override async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var report = context.Report;
        var q = QMetrySettings.Read(o, TargetName);
        var provisioned = o.ProvisionUnmapped ? context.Run.Unmapped.Where(u => !u.HasMalformedKeys).ToList() : [];
        if (context.Run.Keyed.Count == 0 && provisioned.Count == 0) return;

        if (o.StatusOverrides.Count > 0)
            report.Warnings.Add($"{DisplayName}: statusMap is not applied: a JUnit import sets each execution's result from the file (failure: Fail, skipped: Not Executed, else Pass).");
        if (q.AutomationHierarchy == 1)
            report.Warnings.Add($"{DisplayName}: automationHierarchy=1 makes the whole file one test case with each testcase a step; the case keys only count with automationHierarchy 2 or 3.");

        var junit = JUnitWriter.Write(context.Run, JUnitOptionsFor(q, context));
        var fileName = "tmsbridge-" + (context.RunId.Length > 0 ? context.RunId : "results") + ".xml";
        var upload = junit.Length > ZipAboveBytes ? QMetryUpload.Zip(fileName, junit) : new QMetryUpload(fileName, junit, zipped: false);
        // A group's (or a replayed publish's) cycle that exists already is reused (testCycleToReuse).
        var reuse = o.TestExecution;
        if (reuse is null && !context.DryRun && context.Marker is { } marker
            && await CreateOnce.FindFirstAsync(context, DisplayName, CycleFinder(context, marker), cancellationToken).ConfigureAwait(false) is { } found
            && QMetryPayload.CycleKeyOf(found.Body) is { } foundKey)
        {
            reuse = foundKey;
            context.ReportJoined(DisplayName, new ExecutionReference { Key = foundKey });
        }
        var body = QMetryPayload.ImportBody(q, reuse, o.Environments.FirstOrDefault(), o.Version, upload.Zipped,
            o.Summary ?? context.DefaultTitle, CycleDescription(context));
        var evidence = EvidencePlan.For(context.Run.Keyed, o, report);

        if (context.DryRun)
        {
            context.WriteDryRunFile("qmetry-importresult.json", Encoding.UTF8.GetBytes(body.ToJsonString()));
            context.WriteDryRunFile("qmetry-results.xml", junit);
            SkipEvidence(context, evidence);
            context.MarkAll(KeyStates.Planned, null);
            foreach (var u in report.Unmapped.Where(u => provisioned.Any(p => p.FullyQualifiedName == u.Test))) u.State = KeyStates.Planned;
            return;
        }

        var import = new QMetryImport(this, context);
        var answer = await import.RunAsync(body, upload, cancellationToken).ConfigureAwait(false);
        if (answer is null) return; // the import's failure is in the report, every key marked
        if (!answer.Succeeded) return;
        foreach (var u in report.Unmapped.Where(u => provisioned.Any(p => p.FullyQualifiedName == u.Test))) u.State = KeyStates.Sent;

        // Open API calls only when evidence is enabled (an Open API key) and there is evidence.
        if (this is QMetryCloudBackend cloud && o.For<QMetryOptions>().QmetryOpenApiKey is not null && evidence.Count > 0 && answer.CycleId is not null)
            await new QMetryEvidence(cloud, context).AttachAsync(answer.CycleId, evidence, cancellationToken).ConfigureAwait(false);
        else SkipEvidence(context, evidence);
    }

    /// <summary>
    /// Finds the test cycle whose description carries <paramref name="marker"/>, answered as {"key": ...}; null
    /// when none does. No flavour has one yet: the automation API has no search, and the Cloud Open API's
    /// testcycles/search needs the numeric project id and the separate Open API key. This is the hook for one;
    /// until then a lookup before creating warns and a new cycle is created (a same-machine group gets its
    /// cycle's key from the group's state file instead, without a lookup).
    /// </summary>
    protected internal virtual Func<CancellationToken, Task<Http.TmsHttpResponse?>>? CycleFinder(PublishContext context, string marker) => null;

    /// <summary>A JUnit import carries no attachments: said plainly per file, with how to get them there.</summary>
    private void SkipEvidence(PublishContext context, List<PlannedEvidence> evidence)
    {
        if (evidence.Count == 0) return;
        var how = !IsCloud ? "QMetry Server/DC has no attachment step here"
            : context.Options.For<QMetryOptions>().QmetryOpenApiKey is null ? $"set {QMetryTargets.QmetryOpenApiKey.EnvironmentVariable} (an Open API key) to attach evidence after the import"
            : "the import's answer named no cycle id for the Open API";
        if (!IsCloud && context.Options.For<QMetryOptions>().QmetryOpenApiKey is not null)
            context.Report.Warnings.Add($"{DisplayName}: qmetryOpenApiKey is for QMetry Cloud only; it is not used.");
        context.Report.Warnings.Add($"{DisplayName}: a JUnit import carries no attachments: {evidence.Count} evidence file(s) not sent ({how}).");
        foreach (var e in evidence) EvidencePlan.Skip(context.Report, e.Keyed.Key, e.FileName, e.Size, "a JUnit import carries no attachments");
    }

    /// <summary>The case key as QTM4J reads it (testcasekey), requirements as storykey unless linkRequirements=false.</summary>
    internal static JUnitOptions JUnitOptionsFor(QMetrySettings q, PublishContext context) => new()
    {
        KeyPlacement = q.KeyPlacement,
        KeyName = "testcasekey",
        RequirementName = context.Options.LinkRequirements ? "storykey" : null,
        Grouping = JUnitGrouping.PerKey,
        IncludeUnmapped = context.Options.ProvisionUnmapped,
        SuiteName = context.Options.Summary ?? context.DefaultTitle,
        Timestamp = context.Run.Start ?? context.RunStarted,
        MaxOutputChars = context.Options.MaxOutputChars > 0 ? context.Options.MaxOutputChars : int.MaxValue,
    };

    /// <summary>The description with this run's marker: an import whose answers were lost leaves a cycle that can be found by it.</summary>
    private static string CycleDescription(PublishContext context)
    {
        var marker = context.Marker;
        var description = context.Options.Description;
        if (marker is null) return description ?? "";
        return RunMarker.Append(string.IsNullOrEmpty(description) ? null : description, marker, marker);
    }
}
