using System.Net.Http.Headers;
using System.Text;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.Aio;

/// <summary>
/// AIO Tests Server / Data Center: {Jira base URL}/rest/aio-tcms-api/1.0, authenticated with Jira
/// Basic (user + password) or a Jira personal access token (Bearer).
/// </summary>
public sealed class AioServerBackend : AioBackendBase
{
    public const string ApiPath = "rest/aio-tcms-api/1.0/";

    public override string DisplayName => "AIO Tests Server/DC";
    protected override string TargetName => "aio";

    protected override bool IsJiraServer => true;

    public override Uri ApiRoot(TmsOptions options) => new(options.BaseUrl!, ApiPath);

    protected override void Authorize(HttpRequestMessage request, TmsOptions options) =>
        request.Headers.Authorization = options.Token is not null
            ? new AuthenticationHeaderValue("Bearer", options.Token)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.User + ":" + options.Password)));

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options)
    {
        if (options.BaseUrl is null)
            yield return $"target 'aio' needs baseUrl, the Jira base URL with its context path (set {OptionCatalog.BaseUrl.EnvironmentVariable} or baseUrl in tmsbridge.json / .runsettings).";
        if (!options.DryRun && options.Token is null && (options.User is null || options.Password is null))
            yield return $"target 'aio' needs Jira credentials: a personal access token in {OptionCatalog.Token.EnvironmentVariable} (or {OptionCatalog.Token.SecretFileVariable}), or user plus {OptionCatalog.Password.EnvironmentVariable} (or {OptionCatalog.Password.SecretFileVariable}).";
    }
}
