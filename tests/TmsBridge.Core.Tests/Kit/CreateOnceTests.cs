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

    private static TmsBridge.Publishing.PublishContext Context(TmsHttpClient http, bool findBeforeCreate, string markerId = "grp-1") =>
        new(new TmsBridge.Configuration.TmsOptions(), new TmsBridge.Mapping.AggregatedRun(), new TmsBridge.Mapping.StatusMap(TmsBridge.Mapping.StatusMap.NeutralDefaults),
            new TmsBridge.Publishing.PublishReport(), http, "")
        {
            RunId = "20260101T000000Z-0000abcd",
            MarkerId = markerId,
            FindBeforeCreate = findBeforeCreate,
        };

    [Fact]
    public async Task Asked_to_look_first_it_joins_what_carries_the_marker_and_creates_nothing()
    {
        using var server = new Server();
        using var http = Client(2);
        await CreateOnce.SendAsync(http, server.Create, server.Find, Ct); // another run created EX-1
        var answer = await CreateOnce.FindOrCreateAsync(Context(http, findBeforeCreate: true), "T", server.Create, server.Find, Ct);
        Assert.True(answer.Existing);
        Assert.False(answer.Recovered);
        Assert.Equal("{\"key\":\"EX-1\"}", answer.Response.Body);
        Assert.Equal(1, server.Created);
    }

    [Fact]
    public async Task Not_asked_or_nothing_found_it_creates_once()
    {
        using var server = new Server();
        using var http = Client(2);
        var first = await CreateOnce.FindOrCreateAsync(Context(http, findBeforeCreate: true), "T", server.Create, server.Find, Ct);
        Assert.False(first.Existing);
        Assert.Equal(1, server.Created);
        var second = await CreateOnce.FindOrCreateAsync(Context(http, findBeforeCreate: false), "T", server.Create, server.Find, Ct);
        Assert.False(second.Existing);
        Assert.Equal(2, server.Created);
    }

    [Fact]
    public async Task A_failed_lookup_or_no_finder_warns_and_creates()
    {
        using var server = new Server();
        using var http = Client(2);
        var context = Context(http, findBeforeCreate: true);
        var answer = await CreateOnce.FindOrCreateAsync(context, "T", server.Create,
            _ => throw new TmsHttpException("HTTP 503 down", HttpFailureKind.Dropped), Ct);
        Assert.False(answer.Existing);
        Assert.Equal(1, server.Created);
        Assert.Contains(context.Report.Warnings, w => w == "T: looking up an execution with the marker 'TmsBridge run grp-1' failed (HTTP 503 down), so a new one is created: if an earlier attempt of this publish (or another run of its group) created one, the results are split over two executions.");

        await CreateOnce.FindOrCreateAsync(context, "T", server.Create, null, Ct);
        Assert.Contains(context.Report.Warnings, w => w.StartsWith("T: an execution with the marker 'TmsBridge run grp-1' cannot be looked up on this target", StringComparison.Ordinal));
        Assert.Equal(2, server.Created);
    }

    [Fact]
    public async Task A_create_that_raced_another_run_s_is_named_with_the_oldest_after_a_second_look()
    {
        using var server = new Server();
        using var http = Client(2);
        var context = Context(http, findBeforeCreate: true);
        var looks = 0;
        // First look: nothing (the other shard's create is not visible yet); second look: the other's, older, EX-0.
        Task<TmsHttpResponse?> Find(CancellationToken _) => Task.FromResult(++looks == 1 ? null
            : new TmsHttpResponse(HttpStatusCode.OK, "{\"key\":\"EX-0\"}", "application/json", new Dictionary<string, string>()));
        static string? KeyOf(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("key").GetString();

        var answer = await CreateOnce.FindOrCreateAsync(context, "T", server.Create, Find, Ct, keyOf: KeyOf);

        Assert.False(answer.Existing);
        Assert.Equal(1, server.Created);
        Assert.Equal(2, looks);
        Assert.Contains(context.Report.Warnings, w => w == "T: EX-0 and EX-1 both carry the marker 'TmsBridge run grp-1': another run of the group created EX-0 at the same moment this run created EX-1. This run's results are in EX-1; later runs of the group join EX-0, the oldest.");
    }

    [Fact]
    public async Task A_create_that_is_the_oldest_after_the_second_look_says_nothing()
    {
        using var server = new Server();
        using var http = Client(2);
        var context = Context(http, findBeforeCreate: true);
        static string? KeyOf(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("key").GetString();
        await CreateOnce.FindOrCreateAsync(context, "T", server.Create, _ => Task.FromResult<TmsHttpResponse?>(null), Ct, keyOf: KeyOf);
        await CreateOnce.FindOrCreateAsync(Context(http, findBeforeCreate: false), "T", server.Create, server.Find, Ct, keyOf: KeyOf);
        Assert.Empty(context.Report.Warnings);
        Assert.Equal(2, server.Created);
    }
}
