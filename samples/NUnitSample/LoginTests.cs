using NUnit.Framework;
using TmsBridge;

namespace NUnitSample;

[TestFixture]
[Covers("DEMO-100")] // every test in this fixture covers requirement DEMO-100
public class LoginTests
{
    [Test]
    [TestCaseKey("DEMO-1", "DEMO-TC-1", "1001")]
    [Covers("DEMO-101")]
    public void Valid_user_logs_in()
    {
        var screenshot = Path.Combine(TestContext.CurrentContext.TestDirectory, "evidence", "screen.png");
        TestContext.AddTestAttachment(screenshot, "login page after sign-in");

        var log = Path.Combine(TestContext.CurrentContext.WorkDirectory, "login-log.txt");
        File.WriteAllText(log, "user=alice logged in at 2026-01-01T09:00:00Z\n");
        TestContext.AddTestAttachment(log, "login log");

        Assert.That(Login("alice", "secret"), Is.True);
    }

    [TestCase("bob")]
    [TestCase("eve")]
    [TestCase("mallory")]
    [TestCaseKey("DEMO-2", "DEMO-TC-2", "1002")]
    [Defect("DEMO-200")]
    public void Locked_user_is_refused(string user)
    {
        Assert.That(Login(user, "secret"), Is.False);
    }

    [Test]
    [TestCaseKey("DEMO-5", "DEMO-6", "DEMO-TC-5", "DEMO-TC-6", "1005", "1006")] // one test reporting to two test cases
    public void Password_reset_sends_mail()
    {
        var outbox = new List<string>();
        outbox.Add("reset link for alice");
        Assert.That(outbox, Has.Count.EqualTo(1));
    }

    private static bool Login(string user, string password) =>
        user == "alice" && password == "secret";
}
