using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// Step 2: every key's Test Case Execution, at most <c>parallelism</c> keys at once: the result, then
/// (only once the result is stored) the comment, defects, evidence and requirement links.
/// </summary>
internal sealed partial class RtmSession
{
    /// <summary>Report mutations come from several workers.</summary>
    private readonly object _gate = new();
    /// <summary>Set by a 401/403: every later request would get the same, so the remaining keys are not sent.</summary>
    private string? _stopped;

    public async Task PublishCasesAsync(RtmExecution execution, List<PlannedEvidence> evidence, CancellationToken ct)
    {
        if (execution.Tces is { } tces)
        {
            var missing = Context.Run.Keyed.Where(k => !tces.Contains(RtmPayload.TceKey(execution.Key, k.Key))).Select(k => k.Key).ToList();
            if (missing.Count > 0)
                // (A plain dotnet test group never joins a TE in this mode: ExecutionGroup.For forms none for RTM.)
                Report.Warnings.Add($"{Name}: Test Execution {execution.Key} has no Test Case Execution for {string.Join(", ", missing)}: add the test case(s) to the test plan (or the execution); their results are not stored.");
        }
        var files = evidence.GroupBy(e => e.Keyed.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        await BoundedParallel.ForEachAsync(Context.Run.Keyed, O.For<RtmOptions>().Parallelism,
            (k, token) => PublishCaseAsync(execution, k, files.TryGetValue(k.Key, out var f) ? f : [], token), ct).ConfigureAwait(false);
    }

    private async Task PublishCaseAsync(RtmExecution execution, KeyedResult k, List<PlannedEvidence> files, CancellationToken ct)
    {
        var tce = RtmPayload.TceKey(execution.Key, k.Key);
        if (_stopped is { } stopped)
        {
            Settle(k.Key, KeyStates.NotSent, [stopped], execution.Key, files, "its result was not sent");
            return;
        }
        if (execution.Tces is { } tces && !tces.Contains(tce))
        {
            Settle(k.Key, KeyStates.Refused, [NotInExecution(k.Key, tce, execution.Key)], execution.Key, files, "its test case has no Test Case Execution in " + execution.Key);
            return;
        }

        // A replay of a key whose result, comment and defects went but not all its evidence (evidencePending):
        // only the files that did not go, then the (idempotent) requirement links.
        var messages = new List<string>();
        if (!Context.EvidenceOnly.ContainsKey(k.Key))
        {
            var rest = await SendResultAsync(execution, k, tce, files, messages, ct).ConfigureAwait(false);
            if (rest is null) return;
            files = rest;
        }
        // 5. Evidence on the TCE (a step's went to its step when the steps matched). Until its files are up the key is evidencePending, never sent: a publish killed
        // meanwhile is replayed without sending the result (or its comment) again.
        var pending = false;
        if (files.Count > 0) lock (_gate) KeyLedger.Settle(Context, k.Key, KeyStates.EvidencePending, [], execution.Key);
        var attachUri = Api((V1 ? "test-case-execution/" : "v2/test-case-execution/") + Uri.EscapeDataString(tce) + "/attachment");
        foreach (var e in files)
        {
            string? problem;
            var retryable = false;
            try
            {
                // Not repeated after a lost answer: the file could be attached twice (429/503 are still retried).
                var response = await Context.Http.SendAsync(new HttpCall(() => Authorized(EvidenceUpload.Request(attachUri, e, backend.IsJiraServer))) { Idempotent = false }, ct).ConfigureAwait(false);
                problem = response.IsSuccess ? null : Describe(response);
                retryable = response.StatusCode is 429 or >= 500;
            }
            catch (TmsHttpException x) when (x.Kind != HttpFailureKind.Cancelled)
            {
                (problem, retryable) = (Redact(x.Message), true);
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException)
            {
                problem = "the file could not be read: " + x.Message;
            }
            if (problem is null) lock (_gate) Context.EvidenceSent(k.Key, e.File.Path);
            else lock (_gate) EvidencePlan.Skip(Report, k.Key, e.FileName, e.Size, "the upload failed: " + problem);
            pending |= retryable;
        }
        // 6. [Covers] on the test case, always with add so existing links survive.
        if (O.LinkRequirements && k.Requirements.Count > 0)
        {
            var coverUri = Api("test-case/" + Uri.EscapeDataString(k.Key));
            var problem = await SendAsync(() => Request(HttpMethod.Put, coverUri, RtmPayload.CoverBody(k.Requirements)), idempotent: true, ct).ConfigureAwait(false);
            if (problem is not null) messages.Add($"requirement link(s) {string.Join(", ", k.Requirements)} not added: {problem}");
        }
        if (messages.Count > 0)
            lock (_gate) Report.Warnings.AddRange(messages.Select(m => $"{Name}: {k.Key} ({tce}): {m}"));
        if (pending) messages.Add("its result was sent, some evidence not yet (evidencePending): `tmsbridge publish` sends only the missing files");
        Settle(k.Key, pending ? KeyStates.EvidencePending : KeyStates.Sent, messages, execution.Key, [], "");
    }

    /// <summary>
    /// Steps 1 to 3: the result, the runtime steps (when they match the TCE's), the comment and defects;
    /// the files still to upload to the TCE (a step's went to its step), or null (the key settled) when the result did not land.
    /// </summary>
    private async Task<List<PlannedEvidence>?> SendResultAsync(RtmExecution execution, KeyedResult k, string tce, List<PlannedEvidence> files, List<string> messages, CancellationToken ct)
    {
        // 1. The result: everything else hangs on the TCE it proves exists.
        var status = Context.Statuses[k.Outcome];
        var resultUri = Api((V1 ? "test-case-execution/" : "v2/test-case-execution/") + Uri.EscapeDataString(tce));
        var body = RtmPayload.ResultBody(k, Context.Statuses, O);
        TmsHttpResponse response;
        try
        {
            response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Put, resultUri, body)), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Settle(k.Key, KeyStates.NotSent, ["the result was not sent: " + Redact(e.Message)], execution.Key, files, "its result was not sent");
            return null;
        }
        if (!response.IsSuccess)
        {
            var (state, message) = ResultFailure(response, k.Key, tce, execution.Key, status);
            Settle(k.Key, state, [message], execution.Key, files, "its result was not stored");
            return null;
        }

        // 2. Runtime steps onto the TCE's steps when they match; before the comment, which keeps them as text otherwise.
        var steps = await WriteStepsAsync(k, tce, files, ct).ConfigureAwait(false);
        if (steps is not null)
        {
            messages.AddRange(steps.Messages);
            foreach (var f in files.Where(f => steps.Sent.Contains(f.File))) lock (_gate) Context.EvidenceSent(k.Key, f.File.Path);
            files = files.Where(f => !steps.Sent.Contains(f.File)).ToList();
        }
        // 3. The comment: failure message and stack, data rows, runtime comments (and steps, unless they landed on the TCE's steps).
        if (RtmPayload.Comment(k, stepsOnTce: steps?.Landed == true) is { } text)
        {
            var commentUri = Api("test-case-execution-comment/" + Uri.EscapeDataString(tce) + "/comments");
            // A comment is a create: repeated after a lost answer it would appear twice.
            var problem = await SendAsync(() => Request(HttpMethod.Post, commentUri, RtmPayload.CommentBody(text)), idempotent: false, ct).ConfigureAwait(false);
            if (problem is not null) messages.Add("the comment was not added: " + problem);
        }
        // 4. Defects on the TCE.
        foreach (var defect in k.Defects)
        {
            var problem = V1
                ? await SendAsync(() => Request(HttpMethod.Put, Api("test-case-execution/" + Uri.EscapeDataString(tce) + "/defect"), RtmPayload.DefectBodyV1(defect)), idempotent: true, ct).ConfigureAwait(false)
                : await SendAsync(() => Request(HttpMethod.Post, Api("v2/test-case-execution/" + Uri.EscapeDataString(tce) + "/defect/" + Uri.EscapeDataString(defect))), idempotent: false, ct).ConfigureAwait(false);
            if (problem is not null) messages.Add($"defect {defect} was not linked: {problem}");
        }
        return files;
    }

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        backend.Authorize(request, O);
        return request;
    }

    /// <summary>One follow-up call of a stored result: null when it succeeded, else what went wrong.</summary>
    private async Task<string?> SendAsync(Func<HttpRequestMessage> request, bool idempotent, CancellationToken ct)
    {
        try
        {
            var response = await Context.Http.SendAsync(new HttpCall(request) { Idempotent = idempotent }, ct).ConfigureAwait(false);
            return response.IsSuccess ? null : Describe(response);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            return Redact(e.Message);
        }
    }

    private static string NotInExecution(string key, string tce, string execution) =>
        $"Test Execution {execution} has no Test Case Execution {tce}: {key} is not in its test plan (add the test case to the plan, or check the key).";

    /// <summary>Why a result PUT failed, and the key's state: refused for the key's own fault, not sent for the connection's.</summary>
    private (string State, string Message) ResultFailure(TmsHttpResponse response, string key, string tce, string execution, string status)
    {
        var described = Describe(response);
        if (response.StatusCode == 404) return (KeyStates.Refused, NotInExecution(key, tce, execution) + " " + described);
        if (response.StatusCode is 401 or 403)
        {
            var why = "the result was not sent: " + described;
            lock (_gate)
            {
                if (_stopped is null)
                {
                    _stopped = $"not sent: an earlier request was refused with HTTP {response.StatusCode}, and every later one would be too";
                    Report.Errors.Add($"{Name}: {described}");
                }
            }
            return (KeyStates.NotSent, why);
        }
        if (response.StatusCode is >= 400 and < 500 and not 408 and not 429)
            return (KeyStates.Refused, $"RTM refused the result '{status}' of {key} ({tce}): {described}. Results are per project: map outcomes to this project's result names with statusMap (e.g. {Configuration.OptionCatalog.StatusMap.EnvironmentVariable}=\"Failed={status}\").");
        return (KeyStates.NotSent, "the result was not stored: " + described);
    }

    /// <summary>The key's state, its messages and its progress mark; its evidence skipped when the result did not land.</summary>
    private void Settle(string key, string state, IReadOnlyList<string> messages, string where, List<PlannedEvidence> files, string evidenceReason)
    {
        lock (_gate)
        {
            foreach (var e in files) EvidencePlan.Skip(Report, key, e.FileName, e.Size, evidenceReason);
            KeyLedger.Settle(Context, key, state, messages, where);
        }
    }
}
