using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Aio;

/// <summary>
/// The publishing flow both AIO Tests flavours share (api-notes/aio-qmetry.md §1):
/// <list type="number">
/// <item>optionally read the project's run statuses once and stop, naming the valid ones, if a mapped status is not among them;</item>
/// <item>find the cycle: testExecution, or (cycleMode) search it by exact title, or create it (folder by path,
/// linked Jira tasks), a create whose answer was lost being found by title and run marker, never made twice;</item>
/// <item>bulk run updates in chunks of at most 100 runs; a 200 with errors is a partial failure per case;</item>
/// <item>evidence: one paged listing of the cycle's runs for the run ids, then one multipart upload per file;
/// a 404 there (older AIO Server) turns attachments off for the rest of the run with one warning.</item>
/// </list>
/// About ceil(N/100) + E + a few requests, paced by the client-side limiter (60 per minute per IP).
/// </summary>
public abstract class AioBackendBase : ITmsBackend
{
    public const int MaxRunsPerBulk = 100;
    public const int PageSize = 100;
    /// <summary>Bound on listing pages (100 runs each): a cycle with more runs is not read whole.</summary>
    public const int MaxListingPages = 200;

    public abstract string DisplayName { get; }
    /// <summary>"aio" or "aio-cloud", for messages.</summary>
    protected abstract string TargetName { get; }
    public IReadOnlyDictionary<TestOutcome, string> DefaultStatuses => StatusMap.AioDefaults;
    /// <summary>AIO: 60 requests per minute per IP, on every endpoint.</summary>
    public RequestRate? DefaultRateLimit => new(60, TimeSpan.FromMinutes(1));

    /// <summary>The API root, ending in '/': {cloud host}/aio-tcms/api/v1/ or {jira}/rest/aio-tcms-api/1.0/.</summary>
    public abstract Uri ApiRoot(TmsOptions options);
    protected abstract void Authorize(HttpRequestMessage request, TmsOptions options);
    /// <summary>Runs inside Jira Server/DC: its multipart calls carry X-Atlassian-Token: no-check (<see cref="BrowserMultipart.Post"/>).</summary>
    protected abstract bool IsJiraServer { get; }
    protected abstract IEnumerable<string> ValidateFlavour(TmsOptions options);

    public IEnumerable<string> Validate(TmsOptions options)
    {
        foreach (var p in ValidateFlavour(options)) yield return p;
        if (options.TestExecution is null && options.CycleMode == "reuse")
            yield return $"target '{TargetName}': cycleMode=reuse needs the cycle to report into: set testExecution ({OptionCatalog.TestExecution.EnvironmentVariable}) to a cycle key such as DEMO-CY-12.";
        if (options.TestExecution is null && options.CycleMode == "createIfAbsent" && options.Summary is null)
            yield return $"target '{TargetName}': cycleMode=createIfAbsent looks the cycle up by its title: set summary ({OptionCatalog.Summary.EnvironmentVariable}).";
    }

    public static string RunMarker(string runId) => "TmsBridge run " + runId;

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var report = context.Report;
        if (o.ProvisionUnmapped && context.Run.Unmapped.Count > 0)
            report.Warnings.Add($"{DisplayName}: provisionUnmapped is not supported (AIO runs are posted by case key); {context.Run.Unmapped.Count} test(s) without a case key were not sent.");
        if (context.Run.Keyed.Count == 0) return;

        var project = o.Project ?? context.Run.Keyed.Select(k => KeyRule.ProjectOf(k.Key)).FirstOrDefault(p => p is not null);
        if (project is null)
        {
            report.Errors.Add($"{DisplayName}: no project: set the project option ({OptionCatalog.Project.EnvironmentVariable}).");
            context.MarkAll(KeyStates.NotSent, "no project");
            return;
        }
        var runs = AioPayload.Runs(context.Run.Keyed, context.Statuses, o.CreateNewRun);
        var evidence = PlanEvidence(context);
        var session = new Session(this, context, project);

        if (context.DryRun)
        {
            WriteDryRun(session, runs, evidence);
            context.MarkAll(KeyStates.Planned, null);
            return;
        }

        if (o.CheckStatuses && !await session.CheckStatusesAsync(runs, cancellationToken).ConfigureAwait(false)) return;

        var cycle = await session.ResolveCycleAsync(cancellationToken).ConfigureAwait(false);
        if (cycle is null) return;

        var sentRuns = await session.SendRunsAsync(cycle, runs, cancellationToken).ConfigureAwait(false);
        await session.AttachEvidenceAsync(cycle, evidence, sentRuns, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evidence per key, named uniquely per case, under the per-file and per-run budgets (others reported as skipped).</summary>
    private static List<AioEvidence> PlanEvidence(PublishContext context)
    {
        var o = context.Options;
        var list = new List<AioEvidence>();
        long runBytes = 0;
        foreach (var k in context.Run.Keyed)
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in k.Results)
            {
                foreach (var a in r.Attachments)
                {
                    if (!File.Exists(a.Path))
                    {
                        context.Report.Warnings.Add($"{k.Key}: evidence '{a.FileName}' of '{r.Name}' is missing from the run folder ({a.Path}); it is not sent.");
                        continue;
                    }
                    var size = new FileInfo(a.Path).Length;
                    var name = a.FileName;
                    if (!names.Add(name)) { name = $"{r.Sequence}-{name}"; names.Add(name); }
                    if (size > o.MaxEvidenceFileBytes)
                        Skip(context.Report, k.Key, name, size, $"larger than maxEvidenceFileBytes ({o.MaxEvidenceFileBytes} bytes)");
                    else if (runBytes + size > o.MaxEvidenceRunBytes)
                        Skip(context.Report, k.Key, name, size, $"over the run's evidence budget, maxEvidenceRunBytes ({o.MaxEvidenceRunBytes} bytes)");
                    else
                    {
                        runBytes += size;
                        list.Add(new AioEvidence(k, r, a, name, size));
                    }
                }
            }
        }
        return list;
    }

    internal static void Skip(PublishReport report, string key, string file, long bytes, string reason)
    {
        report.SkippedEvidence.Add(new SkippedEvidenceReport { Key = key, File = file, Bytes = bytes, Reason = reason });
        report.FindKey(key)?.Messages.Add($"evidence '{file}' not sent: {reason}");
    }

    private static void WriteDryRun(Session session, List<AioRun> runs, List<AioEvidence> evidence)
    {
        var context = session.Context;
        var o = context.Options;
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var cycle = o.TestExecution is not null
            ? new JsonObject { ["testExecution"] = o.TestExecution }
            : new JsonObject
            {
                ["cycleMode"] = o.CycleMode,
                ["folder"] = o.CycleFolder is null ? null : AioPayload.FolderBody(o.CycleFolder),
                ["create"] = AioPayload.CycleBody(session.Title(), session.Objective(), o.CycleFolder is null ? null : JsonValue.Create("(folder ID)"), session.Tasks()),
            };
        cycle["project"] = session.Project;
        cycle["api"] = session.Api("").ToString();
        context.WriteDryRunFile("aio-cycle.json", Encoding.UTF8.GetBytes(cycle.ToJsonString(indented)));
        var number = 0;
        foreach (var chunk in Chunks(runs))
            context.WriteDryRunFile($"aio-bulk-{++number}.json", Encoding.UTF8.GetBytes(AioPayload.BulkBody(chunk).ToJsonString(indented)));
        var files = new JsonArray(evidence.Select(e => (JsonNode?)new JsonObject
        {
            ["testCaseKey"] = e.Keyed.Key, ["file"] = e.FileName, ["contentType"] = e.File.ContentType, ["bytes"] = e.Size,
        }).ToArray());
        context.WriteDryRunFile("aio-attachments.json", Encoding.UTF8.GetBytes(files.ToJsonString(indented)));
    }

    internal static IEnumerable<List<AioRun>> Chunks(List<AioRun> runs)
    {
        for (var i = 0; i < runs.Count; i += MaxRunsPerBulk) yield return runs.GetRange(i, Math.Min(MaxRunsPerBulk, runs.Count - i));
    }

    /// <summary>The cycle the run goes into: key (or ID) used in paths.</summary>
    internal sealed class CycleRef(string path, string? key)
    {
        public string Path { get; } = path;
        public string? Key { get; } = key;
    }

    /// <summary>One publish: the context, the project and the requests.</summary>
    private sealed class Session(AioBackendBase backend, PublishContext context, string project)
    {
        public PublishContext Context { get; } = context;
        public string Project { get; } = project;
        private TmsOptions O => Context.Options;
        private PublishReport Report => Context.Report;
        private string Name => backend.DisplayName;

        public Uri Api(string relative) => new(backend.ApiRoot(O), "project/" + Uri.EscapeDataString(Project) + "/" + relative);

        private HttpRequestMessage Request(HttpMethod method, Uri uri, JsonNode? body = null)
        {
            var request = new HttpRequestMessage(method, uri);
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            backend.Authorize(request, O);
            return request;
        }

        private string Describe(TmsHttpResponse r) =>
            $"HTTP {r.StatusCode} {r.Status}: {Context.Redactor.Redact(Xray.XrayErrors.MessageOf(r.Body))}" + Hint(r.StatusCode);

        private string Hint(int status) => status switch
        {
            401 => backend is AioCloudBackend
                ? $" (check {OptionCatalog.Token.EnvironmentVariable}: an AIO Tests API token, sent as 'AioAuth <token>')"
                : $" (check the Jira credentials: {OptionCatalog.Token.EnvironmentVariable} as a personal access token, or user plus {OptionCatalog.Password.EnvironmentVariable})",
            403 => " (the user lacks permission in this project, or AIO Tests is disabled for it)",
            404 => $" (is the project '{Project}' right, and baseUrl {(backend is AioCloudBackend ? "the AIO Tests Cloud host" : "the Jira base URL with AIO Tests installed")}?)",
            429 => " (rate limited: AIO allows 60 requests per minute per IP; lower rateLimit)",
            _ => "",
        };

        public string Title() => AioPayload.Title(O.Summary ?? Context.DefaultTitle);

        public string Objective()
        {
            var marker = Context.RunId.Length > 0 ? RunMarker(Context.RunId) : null;
            if (marker is null) return O.Description ?? "";
            return string.IsNullOrEmpty(O.Description) ? marker : O.Description + "\n\n" + marker;
        }

        public List<string> Tasks()
        {
            var tasks = new List<string>();
            foreach (var t in (O.TestPlan is null ? [] : new[] { O.TestPlan }).Concat(O.Tasks))
                if (!tasks.Contains(t, StringComparer.OrdinalIgnoreCase)) tasks.Add(t);
            return tasks;
        }

        /// <summary>GET /config once: every status the runs use must be one of the project's run statuses.</summary>
        public async Task<bool> CheckStatusesAsync(List<AioRun> runs, CancellationToken ct)
        {
            TmsHttpResponse response;
            try
            {
                response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, Api("config"))), ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                Fail($"reading the project's run statuses failed: {Context.Redactor.Redact(e.Message)}");
                return false;
            }
            if (!response.IsSuccess)
            {
                if (response.StatusCode is 401 or 403 or 404)
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

            var wrong = new List<string>();
            foreach (var pair in Context.Statuses.Entries.OrderBy(p => p.Key))
            {
                var match = valid.FirstOrDefault(v => string.Equals(v, pair.Value, StringComparison.OrdinalIgnoreCase));
                var used = runs.Any(r => r.Status == pair.Value);
                if (match is not null)
                {
                    // The project's own spelling is what AIO compares with.
                    foreach (var r in runs.Where(r => r.Status == pair.Value)) r.Status = match;
                    continue;
                }
                var text = $"'{pair.Value}' (for {pair.Key})";
                if (used) wrong.Add(text);
                else Report.Warnings.Add($"{Name}: statusMap maps {pair.Key} to '{pair.Value}', which is not a run status of project {Project} (no result of this run needed it).");
            }
            if (wrong.Count == 0) return true;
            var names = string.Join(", ", valid.Select(v => $"'{v}'"));
            Fail($"the run status{(wrong.Count > 1 ? "es" : "")} {string.Join(", ", wrong)} {(wrong.Count > 1 ? "are" : "is")} not among project {Project}'s run statuses: {names}. " +
                 $"Map outcomes to those names with statusMap (e.g. {OptionCatalog.StatusMap.EnvironmentVariable}=\"Skipped={valid[0]}\"), or set checkStatuses=false.");
            return false;
        }

        /// <summary>
        /// The names in /config's runStatuses[] (each {ID, name}), or why the answer could not be read
        /// (not JSON, no runStatuses list, entries without a name); null when it was read, even if empty.
        /// </summary>
        private string? ReadRunStatuses(string body, List<string> names)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("runStatuses", out var list) || list.ValueKind != JsonValueKind.Array)
                    return $"no runStatuses list ({Excerpt(body)})";
                var entries = 0;
                foreach (var s in list.EnumerateArray())
                {
                    entries++;
                    if (s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())) names.Add(n.GetString()!);
                }
                return entries > 0 && names.Count == 0 ? $"runStatuses entries without a name ({Excerpt(body)})" : null;
            }
            catch (JsonException)
            {
                return $"a body that is not JSON ({Excerpt(body)})";
            }
        }

        private string Excerpt(string body)
        {
            var text = Context.Redactor.Redact(body.Trim());
            if (text.Length == 0) return "empty";
            return "'" + (text.Length > 100 ? text.Substring(0, 100) + "…" : text) + "'";
        }

        private void Fail(string message)
        {
            Report.Errors.Add($"{Name}: {message}");
            Context.MarkAll(KeyStates.NotSent, message);
        }

        public async Task<CycleRef?> ResolveCycleAsync(CancellationToken ct)
        {
            if (O.TestExecution is { } given)
            {
                Report.Execution = new ExecutionReference { Key = given, Reused = true };
                return new CycleRef(given, given);
            }
            var title = Title();
            if (O.CycleMode == "createIfAbsent")
            {
                try
                {
                    var found = await SearchCycleAsync(title, marker: null, ct).ConfigureAwait(false);
                    if (found is { } f)
                    {
                        Report.Execution = new ExecutionReference { Key = f.Key, Id = f.Id, Reused = true };
                        return new CycleRef(f.Key ?? f.Id!, f.Key);
                    }
                }
                catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
                {
                    // Creating blindly could make a second cycle of the same title: stop instead.
                    Fail($"looking up the cycle '{title}' failed: {Context.Redactor.Redact(e.Message)}");
                    return null;
                }
            }

            JsonNode? folderId = null;
            if (O.CycleFolder is { Length: > 0 } path && AioPayload.FolderPath(path).Count > 0)
            {
                TmsHttpResponse folder;
                try
                {
                    folder = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Put, Api("testcycle/folder/hierarchy"), AioPayload.FolderBody(path))), ct).ConfigureAwait(false);
                }
                catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
                {
                    Fail($"the cycle folder '{path}' could not be created: {Context.Redactor.Redact(e.Message)}");
                    return null;
                }
                if (!folder.IsSuccess)
                {
                    Fail($"the cycle folder '{path}' could not be created: {Describe(folder)}");
                    return null;
                }
                try
                {
                    folderId = JsonNode.Parse(folder.Body)?["ID"]?.DeepClone();
                }
                catch (JsonException) { }
                if (folderId is null)
                {
                    Fail($"the answer for the cycle folder '{path}' named no folder ID.");
                    return null;
                }
            }

            var marker = Context.RunId.Length > 0 ? RunMarker(Context.RunId) : null;
            var body = AioPayload.CycleBody(title, Objective(), folderId, Tasks());
            var recovered = false;
            TmsHttpResponse created;
            try
            {
                created = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Post, Api("testcycle/detail"), body))
                {
                    Idempotent = false,
                    // A lost answer may hide a cycle that exists: find it by its exact title (and this run's marker) before creating again.
                    FindEarlierEffect = async token =>
                    {
                        var found = await SearchCycleAsync(title, O.CycleMode == "createIfAbsent" ? null : marker, token).ConfigureAwait(false);
                        if (found is null) return null;
                        recovered = true;
                        return new TmsHttpResponse(System.Net.HttpStatusCode.OK, found.Value.Json, "application/json", new Dictionary<string, string>());
                    },
                }, ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                Fail($"the cycle could not be created: {Context.Redactor.Redact(e.Message)}");
                return null;
            }
            if (!created.IsSuccess)
            {
                Fail($"the cycle '{title}' could not be created: {Describe(created)}");
                return null;
            }
            (string? Key, string? Id) cycle = (null, null);
            try
            {
                using var doc = JsonDocument.Parse(created.Body);
                cycle = AioPayload.CycleOf(doc.RootElement);
            }
            catch (JsonException) { }
            if (cycle.Key is null && cycle.Id is null)
            {
                Fail($"the answer to the cycle create named no cycle key or ID: {Context.Redactor.Redact(Xray.XrayErrors.MessageOf(created.Body))}");
                return null;
            }
            if (recovered)
                Report.Warnings.Add($"{Name}: the answer to the request that created cycle {cycle.Key ?? cycle.Id} was lost; the cycle was found by its title instead of being created twice.");
            Report.Execution = new ExecutionReference { Key = cycle.Key, Id = cycle.Id, Reused = false };
            return new CycleRef(cycle.Key ?? cycle.Id!, cycle.Key);
        }

        /// <summary>POST testcycle/search by exact title; with a marker, only a cycle whose objective carries it.</summary>
        private async Task<(string? Key, string? Id, string Json)?> SearchCycleAsync(string title, string? marker, CancellationToken ct)
        {
            var response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Post, Api("testcycle/search?startAt=0&maxResults=" + PageSize), AioPayload.SearchByTitle(title))), ct).ConfigureAwait(false);
            if (!response.IsSuccess)
                throw new TmsHttpException($"searching the cycle '{title}' failed: {Describe(response)}", HttpFailureKind.Dropped);
            using var doc = JsonDocument.Parse(response.Body);
            var items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
                : doc.RootElement.TryGetProperty("items", out var i) ? i : default;
            if (items.ValueKind != JsonValueKind.Array) return null;
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                var itemTitle = item.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (itemTitle is not null && !string.Equals(itemTitle, AioPayload.Title(title), StringComparison.Ordinal)) continue;
                // With a marker, only a cycle that carries it is ours (an older cycle may share the title).
                if (marker is not null && !(item.TryGetProperty("objective", out var obj) && obj.ValueKind == JsonValueKind.String
                    && (obj.GetString() ?? "").IndexOf(marker, StringComparison.Ordinal) >= 0)) continue;
                var (key, id) = AioPayload.CycleOf(item);
                if (key is null && id is null) continue;
                return (key, id, item.GetRawText());
            }
            return null;
        }

        /// <summary>Bulk updates in chunks of 100; returns, per case key, how many of its runs AIO stored.</summary>
        public async Task<Dictionary<string, int>> SendRunsAsync(CycleRef cycle, List<AioRun> runs, CancellationToken ct)
        {
            var remaining = runs.GroupBy(r => r.CaseKey, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
            var stored = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var refused = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            var notSent = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            var query = $"?createNewRun={(O.CreateNewRun ? "true" : "false")}&addCaseToCycle={(O.AddCaseToCycle ? "true" : "false")}";
            var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/bulk/testrun/update{query}");
            string? stop = null;
            var number = 0;

            void Note(Dictionary<string, List<string>> into, string key, string message)
            {
                if (!into.TryGetValue(key, out var list)) into[key] = list = [];
                if (!list.Contains(message)) list.Add(message);
            }

            foreach (var chunk in Chunks(runs))
            {
                number++;
                if (stop is not null)
                {
                    foreach (var r in chunk) Note(notSent, r.CaseKey, stop);
                }
                else
                {
                    var body = AioPayload.BulkBody(chunk);
                    TmsHttpResponse? response = null;
                    try
                    {
                        // Overwriting the latest run is safe to repeat; adding new runs is not.
                        response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Post, uri, body)) { Idempotent = !O.CreateNewRun }, ct).ConfigureAwait(false);
                    }
                    catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
                    {
                        var message = Context.Redactor.Redact(e.Message);
                        Report.Errors.Add($"{Name}: bulk update {number} ({chunk.Count} runs) failed after retries: {message}");
                        foreach (var r in chunk) Note(notSent, r.CaseKey, "not sent: " + message);
                    }
                    if (response is not null && !response.IsSuccess)
                    {
                        var message = Describe(response);
                        Report.Errors.Add($"{Name} refused bulk update {number} ({chunk.Count} runs) into cycle {cycle.Key ?? cycle.Path}: {message}");
                        foreach (var r in chunk) Note(notSent, r.CaseKey, message);
                        // The same answer awaits every later chunk: do not spend the rate budget on it.
                        if (response.StatusCode is 401 or 403 or 404) stop = "not sent: an earlier bulk update was refused with " + message;
                    }
                    else if (response is not null)
                    {
                        var answer = AioPayload.ParseBulk(response.Body);
                        if (answer.Unreadable is not null)
                            Report.Warnings.Add($"{Name} answered bulk update {number} with 200 but {answer.Unreadable}; per-case results could not be checked.");
                        var caseLevel = answer.IsFailed && answer.Errors.Count == 0
                            ? $"AIO answered status {answer.Status ?? "FAILED"} ({answer.ErrorCount} errors) without naming the cases: {Context.Redactor.Redact(Xray.XrayErrors.MessageOf(response.Body))}"
                            : null;
                        foreach (var r in chunk)
                        {
                            if (answer.Errors.TryGetValue(r.CaseKey, out var why)) Note(refused, r.CaseKey, Context.Redactor.Redact(why));
                            else if (caseLevel is not null) Note(refused, r.CaseKey, caseLevel);
                            else stored[r.CaseKey] = (stored.TryGetValue(r.CaseKey, out var n) ? n : 0) + 1;
                        }
                        foreach (var extra in answer.Errors.Keys.Where(k => !chunk.Any(r => string.Equals(r.CaseKey, k, StringComparison.OrdinalIgnoreCase))))
                            Report.Warnings.Add($"{Name} reported an error for {extra}, which was not in the request: {Context.Redactor.Redact(answer.Errors[extra])}");
                    }
                }

                // A key's fate is known once all its runs went out (createNewRun may spread them over chunks).
                foreach (var key in chunk.Select(r => r.CaseKey).Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    remaining[key] -= chunk.Count(r => string.Equals(r.CaseKey, key, StringComparison.OrdinalIgnoreCase));
                    if (remaining[key] > 0) continue;
                    var k = Report.FindKey(key);
                    if (k is null) continue;
                    if (refused.TryGetValue(key, out var why)) { k.State = KeyStates.Refused; k.Messages.AddRange(why); }
                    else if (notSent.TryGetValue(key, out var lost)) { k.State = KeyStates.NotSent; k.Messages.AddRange(lost); }
                    else k.State = KeyStates.Sent;
                    if (refused.ContainsKey(key) && notSent.TryGetValue(key, out var alsoLost)) k.Messages.AddRange(alsoLost);
                    Context.ReportProgress(k.Key, k.State, cycle.Key ?? cycle.Path);
                }
            }
            foreach (var key in refused.Keys.Concat(notSent.Keys)) stored.Remove(key);
            return stored;
        }

        /// <summary>One paged listing for the run ids, then one multipart upload per file.</summary>
        public async Task AttachEvidenceAsync(CycleRef cycle, List<AioEvidence> evidence, Dictionary<string, int> stored, CancellationToken ct)
        {
            if (evidence.Count == 0) return;
            var toSend = new List<AioEvidence>();
            foreach (var e in evidence)
            {
                if (stored.ContainsKey(e.Keyed.Key)) toSend.Add(e);
                else Skip(Report, e.Keyed.Key, e.FileName, e.Size, "the case's run was not recorded, so there is no run to attach it to");
            }
            if (toSend.Count == 0) return;

            Dictionary<string, List<string>> runIds;
            try
            {
                runIds = await ListRunsAsync(cycle, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
            {
                var message = Context.Redactor.Redact(e.Message);
                Report.Errors.Add($"{Name}: the runs of cycle {cycle.Key ?? cycle.Path} could not be listed, so no evidence was attached: {message}");
                foreach (var e2 in toSend) Skip(Report, e2.Keyed.Key, e2.FileName, e2.Size, "the run ids could not be read: " + message);
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
                Report.Warnings.Add($"{Name}: {key} is not in the run listing of cycle {cycle.Key ?? cycle.Path} and its latest run could not be read ({problem}); its evidence is not attached.");
            }

            string? disabled = null;
            foreach (var e in toSend)
            {
                if (disabled is not null)
                {
                    Skip(Report, e.Keyed.Key, e.FileName, e.Size, disabled);
                    continue;
                }
                var runId = RunIdFor(e, runIds, stored);
                if (runId is null)
                {
                    Skip(Report, e.Keyed.Key, e.FileName, e.Size, $"no run of {e.Keyed.Key} was found in cycle {cycle.Key ?? cycle.Path}"
                        + (unknown.TryGetValue(e.Keyed.Key, out var why) ? " (latest run: " + why + ")" : ""));
                    continue;
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
                    Skip(Report, e.Keyed.Key, e.FileName, e.Size, "the upload failed: " + Context.Redactor.Redact(x.Message));
                    continue;
                }
                catch (Exception x) when (x is IOException or UnauthorizedAccessException)
                {
                    Skip(Report, e.Keyed.Key, e.FileName, e.Size, "the file could not be read: " + x.Message);
                    continue;
                }
                if (response.StatusCode == 404)
                {
                    disabled = "attachments are turned off for this run: the server answered 404 to the attachment endpoint (older AIO Server versions have none)";
                    Report.Warnings.Add($"{Name} answered 404 to the attachment upload of run {runId} ({Describe(response)}); older AIO Server versions have no attachment API, so evidence is not sent for the rest of this run.");
                    Skip(Report, e.Keyed.Key, e.FileName, e.Size, disabled);
                    continue;
                }
                if (!response.IsSuccess)
                    Skip(Report, e.Keyed.Key, e.FileName, e.Size, "the upload was refused: " + Describe(response));
            }
        }

        private HttpRequestMessage AttachmentRequest(Uri uri, AioEvidence e)
        {
            // A fresh stream for every attempt: the file is streamed, never held in memory.
            var stream = new FileStream(e.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
            var file = new StreamContent(stream, 81920);
            file.Headers.ContentLength = stream.Length;
            var form = new BrowserMultipart().AddFile("file", e.FileName, file, e.File.ContentType);
            var request = BrowserMultipart.Post(uri, form, backend.IsJiraServer);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            backend.Authorize(request, O);
            return request;
        }

        /// <summary>
        /// The run a file goes to. One run per case: its newest. With createNewRun and several rows, the
        /// case's newest runs in creation order stand for the rows in the order they were sent.
        /// </summary>
        private static string? RunIdFor(AioEvidence e, Dictionary<string, List<string>> runIds, Dictionary<string, int> stored)
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

        /// <summary>
        /// GET testcycle/{c}/testcase/{k}/testrun (api-notes/aio-qmetry.md §1.2, "Latest run of a case"):
        /// the run id, or null and why not. The answer is the run ({"ID": ...}); an array is read as runs, newest last.
        /// </summary>
        private async Task<(string? Id, string? Problem)> LatestRunAsync(CycleRef cycle, string caseKey, CancellationToken ct)
        {
            var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/testcase/{Uri.EscapeDataString(caseKey)}/testrun");
            TmsHttpResponse response;
            try
            {
                response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, uri)), ct).ConfigureAwait(false);
            }
            catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
            {
                return (null, Context.Redactor.Redact(e.Message));
            }
            if (!response.IsSuccess) return (null, Describe(response));
            try
            {
                using var doc = JsonDocument.Parse(response.Body);
                var run = doc.RootElement;
                if (run.ValueKind == JsonValueKind.Array) run = run.EnumerateArray().LastOrDefault(x => x.ValueKind == JsonValueKind.Object);
                var id = run.ValueKind != JsonValueKind.Object ? null
                    : run.TryGetProperty("ID", out var x) ? AioPayload.IdText(x) : run.TryGetProperty("id", out var y) ? AioPayload.IdText(y) : null;
                if (id is not null) return (id, null);
            }
            catch (JsonException) { }
            return (null, "the answer named no run ID: " + Context.Redactor.Redact(Xray.XrayErrors.MessageOf(response.Body)));
        }

        /// <summary>GET testcycle/{c}/testrun, 100 a page: run ids per case key, oldest first.</summary>
        private async Task<Dictionary<string, List<string>>> ListRunsAsync(CycleRef cycle, CancellationToken ct)
        {
            var ids = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            var startAt = 0;
            for (var page = 0; page < MaxListingPages; page++)
            {
                var uri = Api($"testcycle/{Uri.EscapeDataString(cycle.Path)}/testrun?startAt={startAt}&maxResults={PageSize}");
                var response = await Context.Http.SendAsync(new HttpCall(() => Request(HttpMethod.Get, uri)), ct).ConfigureAwait(false);
                if (!response.IsSuccess) throw new TmsHttpException($"GET {uri}: {Describe(response)}", HttpFailureKind.Dropped);
                using var doc = JsonDocument.Parse(response.Body);
                var root = doc.RootElement;
                var items = root.ValueKind == JsonValueKind.Array ? root : root.TryGetProperty("items", out var i) ? i : default;
                if (items.ValueKind != JsonValueKind.Array) break;
                var count = 0;
                foreach (var item in items.EnumerateArray())
                {
                    count++;
                    if (item.ValueKind != JsonValueKind.Object) continue;
                    var key = CaseKeyOf(item);
                    var id = item.TryGetProperty("ID", out var x) ? AioPayload.IdText(x) : item.TryGetProperty("id", out var y) ? AioPayload.IdText(y) : null;
                    if (key is null || id is null) continue;
                    if (!ids.TryGetValue(key, out var list)) ids[key] = list = [];
                    list.Add(id);
                }
                startAt += count;
                var isLast = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("isLast", out var last) && last.ValueKind == JsonValueKind.True;
                var total = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("total", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n) ? n : -1;
                if (isLast || count == 0 || (total >= 0 && startAt >= total) || root.ValueKind == JsonValueKind.Array) break;
            }
            foreach (var list in ids.Values) list.Sort(AioPayload.CompareIds);
            return ids;
        }
    }
}
