using Microsoft.VisualStudio.TestTools.UnitTesting;
using TmsBridge;

namespace MSTestSample;

[TestClass]
[Covers("DEMO-100")] // every test in this class covers requirement DEMO-100
public class LoginTests(TestContext testContext)
{
    [TestMethod]
    [TestCaseKey("DEMO-1", "DEMO-TC-1", "1001")]
    [Covers("DEMO-101")]
    public void Valid_user_logs_in()
    {
        var screenshot = Path.Combine(AppContext.BaseDirectory, "evidence", "screen.png");
        testContext.AddResultFile(screenshot);

        var log = Path.Combine(testContext.TestRunResultsDirectory ?? AppContext.BaseDirectory, "login-log.txt");
        File.WriteAllText(log, "user=alice logged in at 2026-01-01T09:00:00Z\n");
        testContext.AddResultFile(log);

        Assert.IsTrue(Login("alice", "secret"));
    }

    [TestMethod]
    [DataRow("bob")]
    [DataRow("eve")]
    [DataRow("mallory")]
    [TestCaseKey("DEMO-2", "DEMO-TC-2", "1002")]
    [Defect("DEMO-200")]
    public void Locked_user_is_refused(string user)
    {
        Assert.IsFalse(Login(user, "secret"));
    }

    [TestMethod]
    [TestCaseKey("DEMO-5", "DEMO-6", "DEMO-TC-5", "DEMO-TC-6", "1005", "1006")] // one test reporting to two test cases
    public void Password_reset_sends_mail()
    {
        var outbox = new List<string> { "reset link for alice" };
        Assert.HasCount(1, outbox);
    }

    private static bool Login(string user, string password) =>
        user == "alice" && password == "secret";
}
