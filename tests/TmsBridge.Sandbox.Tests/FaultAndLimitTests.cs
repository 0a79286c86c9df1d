using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TmsBridge.Sandbox.Tests;

public sealed class FaultAndLimitTests
{
    private const string DcBody = """{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""";
    private const string CloudBody = """{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""";

    private static async Task AddFaultAsync(SandboxClient sb, string rule)
    {
        var reply = await sb.ControlAsync("_sandbox/faults", rule);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    private static async Task<JsonArray> FaultsAsync(SandboxClient sb) =>
        JsonNode.Parse(await sb.Http.GetStringAsync("_sandbox/faults", TestContext.Current.CancellationToken))!["rules"]!.AsArray();

    /// <summary>Sends on a fresh connection and returns the raw response (headers included).</summary>
    private static async Task<(HttpStatusCode Status, string Text, HttpResponseHeaders Headers)> RawAsync(SandboxClient sb, string path, string body, AuthenticationHeaderValue auth)
    {
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Headers);
    }

    /// <summary>
    /// The last logged request once <paramref name="count"/> are logged: after an aborted connection
    /// the client can see the error before the server has finished logging (bounded wait).
    /// </summary>
    private static async Task<State.RequestRecord> LastRequestAsync(SandboxClient sb, int count)
    {
        for (var i = 0; i < 100 && sb.Server.State.Snapshot().Requests.Count < count; i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        return sb.Server.State.Snapshot().Requests[count - 1];
    }

    private static AuthenticationHeaderValue Admin => SandboxClient.Basic("admin", "admin");

    [Fact]
    public async Task Status_fault_answers_with_Retry_After_and_body_count_times_then_requests_are_processed()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"method":"POST","path":"/rest/raven/2.0/import/execution","count":2,"action":"status","status":503,"retryAfter":"2","body":"{\"error\":\"busy\"}"}""");
        Assert.Equal(2, (await FaultsAsync(sb))[0]!["remaining"]!.GetValue<int>());

        var first = await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.Equal("2", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal("""{"error":"busy"}""", first.Text);
        Assert.Equal(1, (await FaultsAsync(sb))[0]!["remaining"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);            // not processed
        Assert.Empty(await FaultsAsync(sb));                                  // used up

        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);
        var state = await sb.StateAsync();
        Assert.Equal(3, state["requestCounts"]!["POST /rest/raven/2.0/import/execution"]!.GetValue<int>());
        var requests = state["requests"]!.AsArray();
        Assert.Equal([503, 503, 200], requests.Select(r => r!["response"]!.GetValue<int>()));
        Assert.Equal(["status", "status", null], requests.Select(r => r!["fault"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Status_fault_passes_an_HTTP_date_through_and_matches_prefix_and_method()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """
            [{"method":"GET","path":"/rest/*","count":-1,"action":"status","status":500},
             {"path":"/rest/raven/*","action":"status","status":429,"retryAfter":"Wed, 21 Oct 2037 07:28:00 GMT"}]
            """);
        var reply = await RawAsync(sb, "rest/raven/1.0/import/execution", DcBody, Admin);
        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Status);
        Assert.Equal(new DateTimeOffset(2037, 10, 21, 7, 28, 0, TimeSpan.Zero), reply.Headers.RetryAfter!.Date);
        var rules = await FaultsAsync(sb);
        Assert.Equal(-1, rules.Single()!["remaining"]!.GetValue<int>());   // the GET rule stays, unlimited
    }

    [Fact]
    public async Task Delay_fault_holds_the_request_then_processes_it()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/rest/raven/2.0/import/execution","action":"delay","delayMs":400}""");
        var watch = Stopwatch.StartNew();
        var reply = await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin);
        Assert.True(watch.ElapsedMilliseconds >= 350, $"took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Single(sb.Server.State.Snapshot().Xray.Executions);
    }

    [Fact]
    public async Task A_client_that_gives_up_during_a_delay_is_logged_as_dropped_and_nothing_is_processed()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/rest/raven/2.0/import/execution","action":"delay","delayMs":30000}""");
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) };
        using var request = new HttpRequestMessage(HttpMethod.Post, SandboxClient.ImportPath) { Content = new StringContent(DcBody, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = Admin;
        await Assert.ThrowsAsync<TaskCanceledException>(() => http.SendAsync(request, TestContext.Current.CancellationToken));

        var record = await LastRequestAsync(sb, 1);
        Assert.Equal(("dropped", "delay"), ((string)record.Response, record.Fault));
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);
    }

    [Fact]
    public async Task Drop_fault_aborts_the_connection_and_nothing_is_processed()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/api/v2/import/execution","action":"drop"}""");
        var token = await sb.CloudTokenAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => RawAsync(sb, SandboxClient.CloudImportPath, CloudBody, new("Bearer", token)));
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);

        var record = await LastRequestAsync(sb, 2);
        Assert.Equal(("dropped", "drop", 0), ((string)record.Response, record.Fault, record.Status));
        Assert.Equal("dropped", (await sb.StateAsync())["requests"]![1]!["response"]!.GetValue<string>());
    }

    [Fact]
    public async Task LoseResponse_fault_creates_the_execution_but_the_client_gets_no_answer()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"method":"POST","path":"/api/v2/import/execution","action":"loseResponse"}""");
        var token = await sb.CloudTokenAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => RawAsync(sb, SandboxClient.CloudImportPath, CloudBody, new("Bearer", token)));

        var exec = Assert.Single(sb.Server.State.Snapshot().XrayCloud.Executions);
        Assert.Equal("DEMO-1000", exec.Key);
        var record = await LastRequestAsync(sb, 2);
        Assert.Equal(("dropped", "loseResponse", 200), ((string)record.Response, record.Fault, record.Status));
    }

    [Fact]
    public async Task TooLarge_fault_rejects_bodies_over_the_limit_with_413_and_counts_rejections_only()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/rest/raven/2.0/import/execution","action":"tooLarge","maxBytes":200,"count":1}""");
        var big = $$"""{"info":{"project":"DEMO","summary":"{{new string('x', 300)}}"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""";

        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);   // small: not counted
        var rejected = await RawAsync(sb, SandboxClient.ImportPath, big, Admin);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, rejected.Status);
        Assert.Equal("Request Entity Too Large", JsonNode.Parse(rejected.Text)!["error"]!.GetValue<string>());
        Assert.Single(sb.Server.State.Snapshot().Xray.Executions);
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.ImportPath, big, Admin)).Status);      // count used up
    }

    [Fact]
    public async Task TooLarge_also_measures_chunked_bodies()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/rest/raven/*","action":"tooLarge","maxBytes":50}""");
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, SandboxClient.ImportPath)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(DcBody))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = Admin;
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"path":"/x","action":"explode"}""", "'action' must be one of")]
    [InlineData("""{"path":"x","action":"drop"}""", "'path' must start with '/'")]
    [InlineData("""{"path":"/x","action":"status"}""", "needs 'status'")]
    [InlineData("""{"path":"/x","action":"delay"}""", "needs 'delayMs'")]
    [InlineData("""{"path":"/x","action":"tooLarge"}""", "needs 'maxBytes'")]
    [InlineData("""{"path":"/x","action":"drop","count":0}""", "'count' must be positive")]
    [InlineData("""{"path":"/x","action":"drop","colour":"red"}""", "colour")]
    [InlineData("""[{"path":"/x","action":"drop"},"oops"]""", "rule 1")]
    public async Task Bad_fault_rules_are_400_and_nothing_is_added(string rule, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ControlAsync("_sandbox/faults", rule);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(fragment, reply.Error);
        Assert.Empty(await FaultsAsync(sb));
    }

    [Fact]
    public async Task Delete_and_reset_clear_the_faults()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/rest/*","count":-1,"action":"status","status":502}""");
        using (var delete = await sb.Http.DeleteAsync("_sandbox/faults", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);

        await AddFaultAsync(sb, """{"path":"/rest/*","count":-1,"action":"status","status":502}""");
        Assert.Equal(HttpStatusCode.BadGateway, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);
        using (var reset = await sb.Http.PostAsync("_sandbox/reset", null, TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty(await FaultsAsync(sb));
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);
    }

    [Fact]
    public async Task Sandbox_endpoints_are_never_faulted()
    {
        await using var sb = await SandboxClient.StartAsync();
        await AddFaultAsync(sb, """{"path":"/*","count":-1,"action":"status","status":500}""");
        Assert.Single(await FaultsAsync(sb));
        Assert.NotNull(await sb.StateAsync());
    }

    [Fact]
    public async Task Rate_limit_answers_429_with_Retry_After_for_Cloud_paths_only()
    {
        await using var sb = await SandboxClient.StartAsync();
        var set = await sb.ControlAsync("_sandbox/limits", """{"xrayCloud":{"requests":3,"windowSeconds":60,"retryAfter":true}}""");
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(3, set.Json["xrayCloud"]!["requests"]!.GetValue<int>());

        var token = await sb.CloudTokenAsync();                                                      // 1 (authenticate counts)
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.CloudImportPath, CloudBody, new("Bearer", token))).Status); // 2
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.CloudImportPath, CloudBody, new("Bearer", token))).Status); // 3
        var limited = await RawAsync(sb, SandboxClient.CloudImportPath, CloudBody, new("Bearer", token));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        var seconds = limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(seconds, 1, 60);
        Assert.Equal(2, sb.Server.State.Snapshot().XrayCloud.Executions.Count);                     // the 429 was not processed

        // DC paths are not limited by the Cloud limiter.
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(sb, SandboxClient.ImportPath, DcBody, Admin)).Status);
        var state = await sb.StateAsync();
        Assert.Equal("rateLimit", state["requests"]!.AsArray().Single(r => r!["response"]!.ToJsonString() == "429")!["fault"]!.GetValue<string>());
        Assert.Equal(3, state["limits"]!["xrayCloud"]!["used"]!.GetValue<int>());
    }

    [Fact]
    public async Task Rate_limit_without_Retry_After_when_configured_so_and_reset_restores_the_options()
    {
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions
        {
            XrayCloudRateLimit = new RateLimit { Requests = 1, Window = TimeSpan.FromMinutes(1), RetryAfter = false },
        });
        await sb.CloudTokenAsync();
        var limited = await RawAsync(sb, "api/v2/authenticate", "{}", new("Bearer", "x"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.False(limited.Headers.Contains("Retry-After"));

        await sb.ControlAsync("_sandbox/limits", """{"xrayCloud":{"requests":50}}""");             // also forgets the history
        Assert.Equal(HttpStatusCode.BadRequest, (await RawAsync(sb, "api/v2/authenticate", "{}", new("Bearer", "x"))).Status);
        using (var reset = await sb.Http.PostAsync("_sandbox/reset", null, TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        var limits = JsonNode.Parse(await sb.Http.GetStringAsync("_sandbox/limits", TestContext.Current.CancellationToken))!["xrayCloud"]!;
        Assert.Equal((1, 60, false, 0), (limits["requests"]!.GetValue<int>(), limits["windowSeconds"]!.GetValue<int>(),
            limits["retryAfter"]!.GetValue<bool>(), limits["used"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("""{"xrayCloud":{"requests":0}}""", "requests")]
    [InlineData("""{"xrayCloud":{"windowSeconds":-1}}""", "windowSeconds")]
    [InlineData("""{"xrayCloud":{"retryAfter":"yes"}}""", "retryAfter")]
    [InlineData("""{"qtest":{"requests":1}}""", "Unknown limiter 'qtest' (known: xrayCloud, aio)")]
    public async Task Bad_limits_are_400(string body, string fragment)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ControlAsync("_sandbox/limits", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(fragment, reply.Error);
    }
}
