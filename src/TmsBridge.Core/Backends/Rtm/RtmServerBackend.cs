using TmsBridge.Publishing;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using System.Text.Json.Nodes;

namespace TmsBridge.Backends.Rtm;

/// <summary>
/// RTM Server / Data Center: {Jira base URL}/rest/rtm/1.0/api, authenticated with Jira Basic
/// (user + password) or a Jira personal access token (Bearer): <see cref="JiraServerAuth"/>.
/// </summary>
internal sealed class RtmServerBackend : RtmBackendBase
{
    public const string ApiPath = "rest/rtm/1.0/api/";

    protected internal override TargetDescriptor Descriptor => RtmTargets.Server;
    protected internal override bool IsJiraServer => true;
    protected internal override string CredentialsHint => $" (check the Jira credentials: {OptionCatalog.Token.EnvironmentVariable} as a personal access token, or user plus {OptionCatalog.Password.EnvironmentVariable})";
    protected internal override string BaseUrlHint => "the Jira base URL with RTM installed";

    public override Uri ApiRoot(TmsOptions options) => new(options.BaseUrl!, ApiPath);

    /// <summary>The V1 create: RTM Server documents it (the seed's V1 list); V2 is the Cloud form.</summary>
    protected internal override string ExecutePath(string testPlan) => "test-execution/execute/" + Uri.EscapeDataString(testPlan);

    protected internal override void Authorize(HttpRequestMessage request, TmsOptions options) => JiraServerAuth.Authorize(request, options);

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options) => JiraServerAuth.Validate(options, TargetName);
}
