using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;

namespace TmsBridge.Core.Tests.Kit;

public sealed class JsonRequestsTests
{
    [Fact]
    public async Task A_json_body_is_utf8_application_json_and_the_answer_is_asked_for_as_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/x").AcceptJson();
        request.Content = JsonRequests.Body(new JsonObject { ["title"] = "Nächtlich" });

        Assert.Equal("application/json", Assert.Single(request.Headers.Accept).MediaType);
        Assert.Equal("application/json", request.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", request.Content.Headers.ContentType.CharSet);
        Assert.Equal("{\"title\":\"N\\u00E4chtlich\"}", await request.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_asks_for_json_and_carries_the_body_only_when_there_is_one()
    {
        using var put = JsonRequests.Create(HttpMethod.Put, new Uri("http://127.0.0.1/x"), new JsonObject { ["a"] = 1 });
        using var get = JsonRequests.Create(HttpMethod.Get, new Uri("http://127.0.0.1/x"));

        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.Equal("application/json", Assert.Single(put.Headers.Accept).MediaType);
        Assert.Equal("{\"a\":1}", await put.Content!.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Null(get.Content);
        Assert.Equal("application/json", Assert.Single(get.Headers.Accept).MediaType);
    }
}
