using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>An import request as sent: the JSON body streamed from its file, or the multipart create with its "info" part.</summary>
internal abstract partial class XrayBackendBase
{
    private HttpRequestMessage BuildRequest(string path, bool multipart, JsonObject? executionFields, string? project, XrayPayload.Input input, PublishContext context)
    {
        // A fresh stream for every attempt: the body is re-read from the file, never held in memory.
        var body = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
        var json = new StreamContent(body, 81920);
        json.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        json.Headers.ContentLength = body.Length;
        HttpRequestMessage request;
        if (multipart)
        {
            // Shaped like a browser's form, with Jira's XSRF header on Server/DC (BrowserMultipart.Post).
            var info = JsonRequests.Body(MultipartInfo(executionFields!, project!, input));
            var form = new BrowserMultipart()
                .AddFile(MultipartResultsPart, "results.json", json, "application/json")
                .AddFile("info", "info.json", info, "application/json");
            request = BrowserMultipart.Post(ImportUri(context, multipart), form, Dialect.IsJiraServer);
        }
        else request = new HttpRequestMessage(HttpMethod.Post, ImportUri(context, multipart)) { Content = json };
        request.AcceptJson();
        Authorize(request, context);
        return request;
    }

    /// <summary>
    /// The Jira create-issue JSON of the multipart "info" part: TmsBridge's own fields (project,
    /// summary, issue type, description with the run marker), then the user's executionFields on top.
    /// </summary>
    private JsonObject MultipartInfo(JsonObject executionFields, string project, XrayPayload.Input input)
    {
        var o = input.Options;
        var fields = new JsonObject
        {
            ["project"] = new JsonObject { ["key"] = project },
            ["summary"] = o.Summary ?? input.DefaultSummary,
            ["issuetype"] = new JsonObject { ["name"] = "Test Execution" },
        };
        var description = XrayPayload.DescriptionWithMarker(o.Description, input.RunMarker);
        if (description is not null) fields["description"] = description;
        if (o.Version is not null) fields["fixVersions"] = new JsonArray(new JsonObject { ["name"] = o.Version });
        foreach (var pair in executionFields) fields[pair.Key] = pair.Value?.DeepClone();
        // The run marker must survive a user-given description: it is how a lost create is found.
        if (input.RunMarker is not null && fields["description"] is JsonValue d && d.TryGetValue<string>(out var text) && !RunMarker.IsIn(text, input.RunMarker))
            fields["description"] = XrayPayload.DescriptionWithMarker(text, input.RunMarker);
        var info = new JsonObject { ["fields"] = fields };
        AddMultipartExtras(info, o);
        return info;
    }
}
