using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>`tmsbridge validate`'s core: every target has a read-only probe; configuration first; Jira's words parsed.</summary>
public sealed class TargetCheckerTests
{
    [Fact]
    public void Every_implemented_target_has_a_read_only_probe_and_AIO_alone_lists_its_statuses()
    {
        foreach (var t in Targets.Implemented)
            Assert.True(BackendRegistry.Create(t.Name) is ITmsProbe, $"{t.Name} has no ITmsProbe: `tmsbridge validate` could not check it");
        Assert.Equal(["aio", "aio-cloud"], Targets.Implemented.Where(t => TargetChecker.ListsStatuses(t.Name)).Select(t => t.Name));
    }

    [Fact]
    public async Task A_configuration_problem_is_a_failed_line_and_nothing_is_sent()
    {
        var options = ConfigurationResolver.Resolve([ConfigurationLayer.FromParameters("test", [new("target", "xray"), new("baseUrl", "http://127.0.0.1:9/")])]);
        var report = await TargetChecker.ValidateAsync(options, new Dictionary<string, string>(), TestContext.Current.CancellationToken);
        Assert.False(report.Passed);
        Assert.False(report.ConfigurationValid);
        var line = Assert.Single(report.Checks);
        Assert.Equal(("configuration", TargetCheck.Failed), (line.Check, line.State));
        Assert.Contains("TMS_PASSWORD", line.Message);
        Assert.Empty(report.Requests);

        var none = await TargetChecker.ValidateAsync(new TmsOptions(), new Dictionary<string, string>(), TestContext.Current.CancellationToken);
        Assert.Contains("no target is set", Assert.Single(none.Checks).Message);
    }

    [Fact]
    public void Jira_error_messages_name_the_unknown_keys_and_project()
    {
        var messages = JiraLookup.ErrorMessages("""{"errorMessages":["An issue with key 'DEMO-9' does not exist for field 'key'.","Error in the JQL Query: An issue with key 'demo-10' does not exist for field 'issuekey'."],"errors":{}}""");
        Assert.Equal(["DEMO-9", "DEMO-10"], JiraLookup.UnknownKeys(messages));
        Assert.True(JiraLookup.NamesUnknownProject(["The value 'NOPE' does not exist for the field 'project'."]));
        Assert.Equal("key in (\"DEMO-1\", \"A\\\"B\")", JiraLookup.KeysJql(["DEMO-1", "A\"B"]));
    }
}
