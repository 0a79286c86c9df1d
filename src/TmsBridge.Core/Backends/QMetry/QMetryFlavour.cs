using TmsBridge.Publishing;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// What differs between QMetry Cloud and Server/DC, as data: names, the import endpoint, the credentials
/// each request carries, their validation and hints, and whether the upload goes to pre-signed storage.
/// </summary>
internal sealed class QMetryFlavour(
    TargetDescriptor descriptor, bool isCloud, Func<TmsOptions, Uri> importUri,
    Action<HttpRequestMessage, TmsOptions> authorize, Func<TmsOptions, IEnumerable<string>> validate,
    string credentialsHint, string baseUrlHint)
{
    public const string CloudUsHost = "https://qtmcloud.qmetry.com/";
    public const string CloudAuHost = "https://syd-qtmcloud.qmetry.com/";
    public const string CloudImportPath = "rest/api/automation/importresult";
    public const string ServerImportPath = "rest/qtm4j/automation/latest/importresult";

    /// <summary>The target: name, display name, statuses, rate limit (<see cref="QMetryTargets"/>).</summary>
    public TargetDescriptor Descriptor { get; } = descriptor;
    /// <summary>Cloud: the upload is a PUT of the raw bytes to pre-signed storage on another host, without credentials.</summary>
    public bool IsCloud { get; } = isCloud;
    public Func<TmsOptions, Uri> ImportUri { get; } = importUri;
    /// <summary>The apiKey header, and on Server the Jira credentials.</summary>
    public Action<HttpRequestMessage, TmsOptions> Authorize { get; } = authorize;
    public Func<TmsOptions, IEnumerable<string>> Validate { get; } = validate;
    public string CredentialsHint { get; } = credentialsHint;
    public string BaseUrlHint { get; } = baseUrlHint;

    /// <summary>The Cloud host: baseUrl, else the region's (us default, au).</summary>
    public static Uri CloudHost(TmsOptions options) => options.BaseUrl ?? new Uri(options.Region == "au" ? CloudAuHost : CloudUsHost);

    private static void ApiKey(HttpRequestMessage request, TmsOptions options) => request.Headers.TryAddWithoutValidation("apiKey", options.For<QMetryOptions>().ApiKey);

    /// <summary>QMetry Cloud (QTM4J 4.x): {host}/rest/api/automation/importresult, the apiKey header and nothing else.</summary>
    public static readonly QMetryFlavour Cloud = new(
        QMetryTargets.Cloud, isCloud: true,
        o => new Uri(CloudHost(o), CloudImportPath),
        ApiKey,
        o => o.Region is { } region && region != "us" && region != "au"
            ? [$"target 'qmetry-cloud': option 'region' is '{region}'; QMetry Cloud has the regions us (https://qtmcloud.qmetry.com) and au (https://syd-qtmcloud.qmetry.com)."]
            : [],
        $" (check {QMetryTargets.ApiKey.EnvironmentVariable}: the project's Automation API key, QMetry → Configuration → Automation API)",
        "the QMetry Cloud host (https://qtmcloud.qmetry.com, or region=au)");

    /// <summary>QMetry Server/DC (QTM4J 4.x): {jira}/rest/qtm4j/automation/latest/importresult, apiKey plus Jira Basic or a PAT.</summary>
    public static readonly QMetryFlavour Server = new(
        QMetryTargets.Server, isCloud: false,
        o => new Uri(o.BaseUrl!, ServerImportPath),
        (request, o) => { ApiKey(request, o); JiraServerAuth.Authorize(request, o); },
        o => JiraServerAuth.Validate(o, "qmetry"),
        $" (check {QMetryTargets.ApiKey.EnvironmentVariable}, the Automation API key, and the Jira credentials: {OptionCatalog.Token.EnvironmentVariable} as a personal access token, or user plus {OptionCatalog.Password.EnvironmentVariable})",
        "the Jira base URL with QMetry installed");
}
