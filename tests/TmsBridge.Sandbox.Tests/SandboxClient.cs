using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TmsBridge.Sandbox.Tests;

/// <summary>A started sandbox plus an HttpClient that talks to it over real loopback HTTP.</summary>
internal sealed class SandboxClient : IAsyncDisposable
{
    public const string ImportPath = "rest/raven/2.0/import/execution";

    private SandboxClient(SandboxServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress };
        Http.DefaultRequestHeaders.Authorization = Basic("admin", "admin");
    }

    public SandboxServer Server { get; }
    public HttpClient Http { get; }

    public static async Task<SandboxClient> StartAsync(SandboxOptions? options = null) =>
        new(await SandboxServer.StartAsync(options, TestContext.Current.CancellationToken));

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public Task<Reply> ImportAsync(string json, string path = ImportPath, AuthenticationHeaderValue? auth = null, bool noAuth = false) =>
        SendAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), auth, noAuth);

    /// <param name="xsrf">Send <c>X-Atlassian-Token: no-check</c>, as every multipart call to Jira Server/DC must.</param>
    public async Task<Reply> SendAsync(string path, HttpContent content, AuthenticationHeaderValue? auth = null, bool noAuth = false, bool xsrf = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (xsrf)
            request.Headers.Add(BrowserForm.XsrfHeader, "no-check");
        if (noAuth)
            request.Headers.Authorization = null;
        else
            request.Headers.Authorization = auth ?? Http.DefaultRequestHeaders.Authorization;
        // DefaultRequestHeaders would re-add Basic; use a bare client for unauthenticated calls.
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new Reply(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
    }

    public const string CloudImportPath = "api/v2/import/execution";

    /// <summary>POST <paramref name="json"/> to <paramref name="path"/> with a Bearer token (or none) and no Basic auth.</summary>
    public Task<Reply> PostBearerAsync(string path, string json, string? token) =>
        SendAsync(path, new StringContent(json, Encoding.UTF8, "application/json"),
            token is null ? null : new AuthenticationHeaderValue("Bearer", token), noAuth: token is null);

    /// <summary>A Cloud token for the default seed's demo key pair.</summary>
    public async Task<string> CloudTokenAsync()
    {
        var reply = await PostBearerAsync("api/v2/authenticate",
            $$"""{"client_id":"{{Seed.SandboxSeed.DemoCloudClientId}}","client_secret":"{{Seed.SandboxSeed.DemoCloudClientSecret}}"}""", null);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Json.GetValue<string>();
    }

    /// <summary>POST a sandbox control body (no auth) and return the reply.</summary>
    public Task<Reply> ControlAsync(string path, string json) => PostBearerAsync(path, json, null);

    public async Task<JsonNode> StateAsync() =>
        JsonNode.Parse(await Http.GetStringAsync("_sandbox/state", TestContext.Current.CancellationToken))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

internal sealed record Reply(HttpStatusCode Status, string Text, string? MediaType)
{
    public JsonNode Json => JsonNode.Parse(Text)!;

    public string? Error => Json["error"]?.GetValue<string>();
}
