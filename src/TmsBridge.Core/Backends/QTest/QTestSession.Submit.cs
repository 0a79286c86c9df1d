using System.Globalization;
using System.Text;
using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>Steps 3 and 4: the test logs, split by maxRequestBytes, submitted; each job polled to SUCCESS or FAILED.</summary>
internal sealed partial class QTestSession
{
    /// <summary>Bytes of the submit body around its logs: {"test_cycle":"…","test_logs":[…]}.</summary>
    private const int EnvelopeBytes = 256;

    /// <summary>One log per resolved key (with its case's Automation Content) and, with provisionUnmapped, one per unkeyed test.</summary>
    private List<QTestLog> BuildLogs(Dictionary<string, QTestCase> cases)
    {
        var logs = new List<QTestLog>();
        var build = CiBuild.From(QTestBackend.Environment);
        var evidence = EvidencePlan.For(_context.Run.Keyed.Where(k => cases.ContainsKey(k.Key)), O, Report);
        foreach (var keyed in _context.Run.Keyed)
        {
            if (!cases.TryGetValue(keyed.Key, out var c)) continue;
            var files = evidence.Where(e => e.Keyed == keyed).Select(e => (e.FileName, e.File.ContentType, e.Size, e.File.Path)).ToList();
            logs.Add(Fit(keyed.Key, files, a => QTestPayload.Log(keyed, c.AutomationContent, _context.Statuses, a, build, _context.RunStarted, _context.RunFinished)));
        }
        if (O.ProvisionUnmapped)
        {
            foreach (var test in _context.Run.Unmapped.Where(u => !u.HasMalformedKeys))
            {
                var files = EvidencePlan.Name(test.Results, test.FullyQualifiedName, Report.Warnings)
                    .Select(e => (e.FileName, e.File.ContentType, new FileInfo(e.File.Path).Length, e.File.Path)).Where(e => e.Length <= O.MaxEvidenceFileBytes).ToList();
                logs.Add(Fit(test.FullyQualifiedName, files, a => QTestPayload.Provision(test, _context.Statuses, a, build, _context.RunStarted, _context.RunFinished)));
            }
        }
        return logs;
    }

    /// <summary>
    /// The log with its attachments (base64), minus those qTest refuses (over 50 MB) and, when the log
    /// alone would not fit one request of maxRequestBytes, minus all of them (reported as skipped): a 413 would cost the result.
    /// </summary>
    private QTestLog Fit(string owner, List<(string Name, string ContentType, long Size, string Path)> files, Func<IReadOnlyList<(string, string, byte[])>, QTestLog> build)
    {
        var attachments = new List<(string, string, byte[])>();
        foreach (var f in files)
        {
            if (EvidencePlan.TooLarge(f.Size, QTestPayload.MaxAttachmentBytes) is { } why) { EvidencePlan.Skip(Report, owner, f.Name, f.Size, why + " (qTest's limit)"); continue; }
            attachments.Add((f.Name, f.ContentType, File.ReadAllBytes(f.Path)));
        }
        var log = build(attachments);
        if (attachments.Count == 0 || log.Bytes + EnvelopeBytes <= O.MaxRequestBytes) return log;
        foreach (var (name, _, bytes) in attachments)
            EvidencePlan.Skip(Report, owner, name, bytes.LongLength, $"the test log with its attachments is larger than maxRequestBytes ({O.MaxRequestBytes.ToString(CultureInfo.InvariantCulture)} bytes)");
        return build([]);
    }

    /// <summary>Consecutive logs, as many per submit as fit maxRequestBytes (one log always goes, alone if it must).</summary>
    private IEnumerable<List<QTestLog>> Split(List<QTestLog> logs)
    {
        var chunk = new List<QTestLog>();
        long bytes = EnvelopeBytes;
        foreach (var log in logs)
        {
            var size = log.Bytes + 1;
            if (chunk.Count > 0 && bytes + size > O.MaxRequestBytes)
            {
                yield return chunk;
                chunk = [];
                bytes = EnvelopeBytes;
            }
            chunk.Add(log);
            bytes += size;
        }
        if (chunk.Count > 0) yield return chunk;
    }

    /// <summary>Submits every chunk and polls its job: the keys qTest stored.</summary>
    private async Task<HashSet<string>> SubmitAsync(QTestCycle cycle, List<QTestLog> logs, CancellationToken ct)
    {
        var ledger = new KeyLedger(_context, logs.Where(l => l.Keyed).Select(l => l.Owner));
        var stored = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in Split(logs))
        {
            var keys = chunk.Where(l => l.Keyed).Select(l => l.Owner).ToList();
            if (_stopped)
            {
                foreach (var k in keys) ledger.NotSent(k, "not sent: an earlier request failed in a way every later one would (see the errors).");
                ledger.PartsDone(keys, cycle.Name);
                continue;
            }
            var (state, message) = await SubmitChunkAsync(cycle, chunk, ct).ConfigureAwait(false);
            foreach (var log in chunk)
            {
                if (!log.Keyed)
                {
                    if (Report.Unmapped.FirstOrDefault(u => u.Test == log.Owner) is { } u) u.State = state;
                    if (state != KeyStates.Sent && message is not null) Report.Warnings.Add($"{Name}: unkeyed test '{log.Owner}': {message}");
                    continue;
                }
                if (state == KeyStates.Sent) { ledger.Stored(log.Owner); stored.Add(log.Owner); }
                else if (state == KeyStates.Refused) ledger.Refused(log.Owner, message!);
                else ledger.NotSent(log.Owner, message!);
            }
            ledger.PartsDone(keys, cycle.Name);
        }
        return stored;
    }

    /// <summary>One submit and its job: sent, refused (400, or the job FAILED, with qTest's words) or not sent (with why).</summary>
    private async Task<(string State, string? Message)> SubmitChunkAsync(QTestCycle cycle, List<QTestLog> chunk, CancellationToken ct)
    {
        var body = QTestPayload.Submit(cycle.Ref, chunk);
        TmsHttpResponse response;
        try
        {
            // Never repeated blindly: qTest has no lookup of queued jobs, so a second submit could double every test log.
            response = await SendAsync(new HttpCall(() => Request(HttpMethod.Post, Api("auto-test-logs?type=automation"), body)) { Idempotent = false }, ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            return (KeyStates.NotSent, e.OutcomeUnknown
                ? $"unknown: the answer to the submit was lost ({Redact(e.Message)}); qTest may have queued these results, so they were not sent again (that could duplicate the test logs). Check test cycle {cycle.Name} before publishing again."
                : $"the submit failed: {Redact(e.Message)}");
        }
        if (response.StatusCode is 500 or 502 or 504)
            return (KeyStates.NotSent, $"unknown: the submit answered {Describe(response)}; qTest may have queued these results, so they were not sent again. Check test cycle {cycle.Name} before publishing again.");
        if (!response.IsSuccess)
        {
            if (TmsErrors.StopsTheRest(response.StatusCode) || response.StatusCode == 413)
            {
                Report.Errors.Add($"{Name}: the submit to test cycle {cycle.Name} failed: {Describe(response)}");
                if (response.StatusCode != 413) _stopped = true;
                return (KeyStates.NotSent, $"the submit failed: {Describe(response)}");
            }
            return (KeyStates.Refused, $"qTest refused the submit: {Describe(response)}");
        }
        long job;
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            if (!doc.RootElement.TryGetProperty("id", out var i) || !i.TryGetInt64(out job)) job = 0;
        }
        catch (JsonException) { job = 0; }
        if (job == 0)
            return (KeyStates.NotSent, $"unknown: the submit's answer named no job id ({TmsErrors.Excerpt(response.Body, _context.Redactor)}); qTest may store these results. Check test cycle {cycle.Name}.");
        return await PollAsync(job, cycle, ct).ConfigureAwait(false);
    }

    /// <summary>GET queue-processing/{id} with backoff until SUCCESS or FAILED, within the publish deadline.</summary>
    private async Task<(string State, string? Message)> PollAsync(long job, QTestCycle cycle, CancellationToken ct)
    {
        var wait = QTestBackend.PollFirst;
        var state = "IN_WAITING";
        var failedLooks = 0;
        var uri = new Uri(O.BaseUrl!, "api/v3/projects/queue-processing/" + job.ToString(CultureInfo.InvariantCulture));
        try
        {
            while (true)
            {
                await Task.Delay(wait, ct).ConfigureAwait(false);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, QTestBackend.PollMax.Ticks));
                TmsHttpResponse response;
                try
                {
                    response = await SendAsync(() => Request(HttpMethod.Get, uri), ct).ConfigureAwait(false);
                }
                catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled && e.Kind != HttpFailureKind.Deadline)
                {
                    // The job runs on whether or not one look at it fails; a server that stays away is given up on.
                    if (++failedLooks < QTestBackend.MaxFailedPolls) continue;
                    return (KeyStates.NotSent, $"unknown: qTest queued job {job} but its state could not be read ({Redact(e.Message)}). Check test cycle {cycle.Name}.");
                }
                if (!response.IsSuccess)
                {
                    if (TmsErrors.StopsTheRest(response.StatusCode) || ++failedLooks >= QTestBackend.MaxFailedPolls)
                        return (KeyStates.NotSent, $"unknown: qTest queued job {job} but its state could not be read: {Describe(response)}. Check test cycle {cycle.Name}.");
                    continue;
                }
                failedLooks = 0;
                string? content = null;
                try
                {
                    using var doc = JsonDocument.Parse(response.Body);
                    state = Text(doc.RootElement, "state") ?? state;
                    content = Text(doc.RootElement, "content");
                }
                catch (JsonException) { continue; }
                if (state == "SUCCESS") return (KeyStates.Sent, null);
                if (state == "FAILED") return (KeyStates.Refused, $"qTest job {job} FAILED: {Redact(TmsErrors.Cap(content ?? "(no content)", TmsErrors.MaxMessageChars))}");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or TmsHttpException { Kind: HttpFailureKind.Cancelled or HttpFailureKind.Deadline })
        {
            _stopped = true;
            return (KeyStates.NotSent, $"unknown: qTest job {job} was still {state} at the publish deadline (publishTimeout); qTest may still store these results in test cycle {cycle.Name}.");
        }
    }
}
