using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.Auth;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.QMetry;

/// <summary>
/// QMetry Test Management for Jira (QTM4J) automation import, both flavours at their real paths
/// (api-notes/aio-qmetry.md §2.3; seed 003): Cloud <c>/rest/api/automation/importresult</c> with the
/// <c>apiKey</c> header only (the sandbox's base URL stands in for https://qtmcloud.qmetry.com), Server/DC
/// <c>/rest/qtm4j/automation/latest/importresult</c> with <c>apiKey</c> plus Jira Basic or a PAT.
/// Step 1 hands out a one-time upload URL that expires after 5 minutes: Cloud a pre-signed storage URL
/// (<c>/qtm4j-storage/...</c>, which refuses an Authorization or apiKey header, as S3 refuses a second
/// auth mechanism: a secret must never travel there), Server a multipart endpoint on the Jira host (204).
/// Step 3 answers "INPROCESS" (Server) or "In Progress" (Cloud) for the first poll(s), then SUCCESS or FAILED.
/// Errors in QMetry's shape: {"status", "errorMessage", "errors"?, "timestamp"}.
/// </summary>
internal static class QMetryEndpoints
{
    public const string CloudBase = "/rest/api/automation/importresult";
    public const string ServerBase = "/rest/qtm4j/automation/latest/importresult";
    public const string StorageBase = "/qtm4j-storage";
    public static readonly string[] Formats = ["cucumber", "testng", "junit", "qaf", "hpuft", "specflow"];
    private static readonly Dictionary<string, string[]> FieldNames = new(StringComparer.Ordinal)
    {
        ["testCycle"] = ["labels", "components", "priority", "status", "summary", "description", "assignee", "reporter", "plannedStartDate", "plannedEndDate", "fixVersionId", "sprintId", "customFields", "folderId", "folderPath"],
        ["testCase"] = ["labels", "components", "priority", "status", "description", "precondition", "assignee", "reporter", "estimatedTime", "fixVersionId", "sprintId", "customFields", "folderId", "folderPath"],
        ["testCaseExecution"] = ["comment", "actualTime", "assignee", "executionPlannedDate", "customFields"],
    };
    private static readonly string[] BodyNames = ["format", "testCycleToReuse", "environment", "build", "isZip", "attachFile", "matchTestSteps", "automationHierarchy", "appendTestName", "fields", "useFeatureName", "useFeatureDescription"];

    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        app.MapPost(CloudBase, Handler(http => ImportAsync(http, state, state.QMetry)));
        app.MapGet(CloudBase + "/track", (HttpContext http) => Track(http, state, state.QMetry));
        app.MapPut(StorageBase + "/{token}", (HttpContext http, string token) => PutAsync(http, state, token));

        app.MapPost(ServerBase, Handler(http => ImportAsync(http, state, state.QMetryServer)));
        app.MapGet(ServerBase + "/track", (HttpContext http) => Track(http, state, state.QMetryServer));
        app.MapPost(ServerBase + "/upload/{token}", (HttpContext http, string token) => PostUploadAsync(http, state, token));

        // Test knobs: the next N upload URLs handed out are already expired; the next N imports end FAILED.
        app.MapPost("/_sandbox/qmetry/expire-uploads", (HttpContext http) => Knob(http, state, (s, n) => s.ExpireNextUploads = n));
        app.MapPost("/_sandbox/qmetry/fail-imports", (HttpContext http) =>
        {
            var message = http.Request.Query["message"].ToString();
            return Knob(http, state, (s, n) => s.FailNextImports = (n, message.Length > 0 ? message : "Error while parsing the result file."));
        });
        app.MapPost("/_sandbox/qmetry/in-progress-polls", (HttpContext http) => Knob(http, state, (s, n) => s.InProgressPolls = n));
    }

    // Typed as Func<,> so the IResult is written (a bare HttpContext lambda would bind as RequestDelegate).
    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> body) => body;

    private static IResult Knob(HttpContext http, SandboxState state, Action<QMetryStore, int> set)
    {
        if (!int.TryParse(http.Request.Query["count"], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return Results.BadRequest("count=<n> is required.");
        lock (state.SyncRoot)
        {
            set(state.QMetry, n);
            set(state.QMetryServer, n);
        }
        return Results.NoContent();
    }

    private static IResult Error(int status, string message, IEnumerable<string>? errors = null, int? shownStatus = null)
    {
        var body = new JsonObject { ["status"] = shownStatus ?? status, ["errorMessage"] = message };
        if (errors is not null) body["errors"] = new JsonArray(errors.Select(e => (JsonNode)e!).ToArray());
        body["timestamp"] = DateTime.UtcNow.ToString("dd/MMM/yyyy HH:mm", CultureInfo.InvariantCulture);
        return Results.Json(body, statusCode: status);
    }

    /// <summary>The project the request may import into, or the 401 to answer.</summary>
    private static (string? Project, IResult? Denied) Authorize(HttpContext http, SandboxState state, QMetryStore store)
    {
        if (store.Flavor == QMetryFlavor.Server && JiraAuth.Authenticate(http.Request, state.Jira) is null)
            return (null, Results.Content(JiraAuth.NotAuthenticatedJson, "application/json", statusCode: 401));
        var key = http.Request.Headers["apiKey"].ToString();
        string? project;
        lock (state.SyncRoot) project = key.Length == 0 ? null : store.ProjectOfKey(key);
        return project is null ? (null, Error(401, "Invalid or missing apiKey: generate one in QMetry → Configuration → Automation API.")) : (project, null);
    }

    /// <summary>Step 1: raw JSON only; format required and supported; fields by group; answers url + trackingId.</summary>
    private static async Task<IResult> ImportAsync(HttpContext http, SandboxState state, QMetryStore store)
    {
        var (project, denied) = Authorize(http, state, store);
        if (denied is not null) return denied;
        if (!http.Request.HasJsonContentType())
            return Error(400, "Request must contain a JSON raw body payload; form-data is not supported.");
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject
                ?? throw new JsonException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            return Error(400, "Invalid JSON: " + e.Message);
        }
        var unknown = body.Select(p => p.Key).Where(k => !BodyNames.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0) return Error(400, "Unknown parameter(s): " + string.Join(", ", unknown));
        var format = body["format"] is JsonValue f && f.TryGetValue<string>(out var fs) ? fs : null;
        if (format is null) return Error(400, "Parameter 'format' is required.");
        if (!Formats.Contains(format.ToLowerInvariant())) return Error(400, $"Framework '{format}' is not supported.");
        foreach (var flag in new[] { "isZip", "attachFile", "matchTestSteps", "appendTestName" })
            if (body[flag] is { } v && v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                return Error(400, $"Parameter '{flag}' must be true or false.");
        if (body["automationHierarchy"] is { } h && !(h.GetValueKind() == JsonValueKind.Number && (int)h is >= 1 and <= 3))
            return Error(400, "Parameter 'automationHierarchy' must be 1, 2 or 3.");
        if (format.Equals("qaf", StringComparison.OrdinalIgnoreCase) && (bool?)body["isZip"] != true)
            return Error(400, "Zip file format is required for QAF framework.");

        var fieldErrors = new List<string>();
        if (body["fields"] is { } fieldsNode)
        {
            if (fieldsNode is not JsonObject fields) fieldErrors.Add("fields must be a JSON object");
            else
            {
                foreach (var group in fields)
                {
                    if (!FieldNames.TryGetValue(group.Key, out var names)) { fieldErrors.Add($"Unknown fields group '{group.Key}'"); continue; }
                    if (group.Value is not JsonObject g) { fieldErrors.Add($"fields.{group.Key} must be a JSON object"); continue; }
                    fieldErrors.AddRange(g.Select(p => p.Key).Where(n => !names.Contains(n, StringComparer.Ordinal)).Select(n => $"Provided field '{n}' is not supported for {group.Key}"));
                    if (g["summary"] is JsonValue s && s.TryGetValue<string>(out var summary) && summary.Length > QMetryStore.MaxNameLength)
                        fieldErrors.Add($"fields.{group.Key}.summary is longer than {QMetryStore.MaxNameLength} characters");
                }
            }
        }
        if (fieldErrors.Count > 0) return Error(400, "The supplied fields are invalid", fieldErrors);

        QMetryImport import;
        lock (state.SyncRoot)
        {
            if ((string?)body["testCycleToReuse"] is { } reuse && !store.CycleExists(project!, reuse))
                return Error(400, $"Test Cycle '{reuse}' not found in the project.");
            import = store.Begin(project!, body, DateTimeOffset.UtcNow);
        }
        var root = $"{http.Request.Scheme}://{http.Request.Host}";
        var url = store.Flavor == QMetryFlavor.Cloud
            ? $"{root}{StorageBase}/{import.UploadToken}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature={import.UploadToken[..16]}"
            : $"{root}{ServerBase}/upload/{import.UploadToken}";
        return Results.Json(new JsonObject
        {
            ["url"] = url,
            ["message"] = "Generated Upload URL is valid for one time use and will expire in 5 minutes.",
            ["trackingId"] = import.TrackingId,
        });
    }

    /// <summary>The import behind a one-time URL, or the storage's 403 for one that expired or was used.</summary>
    private static (QMetryImport? Import, IResult? Refused) Ticket(SandboxState state, string token, bool xml)
    {
        var import = state.QMetry.FindUpload(token) ?? state.QMetryServer.FindUpload(token);
        if (import is not null && import.Uploads == 0 && import.ExpiresAt > DateTimeOffset.UtcNow) return (import, null);
        return (null, xml
            ? Results.Content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml", statusCode: 403)
            : Error(403, "The upload URL has expired or was already used: request a new one (step 1)."));
    }

    /// <summary>Cloud step 2: PUT of the raw bytes to pre-signed storage; no credentials may come along.</summary>
    private static async Task<IResult> PutAsync(HttpContext http, SandboxState state, string token)
    {
        if (http.Request.Headers.ContainsKey("Authorization") || http.Request.Headers.ContainsKey("apiKey"))
            return Results.Content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>",
                "application/xml", statusCode: 400);
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy, http.RequestAborted);
        lock (state.SyncRoot)
        {
            var (import, refused) = Ticket(state, token, xml: true);
            if (refused is not null) return refused;
            state.QMetry.Apply(import!, null, copy.ToArray());
        }
        return Results.Ok();
    }

    /// <summary>Server step 2: multipart part "file" with apiKey and Jira credentials (XSRF header required, as every Jira multipart call); 204.</summary>
    private static async Task<IResult> PostUploadAsync(HttpContext http, SandboxState state, string token)
    {
        var (_, denied) = Authorize(http, state, state.QMetryServer);
        if (denied is not null) return denied;
        if (MultipartChecks.JiraXsrf(http.Request) is { } xsrf) return xsrf;
        var (form, problem) = await MultipartChecks.ReadBrowserFormAsync(http.Request, http.RequestAborted);
        if (form is null) return Error(400, problem!);
        var file = form.Files.GetFile("file");
        if (file is null) return Error(400, "File Attachment must be passed in form-data as the part 'file'.");
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy, http.RequestAborted);
        lock (state.SyncRoot)
        {
            var (import, refused) = Ticket(state, token, xml: false);
            if (refused is not null) return refused;
            state.QMetryServer.Apply(import!, file.FileName, copy.ToArray());
        }
        return Results.NoContent();
    }

    /// <summary>Step 3: importStatus INPROCESS / In Progress for the first poll(s), then SUCCESS with the summary or FAILED with the detailed message.</summary>
    private static IResult Track(HttpContext http, SandboxState state, QMetryStore store)
    {
        var (project, denied) = Authorize(http, state, store);
        if (denied is not null) return denied;
        var id = http.Request.Query["trackingId"].ToString();
        lock (state.SyncRoot)
        {
            var import = store.FindImport(id);
            // Documented as HTTP 400 with "status":404 in the body.
            if (import is null || import.Project != project || import.Uploads == 0)
                return Error(400, $"No import details found for given tracking id '{id}'", shownStatus: 404);
            import.Polls++;
            var running = import.Polls <= store.InProgressPolls;
            var body = new JsonObject
            {
                ["format"] = ((string?)JsonNode.Parse(import.Request)!["format"] ?? "").ToUpperInvariant(),
                ["fileName"] = import.FileName ?? import.TrackingId + ".xml",
                ["processStatus"] = running ? "PARSING" : import.Status == "SUCCESS" ? "SUCCESS" : "VALIDATION",
                ["importStatus"] = running ? (store.Flavor == QMetryFlavor.Server ? "INPROCESS" : "In Progress") : import.Status,
                ["fileSize"] = import.FileSize,
                ["trackingId"] = import.TrackingId,
            };
            if (!running && import.Status == "FAILED") body["detailedMessage"] = import.DetailedMessage;
            if (!running && import.Status == "SUCCESS")
            {
                var summary = new JsonObject
                {
                    ["testCycle"] = import.CycleId,
                    ["testCycleIssueKey"] = import.CycleKey,
                    ["testCycleSummary"] = import.CycleSummary,
                };
                foreach (var c in import.Counts) summary[c.Key] = c.Value;
                body["summary"] = summary;
            }
            return Results.Json(body);
        }
    }
}
