using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using TmsBridge.Configuration;
using TmsBridge.Publishing;

namespace TmsBridge.TestLogger;

/// <summary>
/// The VSTest front-end: <c>dotnet test --logger tms</c>. A thin adapter: it turns vstest's
/// events into Core's neutral records and leaves journal, aggregation and publishing to Core.
/// vstest swallows exceptions thrown by logger handlers without a trace, so every handler
/// catches and prints its own failures instead.
/// </summary>
[FriendlyName(FriendlyName)]
[ExtensionUri(ExtensionUri)]
public sealed class TmsLogger : ITestLoggerWithParameters
{
    public const string FriendlyName = "tms";
    public const string ExtensionUri = "logger://tmsbridge/tms/v1";

    private readonly IReporterOutput _output;
    private readonly Func<IReadOnlyDictionary<string, string>> _environment;
    private Dictionary<string, string?> _parameters = new(StringComparer.OrdinalIgnoreCase);
    private RunSession? _session;
    private readonly object _gate = new();

    public TmsLogger() : this(new ConsoleReporterOutput(), ReadEnvironment) { }

    /// <summary>For tests: where the console lines go and which environment is seen.</summary>
    public TmsLogger(IReporterOutput output, Func<IReadOnlyDictionary<string, string>> environment)
    {
        _output = output;
        _environment = environment;
    }

    /// <summary>
    /// How failOnPublishError fails the test command. vstest.console offers loggers no way to set
    /// its exit code, so the default sets the process exit code when vstest.console exits: every
    /// other logger still finishes, vstest still prints its summary, and the code only ever goes
    /// from 0 to the given value (a run with failed tests keeps its own non-zero code). Tests replace it.
    /// </summary>
    public Action<int> SetExitCode { get; set; } = SetExitCodeAtProcessExit;

    private static void SetExitCodeAtProcessExit(int code) =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { if (Environment.ExitCode == 0) Environment.ExitCode = code; };

    public PublishReport? LastReport { get; private set; }

    /// <summary>Test hook: replaces the network stack (the product always uses real sockets).</summary>
    internal HttpMessageHandler? HttpHandler { get; set; }

    public void Initialize(TestLoggerEvents events, string testRunDirectory) =>
        Initialize(events, new Dictionary<string, string?> { ["TestRunDirectory"] = testRunDirectory });

    public void Initialize(TestLoggerEvents events, Dictionary<string, string?> parameters)
    {
        _parameters = new Dictionary<string, string?>(parameters, StringComparer.OrdinalIgnoreCase);
        // Before any testhost starts: it inherits the variable, and TmsBridge.Tms marks its records with it.
        Guard("the runtime API's nonce", () => Model.RuntimeMarkers.EnsureNonce());
        events.TestRunStart += (_, e) => Guard("run start", () => StartSession(e.TestRunCriteria?.Sources, e.TestRunCriteria?.TestRunSettings));
        events.TestResult += (_, e) => Guard("a test result", () => OnTestResult(e));
        events.TestRunComplete += (_, e) => Guard("run end", () => OnTestRunComplete(e));
    }

    private void Guard(string what, Action action)
    {
        try { action(); }
        catch (Exception e)
        {
            // Never into the runner: the test run comes first. The console gets "Type: message"; the
            // session keeps the stack trace (redacted) for the report or the run folder.
            if (_session is { } session) session.ReportInternalError($"handling {what}", e);
            else _output.Error($"internal error while handling {what}: {e.GetType().Name}: {e.Message}");
        }
    }

    private RunSession StartSession(IEnumerable<string>? sources, string? runSettingsXml)
    {
        lock (_gate)
        {
            if (_session is not null) return _session;
            var sourceList = sources?.Where(s => !string.IsNullOrEmpty(s)).ToList() ?? [];
            var environment = _environment();
            var searchFrom = sourceList.Select(Path.GetDirectoryName).Where(d => d is not null).Cast<string>().ToList();
            searchFrom.Add(Directory.GetCurrentDirectory());
            var options = ConfigurationResolver.ResolveForVsTest(environment, searchFrom, runSettingsXml, _parameters, FriendlyName);
            var runDirectory = _parameters.TryGetValue("TestRunDirectory", out var d) && !string.IsNullOrWhiteSpace(d)
                ? d!
                : Path.Combine(Directory.GetCurrentDirectory(), "TestResults");
            _session = RunSession.Start(new RunStartInfo
            {
                TestRunDirectory = runDirectory,
                Sources = sourceList,
                Runner = "vstest",
                TargetFramework = _parameters.TryGetValue("TargetFramework", out var tf) ? tf : null,
                Options = options,
                HttpHandler = HttpHandler,
                // The logger runs in vstest.console: its command line carries the dotnet test session's id.
                InvocationId = DotnetTestInvocation.FromVsTestCommandLine(Environment.GetCommandLineArgs()),
                Environment = name => environment.TryGetValue(name, out var v) ? v : null,
            }, _output);
            return _session;
        }
    }

    private void OnTestResult(TestResultEventArgs e)
    {
        // Some hosts raise results without a TestRunStart: start from what the result tells.
        var session = _session ?? StartSession([e.Result.TestCase.Source], null);
        Model.TestResultRecord record;
        try
        {
            record = VsTestResultConverter.Convert(e.Result);
        }
        catch (Exception x)
        {
            // An adapter quirk we do not know yet must not lose the result: keep its identity,
            // outcome and keys, drop the part that could not be read.
            session.Output.Warning($"test '{e.Result.TestCase.FullyQualifiedName}': part of its result could not be read ({x.GetType().Name}: {x.Message}); it is reported without output and evidence.");
            record = VsTestResultConverter.ConvertMinimal(e.Result);
        }
        session.Record(record);
    }

    private void OnTestRunComplete(TestRunCompleteEventArgs e)
    {
        var session = _session ?? StartSession(null, null);
        PublishReport? report;
        try
        {
            // vstest waits for loggers after this event, so publishing synchronously here holds the
            // run as long as the publish takes: CompleteAsync returns within publishTimeout plus a
            // short grace whatever the backend does, and the journal keeps what was not sent.
            report = session.CompleteAsync(e.IsAborted || e.IsCanceled).GetAwaiter().GetResult();
        }
        finally
        {
            session.Dispose();
        }
        LastReport = report;
        // No report at all (the journal could not even be created) is a publishing failure too.
        if (session.Options.FailOnPublishError && (report is null || report.PublishFailed))
        {
            _output.Error("failOnPublishError=true and publishing failed: the test command will exit with code 1.");
            SetExitCode(1);
        }
    }

    private static IReadOnlyDictionary<string, string> ReadEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string k && entry.Value is string v) result[k] = v;
        }
        return result;
    }
}
