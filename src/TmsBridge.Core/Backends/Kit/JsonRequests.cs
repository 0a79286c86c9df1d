using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TmsBridge.Backends.Kit;

/// <summary>The JSON side of a TMS request: a UTF-8 JSON body, and asking for a JSON answer.</summary>
internal static class JsonRequests
{
    /// <summary>The node as a UTF-8 <c>application/json</c> body.</summary>
    public static StringContent Body(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>A request that asks for JSON, with the node as its JSON body when there is one (credentials are the caller's).</summary>
    public static HttpRequestMessage Create(HttpMethod method, Uri uri, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, uri).AcceptJson();
        if (body is not null) request.Content = Body(body);
        return request;
    }

    /// <summary>Adds <c>Accept: application/json</c>, so a TMS answers errors as JSON rather than an HTML page.</summary>
    public static HttpRequestMessage AcceptJson(this HttpRequestMessage request)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }
}
