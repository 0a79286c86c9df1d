using TmsBridge.Backends.Aio;
using TmsBridge.Backends.Xray;
using TmsBridge.Mapping;
using TmsBridge.Model;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Which captured output each target publishes, as getting-started.md ("Output") and aio.md
/// promise: Xray puts the standard output of every result, passed or not, in the Test Run comment
/// and never standard error; AIO Tests sends output (both streams) only for results that did not
/// pass, so a passed run gets no comment.
/// </summary>
public sealed class PublishedOutputTests
{
    private static TestResultRecord WithOutput(TestOutcome outcome, string key, string? message = null)
    {
        var r = Result("Shop.LoginTests.Valid_user_logs_in", outcome, keys: [key]);
        r.StandardOutput = $"stdout of {outcome}";
        r.StandardError = $"stderr of {outcome}";
        r.ErrorMessage = message;
        return r;
    }

    private static KeyedResult Keyed(string key, params TestResultRecord[] results)
    {
        var k = new KeyedResult { Key = key };
        k.Results.AddRange(results);
        return k;
    }

    private static AioRunUpdate AioRunOf(KeyedResult k) =>
        Assert.Single(AioPayload.Runs([k], new StatusMap(StatusMap.AioDefaults), runPerResult: false));

    [Fact]
    public void Aio_sends_no_comment_for_a_passed_result_even_with_output()
    {
        var run = AioRunOf(Keyed("DEMO-TC-1", WithOutput(TestOutcome.Passed, "DEMO-TC-1")));

        Assert.Empty(run.Comments);
    }

    [Theory]
    [InlineData(TestOutcome.Failed, "expected 2 but was 3")]
    [InlineData(TestOutcome.Skipped, "not on Linux")]
    [InlineData(TestOutcome.Inconclusive, null)]
    public void Aio_sends_both_output_streams_of_a_result_that_did_not_pass(TestOutcome outcome, string? message)
    {
        var run = AioRunOf(Keyed("DEMO-TC-1", WithOutput(outcome, "DEMO-TC-1", message)));

        var comment = Assert.Single(run.Comments);
        if (message is not null) Assert.StartsWith(message, comment);
        Assert.Contains($"Output:\nstdout of {outcome}", comment);
        Assert.Contains($"Error output:\nstderr of {outcome}", comment);
    }

    [Fact]
    public void Aio_combined_comment_of_several_results_carries_only_the_output_of_those_that_did_not_pass()
    {
        var passed = WithOutput(TestOutcome.Passed, "DEMO-TC-1");
        var failed = WithOutput(TestOutcome.Failed, "DEMO-TC-1", "boom");

        var comment = Assert.Single(AioRunOf(Keyed("DEMO-TC-1", passed, failed)).Comments);

        Assert.Contains("stdout of Failed", comment);
        Assert.Contains("stderr of Failed", comment);
        Assert.DoesNotContain("stdout of Passed", comment);
        Assert.DoesNotContain("stderr of Passed", comment);
    }

    [Fact]
    public void Xray_comment_carries_the_standard_output_of_passed_and_failed_results_and_never_standard_error()
    {
        var passed = WithOutput(TestOutcome.Passed, "DEMO-1");
        var failed = WithOutput(TestOutcome.Failed, "DEMO-1", "boom");

        var single = XrayPayload.Comment([passed]);
        var both = XrayPayload.Comment([passed, failed]);

        Assert.Contains("stdout of Passed", single);
        Assert.Contains("stdout of Passed", both);
        Assert.Contains("stdout of Failed", both);
        Assert.DoesNotContain("stderr of", both);
    }
}
