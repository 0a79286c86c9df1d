using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Aio;

/// <summary>
/// One AIO publish: the context, the project, and how its requests are built and its failures
/// worded. Its steps live beside it: AioSession.Statuses.cs, .Cycle.cs, .Runs.cs, .Evidence.cs.
/// </summary>
internal sealed partial class AioSession(AioBackendBase backend, PublishContext context, string project)
{
    public PublishContext Context { get; } = context;
    public string Project { get; } = project;
    private TmsOptions O => Context.Options;
    private PublishReport Report => Context.Report;
    private string Name => backend.DisplayName;

    public Uri Api(string relative) => new(backend.ApiRoot(O), "project/" + Uri.EscapeDataString(Project) + "/" + relative);

    internal HttpRequestMessage Request(HttpMethod method, Uri uri, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, uri).AcceptJson();
        if (body is not null) request.Content = JsonRequests.Body(body);
        backend.Authorize(request, O);
        return request;
    }

    private string Describe(TmsHttpResponse r) => TmsErrors.Describe(r, Context.Redactor, Hint(r.StatusCode));

    private string Hint(int status) => status switch
    {
        401 => backend.CredentialsHint,
        403 => " (the user lacks permission in this project, or AIO Tests is disabled for it)",
        404 => $" (is the project '{Project}' right, and baseUrl {backend.BaseUrlHint}?)",
        429 => " (rate limited: AIO allows 60 requests per minute per IP; lower rateLimit)",
        _ => "",
    };

    private string Redact(string text) => Context.Redactor.Redact(text);

    public string Title() => AioPayload.Title(O.Summary ?? Context.DefaultTitle);

    /// <summary>The cycle's objective: the description with this run's marker, by which a lost create is found.</summary>
    public string Objective()
    {
        var marker = Context.Marker;
        if (marker is null) return O.Description ?? "";
        return RunMarker.Append(string.IsNullOrEmpty(O.Description) ? null : O.Description, marker, marker);
    }

    public List<string> Tasks()
    {
        var tasks = new List<string>();
        foreach (var t in (O.TestPlan is null ? [] : new[] { O.TestPlan }).Concat(O.For<AioOptions>().Tasks))
            if (!tasks.Contains(t, StringComparer.OrdinalIgnoreCase)) tasks.Add(t);
        return tasks;
    }

    private void Fail(string message)
    {
        Report.Errors.Add($"{Name}: {message}");
        Context.MarkAll(KeyStates.NotSent, message);
    }
}
