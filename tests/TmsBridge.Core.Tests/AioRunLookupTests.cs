using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Where AIO evidence goes (issue 8, item 10): the run listing names the case flat (testCaseKey) or
/// nested (testCase.key); a keyed case the listing does not name is looked up with the documented
/// latest-run endpoint instead of losing its evidence; if that fails too, a warning names the key
/// and the other files still go.
/// </summary>
public sealed class AioRunLookupTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();
    private CancellationToken Ct => TestContext.Current.CancellationToken;
    private string RunFolder => _dir.Combine("TestResults/tms");

    private TmsOptions Options(FakeAio aio)
    {
        var layer = new ConfigurationLayer("test").Add("target", "aio-cloud").Add("baseUrl", aio.BaseUrl.ToString()).Add("project", "DEMO").Add("testExecution", "DEMO-CY-10");
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("environment", allowsSecrets: true).Add("token", "aio-token-0123456789abcdef"), layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private List<TestResultRecord> WithEvidence(params string[] keys)
    {
        var results = new List<TestResultRecord>();
        for (var i = 0; i < keys.Length; i++)
        {
            var r = Result($"Ns.C.T{i + 1}", keys: [keys[i]], sequence: i + 1);
            var path = _dir.File($"ev/{i + 1}/log-{i + 1}.txt", $"evidence of {keys[i]}\n");
            r.Attachments = [new EvidenceFile { Path = path, FileName = $"log-{i + 1}.txt", ContentType = "text/plain", Size = new FileInfo(path).Length }];
            results.Add(r);
        }
        return results;
    }

    private Task<PublishReport> PublishAsync(FakeAio aio, List<TestResultRecord> results) =>
        Publisher.PublishAsync(TestPublishRequests.Create(RunFolder, Options(aio), results), _output, Ct);

    private static void AssertEachFileOnItsCasesRun(FakeAio aio, int count)
    {
        Assert.Equal(count, aio.Attachments.Count);
        foreach (var (runId, _, _, body) in aio.Attachments)
            Assert.Equal($"evidence of {aio.Runs.Single(r => r.Id == runId).CaseKey}\n", body);
    }

    [Fact]
    public async Task A_listing_that_nests_the_case_key_as_testCase_key_is_read()
    {
        using var aio = new FakeAio { NestedListing = true };
        aio.AddCycle("existing");
        var report = await PublishAsync(aio, WithEvidence("DEMO-TC-1", "DEMO-TC-2"));

        Assert.Empty(report.Errors);
        Assert.Empty(report.SkippedEvidence);
        AssertEachFileOnItsCasesRun(aio, 2);
        Assert.Empty(aio.RequestsTo("GET", "testcycle/[^/]+/testcase/[^/]+/testrun")); // no fallback needed
    }

    [Fact]
    public async Task A_case_missing_from_the_listing_gets_its_latest_run_from_the_case_endpoint()
    {
        using var aio = new FakeAio();
        aio.AddCycle("existing");
        aio.HiddenFromListing.Add("DEMO-TC-2");
        var report = await PublishAsync(aio, WithEvidence("DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3"));

        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
        Assert.Empty(report.SkippedEvidence);
        AssertEachFileOnItsCasesRun(aio, 3);
        Assert.Single(aio.RequestsTo("GET", "testcycle/DEMO-CY-10/testcase/DEMO-TC-2/testrun"));
        Assert.Single(aio.RequestsTo("GET", "testcycle/[^/]+/testcase/[^/]+/testrun"));
    }

    [Fact]
    public async Task When_the_latest_run_cannot_be_read_either_a_warning_names_the_key_and_the_others_go()
    {
        using var aio = new FakeAio();
        aio.AddCycle("existing");
        aio.HiddenFromListing.Add("DEMO-TC-2");
        aio.NoLatestRun.Add("DEMO-TC-2");
        var report = await PublishAsync(aio, WithEvidence("DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3"));

        Assert.Empty(report.Errors);
        var warning = Assert.Single(report.Warnings, w => w.Contains("DEMO-TC-2"));
        Assert.Contains("not in the run listing of cycle DEMO-CY-10", warning);
        Assert.Contains("HTTP 404", warning);
        var skipped = Assert.Single(report.SkippedEvidence);
        Assert.Equal(("DEMO-TC-2", "log-2.txt"), (skipped.Key, skipped.File));
        Assert.Contains("latest run: HTTP 404", skipped.Reason);
        AssertEachFileOnItsCasesRun(aio, 2);
        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-TC-2")!.State); // its result went; only the file did not
    }
}
