using TmsBridge.Backends.Kit;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests.Kit;

/// <summary>JiraMarkerSearch against a real loopback "Jira": the exact marker wins over a word match.</summary>
public sealed class JiraMarkerSearchTests
{
    private const string Marker = "TmsBridge run 20260506T070809Z-ab12cd34";

    [Fact]
    public async Task Only_an_issue_whose_description_holds_the_exact_marker_is_adopted()
    {
        using var jira = new TinyHttpServer(r => new TinyHttpServer.Reply(200,
            "{\"issues\":[{\"id\":\"1\",\"key\":\"DEMO-1\",\"fields\":{\"description\":\"mentions 20260506T070809Z-ab12cd34 only\"}}," +
            "{\"id\":\"2\",\"key\":\"DEMO-2\",\"fields\":{\"description\":\"text\\n\\n" + Marker + "\"}}]}"));
        using var http = new TmsHttpClient(TimeSpan.FromSeconds(5), SecretRedactor.None, []);

        var found = await JiraMarkerSearch.FindAsync(http, jira.BaseUrl, r => r.Headers.Add("Authorization", "Bearer pat"), "DEMO", Marker, null, TestContext.Current.CancellationToken);

        Assert.Equal(new JiraIssueRef("DEMO-2", "2"), found);
        var request = Assert.Single(jira.Requests);
        Assert.Equal("/rest/api/2/search", request.Path);
        Assert.Contains(Uri.EscapeDataString("project = \"DEMO\" AND description ~ \"20260506T070809Z-ab12cd34\""), request.Query);
        Assert.Equal("Bearer pat", request.Authorization);
    }

    [Fact]
    public async Task The_exact_marker_is_found_behind_many_older_issues_that_only_share_its_words()
    {
        var lookalikes = string.Join(",", Enumerable.Range(1, 20).Select(i => $"{{\"id\":\"{i}\",\"key\":\"DEMO-{i}\",\"fields\":{{\"description\":\"run 20260506T070809Z-ab12cd34 elsewhere\"}}}}"));
        using var jira = new TinyHttpServer(r =>
        {
            // Like Jira: no more issues than maxResults asks for, the oldest first.
            var max = int.Parse(System.Web.HttpUtility.ParseQueryString(r.Query)["maxResults"]!, System.Globalization.CultureInfo.InvariantCulture);
            var all = $"[{lookalikes},{{\"id\":\"99\",\"key\":\"DEMO-99\",\"fields\":{{\"description\":\"{Marker}\"}}}}]";
            var issues = System.Text.Json.Nodes.JsonNode.Parse(all)!.AsArray().Take(max).Select(n => n!.ToJsonString());
            return new TinyHttpServer.Reply(200, "{\"issues\":[" + string.Join(",", issues) + "]}");
        });
        using var http = new TmsHttpClient(TimeSpan.FromSeconds(5), SecretRedactor.None, []);

        var found = await JiraMarkerSearch.FindAsync(http, jira.BaseUrl, _ => { }, "DEMO", Marker, null, TestContext.Current.CancellationToken);

        Assert.Equal(new JiraIssueRef("DEMO-99", "99"), found);
    }

    [Fact]
    public async Task None_found_is_null_and_a_failed_search_throws()
    {
        using var empty = new TinyHttpServer(r => new TinyHttpServer.Reply(200, "{\"issues\":[]}"));
        using var http = new TmsHttpClient(TimeSpan.FromSeconds(5), SecretRedactor.None, []);
        Assert.Null(await JiraMarkerSearch.FindAsync(http, empty.BaseUrl, _ => { }, "DEMO", Marker, "Test Execution", TestContext.Current.CancellationToken));
        Assert.Contains("issuetype = \"Test Execution\"", Uri.UnescapeDataString(empty.Requests.Single().Query));

        using var broken = new TinyHttpServer(r => new TinyHttpServer.Reply(400, "{\"errorMessages\":[\"bad jql\"]}"));
        var e = await Assert.ThrowsAsync<TmsHttpException>(() => JiraMarkerSearch.FindAsync(http, broken.BaseUrl, _ => { }, "DEMO", Marker, null, TestContext.Current.CancellationToken));
        Assert.Contains("bad jql", e.Message);
    }
}
