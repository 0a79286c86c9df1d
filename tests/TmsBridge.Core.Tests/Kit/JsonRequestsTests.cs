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
}
