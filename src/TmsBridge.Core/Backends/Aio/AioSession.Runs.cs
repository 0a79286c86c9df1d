using TmsBridge.Backends.Kit;
using TmsBridge.Http;

namespace TmsBridge.Backends.Aio;

/// <summary>Step 3: bulk run updates in chunks, settled per key with a <see cref="KeyLedger"/>.</summary>
internal sealed partial class AioSession
{
    /// <summary>Bulk updates in chunks of 100; returns, per case key, how many of its runs AIO stored.</summary>
    /// <param name="evidenceFollows">Keys with evidence to upload next: stored, they are evidencePending, not sent.</param>
    public async Task<Dictionary<string, int>> SendRunsAsync(AioCycleRef cycle, List<AioRunUpdate> runs, ISet<string> evidenceFollows, CancellationToken ct)
    {
        // A key's fate is known once all its runs went out (createNewRun may spread them over chunks).
        var ledger = new KeyLedger(Context, runs.Select(r => r.CaseKey), evidenceFollows);
        var query = $"?createNewRun={(O.For<AioOptions>().CreateNewRun ? "true" : "false")}&addCaseToCycle={(O.For<AioOptions>().AddCaseToCycle ? "true" : "false")}";
        var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/bulk/testrun/update{query}");
        string? stop = null;
        var number = 0;

        foreach (var chunk in Chunks.Of(runs, AioBackendBase.MaxRunsPerBulk))
        {
            number++;
            if (stop is not null)
            {
                foreach (var r in chunk) ledger.NotSent(r.CaseKey, stop);
            }
            else
            {
                var body = AioPayload.BulkBody(chunk);
                TmsHttpResponse? response = null;
                try
                {
                    // Overwriting the latest run is safe to repeat; adding new runs is not.
                    response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Post, uri, body)) { Idempotent = !O.For<AioOptions>().CreateNewRun }, ct).ConfigureAwait(false);
                }
                catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
                {
                    var message = Redact(e.Message);
                    Report.Errors.Add($"{Name}: bulk update {number} ({chunk.Count} runs) failed after retries: {message}");
                    foreach (var r in chunk) ledger.NotSent(r.CaseKey, "not sent: " + message);
                }
                if (response is not null && !response.IsSuccess)
                {
                    var message = Describe(response);
                    Report.Errors.Add($"{Name} refused bulk update {number} ({chunk.Count} runs) into cycle {cycle.Name}: {message}");
                    foreach (var r in chunk) ledger.NotSent(r.CaseKey, message);
                    // The same answer awaits every later chunk: do not spend the rate budget on it.
                    if (TmsErrors.StopsTheRest(response.StatusCode)) stop = "not sent: an earlier bulk update was refused with " + message;
                }
                else if (response is not null) ReadBulkAnswer(response, number, chunk, ledger);
            }
            ledger.PartsDone(chunk.Select(r => r.CaseKey), cycle.Name);
        }
        return ledger.StoredKeys();
    }

    /// <summary>A 200 to a bulk update: per case, stored or refused with AIO's words (a 200 with errors is a partial failure).</summary>
    private void ReadBulkAnswer(TmsHttpResponse response, int number, List<AioRunUpdate> chunk, KeyLedger ledger)
    {
        var answer = AioPayload.ParseBulk(response.Body);
        if (answer.Unreadable is not null)
            Report.Warnings.Add($"{Name} answered bulk update {number} with 200 but {answer.Unreadable}; per-case results could not be checked.");
        var caseLevel = answer.IsFailed && answer.Errors.Count == 0
            ? $"AIO answered status {answer.Status ?? "FAILED"} ({answer.ErrorCount} errors) without naming the cases: {Redact(TmsErrors.MessageOf(response.Body))}"
            : null;
        foreach (var r in chunk)
        {
            if (answer.Errors.TryGetValue(r.CaseKey, out var why)) ledger.Refused(r.CaseKey, Redact(why));
            else if (caseLevel is not null) ledger.Refused(r.CaseKey, caseLevel);
            else ledger.Stored(r.CaseKey);
        }
        foreach (var extra in answer.Errors.Keys.Where(k => !chunk.Any(r => string.Equals(r.CaseKey, k, StringComparison.OrdinalIgnoreCase))))
            Report.Warnings.Add($"{Name} reported an error for {extra}, which was not in the request: {Redact(answer.Errors[extra])}");
    }
}
