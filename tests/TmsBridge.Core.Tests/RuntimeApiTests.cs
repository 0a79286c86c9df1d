using System.Text;
using TmsBridge.Model;
using TmsBridge.Runtime;

namespace TmsBridge.Core.Tests;

/// <summary>
/// TmsBridge.Tms end to end at the unit level: the runtime writes its records through a channel that, like
/// NUnit's TestContext or xUnit v3's TestContext.Current, knows the current test from the execution context;
/// Core's RuntimeMarkers reads each test's output back into that test's result.
/// </summary>
public sealed class RuntimeApiTests
{
    /// <summary>A framework stand-in: each "test" has its own captured output, found through an AsyncLocal.</summary>
    private sealed class CapturingChannel : ITmsTestChannel
    {
        public static readonly AsyncLocal<StringBuilder?> Current = new();
        public bool TryWriteLine(string line)
        {
            var output = Current.Value;
            if (output is null) return false;
            lock (output) output.Append(line).Append('\n');
            return true;
        }
        public string Unavailable => "no test is running.";
    }

    public RuntimeApiTests()
    {
        RuntimeMarkers.EnsureNonce();
        TmsRuntime.ChannelsOverride = [new CapturingChannel()];
    }

    private static TestResultRecord Read(StringBuilder output, out string? kept)
    {
        var record = new TestResultRecord();
        kept = RuntimeMarkers.Extract(output.ToString(), record, RuntimeMarkers.CurrentNonce());
        return record;
    }

    [Fact]
    public async Task Fifty_parallel_async_tests_keep_their_steps_apart()
    {
        const int tests = 50;
        var outputs = Enumerable.Range(0, tests).Select(_ => new StringBuilder()).ToArray();
        using var start = new ManualResetEventSlim(false);

        var runs = Enumerable.Range(0, tests).Select(i => Task.Run(async () =>
        {
            CapturingChannel.Current.Value = outputs[i];
            start.Wait();
            await Tms.StepAsync($"t{i} open", async () =>
            {
                await Task.Yield();
                // Task.Run and a thread started by the test both see the current step.
                await Task.Run(() => Tms.Step($"t{i} inner run", () => Thread.Sleep(i % 5)));
                var thread = new Thread(() => Tms.Step($"t{i} inner thread", () => { }));
                thread.Start();
                thread.Join();
            });
            await Task.Delay(i % 7);
            Tms.Key($"DEMO-{i}");
            try
            {
                await Tms.StepAsync($"t{i} fails", async () => { await Task.Yield(); throw new InvalidOperationException($"boom {i}"); });
            }
            catch (InvalidOperationException) { }
            Tms.Comment($"done {i}");
        })).ToList();
        start.Set();
        await Task.WhenAll(runs);

        for (var i = 0; i < tests; i++)
        {
            var r = Read(outputs[i], out var kept);
            Assert.Equal("", kept!.Trim());
            Assert.Equal([$"t{i} open", $"t{i} fails"], r.Steps.Select(s => s.Name));
            Assert.Equal([$"t{i} inner run", $"t{i} inner thread"], r.Steps[0].Steps.Select(s => s.Name));
            Assert.Equal(TestOutcome.Passed, r.Steps[0].Outcome);
            Assert.Equal(TestOutcome.Failed, r.Steps[1].Outcome);
            Assert.Equal($"InvalidOperationException: boom {i}", r.Steps[1].Message);
            Assert.Equal([$"DEMO-{i}"], r.TestCaseKeys);
            Assert.Equal([$"done {i}"], r.Comments);
        }
    }

    [Fact]
    public void A_failing_step_is_failed_keeps_its_message_rethrows_and_holds_its_evidence()
    {
        var output = new StringBuilder();
        CapturingChannel.Current.Value = output;
        var shot = Path.Combine(Path.GetTempPath(), $"tms-step-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(shot, [1, 2, 3]);

        Tms.Step("Open the login page", () => Tms.Attach([9, 9], "page.html", "text/html"));
        var thrown = Assert.Throws<ArgumentException>(() => Tms.Step("Sign in", () =>
        {
            Tms.Attach(shot, "screen.png");
            throw new ArgumentException("wrong password");
        }));
        Assert.Equal("wrong password", thrown.Message);
        var value = Tms.Step("Count", () => 42);
        Tms.Attach(shot);
        Tms.Parameter("browser", "firefox");
        Tms.Parameter("width", 1280.5);
        Tms.Covers("DEMO-100");
        Tms.Defect("DEMO-77");

        var r = Read(output, out _);
        Assert.Equal(42, value);
        Assert.Equal(["Open the login page", "Sign in", "Count"], r.Steps.Select(s => s.Name));
        Assert.Equal("page.html", Assert.Single(r.Steps[0].Evidence).FileName);
        Assert.Equal("text/html", r.Steps[0].Evidence[0].ContentType);
        Assert.Equal([9, 9], File.ReadAllBytes(r.Steps[0].Evidence[0].Path));
        Assert.Equal(TestOutcome.Failed, r.Steps[1].Outcome);
        Assert.Equal("ArgumentException: wrong password", r.Steps[1].Message);
        Assert.Equal(shot, Assert.Single(r.Steps[1].Evidence).Path);
        Assert.True(r.Steps[1].EndTime >= r.Steps[1].StartTime);
        Assert.Equal(Path.GetFileName(shot), Assert.Single(r.Attachments).FileName); // outside a step: the test's
        Assert.Equal(["browser=firefox", "width=1280.5"], r.Parameters.Select(p => p.Name + "=" + p.Value));
        Assert.Equal(["DEMO-100"], r.Covers);
        Assert.Equal(["DEMO-77"], r.Defects);
    }

    [Fact]
    public void Runtime_keys_join_the_attributes_keys_without_duplicates()
    {
        var output = new StringBuilder();
        CapturingChannel.Current.Value = output;
        Tms.Key("DEMO-1");
        Tms.Key("DEMO-9");
        var record = new TestResultRecord { TestCaseKeys = ["DEMO-1"] };
        RuntimeMarkers.Extract(output.ToString(), record, RuntimeMarkers.CurrentNonce());
        Assert.Equal(["DEMO-1", "DEMO-9"], record.TestCaseKeys);
    }

    [Fact]
    public void Records_without_this_runs_nonce_stay_plain_output()
    {
        var forged = "##tmsbridge[runtime:0123]key{\"value\":\"EVIL-1\"}\n  " + RuntimeMarkers.Prefix + RuntimeMarkers.CurrentNonce() + "]key{\"value\":\"EVIL-2\"}";
        var record = new TestResultRecord();
        var kept = RuntimeMarkers.Extract(forged, record, RuntimeMarkers.CurrentNonce());
        Assert.Equal(forged, kept);
        Assert.Empty(record.TestCaseKeys);
        Assert.Equal(forged, RuntimeMarkers.Extract(forged, record, nonce: null));
    }

    [Fact]
    public void Only_a_plain_media_type_is_taken_from_an_attachment_record()
    {
        var output = new StringBuilder();
        CapturingChannel.Current.Value = output;
        var bytes = new byte[] { 1 };
        Tms.Attach(bytes, "a.bin", "Image/PNG");
        Tms.Attach(bytes, "b.bin", "text/plain\r\nX-Injected: yes");
        Tms.Attach(bytes, "c.bin", "no-slash");

        var r = Read(output, out _);

        Assert.Equal(["image/png", "application/octet-stream", "application/octet-stream"], r.Attachments.Select(a => a.ContentType));
    }

    [Fact]
    public void Outside_a_test_a_step_still_runs_and_nothing_is_recorded()
    {
        CapturingChannel.Current.Value = null;
        var ran = false;
        Tms.Step("no test", () => ran = true);
        Tms.Comment("nobody hears this");
        Assert.True(ran);
    }

    [Fact]
    public void Bad_input_names_what_is_wrong()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.png");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => Tms.Attach(missing)).Message);
        Assert.Equal("testCaseKey", Assert.Throws<ArgumentException>(() => Tms.Key(" ")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Tms.Step("", () => { })).ParamName);
    }
}
