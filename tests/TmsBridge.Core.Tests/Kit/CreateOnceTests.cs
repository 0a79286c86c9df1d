using System.Net;
using TmsBridge.Backends.Kit;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests.Kit;

/// <summary>CreateOnce against a real loopback server whose create answers can be lost.</summary>
public sealed class CreateOnceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Server : IDisposable
    {
        public int Created;
        public int LoseAnswers;
        public TinyHttpServer Http { get; }
        public Server() => Http = new TinyHttpServer(r =>
        {
            if (r.Method == "POST")
            {
                Created++;
                if (LoseAnswers > 0) { LoseAnswers--; return TinyHttpServer.Reply.Drop; }
                return new TinyHttpServer.Reply(200, "{\"key\":\"EX-" + Created + "\"}");
            }
            return new TinyHttpServer.Reply(404, "");
        });
        public HttpRequestMessage Create() => new(HttpMethod.Post, new Uri(Http.BaseUrl, "create")) { Content = new StringContent("{}") };
        public Task<TmsHttpResponse?> Find(CancellationToken _) => Task.FromResult(Created > 0
            ? new TmsHttpResponse(HttpStatusCode.OK, "{\"key\":\"EX-" + Created + "\"}", "application/json", new Dictionary<string, string>())
            : null);
        public void Dispose() => Http.Dispose();
    }

    private static TmsHttpClient Client(int maxRetries) =>
        new(TimeSpan.FromSeconds(5), SecretRedactor.None, [], maxRetries: maxRetries, baseDelay: TimeSpan.FromMilliseconds(1));

    [Fact]
    public async Task An_answered_create_is_not_recovered()
    {
        using var server = new Server();
        using var http = Client(2);
        var answer = await CreateOnce.SendAsync(http, server.Create, server.Find, Ct);
        Assert.False(answer.Recovered);
        Assert.Equal("{\"key\":\"EX-1\"}", answer.Response.Body);
    }

    [Fact]
    public async Task A_lost_answer_is_found_before_a_repeat_and_nothing_is_created_twice()
    {
        using var server = new Server { LoseAnswers = 1 };
        using var http = Client(2);
        var answer = await CreateOnce.SendAsync(http, server.Create, server.Find, Ct);
        Assert.True(answer.Recovered);
        Assert.Equal(1, server.Created);
    }

    [Fact]
    public async Task With_no_retries_left_the_final_lookup_finds_the_create()
    {
        using var server = new Server { LoseAnswers = 1 };
        using var http = Client(0);
        var answer = await CreateOnce.SendAsync(http, server.Create, server.Find, Ct);
        Assert.True(answer.Recovered);
        Assert.Equal("{\"key\":\"EX-1\"}", answer.Response.Body);
        Assert.Equal(1, server.Created);
    }

    [Fact]
    public async Task When_the_lookup_finds_nothing_or_fails_the_failure_stands()
    {
        using var server = new Server { LoseAnswers = 1 };
        using var http = Client(0);
        await Assert.ThrowsAsync<TmsHttpException>(() => CreateOnce.SendAsync(http, server.Create, _ => Task.FromResult<TmsHttpResponse?>(null), Ct));

        server.LoseAnswers = 1;
        await Assert.ThrowsAsync<TmsHttpException>(() => CreateOnce.SendAsync(http, server.Create,
            _ => throw new TmsHttpException("search refused", HttpFailureKind.Dropped), Ct));
    }

    [Fact]
    public async Task Without_a_lookup_a_lost_create_is_never_repeated()
    {
        using var server = new Server { LoseAnswers = 1 };
        using var http = Client(3);
        await Assert.ThrowsAsync<TmsHttpException>(() => CreateOnce.SendAsync(http, server.Create, null, Ct));
        Assert.Equal(1, server.Created);
    }
}
