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

    /// <summary>The TE is a Jira issue: Jira's search, with the same credentials, finds it by the marker in its description.</summary>
    protected internal override Func<CancellationToken, Task<TmsHttpResponse?>>? ExecutionFinder(PublishContext context, string project, string marker) =>
        async token => await JiraMarkerSearch.FindAsync(context.Http, context.Options.BaseUrl!, r => Authorize(r, context.Options), project, marker, null, token).ConfigureAwait(false) is { } found
            ? new TmsHttpResponse(System.Net.HttpStatusCode.OK, new JsonObject { ["testKey"] = found.Key, ["issueId"] = found.Id }.ToJsonString(), "application/json", new Dictionary<string, string>())
            : null;

    protected override IEnumerable<string> ValidateFlavour(TmsOptions options) => JiraServerAuth.Validate(options, TargetName);
}
