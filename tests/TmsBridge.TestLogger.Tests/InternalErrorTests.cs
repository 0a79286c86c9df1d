using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using TmsBridge.Publishing;
using VsTestResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace TmsBridge.TestLogger.Tests;

/// <summary>
/// An exception inside the logger's handlers: one "Type: message" line on the console, the whole
/// stack trace (redacted) in the report, or in the run folder once the report is written.
/// </summary>
public sealed class InternalErrorTests : IDisposable
{
    private const string Secret = "s3cr3t-token-value";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tmsbridge-logger-tests", Guid.NewGuid().ToString("N"));
    private readonly CaptureOutput _output = new();
    private readonly FakeLoggerEvents _events = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.OrdinalIgnoreCase);

    public InternalErrorTests()
    {
        Directory.CreateDirectory(_root);
        var config = Path.Combine(_root, "tmsbridge.json");
        File.WriteAllText(config, "{}");
        _environment["TMS_CONFIG"] = config;
        _environment["TMS_TOKEN"] = Secret;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string ResultsDir => Path.Combine(_root, "TestResults");
    private string Source => Path.Combine(_root, "bin", "My.Tests.dll");

    private TmsLogger NewLogger(Action<int> setExitCode, params (string Key, string? Value)[] parameters)
    {
        var logger = new TmsLogger(_output, () => _environment) { SetExitCode = setExitCode };
        var dict = new Dictionary<string, string?> { ["TestRunDirectory"] = ResultsDir };
        foreach (var (k, v) in parameters) dict[k] = v;
        logger.Initialize(_events, dict);
        return logger;
    }

    private static void Throw(string message) => throw new InvalidOperationException(message);

    [Fact]
    public void An_exception_after_the_report_is_one_console_line_and_a_redacted_stack_trace_in_the_run_folder()
    {
        // failOnPublishError with a target that cannot publish: the exit-code hook runs after the report, and throws.
        var logger = NewLogger(_ => Throw("exit code hook exploded near " + Secret), ("target", "xray"), ("failOnPublishError", "true"));
        _events.RaiseStart([Source]);
        _events.RaiseResult(new VsTestResult(new TestCase("Ns.C.M", new Uri("executor://nunit3testexecutor/"), Source)) { Outcome = TestOutcome.Passed });
        _events.RaiseComplete();

        var report = Assert.IsType<PublishReport>(logger.LastReport);
        var file = Path.Combine(ResultsDir, "tms", report.RunId + ".internal-errors.log");
        Assert.Contains($"error: internal error while handling run end: InvalidOperationException: exit code hook exploded near *** (stack trace in {file})", _output.Errors);
        Assert.DoesNotContain(_output.Lines, l => l.Contains(" at ", StringComparison.Ordinal) || l.Contains(Secret, StringComparison.Ordinal));
        var text = File.ReadAllText(file);
        Assert.Contains(nameof(Throw), text);
        Assert.DoesNotContain(Secret, text);
    }

    [Fact]
    public void An_exception_while_handling_a_result_is_one_console_line_and_its_stack_trace_is_in_the_report()
    {
        var logger = NewLogger(_ => { });
        _events.RaiseStart([Source]);
        // Traits that cannot be read break the full conversion and the minimal fallback alike.
        var broken = new TestCase("Ns.C.Broken", new Uri("executor://nunit3testexecutor/"), Source);
        var traits = TestProperty.Register("TestObject.Traits", "Traits", typeof(KeyValuePair<string, string>[]), TestPropertyAttributes.Hidden, typeof(TestObject));
        broken.SetPropertyValue(traits, (object)"not traits");
        _events.RaiseResult(new VsTestResult(broken) { Outcome = TestOutcome.Passed });
        _events.RaiseResult(new VsTestResult(new TestCase("Ns.C.Fine", new Uri("executor://nunit3testexecutor/"), Source)) { Outcome = TestOutcome.Passed });
        _events.RaiseComplete();

        var report = Assert.IsType<PublishReport>(logger.LastReport);
        var error = Assert.Single(report.InternalErrors!);
        Assert.Equal("handling a test result", error.While);
        Assert.Contains(" at ", error.StackTrace);
        Assert.Contains(_output.Errors, l => l == "error: " + error.Summary);
        Assert.DoesNotContain(_output.Lines, l => l.Contains(" at ", StringComparison.Ordinal));
        Assert.Equal(1, report.Totals.Results); // the other result went its way
        Assert.Contains("\"internalErrors\"", File.ReadAllText(Path.Combine(ResultsDir, "tms", report.RunId + ".report.json")));
    }
}
