using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>Step 1: the run's test cases, resolved in batches through the search API, with their Automation Content.</summary>
internal sealed partial class QTestSession
{
    public const string AutomationField = "Automation";
    public const string AutomationContentField = "Automation Content";

    /// <summary>
    /// POST /search (object_type, 'pid' = ... or ...), a batch of at most a page of values per
    /// request, each batch paged: the items found, by the value of <paramref name="field"/> (upper-case).
    /// </summary>
    /// <param name="onFailure">What a failed search means: by default the publish stops (<see cref="Fail"/>).</param>
    private async Task<Dictionary<string, JsonElement>?> SearchAsync(string objectType, string field, IReadOnlyList<string> values, CancellationToken ct, Action<string>? onFailure = null)
    {
        onFailure ??= Fail;
        var found = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var batch in Chunks.Of(values.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), QTestBackend.PageSize))
        {
            var body = QTestPayload.Search(objectType, field, batch);
            try
            {
                await BoundedPager.ReadAsync(async (startAt, token) =>
                {
                    var page = startAt / QTestBackend.PageSize + 1;
                    var uri = Api($"search?pageSize={QTestBackend.PageSize.ToString(CultureInfo.InvariantCulture)}&page={page.ToString(CultureInfo.InvariantCulture)}");
                    var response = await SendAsync(() => Request(HttpMethod.Post, uri, body), token).ConfigureAwait(false);
                    if (!response.IsSuccess) throw new QTestStop($"searching the {objectType} {string.Join(", ", batch)} failed: {Describe(response)}");
                    using var doc = JsonDocument.Parse(response.Body);
                    return BoundedPager.ReadJsonPage(doc.RootElement, startAt, item =>
                    {
                        if (item.ValueKind == JsonValueKind.Object && Text(item, field) is { } v) found[v] = item.Clone();
                    });
                }, QTestBackend.MaxPages, ct).ConfigureAwait(false);
            }
            catch (QTestStop e)
            {
                onFailure(e.Message);
                return null;
            }
            catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
            {
                onFailure($"searching the {objectType} {string.Join(", ", batch)} failed: {Redact(e.Message)}");
                return null;
            }
        }
        return found;
    }

    private sealed class QTestStop(string message) : Exception(message);

    internal static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    /// <summary>A property of a test case by its field name: (field id, value, value name).</summary>
    internal static (long FieldId, string? Value, string? ValueName)? Property(JsonElement item, string fieldName)
    {
        if (!item.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Array) return null;
        foreach (var p in props.EnumerateArray())
        {
            if (p.ValueKind != JsonValueKind.Object || !string.Equals(Text(p, "field_name"), fieldName, StringComparison.OrdinalIgnoreCase)) continue;
            var id = p.TryGetProperty("field_id", out var f) && f.TryGetInt64(out var n) ? n : 0;
            return (id, Text(p, "field_value"), Text(p, "field_value_name"));
        }
        return null;
    }

    /// <summary>The run's keys resolved: unknown PIDs and manual cases (unless adopted) refused per key.</summary>
    private async Task<Dictionary<string, QTestCase>> ResolveCasesAsync(CancellationToken ct)
    {
        var cases = new Dictionary<string, QTestCase>(StringComparer.OrdinalIgnoreCase);
        var keys = _context.Run.Keyed.Select(k => k.Key).ToList();
        if (keys.Count == 0) return cases;
        // A bare number is a test case id, TC-12 its PID.
        var pids = keys.Where(k => !char.IsDigit(k[0])).ToList();
        var ids = keys.Where(k => char.IsDigit(k[0])).ToList();
        var byPid = pids.Count == 0 ? [] : await SearchAsync("test-cases", "pid", pids, ct).ConfigureAwait(false);
        if (byPid is null) return cases;
        var byId = ids.Count == 0 ? [] : await SearchAsync("test-cases", "id", ids, ct).ConfigureAwait(false);
        if (byId is null) return cases;

        var manual = new List<(string Key, JsonElement Item)>();
        foreach (var keyed in _context.Run.Keyed)
        {
            if (!(byPid.TryGetValue(keyed.Key, out var item) || byId.TryGetValue(keyed.Key, out item)))
            {
                KeyLedger.Settle(_context, keyed.Key, KeyStates.Refused, [$"test case {keyed.Key} does not exist in qTest project {Project} (or the user cannot see it)."], null);
                continue;
            }
            var id = item.TryGetProperty("id", out var i) && i.TryGetInt64(out var n) ? n : 0;
            long? version = item.TryGetProperty("test_case_version_id", out var v) && v.TryGetInt64(out var vn) ? vn : null;
            var content = Property(item, AutomationContentField)?.Value;
            var automated = Property(item, AutomationField) is { } a && (string.Equals(a.ValueName, "Yes", StringComparison.OrdinalIgnoreCase) || a.ValueName is null && a.Value is "711" or "Yes");
            if (automated && !string.IsNullOrWhiteSpace(content)) cases[keyed.Key] = new QTestCase(keyed.Key, id, content!, version);
            else manual.Add((keyed.Key, item));
        }
        if (manual.Count == 0) return cases;
        if (!O.For<QTestOptions>().AdoptManualCases)
        {
            foreach (var (key, _) in manual)
                KeyLedger.Settle(_context, key, KeyStates.Refused,
                    [$"test case {key} is not automated in qTest (no Automation Content), so its result cannot be attached to it. Set Automation = Yes and Automation Content = the test's fully qualified name on the case, or publish with adoptManualCases=true to do that automatically."], null);
            return cases;
        }
        await AdoptAsync(manual, cases, ct).ConfigureAwait(false);
        return cases;
    }

    /// <summary>
    /// adoptManualCases: GET the test-case fields once (the Automation field's "Yes" value), then PUT
    /// each manual case with Automation = Yes and Automation Content = its test's fully qualified name.
    /// </summary>
    private async Task AdoptAsync(List<(string Key, JsonElement Item)> manual, Dictionary<string, QTestCase> cases, CancellationToken ct)
    {
        long automationId = 0, contentId = 0;
        string? yes = null;
        try
        {
            var response = await SendAsync(() => Request(HttpMethod.Get, Api("settings/test-cases/fields")), ct).ConfigureAwait(false);
            if (!response.IsSuccess) throw new QTestStop(Describe(response));
            using var doc = JsonDocument.Parse(response.Body);
            foreach (var field in doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray() : default)
            {
                var label = Text(field, "label");
                var id = field.TryGetProperty("id", out var i) && i.TryGetInt64(out var n) ? n : 0;
                if (string.Equals(label, AutomationContentField, StringComparison.OrdinalIgnoreCase)) contentId = id;
                else if (string.Equals(label, AutomationField, StringComparison.OrdinalIgnoreCase))
                {
                    automationId = id;
                    if (field.TryGetProperty("allowed_values", out var values) && values.ValueKind == JsonValueKind.Array)
                        yes = values.EnumerateArray().Where(x => string.Equals(Text(x, "label"), "Yes", StringComparison.OrdinalIgnoreCase)).Select(x => Text(x, "value")).FirstOrDefault();
                }
            }
        }
        catch (Exception e) when (e is QTestStop or JsonException or TmsHttpException { Kind: not HttpFailureKind.Cancelled })
        {
            foreach (var (key, _) in manual) KeyLedger.Settle(_context, key, KeyStates.NotSent, [$"adoptManualCases: reading the test-case fields of project {Project} failed: {Redact(e.Message)}"], null);
            return;
        }
        if (automationId == 0 || contentId == 0 || yes is null)
        {
            foreach (var (key, _) in manual) KeyLedger.Settle(_context, key, KeyStates.NotSent, [$"adoptManualCases: project {Project} has no '{AutomationField}' field with a 'Yes' value and '{AutomationContentField}' field."], null);
            return;
        }
        foreach (var (key, item) in manual)
        {
            var keyed = _context.Run.Keyed.First(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase));
            var content = keyed.Results[0].TestName;
            var id = item.TryGetProperty("id", out var i) && i.TryGetInt64(out var n) ? n : 0;
            var body = QTestPayload.AdoptCase(Text(item, "name") ?? keyed.Results[0].MethodName, automationId, yes, contentId, content);
            TmsHttpResponse response;
            try
            {
                response = await SendAsync(() => Request(HttpMethod.Put, Api("test-cases/" + id.ToString(CultureInfo.InvariantCulture)), body), ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                KeyLedger.Settle(_context, key, KeyStates.NotSent, [$"adoptManualCases: marking test case {key} automated failed: {Redact(e.Message)}"], null);
                continue;
            }
            if (!response.IsSuccess)
            {
                KeyLedger.Settle(_context, key, KeyStates.Refused, [$"adoptManualCases: marking test case {key} automated was refused: {Describe(response)}"], null);
                continue;
            }
            Report.Warnings.Add($"{Name}: test case {key} was not automated; it is now, with Automation Content '{content}' (adoptManualCases).");
            // The version changed with the update: its id is not sent (qTest takes the latest).
            cases[key] = new QTestCase(key, id, content, null);
        }
    }
}
