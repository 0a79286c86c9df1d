using TmsBridge.Publishing;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.QMetry;

/// <summary>
/// QMetry Server / Data Center (QTM4J 4.x): {Jira base URL}/rest/qtm4j/automation/latest/importresult,
/// authenticated with the apiKey header plus the Jira credentials (Basic, or a personal access token as Bearer: <see cref="JiraServerAuth"/>).
/// </summary>
internal sealed class QMetryServerBackend : QMetryBackendBase
{
    public const string ApiPath = "rest/qtm4j/automation/latest/importresult";

    protected internal override TargetDescriptor Descriptor => QMetryTargets.Server;
    protected internal override bool IsCloud => false;
    protected internal override string CredentialsHint => $" (check {QMetryTargets.ApiKey.EnvironmentVariable}, the Automation API key, and the Jira credentials: {OptionCatalog.Token.EnvironmentVariable} as a personal access token, or user plus {OptionCatalog.Password.EnvironmentVariable})";
    protected internal override string BaseUrlHint => "the Jira base URL with QMetry installed";

    public override Uri ImportUri(TmsOptions options) => new(options.BaseUrl!, ApiPath);

    protected internal override void Authorize(HttpRequestMessage request, TmsOptions options)
    {
        request.Headers.TryAddWithoutValidation("apiKey", options.For<QMetryOptions>().ApiKey);
        JiraServerAuth.Authorize(request, options);
    }

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options) => JiraServerAuth.Validate(options, TargetName);
}
