using TmsBridge.Publishing;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// QMetry Cloud (QTM4J 4.x): {baseUrl, default https://qtmcloud.qmetry.com, AU https://syd-qtmcloud.qmetry.com}
/// /rest/api/automation/importresult, authenticated with the header "apiKey: &lt;automation key&gt;" and nothing else.
/// </summary>
internal sealed class QMetryCloudBackend : QMetryBackendBase
{
    public const string UsHost = "https://qtmcloud.qmetry.com/";
    public const string AuHost = "https://syd-qtmcloud.qmetry.com/";
    public const string ApiPath = "rest/api/automation/importresult";

    protected internal override TargetDescriptor Descriptor => QMetryTargets.Cloud;
    protected internal override bool IsCloud => true;
    protected internal override string CredentialsHint => $" (check {QMetryTargets.ApiKey.EnvironmentVariable}: the project's Automation API key, QMetry → Configuration → Automation API)";
    protected internal override string BaseUrlHint => "the QMetry Cloud host (https://qtmcloud.qmetry.com, or region=au)";

    public static Uri Host(TmsOptions options) => options.BaseUrl ?? new Uri(options.Region == "au" ? AuHost : UsHost);

    public override Uri ImportUri(TmsOptions options) => new(Host(options), ApiPath);

    protected internal override void Authorize(HttpRequestMessage request, TmsOptions options) =>
        request.Headers.TryAddWithoutValidation("apiKey", options.For<QMetryOptions>().ApiKey);

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options)
    {
        if (options.Region is { } region && region != "us" && region != "au")
            yield return $"target 'qmetry-cloud': option 'region' is '{region}'; QMetry Cloud has the regions us (https://qtmcloud.qmetry.com) and au (https://syd-qtmcloud.qmetry.com).";
    }
}
