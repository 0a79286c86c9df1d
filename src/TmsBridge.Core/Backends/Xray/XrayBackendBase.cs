using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// The publishing flow both Xray flavours share: split the run into imports under the byte budget,
/// create the execution with the first and import the rest into its key, shrink on 413, drop keys a
/// 400 names and resend the rest, and never create a second execution when the answer to the first
/// create was lost (the new execution carries a run marker that is looked up before any resend).
/// </summary>
internal abstract partial class XrayBackendBase : ITmsBackend
{
    /// <summary>Below this, a 413 is not worth another split.</summary>
    private const long MinimumBudget = 1024;
    public const string RecoveredHeader = "X-TmsBridge-Recovered";

    protected abstract XrayDialect Dialect { get; }
    public string DisplayName => Dialect.Name;
    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses => Dialect.DefaultStatuses;
    public RequestRate? DefaultRateLimit => Dialect.Target.DefaultRateLimit;
    public abstract IEnumerable<string> Validate(TmsOptions options);

    /// <summary>Import endpoint, JSON or multipart.</summary>
    protected abstract Uri ImportUri(PublishContext context, bool multipart);
    /// <summary>Name of the multipart part that carries the Xray JSON (DC "result", Cloud "results").</summary>
    protected abstract string MultipartResultsPart { get; }
    /// <summary>Sets credentials on a request (called for every attempt).</summary>
    protected abstract void Authorize(HttpRequestMessage request, PublishContext context);
    /// <summary>Prepares credentials before the first request (Cloud: fetches a token).</summary>
    protected virtual Task<bool> SignInAsync(PublishContext context, CancellationToken cancellationToken) => Task.FromResult(true);
    /// <summary>After a 401: renew credentials once (Cloud tokens expire); false when there is nothing to renew.</summary>
    protected virtual Task<bool> RenewCredentialsAsync(PublishContext context, CancellationToken cancellationToken) => Task.FromResult(false);
    protected abstract XrayImportAnswer ParseAnswer(TmsHttpResponse response, PublishContext context);
    /// <summary>Looks up the execution carrying the run marker; a synthesized answer when found, else null.</summary>
    protected abstract Task<TmsHttpResponse?> FindExecutionAsync(string marker, string project, PublishContext context, CancellationToken cancellationToken);
    /// <summary>Extra top-level members of the multipart "info" part (Cloud: xrayFields).</summary>
    protected virtual void AddMultipartExtras(JsonObject info, TmsOptions options) { }

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var report = context.Report;
        var provisioned = options.ProvisionUnmapped ? context.Run.Unmapped.Where(u => !u.HasMalformedKeys).ToList() : [];
        var input = new XrayPayload.Input
        {
            Dialect = Dialect,
            Options = options,
            Keyed = context.Run.Keyed,
            Provisioned = provisioned,
            Statuses = context.Statuses,
            RunStarted = context.RunStarted,
            RunFinished = context.RunFinished,
            DefaultSummary = context.DefaultSummary,
            RunMarker = options.TestExecution is null ? context.Marker : null,
        };
        var project = XrayPayload.ProjectKey(input);
        if (options.TestExecution is null && project is null)
        {
            report.Errors.Add($"{DisplayName}: a new Test Execution needs a project: set the project option (TMS_PROJECT) or report into an existing one with testExecution.");
            context.MarkAll(KeyStates.NotSent, "no project for the new Test Execution");
            return;
        }
        JsonObject? executionFields = null;
        if (options.TestExecution is null && options.For<XrayOptions>().ExecutionFields is { } fields)
        {
            executionFields = ExecutionFieldsReader.Read(fields, out var problem);
            if (executionFields is null)
            {
                report.Errors.Add($"{DisplayName}: {problem}");
                context.MarkAll(KeyStates.NotSent, "executionFields could not be read");
                return;
            }
            // The multipart create takes Jira fields only: say what cannot travel that way.
            if (options.Revision is not null && !executionFields.ContainsKey("revision"))
                report.Warnings.Add($"{DisplayName}: with executionFields the execution is created from Jira fields, so 'revision' is not sent; add the Revision field's id to executionFields.");
            if (Dialect == XrayDialect.Server && (options.TestPlan is not null || options.Environments.Count > 0))
                report.Warnings.Add($"{DisplayName}: with executionFields, Server/DC takes the Test Plan and test environments only as their customfield ids inside executionFields; testPlan/environments are not sent.");
        }

        if (!context.DryRun && !await SignInAsync(context, cancellationToken).ConfigureAwait(false))
        {
            context.MarkAll(KeyStates.NotSent, "not signed in");
            foreach (var u in report.Unmapped) if (provisioned.Any(p => p.FullyQualifiedName == u.Test)) u.State = KeyStates.NotSent;
            return;
        }
        // Which tests are Manual (step results, no type-changing testInfo) decides the bodies, so it is read before they are planned.
        await LookUpTestTypesAsync(input, context, cancellationToken).ConfigureAwait(false);

        var entries = XrayPayload.Entries(input, report.Warnings);
        var skipped = new List<SkippedEvidence>();
        var envelope = XrayPayload.MeasureEnvelope(input);
        var queue = new LinkedList<PlannedImport>(XrayImportPlanner.Plan(entries, e => XrayPayload.MeasureWithoutEvidence(e, input),
            options.MaxRequestBytes, options.MaxEvidenceFileBytes, options.MaxEvidenceRunBytes, skipped, envelope));
        foreach (var s in skipped) EvidencePlan.Skip(report, s.Owner, s.FileName, s.Bytes, s.Reason);

        var executionKey = options.TestExecution;
        // A group's (or a replayed publish's) execution may exist already: the imports then go into it.
        var joined = false;
        if (executionKey is null && input.RunMarker is { } groupMarker
            && await CreateOnce.FindFirstAsync(context, DisplayName, ct => FindExecutionAsync(groupMarker, project!, context, ct), cancellationToken).ConfigureAwait(false) is { } existing)
        {
            var found = ParseAnswer(existing, context);
            if (found.ExecutionKey is not null)
            {
                executionKey = found.ExecutionKey;
                joined = true;
                context.ReportJoined(DisplayName, new ExecutionReference { Key = found.ExecutionKey, Id = found.ExecutionId, Url = found.ExecutionUrl ?? ExecutionUrl(context, found.ExecutionKey) });
            }
        }
        var budget = options.MaxRequestBytes;
        var number = 0;
        string? createFailure = null;
        while (queue.Count > 0)
        {
            var import = queue.First!.Value;
            queue.RemoveFirst();
            if (createFailure is not null)
            {
                Settle(context, import, KeyStates.NotSent, [createFailure], executionKey: null);
                continue;
            }
            number++;
            var creating = executionKey is null;
            // A multipart create carries the execution's fields in its own "info" part; Xray ignores
            // the results' info there, so it is left out rather than sent twice.
            // A joined execution keeps the fields its creator gave it: info on an import overwrites them.
            var target = new XrayPayload.Target { ExecutionKey = executionKey, IncludeInfo = number == 1 && !joined && !(creating && executionFields is not null) };
            var path = context.DryRun
                ? Path.Combine(context.DryRunFolder, $"xray-import-{number}.json")
                : Path.Combine(Path.GetTempPath(), $"tmsbridge-{context.RunId}-{Guid.NewGuid():N}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            long bodyBytes;
            try
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920);
                XrayPayload.Write(file, input, import.Entries, target, report.Warnings);
                bodyBytes = file.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An evidence copy that exists but cannot be read (locked, permissions), or a full disk:
                // this import fails with a clear reason, the others go on.
                if (!context.DryRun) TryDelete(path);
                var message = "the request body could not be written: " + context.Redactor.Redact(e.Message);
                report.Errors.Add($"{DisplayName}: import {number}: {message}");
                Settle(context, import, KeyStates.NotSent, [message], executionKey);
                if (creating) createFailure = "not sent: the Test Execution could not be created (" + message + ")";
                continue;
            }
            if (context.DryRun)
            {
                if (creating) executionKey = "(new execution)";
                continue;
            }

            var multipart = creating && executionFields is not null;
            var (response, failure) = await SendImportAsync(path, multipart, executionFields, project, creating, input, context, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                report.Errors.Add($"{DisplayName}: import {number} failed after retries: {failure}");
                Settle(context, import, KeyStates.NotSent, [failure!], executionKey);
                if (creating) createFailure = "not sent: the Test Execution could not be created (" + failure + ")";
                continue;
            }

            if (response.StatusCode == 413)
            {
                // Half of what was refused (not of the option): the server's real limit is below it.
                budget = Math.Min(budget, bodyBytes) / 2;
                if (budget < MinimumBudget || (import.Entries.Count == 1 && import.Entries[0].Evidence.Count <= 1))
                {
                    var message = $"HTTP 413 Request Entity Too Large even for a request of {bodyBytes} bytes that cannot be split further";
                    report.Errors.Add($"{DisplayName}: {message}");
                    Settle(context, import, KeyStates.NotSent, [message], executionKey);
                    if (creating) createFailure = "not sent: the Test Execution could not be created (" + message + ")";
                    continue;
                }
                report.Warnings.Add($"{DisplayName} answered 413 to a request of {bodyBytes} bytes; splitting it into requests of at most {budget} bytes.");
                var again = XrayImportPlanner.Plan(import.Entries, e => XrayPayload.MeasureWithoutEvidence(e, input), budget, long.MaxValue, long.MaxValue, skipped = [], envelope);
                foreach (var s in skipped) EvidencePlan.Skip(report, s.Owner, s.FileName, s.Bytes, s.Reason);
                for (var i = again.Count - 1; i >= 0; i--) queue.AddFirst(again[i]);
                number--;
                continue;
            }

            if (!response.IsSuccess)
            {
                var message = TmsErrors.Describe(response, context.Redactor, XrayErrors.Hint(response.StatusCode));
                // Cloud (and DC for some checks) refuses a whole import for one bad test: drop the
                // tests the error names and send the others again.
                var named = response.StatusCode == 400
                    ? import.Entries.Where(e => e.Keyed is not null && !e.IsContinuation && MentionsKey(response.Body, e.Keyed.Key)).ToList()
                    : [];
                if (named.Count > 0 && named.Count < import.Entries.Count)
                {
                    foreach (var e in named) SettleEntry(context, e, KeyStates.Refused, [message], executionKey);
                    var rest = new PlannedImport { EstimatedBytes = import.EstimatedBytes };
                    rest.Entries.AddRange(import.Entries.Except(named));
                    queue.AddFirst(rest);
                    number--;
                    continue;
                }
                report.Errors.Add($"{DisplayName} refused import {number}: {message}");
                Settle(context, import, named.Count > 0 ? KeyStates.Refused : KeyStates.NotSent, [message], executionKey);
                if (creating) createFailure = "not sent: the Test Execution could not be created (" + message + ")";
                continue;
            }

            var answer = ParseAnswer(response, context);
            report.Warnings.AddRange(answer.Messages);
            if (response.Headers.ContainsKey(RecoveredHeader))
                report.Warnings.Add($"{DisplayName}: the answer to the request that created {answer.ExecutionKey} was lost; the execution was found by its run marker instead of being created twice. Per-test errors of that request could not be read.");
            if (executionKey is null && answer.ExecutionKey is not null)
            {
                executionKey = answer.ExecutionKey;
                report.Execution = new ExecutionReference { Key = answer.ExecutionKey, Id = answer.ExecutionId, Url = answer.ExecutionUrl, Reused = false };
                // A group's execution: did another run create one in the same moment? (warned; the oldest is the group's)
                if (input.RunMarker is { } created && !response.Headers.ContainsKey(RecoveredHeader))
                    await CreateOnce.RecheckAsync(context, DisplayName, ct => FindExecutionAsync(created, project!, context, ct), executionKey,
                        body => ParseAnswer(Recovered(body), context).ExecutionKey, cancellationToken).ConfigureAwait(false);
            }
            else if (report.Execution is null && executionKey is not null)
            {
                report.Execution = new ExecutionReference { Key = executionKey, Id = answer.ExecutionId, Url = answer.ExecutionUrl ?? ExecutionUrl(context, executionKey), Reused = options.TestExecution is not null };
            }
            // Journalled at once: a publish killed before its next import is replayed into this execution.
            context.ExecutionKnown(executionKey);
            if (executionKey is null)
            {
                report.Warnings.Add($"{DisplayName}'s answer named no Test Execution; the remaining imports cannot join it.");
                createFailure = "not sent: the first import's answer named no Test Execution";
            }
            foreach (var e in import.Entries)
            {
                if (e.Keyed is not null && answer.Refused.TryGetValue(e.Keyed.Key, out var why)) SettleEntry(context, e, KeyStates.Refused, why, executionKey);
                else SettleEntry(context, e, KeyStates.Sent, [], executionKey);
            }
        }

        if (context.DryRun)
        {
            context.MarkAll(KeyStates.Planned, null);
            foreach (var u in report.Unmapped) if (provisioned.Any(p => p.FullyQualifiedName == u.Test)) u.State = KeyStates.Planned;
        }
    }

    /// <summary>
    /// Sends one import (retries inside the HTTP pipeline; one credential renewal on 401). Returns the
    /// answer, or null and a redacted reason when no answer came. A create is sent once
    /// (<see cref="CreateOnce"/>): a lost answer is looked up by the run marker, also after the retries ran out.
    /// </summary>
    private async Task<(TmsHttpResponse? Response, string? Failure)> SendImportAsync(string path, bool multipart, JsonObject? executionFields, string? project,
        bool creating, XrayPayload.Input input, PublishContext context, CancellationToken cancellationToken)
    {
        async Task<TmsHttpResponse> Send(HttpCall call, CancellationToken ct)
        {
            var response = await context.Http.SendAsync(call, ct).ConfigureAwait(false);
            if (response.StatusCode == 401 && await RenewCredentialsAsync(context, ct).ConfigureAwait(false))
                response = await context.Http.SendAsync(call, ct).ConfigureAwait(false);
            return response;
        }

        try
        {
            HttpRequestMessage Build() => BuildRequest(path, multipart, executionFields, project, input, context);
            if (!creating) return (await Send(new HttpCall(Build), cancellationToken).ConfigureAwait(false), null);
            var marker = input.RunMarker;
            var created = await CreateOnce.SendAsync(context.Http, Build,
                marker is null ? null : ct => FindExecutionAsync(marker, project!, context, ct), cancellationToken, Send).ConfigureAwait(false);
            return (created.Response, null);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            return (null, context.Redactor.Redact(e.Message));
        }
        finally
        {
            TryDelete(path);
        }
    }

    /// <summary>The browse URL of an execution: {baseUrl}browse/KEY (DC); Cloud overrides from the answer's self link.</summary>
    protected virtual string? ExecutionUrl(PublishContext context, string key) =>
        context.Options.BaseUrl is null ? null : new Uri(context.Options.BaseUrl, "browse/" + key).ToString();

    private static bool MentionsKey(string body, string key)
    {
        var at = body.IndexOf(key, StringComparison.OrdinalIgnoreCase);
        while (at >= 0)
        {
            // DEMO-1 must not match inside DEMO-12 or XDEMO-1.
            var end = at + key.Length;
            var startsWord = at == 0 || !(char.IsLetterOrDigit(body[at - 1]) || body[at - 1] == '_');
            if (startsWord && (end >= body.Length || !char.IsDigit(body[end]))) return true;
            at = body.IndexOf(key, at + 1, StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }

    private void Settle(PublishContext context, PlannedImport import, string state, IReadOnlyList<string> messages, string? executionKey)
    {
        foreach (var e in import.Entries) SettleEntry(context, e, state, messages, executionKey);
    }

    /// <summary>
    /// A main part decides the key's state. A follow-up part only carries evidence: if it fails, the
    /// key keeps its state and the files are listed as skipped with the reason.
    /// </summary>
    private static void SettleEntry(PublishContext context, XrayEntry entry, string state, IReadOnlyList<string> messages, string? executionKey)
    {
        var report = context.Report;
        if (entry.IsContinuation)
        {
            if (state == KeyStates.Sent) return;
            foreach (var e in entry.Evidence) EvidencePlan.Skip(report, entry.Name, e.FileName, e.Size, "its follow-up request failed: " + string.Join(" ", messages));
            return;
        }
        if (entry.Keyed is { } keyed) KeyLedger.Settle(context, keyed.Key, state, messages, executionKey);
        else if (entry.Provisioned is { } p)
        {
            var u = report.Unmapped.FirstOrDefault(x => x.Test == p.FullyQualifiedName);
            if (u is not null) u.State = state;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// JQL that finds the execution a run created: its project, its type and the run marker in its
    /// description; oldest first, so that shards racing to create a group's execution all settle on the first.
    /// </summary>
    protected static string MarkerJql(string project, string marker) =>
        $"project = \"{project}\" AND issuetype = \"Test Execution\" AND description ~ \"{RunMarker.Word(marker)}\" ORDER BY created ASC";

    protected static TmsHttpResponse Recovered(string body) =>
        new(System.Net.HttpStatusCode.OK, body, "application/json", new Dictionary<string, string> { [RecoveredHeader] = "true" });
}
