using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// Runtime steps (Tms.Step) onto the TCE's own steps, when the TCE has as many steps as the result has
/// top-level runtime steps: each step's status (through the status map), its comment (the failure
/// message) and its evidence. Otherwise, or when a step write fails, the steps stay text in the TCE comment.
/// RTM documents the step status and comment only as V1 paths by step index, and step evidence only
/// as V2 by the execution step's id (api-notes/qtest-rtm.md §2.2); rtmStepPath moves the former.
/// </summary>
internal sealed partial class RtmSession
{
    /// <summary>What writing the steps did: whether every step took its status, the files it sent, and what went wrong.</summary>
    private sealed record StepsOutcome(bool Landed, HashSet<EvidenceFile> Sent, List<string> Messages);

    /// <summary>
    /// Reads the TCE's steps (one request, only for a key whose one result has runtime steps) and, when
    /// the counts match, writes them. Null when the steps stay text (no runtime steps, a count mismatch, an unreadable TCE).
    /// </summary>
    private async Task<StepsOutcome?> WriteStepsAsync(KeyedResult k, string tce, List<PlannedEvidence> files, CancellationToken ct)
    {
        if (RtmPayload.StepSource(k) is not { } result) return null;
        var (ids, problem) = await ReadStepIdsAsync(tce, ct).ConfigureAwait(false);
        if (ids is null)
        {
            lock (_gate) Report.Warnings.Add($"{Name}: {k.Key} ({tce}): its steps could not be read ({problem}); the runtime steps are in the comment as text.");
            return null;
        }
        if (ids.Count != result.Steps.Count) return null;

        var messages = new List<string>();
        var sent = new HashSet<EvidenceFile>();
        var landed = true;
        for (var i = 0; i < ids.Count; i++)
        {
            var step = result.Steps[i];
            var path = RtmPayload.StepPath(O.For<RtmOptions>().RtmStepPath, tce, i, ids[i]);
            var status = Context.Statuses[step.Outcome];
            var failure = await SendResponseAsync(() => Request(HttpMethod.Put, Api(path + "/status"), RtmPayload.StepStatusBody(status)), idempotent: true, ct).ConfigureAwait(false);
            if (failure is not null)
            {
                landed = false;
                messages.Add(failure.Value.Refused
                    ? $"RTM refused the step status '{status}' of {k.Key} step {i + 1} ('{step.Name}'): {failure.Value.Problem}. Step results are per project: map outcomes to this project's names with statusMap ({Configuration.OptionCatalog.StatusMap.EnvironmentVariable}), or point rtmStepPath at your RTM's step path"
                    : $"the status of step {i + 1} ('{step.Name}') was not stored: {failure.Value.Problem}");
            }
            if (RtmPayload.StepComment(step) is { } text)
            {
                var commentFailure = await SendResponseAsync(() => Request(HttpMethod.Put, Api(path + "/comment"), RtmPayload.CommentBody(text)), idempotent: true, ct).ConfigureAwait(false);
                if (commentFailure is not null) messages.Add($"the comment of step {i + 1} ('{step.Name}') was not stored: {commentFailure.Value.Problem}");
            }
            var own = new HashSet<EvidenceFile>(step.SelfAndDescendants().SelectMany(s => s.Evidence));
            var stepUri = Api("v2/test-case-execution/" + Uri.EscapeDataString(tce) + "/step/" + Uri.EscapeDataString(ids[i]) + "/attachment");
            foreach (var e in files.Where(f => own.Contains(f.File)))
            {
                // Counted as handled either way: a failed step upload is reported, not sent again to the TCE.
                sent.Add(e.File);
                string? uploadProblem;
                try
                {
                    uploadProblem = await SendAsync(() => Authorized(EvidenceUpload.Request(stepUri, e, backend.IsJiraServer)), idempotent: false, ct).ConfigureAwait(false);
                }
                catch (Exception x) when (x is IOException or UnauthorizedAccessException)
                {
                    uploadProblem = "the file could not be read: " + x.Message;
                }
                if (uploadProblem is not null) lock (_gate) EvidencePlan.Skip(Report, k.Key, e.FileName, e.Size, $"the upload to step {i + 1} failed: {uploadProblem}");
            }
        }
        return new StepsOutcome(landed, sent, messages);
    }

    /// <summary>GET the TCE: its execution step ids in order, or why it could not be read.</summary>
    private async Task<(List<string>? Ids, string? Problem)> ReadStepIdsAsync(string tce, CancellationToken ct)
    {
        var uri = Api((V1 ? "test-case-execution/" : "v2/test-case-execution/") + Uri.EscapeDataString(tce));
        TmsHttpResponse response;
        try
        {
            response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, uri)), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            return (null, Redact(e.Message));
        }
        if (!response.IsSuccess) return (null, Describe(response));
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            return (RtmPayload.ExecutionStepIdsOf(doc.RootElement), null);
        }
        catch (JsonException)
        {
            return (null, "the answer is not JSON: " + TmsErrors.Excerpt(response.Body, Context.Redactor));
        }
    }

    /// <summary>A step write: null when it succeeded, else what went wrong and whether RTM refused it (a 4xx other than 408/429).</summary>
    private async Task<(string Problem, bool Refused)?> SendResponseAsync(Func<HttpRequestMessage> request, bool idempotent, CancellationToken ct)
    {
        try
        {
            var response = await Context.Http.SendAsync(new HttpCall(request) { Idempotent = idempotent }, ct).ConfigureAwait(false);
            if (response.IsSuccess) return null;
            return (Describe(response), response.StatusCode is >= 400 and < 500 and not 408 and not 429);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            return (Redact(e.Message), false);
        }
    }
}
