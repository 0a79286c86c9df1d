using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;

namespace TmsBridge.Backends.Aio;

/// <summary>Step 1: the run statuses the project defines (GET config), checked with <see cref="StatusCatalogCheck"/>.</summary>
internal sealed partial class AioSession
{
    /// <summary>GET /config once: every status the runs use must be one of the project's run statuses.</summary>
    public async Task<bool> CheckStatusesAsync(List<AioRunUpdate> runs, CancellationToken ct)
    {
        TmsHttpResponse response;
        try
        {
            response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, Api("config"))), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail($"reading the project's run statuses failed: {Redact(e.Message)}");
            return false;
        }
        if (!response.IsSuccess)
        {
            if (TmsErrors.StopsTheRest(response.StatusCode))
            {
                Fail($"reading project {Project}'s configuration failed: {Describe(response)}");
                return false;
            }
            Report.Warnings.Add($"{Name}: the project's run statuses could not be read ({Describe(response)}); statuses are sent unchecked.");
            return true;
        }
        var valid = new List<string>();
        var unreadable = ReadRunStatuses(response.Body, valid);
        if (unreadable is not null)
        {
            // Not "no statuses configured": the answer could not be understood, so nothing is known
            // about the project's statuses. As for a 5xx, the publish goes on without the check.
            Report.Warnings.Add($"{Name}: the project's run statuses could not be read: GET config answered HTTP {response.StatusCode} with {unreadable}; statuses are sent unchecked (checkStatuses=false skips this read).");
            return true;
        }
        if (valid.Count == 0)
        {
            Report.Warnings.Add($"{Name}: project {Project}'s configuration lists no run statuses; statuses are sent unchecked.");
            return true;
        }

        var check = StatusCatalogCheck.Run(valid, Context.Statuses, status => runs.Any(r => r.Status == status), $"project {Project}", "run status", Name);
        Report.Warnings.AddRange(check.Warnings);
        if (check.Error is not null)
        {
            Fail(check.Error);
            return false;
        }
        foreach (var r in runs)
            if (check.Spelling.TryGetValue(r.Status, out var spelling)) r.Status = spelling;
        return true;
    }

    /// <summary>
    /// The names in /config's runStatuses[] (each {ID, name}), or why the answer could not be read
    /// (not JSON, no runStatuses list, entries without a name); null when it was read, even if empty.
    /// </summary>
    internal string? ReadRunStatuses(string body, List<string> names)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("runStatuses", out var list) || list.ValueKind != JsonValueKind.Array)
                return $"no runStatuses list ({TmsErrors.Excerpt(body, Context.Redactor)})";
            var entries = 0;
            foreach (var s in list.EnumerateArray())
            {
                entries++;
                if (s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())) names.Add(n.GetString()!);
            }
            return entries > 0 && names.Count == 0 ? $"runStatuses entries without a name ({TmsErrors.Excerpt(body, Context.Redactor)})" : null;
        }
        catch (JsonException)
        {
            return $"a body that is not JSON ({TmsErrors.Excerpt(body, Context.Redactor)})";
        }
    }
}
