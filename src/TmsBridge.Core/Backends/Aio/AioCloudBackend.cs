using TmsBridge.Publishing;
using System.Net.Http.Headers;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.Aio;

/// <summary>
/// AIO Tests Cloud: {baseUrl, default https://tcms.aiojiraapps.com}/aio-tcms/api/v1, authenticated
/// with "Authorization: AioAuth &lt;token&gt;" (an AIO Tests API token in the token option).
/// </summary>
internal sealed class AioCloudBackend : AioBackendBase
{
    public const string DefaultHost = "https://tcms.aiojiraapps.com/";
    public const string ApiPath = "aio-tcms/api/v1/";

    protected internal override TargetDescriptor Descriptor => AioTargets.Cloud;

    protected internal override bool IsJiraServer => false;
    protected internal override string CredentialsHint => $" (check {OptionCatalog.Token.EnvironmentVariable}: an AIO Tests API token, sent as 'AioAuth <token>')";
    protected internal override string BaseUrlHint => "the AIO Tests Cloud host";

    public override Uri ApiRoot(TmsOptions options) => new(options.BaseUrl ?? new Uri(DefaultHost), ApiPath);

    protected internal override void Authorize(HttpRequestMessage request, TmsOptions options) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("AioAuth", options.Token);

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options)
    {
        if (!options.DryRun && options.Token is null)
            yield return $"target 'aio-cloud' needs an AIO Tests API token in {OptionCatalog.Token.EnvironmentVariable} (or {OptionCatalog.Token.SecretFileVariable}); generate one in Jira under AIO Tests → My Settings → API Token. It is sent as 'Authorization: AioAuth <token>'.";
    }
}
