using System.Net;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests.Kit;

public sealed class TmsErrorsTests
{
    [Theory]
    [InlineData("{\"error\":\"no such project\"}", "no such project")]
    [InlineData("{\"errorMessages\":[\"a\",\"b\"],\"errors\":{\"summary\":\"required\"}}", "a; b; summary: required")]
    [InlineData("{\"message\":\"Invalid token\"}", "Invalid token")]
    [InlineData("{\"status\":400,\"errorMessage\":\"The supplied fields are invalid\",\"errors\":[\"Provided Label Name(s) xyz not found\"],\"timestamp\":\"29/May/2025 12:44\"}", "The supplied fields are invalid; Provided Label Name(s) xyz not found")]
    [InlineData("\"plain json string\"", "plain json string")]
    [InlineData("  Service Unavailable  ", "Service Unavailable")]
    [InlineData("", "(empty body)")]
    public void The_message_of_an_error_body(string body, string expected) => Assert.Equal(expected, TmsErrors.MessageOf(body));

    [Fact]
    public void A_long_plain_body_is_capped()
    {
        var message = TmsErrors.MessageOf(new string('x', 2000));
        Assert.Equal(TmsErrors.MaxMessageChars + 1, message.Length);
        Assert.EndsWith("…", message);
    }

    [Fact]
    public void Describe_gives_status_redacted_message_and_hint()
    {
        var redactor = new SecretRedactor(["s3cret-token-value"]);
        var response = new TmsHttpResponse(HttpStatusCode.Unauthorized, "{\"error\":\"token s3cret-token-value expired\"}", "application/json", new Dictionary<string, string>());
        var text = TmsErrors.Describe(response, redactor, " (check TMS_TOKEN)");
        Assert.StartsWith("HTTP 401 Unauthorized: token ", text);
        Assert.DoesNotContain("s3cret-token-value", text);
        Assert.EndsWith(" (check TMS_TOKEN)", text);
    }

    [Fact]
    public void An_excerpt_is_quoted_redacted_and_capped()
    {
        var redactor = new SecretRedactor(["s3cret-token-value"]);
        Assert.Equal("empty", TmsErrors.Excerpt("  ", redactor));
        Assert.DoesNotContain("s3cret-token-value", TmsErrors.Excerpt("<html>s3cret-token-value</html>", redactor));
        Assert.Equal(TmsErrors.MaxExcerptChars + 3, TmsErrors.Excerpt(new string('y', 500), redactor).Length);
    }

    [Theory]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(404, true)]
    [InlineData(400, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    public void Only_answers_about_credentials_permission_or_project_stop_the_rest(int status, bool stops) =>
        Assert.Equal(stops, TmsErrors.StopsTheRest(status));
}
