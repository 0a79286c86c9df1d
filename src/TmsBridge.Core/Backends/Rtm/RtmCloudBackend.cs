using TmsBridge.Publishing;
using System.Net.Http.Headers;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// RTM Cloud: {baseUrl, default https://rtm-api.hexygen.com; region=eu https://rtm-eu-api.hexygen.com}/api,
/// authenticated with "Authorization: Bearer &lt;RTM token&gt;" (generated in Jira: Apps → Requirements and
/// Test Management → Rest API authentication).
/// </summary>
internal sealed class RtmCloudBackend : RtmBackendBase
{
    public const string DefaultHost = "https://rtm-api.hexygen.com/";
    public const string EuHost = "https://rtm-eu-api.hexygen.com/";
    public const string ApiPath = "api/";

    protected internal override TargetDescriptor Descriptor => RtmTargets.Cloud;
    protected internal override bool IsJiraServer => false;
    protected internal override string CredentialsHint => $" (check {OptionCatalog.Token.EnvironmentVariable}: an RTM REST API token, sent as 'Bearer <token>')";
    protected internal override string BaseUrlHint => "the RTM Cloud API host (region eu: rtm-eu-api.hexygen.com)";

    public override Uri ApiRoot(TmsOptions options) => new(options.BaseUrl ?? new Uri(options.Region == "eu" ? EuHost : DefaultHost), ApiPath);

    protected internal override string ExecutePath(string testPlan) => "v2/test-execution/execute/" + Uri.EscapeDataString(testPlan);

    protected internal override void Authorize(HttpRequestMessage request, TmsOptions options) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options)
    {
        if (!options.DryRun && options.Token is null)
            yield return $"target 'rtm-cloud' needs an RTM API token in {OptionCatalog.Token.EnvironmentVariable} (or {OptionCatalog.Token.SecretFileVariable}); generate one in Jira under Apps → Requirements and Test Management → Rest API authentication. It is sent as 'Authorization: Bearer <token>'.";
        if (options.Region is "au")
            yield return $"target 'rtm-cloud': region 'au' has no RTM host; use us (the default, rtm-api.hexygen.com) or eu (rtm-eu-api.hexygen.com), or set baseUrl ({OptionCatalog.BaseUrl.EnvironmentVariable}).";
    }
}
