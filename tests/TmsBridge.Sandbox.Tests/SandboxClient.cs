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

    public async Task<Reply> SendAsync(string path, HttpContent content, AuthenticationHeaderValue? auth = null, bool noAuth = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
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
