using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QMetry;

/// <summary>One import: the three steps, their failures worded per step, and every key settled at the end.</summary>
internal sealed class QMetryImport(QMetryBackendBase backend, PublishContext context)
{
    private PublishReport Report => context.Report;
    private string Name => backend.DisplayName;
    private string Redact(string text) => context.Redactor.Redact(text);

    private enum UploadResult { Done, Expired, Failed }

    /// <summary>The tracker's last answer (SUCCESS or FAILED, every key settled), or null when the import did not finish (every key not sent).</summary>
    public async Task<QMetryTrackAnswer?> RunAsync(JsonObject body, QMetryUpload upload, CancellationToken ct)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var ticket = await RequestUploadUrlAsync(body, ct).ConfigureAwait(false);
                if (ticket is null) return null;
                var uploaded = await UploadAsync(ticket, upload, ct).ConfigureAwait(false);
                if (uploaded == UploadResult.Failed) return null;
                if (uploaded == UploadResult.Expired)
                {
                    // A used URL may mean an earlier attempt whose answer was lost did land: the tracker knows.
                    if (await TrackOnceAsync(ticket.TrackingId!, ct, probe: true).ConfigureAwait(false) is not null)
                        return await FollowAsync(ticket.TrackingId!, ct).ConfigureAwait(false);
                    if (attempt >= 2)
                    {
                        Fail("step 2 (upload): the upload URL was refused as expired twice (HTTP 403); nothing was imported.");
                        return null;
                    }
                    Report.Warnings.Add($"{Name}: the one-time upload URL had expired (HTTP 403); asking for a new one (step 1 again).");
                    continue;
                }
                return await FollowAsync(ticket.TrackingId!, ct).ConfigureAwait(false);
            }
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail("not sent: " + Redact(e.Message));
            return null;
        }
    }

    /// <summary>Step 1: POST importresult (raw JSON) → url + trackingId. A 200 without url is a failure whose body is the error.</summary>
    private async Task<QMetryUploadTicket?> RequestUploadUrlAsync(JsonObject body, CancellationToken ct)
    {
        var uri = backend.ImportUri(context.Options);
        var response = await context.Http.SendAsync(new HttpCall(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonRequests.Body(body) }.AcceptJson();
            backend.Authorize(request, context.Options);
            return request;
        }), ct).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            Fail("step 1 (importresult) refused: " + Describe(response));
            return null;
        }
        var ticket = QMetryPayload.ParseTicket(response.Body);
        if (ticket?.Url is null || ticket.TrackingId is null)
        {
            Fail($"step 1 (importresult) answered HTTP {response.StatusCode} without an upload url and trackingId: {Redact(TmsErrors.MessageOf(response.Body))}");
            return null;
        }
        if (!Uri.TryCreate(ticket.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            Fail($"step 1 (importresult) answered an upload url that is not an http(s) URL: '{Redact(ticket.Url)}'.");
            return null;
        }
        return ticket;
    }

    /// <summary>Step 2. Cloud: PUT of the raw bytes to pre-signed storage, no credentials. Server: multipart part "file" with apiKey and Jira credentials.</summary>
    private async Task<UploadResult> UploadAsync(QMetryUploadTicket ticket, QMetryUpload upload, CancellationToken ct)
    {
        var url = new Uri(ticket.Url!);
        HttpCall call;
        if (backend.IsCloud)
        {
            // The URL is signed storage on another host: the apiKey must not travel there (design §7).
            call = new HttpCall(() => new HttpRequestMessage(HttpMethod.Put, url)
            {
                Content = new ByteArrayContent(upload.Bytes) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("multipart/form-data") } },
            });
        }
        else
        {
            var jira = backend.ImportUri(context.Options);
            if (!string.Equals(url.GetLeftPart(UriPartial.Authority), jira.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            {
                Fail($"step 2 (upload): the upload URL is on {url.GetLeftPart(UriPartial.Authority)}, not on the Jira host {jira.GetLeftPart(UriPartial.Authority)}; the apiKey and Jira credentials are not sent to another host, so nothing was uploaded.");
                return UploadResult.Failed;
            }
            call = new HttpCall(() =>
            {
                var form = new BrowserMultipart().AddFile("file", upload.FileName, new ByteArrayContent(upload.Bytes), upload.ContentType);
                var request = BrowserMultipart.Post(url, form, jiraServer: true);
                backend.Authorize(request, context.Options);
                return request;
            });
        }
        var response = await context.Http.SendAsync(call, ct).ConfigureAwait(false);
        if (response.IsSuccess) return UploadResult.Done;
        if (response.StatusCode == 403) return UploadResult.Expired;
        Fail("step 2 (upload of " + upload.FileName + ") refused: " + Describe(response, upload: true));
        return UploadResult.Failed;
    }

    /// <summary>Step 3: polls the tracker until SUCCESS or FAILED; any other importStatus (INPROCESS, In Progress...) means still running.</summary>
    private async Task<QMetryTrackAnswer?> FollowAsync(string trackingId, CancellationToken ct)
    {
        var delays = QMetryBackendBase.PollDelays;
        for (var poll = 0; ; poll++)
        {
            try
            {
                await Task.Delay(delays[Math.Min(poll, delays.Count - 1)], ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Fail($"the import (trackingId {trackingId}) was still running when publishTimeout ended; it may still complete in QMetry (Automation → import history), so check there before publishing again.");
                return null;
            }
            var answer = await TrackOnceAsync(trackingId, ct).ConfigureAwait(false);
            if (answer is null) return null;
            if (!answer.Finished) continue;
            Settle(answer, trackingId);
            return answer;
        }
    }

    /// <summary>One GET importresult/track. Null (and the run failed) when the tracker refuses or answers nonsense.</summary>
    /// <param name="probe">Only asking whether the tracker knows the import: a refusal is an answer (null), not a failure.</param>
    private async Task<QMetryTrackAnswer?> TrackOnceAsync(string trackingId, CancellationToken ct, bool probe = false)
    {
        var uri = backend.TrackUri(context.Options, trackingId);
        TmsHttpResponse response;
        try
        {
            response = await context.Http.SendAsync(new HttpCall(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri).AcceptJson();
                backend.Authorize(request, context.Options);
                return request;
            }), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind is HttpFailureKind.Deadline or HttpFailureKind.Cancelled)
        {
            Fail($"the import (trackingId {trackingId}) was still running when publishTimeout ended; it may still complete in QMetry (Automation → import history), so check there before publishing again.");
            return null;
        }
        if (probe) return response.IsSuccess ? QMetryPayload.ParseTrack(response.Body) is { ImportStatus: not null } a ? a : null : null;
        if (!response.IsSuccess)
        {
            Fail($"step 3 (track {trackingId}) refused: " + Describe(response));
            return null;
        }
        var answer = QMetryPayload.ParseTrack(response.Body);
        if (answer?.ImportStatus is null)
        {
            Fail($"step 3 (track {trackingId}) answered without an importStatus: {Redact(TmsErrors.MessageOf(response.Body))}");
            return null;
        }
        return answer;
    }

    /// <summary>SUCCESS: every key sent into the cycle, with the counts in the report. FAILED: every key refused with QMetry's detailed message.</summary>
    private void Settle(QMetryTrackAnswer answer, string trackingId)
    {
        var o = context.Options;
        if (answer.Succeeded)
        {
            var joined = Report.Execution?.Joined == true;
            var cycle = answer.CycleKey ?? o.TestExecution ?? (joined ? Report.Execution!.Key : null);
            Report.Execution = new ExecutionReference
            {
                Key = cycle,
                Id = answer.CycleId,
                Reused = o.TestExecution is not null || joined,
                Joined = joined,
                Counts = answer.Counts.Count > 0 ? answer.Counts : null,
            };
            var where = cycle is null ? $"imported (trackingId {trackingId})" : $"imported into {cycle}";
            foreach (var k in Report.Keys.Where(k => k.State == KeyStates.NotSent))
                KeyLedger.Settle(context, k.Key, KeyStates.Sent, [where], cycle);
            return;
        }
        var detail = Redact(string.IsNullOrWhiteSpace(answer.DetailedMessage) ? "(no detailed message)" : answer.DetailedMessage!);
        Report.Errors.Add($"{Name}: the import (trackingId {trackingId}) FAILED: {detail}");
        foreach (var k in Report.Keys.Where(k => k.State == KeyStates.NotSent))
            KeyLedger.Settle(context, k.Key, KeyStates.Refused, ["import FAILED: " + detail], null);
    }

    private string Describe(TmsHttpResponse r, bool upload = false) =>
        TmsErrors.Describe(r, context.Redactor, upload ? "" : r.StatusCode switch
        {
            401 => backend.Flavour.CredentialsHint,
            403 => " (the apiKey's user lacks permission in the project, or QMetry is disabled for it)",
            404 => $" (is baseUrl {backend.Flavour.BaseUrlHint}?)",
            _ => "",
        });

    private void Fail(string message)
    {
        Report.Errors.Add($"{Name}: {message}");
        context.MarkAll(KeyStates.NotSent, message);
    }
}
