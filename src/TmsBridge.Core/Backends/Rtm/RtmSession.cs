using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Keys;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Rtm;

/// <summary>The Test Execution the run goes into, and its TCE keys when they are known (null: not read).</summary>
internal sealed class RtmExecution(string key, HashSet<string>? tces)
{
    public string Key { get; } = key;
    public HashSet<string>? Tces { get; } = tces;
}

/// <summary>
/// One RTM publish: the context and how its requests are built and its failures worded. Step 1, the
/// Test Execution, is here; step 2, the per-TCE work, in RtmSession.Cases.cs.
/// </summary>
internal sealed partial class RtmSession(RtmBackendBase backend, PublishContext context)
{
    private PublishContext Context { get; } = context;
    private TmsOptions O => Context.Options;
    private PublishReport Report => Context.Report;
    private string Name => backend.DisplayName;
    private bool V1 => O.For<RtmOptions>().RtmApiVersion == "v1";

    private Uri Api(string relative) => new(backend.ApiRoot(O), relative);

    private HttpRequestMessage Request(HttpMethod method, Uri uri, JsonNode? body = null) => Authorized(JsonRequests.Create(method, uri, body));

    /// <summary>Status, RTM's words (redacted), and what to check for the status.</summary>
    private string Describe(TmsHttpResponse r) => TmsErrors.Describe(r, Context.Redactor, r.StatusCode switch
    {
        401 => backend.CredentialsHint,
        403 => " (the user lacks permission in this project, or RTM is not enabled for it)",
        429 => " (rate limited by RTM; lower parallelism or set rateLimit)",
        _ => "",
    });

    private string Redact(string text) => Context.Redactor.Redact(text);

    private void Fail(string message)
    {
        Report.Errors.Add($"{Name}: {message}");
        Context.MarkAll(KeyStates.NotSent, message);
    }

    /// <summary>Jira's issue page on Server/DC (the TE is a Jira issue); Cloud's API host is not the Jira site, so none.</summary>
    private string? BrowseUrl(string key) => backend.IsJiraServer ? new Uri(O.BaseUrl!, "browse/" + Uri.EscapeDataString(key)).ToString() : null;

    private string Summary() => O.Summary ?? Context.DefaultTitle;

    /// <summary>The description with this run's marker, by which a lost create is found.</summary>
    private string Description()
    {
        var marker = Context.Marker;
        if (marker is null) return O.Description ?? "";
        return RunMarker.Append(string.IsNullOrEmpty(O.Description) ? null : O.Description, marker, marker);
    }

    private JsonObject ExecuteBody() => RtmPayload.ExecuteBody(Context.SharedExecution ? null : Context.Run.Keyed.Select(k => k.Key), Summary(), Description(), O,
        Context.Run.Start ?? Context.RunStarted, Context.Run.Finish ?? Context.RunFinished);

    /// <summary>The TE path: v2/test-execution/{key}, or the V1 form.</summary>
    private Uri ExecutionUri(string key) => Api((V1 ? "test-execution/" : "v2/test-execution/") + Uri.EscapeDataString(key));

    public async Task<RtmExecution?> ResolveExecutionAsync(CancellationToken ct)
    {
        if (O.TestExecution is { } given)
        {
            Report.Execution = new ExecutionReference { Key = given, Url = BrowseUrl(given), Reused = true };
            var (tces, problem) = await ReadExecutionAsync(given, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                Fail($"the Test Execution {given} (testExecution) could not be read: {problem}");
                return null;
            }
            return new RtmExecution(given, tces);
        }

        var plan = O.TestPlan!;
        var marker = Context.Marker;
        var project = RunProject.Of(O.Project, Context.Run.Keyed.Select(k => k.Key)) ?? KeyRule.ProjectOf(plan);
        // Server/DC: Jira's search with the same credentials; Cloud: the TCEs of the run's test cases (FindEarlier).
        var findEarlier = FindEarlier(marker, project);
        var body = ExecuteBody();
        CreateOnceAnswer created;
        try
        {
            created = await CreateOnce.FindOrCreateAsync(Context, Name, () => Request(HttpMethod.Post, Api(backend.ExecutePath(plan)), body), findEarlier, ct,
                keyOf: text =>
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(text);
                        return RtmPayload.ExecutionKeyOf(doc.RootElement);
                    }
                    catch (JsonException) { return null; }
                }).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Fail($"the Test Execution could not be created from test plan {plan}: {Redact(e.Message)}"
                 + (e.OutcomeUnknown && marker is not null ? $" (the answer was lost{(findEarlier is null ? "" : " and no Test Execution carrying the run marker was found")}: before publishing again, look in RTM for a Test Execution whose description holds '{marker}')" : ""));
            return null;
        }
        if (!created.Response.IsSuccess)
        {
            var hint = created.Response.StatusCode == 404 ? $" (is the test plan '{plan}' right, and baseUrl {backend.BaseUrlHint}?)" : "";
            Fail($"the Test Execution could not be created from test plan {plan}: {Describe(created.Response)}{hint}");
            return null;
        }
        string? key = null;
        try
        {
            using var doc = JsonDocument.Parse(created.Response.Body);
            key = RtmPayload.ExecutionKeyOf(doc.RootElement);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("warnings", out var warnings) && warnings.ValueKind == JsonValueKind.Array)
                foreach (var w in warnings.EnumerateArray()) Report.Warnings.Add($"{Name}: creating the Test Execution: {Redact(w.ToString())}");
        }
        catch (JsonException) { }
        if (key is null)
        {
            Fail($"the answer to the Test Execution create named no key: {TmsErrors.Excerpt(created.Response.Body, Context.Redactor)}");
            return null;
        }
        if (created.Recovered)
            Report.Warnings.Add($"{Name}: the answer to the request that created Test Execution {key} was lost; it was found by its run marker instead of being created twice.");
        if (created.Existing)
        {
            // A group's TE, created by another member from the same test plan: its TCEs are read like a given
            // testExecution's, and a key it does not hold is refused by name (RTM creates TCEs only at the TE's create).
            Context.ReportJoined(Name, new ExecutionReference { Key = key, Url = BrowseUrl(key) });
            var (joinedTces, joinProblem) = await ReadExecutionAsync(key, ct).ConfigureAwait(false);
            if (joinProblem is not null)
            {
                Fail($"the Test Execution {key} (found by the marker '{marker}') could not be read: {joinProblem}");
                return null;
            }
            return new RtmExecution(key, joinedTces);
        }
        Report.Execution = new ExecutionReference { Key = key, Url = BrowseUrl(key), Reused = false };

        if (!await WaitWhilePendingAsync(key, ct).ConfigureAwait(false)) return null;
        // Its TCEs: a key the plan does not hold is then refused by name without a request of its own.
        var (tceKeys, readProblem) = await ReadExecutionAsync(key, ct).ConfigureAwait(false);
        if (readProblem is not null)
            Report.Warnings.Add($"{Name}: the new Test Execution {key} could not be read back ({readProblem}); every key's TCE is written blindly.");
        return new RtmExecution(key, tceKeys);
    }

    /// <summary>
    /// The lookup handed to <see cref="CreateOnce"/> that finds the TE this run created by its run marker,
    /// its answer shaped like the create's (<c>testKey</c>); null when there is nothing to look up by.
    /// Server/DC: Jira's search, with the same credentials. Cloud, whose API host is not Jira: the TCEs of
    /// the run's first test cases name their TEs, read for the marker (<see cref="RtmExecutionFinder"/>).
    /// </summary>
    internal Func<CancellationToken, Task<TmsHttpResponse?>>? FindEarlier(string? marker, string? project)
    {
        if (marker is null) return null;
        if (backend.IsJiraServer)
        {
            if (project is null) return null;
            return async token => await JiraMarkerSearch.FindAsync(Context.Http, O.BaseUrl!, r => backend.Authorize(r, O), project, marker, null, token).ConfigureAwait(false) is { } found
                ? Found(found.Key, found.Id)
                : null;
        }
        return async token => await RtmExecutionFinder.FindAsync(Context.Http, Api, r => backend.Authorize(r, O), Context.Run.Keyed.Select(k => k.Key), marker,
                key => (V1 ? "test-execution/" : "v2/test-execution/") + Uri.EscapeDataString(key), token).ConfigureAwait(false) is { } key
            ? Found(key, null)
            : null;
    }

    private static TmsHttpResponse Found(string key, string? id) =>
        new(System.Net.HttpStatusCode.OK, new JsonObject { ["testKey"] = key, ["issueId"] = id }.ToJsonString(), "application/json", new Dictionary<string, string>());

    /// <summary>GET test-execution/status/{key} until it says anything but Pending; false (and the publish failed) when it could not be read.</summary>
    private async Task<bool> WaitWhilePendingAsync(string key, CancellationToken ct)
    {
        var uri = Api("test-execution/status/" + Uri.EscapeDataString(key));
        for (var poll = 0; ; poll++)
        {
            TmsHttpResponse response;
            try
            {
                response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, uri)), ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                Fail($"the status of the new Test Execution {key} could not be read: {Redact(e.Message)}");
                return false;
            }
            // An RTM without the asynchronous create has no status endpoint: the execution is there.
            if (response.StatusCode == 404) return true;
            if (!response.IsSuccess)
            {
                Fail($"the status of the new Test Execution {key} could not be read: {Describe(response)}");
                return false;
            }
            if (!RtmPayload.IsPending(response.Body)) return true;
            await Task.Delay(backend.PendingPollDelay(poll), ct).ConfigureAwait(false);
        }
    }

    /// <summary>GET the TE: its TCE keys (null when it lists none), or why it could not be read.</summary>
    private async Task<(HashSet<string>? Tces, string? Problem)> ReadExecutionAsync(string key, CancellationToken ct)
    {
        TmsHttpResponse response;
        try
        {
            response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, ExecutionUri(key))), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            return (null, Redact(e.Message));
        }
        if (!response.IsSuccess) return (null, Describe(response));
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var tces = RtmPayload.TceKeysOf(doc.RootElement);
            return (tces.Count == 0 && !doc.RootElement.TryGetProperty("testCaseExecutions", out _) ? null : tces, null);
        }
        catch (JsonException)
        {
            return (null, "the answer is not JSON: " + TmsErrors.Excerpt(response.Body, Context.Redactor));
        }
    }

    /// <summary>dryRun: the plan of every request, as one JSON file, keys planned.</summary>
    public void WriteDryRun(List<PlannedEvidence> evidence)
    {
        var te = O.TestExecution ?? "{new Test Execution}";
        var plan = new JsonObject
        {
            ["target"] = O.Target,
            ["testExecution"] = O.TestExecution is null
                ? new JsonObject { ["create"] = "POST " + Api(backend.ExecutePath(O.TestPlan ?? "")), ["body"] = ExecuteBody() }
                : new JsonObject { ["reuse"] = O.TestExecution },
            ["testCaseExecutions"] = new JsonArray(Context.Run.Keyed.Select(k => (JsonNode)new JsonObject
            {
                ["tce"] = RtmPayload.TceKey(te, k.Key),
                ["result"] = RtmPayload.ResultBody(k, Context.Statuses, O),
                ["comment"] = RtmPayload.Comment(k),
                ["defects"] = new JsonArray(k.Defects.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
                ["coveredRequirements"] = O.LinkRequirements ? RtmPayload.CoverBody(k.Requirements) : null,
                ["evidence"] = new JsonArray(evidence.Where(e => e.Keyed == k).Select(e => (JsonNode)JsonValue.Create(e.FileName)!).ToArray()),
            }).ToArray()),
        };
        Context.WriteDryRunFile("rtm-plan.json", Encoding.UTF8.GetBytes(plan.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }
}
