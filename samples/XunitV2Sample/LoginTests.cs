using TmsBridge;
using Xunit;
using Xunit.Abstractions;

namespace XunitV2Sample;

[Covers("DEMO-100")] // every test in this class covers requirement DEMO-100
public class LoginTests(ITestOutputHelper output)
{
    [Fact]
    [TestCaseKey("DEMO-1", "DEMO-TC-1", "1001")]
    [Covers("DEMO-101")]
    public void Valid_user_logs_in()
    {
        // xUnit v2 has no attachment API: TmsEvidence.Attach writes a marker line to the test
        // output, which the TmsBridge logger turns into an attachment.
        var screenshot = Path.Combine(AppContext.BaseDirectory, "evidence", "screen.png");
        TmsEvidence.Attach(output, screenshot, "login page after sign-in");

        var log = Path.Combine(AppContext.BaseDirectory, "login-log.txt");
        File.WriteAllText(log, "user=alice logged in at 2026-01-01T09:00:00Z\n");
        TmsEvidence.Attach(output, log, "login log");

        Assert.True(Login("alice", "secret"));
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("eve")]
    [InlineData("mallory")]
    [TestCaseKey("DEMO-2", "DEMO-TC-2", "1002")]
    [Defect("DEMO-200")]
    public void Locked_user_is_refused(string user)
    {
        Assert.False(Login(user, "secret"));
    }

    [Fact]
    [TestCaseKey("DEMO-5", "DEMO-6", "DEMO-TC-5", "DEMO-TC-6", "1005", "1006")] // one test reporting to two test cases
    public void Password_reset_sends_mail()
    {
        var outbox = new List<string> { "reset link for alice" };
        Assert.Single(outbox);
    }

    private static bool Login(string user, string password) =>
        user == "alice" && password == "secret";
}
