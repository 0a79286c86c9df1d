using TmsBridge.Publishing;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;

namespace TmsBridge.Backends.Aio;

/// <summary>
/// AIO Tests Server / Data Center: {Jira base URL}/rest/aio-tcms-api/1.0, authenticated with Jira
/// Basic (user + password) or a Jira personal access token (Bearer): <see cref="JiraServerAuth"/>.
/// </summary>
internal sealed class AioServerBackend : AioBackendBase
{
    public const string ApiPath = "rest/aio-tcms-api/1.0/";

    protected internal override TargetDescriptor Descriptor => AioTargets.Server;

    protected internal override bool IsJiraServer => true;
    protected internal override string CredentialsHint => $" (check the Jira credentials: {OptionCatalog.Token.EnvironmentVariable} as a personal access token, or user plus {OptionCatalog.Password.EnvironmentVariable})";
    protected internal override string BaseUrlHint => "the Jira base URL with AIO Tests installed";

    public override Uri ApiRoot(TmsOptions options) => new(options.BaseUrl!, ApiPath);

    protected internal override void Authorize(HttpRequestMessage request, TmsOptions options) => JiraServerAuth.Authorize(request, options);

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options) => JiraServerAuth.Validate(options, TargetName);
}
