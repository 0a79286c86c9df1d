using System.Text;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;

namespace TmsBridge.Core.Tests.Kit;

public sealed class JiraServerAuthTests
{
    [Fact]
    public void A_token_is_a_bearer_token_else_user_and_password_are_basic()
    {
        using var withToken = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");
        JiraServerAuth.Authorize(withToken, new TmsOptions { Token = "pat-1", User = "admin", Password = "pw" });
        Assert.Equal("Bearer pat-1", withToken.Headers.Authorization!.ToString());

        using var basic = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");
        JiraServerAuth.Authorize(basic, new TmsOptions { User = "admin", Password = "pä55" });
        Assert.Equal("Basic", basic.Headers.Authorization!.Scheme);
        Assert.Equal("admin:pä55", Encoding.UTF8.GetString(Convert.FromBase64String(basic.Headers.Authorization.Parameter!)));
    }

    [Fact]
    public void Validation_names_the_target_and_what_is_missing()
    {
        var problems = JiraServerAuth.Validate(new TmsOptions { User = "admin" }, "rtm").ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains("target 'rtm' needs baseUrl", problems[0]);
        Assert.Contains("TMS_BASE_URL", problems[0]);
        Assert.Contains("target 'rtm' needs Jira credentials", problems[1]);
        Assert.Contains("TMS_TOKEN", problems[1]);
        Assert.Contains("TMS_PASSWORD", problems[1]);
    }

    [Fact]
    public void A_dry_run_needs_no_credentials_and_a_token_or_user_and_password_is_enough()
    {
        var url = new Uri("http://jira.local/");
        Assert.Empty(JiraServerAuth.Validate(new TmsOptions { BaseUrl = url, DryRun = true }, "aio"));
        Assert.Empty(JiraServerAuth.Validate(new TmsOptions { BaseUrl = url, Token = "pat" }, "aio"));
        Assert.Empty(JiraServerAuth.Validate(new TmsOptions { BaseUrl = url, User = "u", Password = "p" }, "aio"));
    }
}
