using TmsBridge.Backends.Aio;
using TmsBridge.Backends.Kit;
using TmsBridge.Backends.Xray;
using TmsBridge.Mapping;
using TmsBridge.Model;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Runtime steps and comments (Tms.Step, Tms.Comment) in the backends that exist: Xray puts them in the
/// Test Run comment (step results need a Manual test with as many steps), AIO Tests in the run's comment
/// (its bulk update takes no step results); the steps' evidence goes on the test in both.
/// </summary>
public sealed class RuntimeStepsPayloadTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static TestResultRecord WithSteps(string key, string shot)
    {
        var r = Result("Shop.CheckoutTests.Checkout_with_steps", TestOutcome.Failed, keys: [key]);
        r.Comments.Add("run on firefox");
        r.Steps.Add(new TestStep { Name = "Open the cart", StartTime = T0, EndTime = T0.AddMilliseconds(250) });
        var pay = new TestStep { Name = "Pay", Outcome = TestOutcome.Failed, StartTime = T0.AddSeconds(1), EndTime = T0.AddSeconds(3), Message = "InvalidOperationException: card declined" };
        pay.Evidence.Add(new EvidenceFile { Path = shot, FileName = "declined.png", ContentType = "image/png" });
        pay.Steps.Add(new TestStep { Name = "Enter card", StartTime = T0.AddSeconds(1), EndTime = T0.AddSeconds(2) });
        r.Steps.Add(pay);
        r.Steps.Add(new TestStep { Name = "See receipt", StartTime = T0.AddSeconds(3), EndTime = T0.AddSeconds(3) });
        return r;
    }

    private static string Shot()
    {
        var path = Path.Combine(Path.GetTempPath(), $"declined-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }

    private const string ExpectedSteps =
        "1. PASSED Open the cart (0.25 s)\n" +
        "2. FAILED Pay (2 s) — InvalidOperationException: card declined [evidence: declined.png]\n" +
        "2.1. PASSED Enter card (1 s)\n" +
        "3. PASSED See receipt (0 s)";

    [Fact]
    public void Steps_read_as_numbered_lines_with_status_duration_message_and_evidence()
    {
        Assert.Equal(ExpectedSteps, StepText.Format(WithSteps("DEMO-8", "/nowhere.png")));
        Assert.Equal("", StepText.Format(Result("A.B.C", TestOutcome.Passed)));
    }

    [Fact]
    public void Xray_comment_holds_the_runtime_comments_and_the_steps()
    {
        var comment = XrayPayload.Comment([WithSteps("DEMO-8", "/nowhere.png")]);
        Assert.StartsWith("run on firefox\nSteps:\n{noformat}" + ExpectedSteps + "{noformat}", comment);
    }

    [Fact]
    public void Xray_comment_of_a_passed_result_without_output_still_carries_its_steps()
    {
        var r = Result("A.B.C", TestOutcome.Passed, keys: ["DEMO-9"]);
        r.Steps.Add(new TestStep { Name = "only step" });
        Assert.Equal("Steps:\n{noformat}1. PASSED only step{noformat}", XrayPayload.Comment([r]));
    }

    [Fact]
    public void Aio_comment_holds_the_runtime_comments_and_the_steps()
    {
        var k = new KeyedResult { Key = "DEMO-TC-8" };
        k.Results.Add(WithSteps("DEMO-TC-8", "/nowhere.png"));
        var run = Assert.Single(AioPayload.Runs([k], new StatusMap(StatusMap.AioDefaults), runPerResult: false));
        var comment = Assert.Single(run.Comments);
        Assert.Contains("run on firefox\nSteps:\n" + ExpectedSteps, comment);
    }

    [Fact]
    public void A_steps_evidence_is_sent_with_the_test()
    {
        var shot = Shot();
        var warnings = new List<string>();
        var named = EvidencePlan.Name([WithSteps("DEMO-8", shot)], "DEMO-8", warnings);
        Assert.Equal("declined.png", Assert.Single(named).FileName);
        Assert.Empty(warnings);
    }
}
