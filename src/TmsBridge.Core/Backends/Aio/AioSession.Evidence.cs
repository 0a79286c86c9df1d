using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Aio;

/// <summary>Step 4: evidence: the run ids from one bounded, paged listing, then one multipart upload per file.</summary>
internal sealed partial class AioSession
{
    /// <summary>One paged listing for the run ids, then one multipart upload per file.</summary>
    /// <remarks>
    /// Each file that reached its run is journalled (evidenceSent); a key whose files are all done (sent,
    /// or skipped for good: too large, unreadable, refused) is settled sent. A key with a file that failed
    /// for a reason that may pass (no answer, 5xx, 429, the listing failed) stays evidencePending, and so
    /// does every key when the deadline cuts this short: `tmsbridge publish` sends its missing files.
    /// </remarks>
    public async Task AttachEvidenceAsync(AioCycleRef cycle, List<PlannedEvidence> evidence, Dictionary<string, int> stored, CancellationToken ct)
    {
        var pending = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await UploadEvidenceAsync(cycle, evidence, stored, pending, ct).ConfigureAwait(false);
        foreach (var k in Report.Keys.Where(k => k.State == KeyStates.EvidencePending && !pending.Contains(k.Key)).ToList())
            KeyLedger.Settle(Context, k.Key, KeyStates.Sent, [], cycle.Name);
        foreach (var k in pending)
            Report.FindKey(k)?.Messages.Add("its result was sent, some evidence not yet (evidencePending): `tmsbridge publish` sends only the missing files");
    }

    private async Task UploadEvidenceAsync(AioCycleRef cycle, List<PlannedEvidence> evidence, Dictionary<string, int> stored, HashSet<string> pending, CancellationToken ct)
    {
        if (evidence.Count == 0) return;
        var toSend = new List<PlannedEvidence>();
        foreach (var e in evidence)
        {
            if (stored.ContainsKey(e.Keyed.Key)) toSend.Add(e);
            else Skip(e, "the case's run was not recorded, so there is no run to attach it to");
        }
        if (toSend.Count == 0) return;

        Dictionary<string, List<string>> runIds;
        try
        {
            runIds = await ListRunsAsync(cycle, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
        {
            var message = Redact(e.Message);
            Report.Errors.Add($"{Name}: the runs of cycle {cycle.Name} could not be listed, so no evidence was attached: {message}");
            foreach (var e2 in toSend) { Skip(e2, "the run ids could not be read: " + message); pending.Add(e2.Keyed.Key); }
            return;
        }

        // A case the listing does not name (its answer spells the case another way, or the cycle
        // has more runs than are listed): ask for that case's latest run instead of dropping its evidence.
        var unknown = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in toSend.Select(e => e.Keyed.Key).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (runIds.TryGetValue(key, out var listed) && listed.Count > 0) continue;
            var (latest, problem) = await LatestRunAsync(cycle, key, ct).ConfigureAwait(false);
            if (latest is not null) { runIds[key] = [latest]; continue; }
            unknown[key] = problem!;
            Report.Warnings.Add($"{Name}: {key} is not in the run listing of cycle {cycle.Name} and its latest run could not be read ({problem}); its evidence is not attached.");
        }

        string? disabled = null;
        // A key is settled sent as soon as its last file is done, so a publish killed later leaves it sent.
        var remaining = toSend.GroupBy(e => e.Keyed.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        foreach (var e in toSend)
        {
            await UploadOneAsync(e).ConfigureAwait(false);
            if (--remaining[e.Keyed.Key] == 0 && !pending.Contains(e.Keyed.Key) && Report.FindKey(e.Keyed.Key) is { State: KeyStates.EvidencePending })
                KeyLedger.Settle(Context, e.Keyed.Key, KeyStates.Sent, [], cycle.Name);
        }

        async Task UploadOneAsync(PlannedEvidence e)
        {
            if (disabled is not null)
            {
                Skip(e, disabled);
                return;
            }
            var runId = RunIdFor(e, runIds, stored);
            if (runId is null)
            {
                Skip(e, $"no run of {e.Keyed.Key} was found in cycle {cycle.Name}"
                    + (unknown.TryGetValue(e.Keyed.Key, out var why) ? " (latest run: " + why + ")" : ""));
                return;
            }
            var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/testrun/{Uri.EscapeDataString(runId)}/attachment");
            TmsHttpResponse response;
            try
            {
                // Not repeated after a lost answer: the file could be attached twice (429/503 are still retried).
                response = await Context.Http.SendAsync(new HttpCall(() => AttachmentRequest(uri, e)) { Idempotent = false }, ct).ConfigureAwait(false);
            }
            catch (TmsHttpException x) when (x.Kind != HttpFailureKind.Cancelled)
            {
                Skip(e, "the upload failed: " + Redact(x.Message));
                pending.Add(e.Keyed.Key);
                return;
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException)
            {
                Skip(e, "the file could not be read: " + x.Message);
                return;
            }
            if (response.StatusCode == 404)
            {
                disabled = "attachments are turned off for this run: the server answered 404 to the attachment endpoint (older AIO Server versions have none)";
                Report.Warnings.Add($"{Name} answered 404 to the attachment upload of run {runId} ({Describe(response)}); older AIO Server versions have no attachment API, so evidence is not sent for the rest of this run.");
                Skip(e, disabled);
                return;
            }
            if (!response.IsSuccess)
            {
                Skip(e, "the upload was refused: " + Describe(response));
                // A busy server may take it later; a 4xx is the server's word on this file.
                if (response.StatusCode is 429 or >= 500) pending.Add(e.Keyed.Key);
                return;
            }
            Context.EvidenceSent(e.Keyed.Key, e.File.Path);
        }
    }

    private void Skip(PlannedEvidence e, string reason) => EvidencePlan.Skip(Report, e.Keyed.Key, e.FileName, e.Size, reason);

    private HttpRequestMessage AttachmentRequest(Uri uri, PlannedEvidence e)
    {
        // A fresh stream for every attempt: the file is streamed, never held in memory.
        var stream = new FileStream(e.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
        var file = new StreamContent(stream, 81920);
        file.Headers.ContentLength = stream.Length;
        var form = new BrowserMultipart().AddFile("file", e.FileName, file, e.File.ContentType);
        var request = BrowserMultipart.Post(uri, form, backend.IsJiraServer).AcceptJson();
        backend.Authorize(request, O);
        return request;
    }

    /// <summary>
    /// The run a file goes to. One run per case: its newest. With createNewRun and several rows, the
    /// case's newest runs in creation order stand for the rows in the order they were sent.
    /// </summary>
    private static string? RunIdFor(PlannedEvidence e, Dictionary<string, List<string>> runIds, Dictionary<string, int> stored)
    {
        if (!runIds.TryGetValue(e.Keyed.Key, out var ids) || ids.Count == 0) return null;
        var rows = stored.TryGetValue(e.Keyed.Key, out var n) ? n : 1;
        var index = e.Keyed.Results.IndexOf(e.Result);
        if (rows > 1 && rows == e.Keyed.Results.Count && ids.Count >= rows && index >= 0)
            return ids[ids.Count - rows + index];
        return ids[ids.Count - 1];
    }

    /// <summary>The case a listed run belongs to: a flat <c>testCaseKey</c>, or nested as <c>testCase.key</c>.</summary>
    internal static string? CaseKeyOf(JsonElement run)
    {
        if (run.TryGetProperty("testCaseKey", out var flat) && flat.ValueKind == JsonValueKind.String) return flat.GetString();
        if (run.TryGetProperty("testCase", out var nested) && nested.ValueKind == JsonValueKind.Object
            && nested.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String) return key.GetString();
        return null;
    }

    /// <summary>A run's ID: AIO spells it "ID", some answers "id".</summary>
    private static string? RunIdOf(JsonElement run) =>
        run.TryGetProperty("ID", out var x) ? AioPayload.IdText(x) : run.TryGetProperty("id", out var y) ? AioPayload.IdText(y) : null;

    /// <summary>
    /// GET testcycle/{c}/testcase/{k}/testrun (api-notes/aio-qmetry.md §1.2, "Latest run of a case"):
    /// the run id, or null and why not. The answer is the run ({"ID": ...}); an array is read as runs, newest last.
    /// </summary>
    private async Task<(string? Id, string? Problem)> LatestRunAsync(AioCycleRef cycle, string caseKey, CancellationToken ct)
    {
        var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/testcase/{Uri.EscapeDataString(caseKey)}/testrun");
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
            var run = doc.RootElement;
            if (run.ValueKind == JsonValueKind.Array) run = run.EnumerateArray().LastOrDefault(x => x.ValueKind == JsonValueKind.Object);
            var id = run.ValueKind != JsonValueKind.Object ? null : RunIdOf(run);
            if (id is not null) return (id, null);
        }
        catch (JsonException) { }
        return (null, "the answer named no run ID: " + Redact(TmsErrors.MessageOf(response.Body)));
    }

    /// <summary>GET testcycle/{c}/testrun, 100 a page, at most <see cref="AioBackendBase.MaxListingPages"/> pages: run ids per case key, oldest first.</summary>
    private async Task<Dictionary<string, List<string>>> ListRunsAsync(AioCycleRef cycle, CancellationToken ct)
    {
        var ids = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        await BoundedPager.ReadAsync(async (startAt, token) =>
        {
            var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/testrun?startAt={startAt}&maxResults={AioBackendBase.PageSize}");
            var response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, uri)), token).ConfigureAwait(false);
            if (!response.IsSuccess) throw new TmsHttpException($"GET {uri}: {Describe(response)}", HttpFailureKind.Dropped);
            using var doc = JsonDocument.Parse(response.Body);
            return BoundedPager.ReadJsonPage(doc.RootElement, startAt, item =>
            {
                if (item.ValueKind != JsonValueKind.Object) return;
                var key = CaseKeyOf(item);
                var id = RunIdOf(item);
                if (key is null || id is null) return;
                if (!ids.TryGetValue(key, out var list)) ids[key] = list = [];
                list.Add(id);
            });
        }, AioBackendBase.MaxListingPages, ct).ConfigureAwait(false);
        foreach (var list in ids.Values) list.Sort(AioPayload.CompareIds);
        return ids;
    }
}
