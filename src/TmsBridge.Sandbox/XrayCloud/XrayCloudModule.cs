using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.XrayCloud;

/// <summary>Xray Cloud: <c>/api/v2/...</c> (authenticate, imports, GraphQL), its own Jira site and its rate limit.</summary>
internal sealed class XrayCloudModule(XrayCloudState cloud, RateLimiter limiter, RateLimit initialLimit) : ISandboxModule
{
    public void MapEndpoints(WebApplication app, SandboxState state) => XrayCloudEndpoints.Map(app, state);

    public void Reset()
    {
        cloud.Clear();
        limiter.Reset(initialLimit);
    }

    public void WritePage(StringBuilder page, SandboxSnapshot snapshot) => XrayStatePage.Write(page, "Xray Cloud", snapshot.XrayCloud);

    public void WriteLimits(StringBuilder h, SandboxSnapshot s)
    {
        var l = s.Limits.XrayCloud;
        h.Append("<p>Xray Cloud rate limit: ").Append(l.Requests.ToString(CultureInfo.InvariantCulture)).Append(" requests per ")
            .Append(l.WindowSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s, ")
            .Append(l.Used.ToString(CultureInfo.InvariantCulture)).Append(" used in the current window, Retry-After ")
            .Append(l.RetryAfter ? "sent" : "not sent").Append(".</p>");
    }
}
