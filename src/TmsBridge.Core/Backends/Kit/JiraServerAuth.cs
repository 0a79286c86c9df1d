using System.Text;
using System.Net.Http.Headers;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// Jira Server/DC credentials, for every TMS that runs inside Jira (Xray DC, AIO Server, RTM and
/// QMetry Server): a personal access token as Bearer, else user and password as Basic.
/// </summary>
internal static class JiraServerAuth
{
    public static void Authorize(HttpRequestMessage request, TmsOptions options) =>
        request.Headers.Authorization = options.Token is not null
            ? new AuthenticationHeaderValue("Bearer", options.Token)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.User + ":" + options.Password)));

    /// <summary>What is missing for target <paramref name="target"/>: baseUrl, and (unless a dry run) credentials.</summary>
    public static IEnumerable<string> Validate(TmsOptions options, string target)
    {
        if (options.BaseUrl is null)
            yield return $"target '{target}' needs baseUrl, the Jira base URL with its context path (set {OptionCatalog.BaseUrl.EnvironmentVariable} or baseUrl in tmsbridge.json / .runsettings).";
        if (!options.DryRun && options.Token is null && (options.User is null || options.Password is null))
            yield return $"target '{target}' needs Jira credentials: a personal access token in {OptionCatalog.Token.EnvironmentVariable} (or {OptionCatalog.Token.SecretFileVariable}), or user plus {OptionCatalog.Password.EnvironmentVariable} (or {OptionCatalog.Password.SecretFileVariable}).";
    }
}
