using System.Text;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Publishing;
using VsOutcome = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestOutcome;
using VsTestResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace TmsBridge.TestLogger.Tests;

/// <summary>Collects the logger's console lines.</summary>
internal sealed class CaptureOutput : IReporterOutput
{
    private readonly List<string> _lines = [];
    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public string All => string.Join("\n", Lines);
    public IEnumerable<string> Errors => Lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal));
    public void Info(string message) { lock (_lines) _lines.Add("info: " + message); }
    public void Warning(string message) { lock (_lines) _lines.Add("warning: " + message); }
    public void Error(string message) { lock (_lines) _lines.Add("error: " + message); }
}

/// <summary>
/// The 'tms' logger driven through its real entry points (Initialize + run events) with real
/// ObjectModel TestCase/TestResult objects. The environment is injected and always names an
/// explicit (empty) tmsbridge.json through TMS_CONFIG, so no file above the build folder can interfere.
/// </summary>
public sealed class TmsLoggerTests : IDisposable
{
    private static readonly Uri NUnitExecutor = new("executor://nunit3testexecutor/");
    private static readonly Uri MSTestExecutor = new("executor://mstestadapter/v2");
    private static readonly Uri XunitExecutor = new("executor://xunit/VsTestRunner3/netcore/");
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tmsbridge-logger-tests", Guid.NewGuid().ToString("N"));
    private readonly CaptureOutput _output = new();
    private readonly FakeLoggerEvents _events = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<int> _exitCodes = [];

    public TmsLoggerTests()
    {
        Directory.CreateDirectory(_root);
        var config = Path.Combine(_root, "tmsbridge.json");
        File.WriteAllText(config, "{}");
        _environment["TMS_CONFIG"] = config;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string ResultsDir => Path.Combine(_root, "TestResults");
    private string Source => Path.Combine(_root, "bin", "My.Tests.dll");

    private TmsLogger NewLogger(params (string Key, string? Value)[] parameters)
    {
        var logger = new TmsLogger(_output, () => _environment) { SetExitCode = code => _exitCodes.Add(code) };
        var dict = new Dictionary<string, string?> { ["TestRunDirectory"] = ResultsDir, ["TargetFramework"] = ".NETCoreApp,Version=v10.0" };
        foreach (var (k, v) in parameters) dict[k] = v;
        logger.Initialize(_events, dict);
        return logger;
    }

    private VsTestResult NewResult(string fqn, VsOutcome outcome = VsOutcome.Passed, Uri? executor = null, string? displayName = null, params (string Name, string Value)[] traits)
    {
        var testCase = new TestCase(fqn, executor ?? NUnitExecutor, Source) { DisplayName = displayName ?? fqn.Split('.').Last() };
        foreach (var (name, value) in traits) testCase.Traits.Add(name, value);
        return new VsTestResult(testCase)
        {
            Outcome = outcome,
            DisplayName = displayName ?? testCase.DisplayName,
            StartTime = T0,
            EndTime = T0.AddSeconds(1),
            Duration = TimeSpan.FromSeconds(1),
        };
    }

    private PublishReport Run(TmsLogger logger, params VsTestResult[] results)
    {
        _events.RaiseStart([Source]);
        foreach (var r in results) _events.RaiseResult(r);
        _events.RaiseComplete();
        return Assert.IsType<PublishReport>(logger.LastReport);
    }

    private static JournalContent Journal(PublishReport report) => JournalReader.Read(report.JournalPath!);

    [Fact]
    public void Initialize_subscribes_to_start_result_and_complete()
    {
        NewLogger();
        Assert.Equal(3, _events.Subscribers);
    }

    [Fact]
    public void Traits_become_keys_requirements_and_defects()
    {
        var logger = NewLogger();
        var report = Run(logger,
            NewResult("Ns.LoginTests.Valid", traits: [("TestCaseKey", "DEMO-1, demo-2"), ("Covers", "DEMO-100"), ("Defect", "DEMO-77"), ("Category", "smoke")]),
            NewResult("Ns.LoginTests.NoKey"));

        Assert.Equal(["DEMO-1", "DEMO-2"], report.Keys.Select(k => k.Key));
        Assert.All(report.Keys, k =>
        {
            Assert.Equal(KeyStates.Planned, k.State);
            Assert.Equal(["DEMO-100"], k.Requirements);
            Assert.Equal(["DEMO-77"], k.Defects);
        });
        Assert.Equal("Ns.LoginTests.NoKey", Assert.Single(report.Unmapped).Test);
        var journal = Journal(report);
        Assert.Equal("vstest", journal.Header!.Runner);
        Assert.Equal(".NETCoreApp,Version=v10.0", journal.Header.TargetFramework);
        Assert.Equal(["DEMO-1", "demo-2"], journal.Results[0].TestCaseKeys);
        Assert.Equal("nunit", journal.Results[0].Framework);
        Assert.Equal("My.Tests.dll", journal.Results[0].Source);
        Assert.StartsWith(Path.Combine(ResultsDir, "tms"), report.JournalPath);
        Assert.True(File.Exists(Path.Combine(ResultsDir, "tms", report.RunId + ".report.json")));
        Assert.Empty(_exitCodes);
    }

    /// <summary>Issue 9 item 2: the statusMap form a --logger parameter can carry (no '=' in the value) reaches the report.</summary>
    [Fact]
    public void A_colon_statusMap_logger_parameter_maps_the_statuses()
    {
        var logger = NewLogger(("statusMap", "Skipped:ABORTED,Failed:BROKEN"));
        var report = Run(logger,
            NewResult("Ns.C.Skips", VsOutcome.Skipped, traits: [("TestCaseKey", "DEMO-1")]),
            NewResult("Ns.C.Fails", VsOutcome.Failed, traits: [("TestCaseKey", "DEMO-2")]));

        Assert.Empty(report.Errors);
        Assert.Equal("ABORTED", report.FindKey("DEMO-1")!.Status);
        Assert.Equal("BROKEN", report.FindKey("DEMO-2")!.Status);
    }

    /// <summary>Issue 9 item 3: a missing baseUrl or credential is printed when the run starts, before any result, and again at the end.</summary>
    [Fact]
    public void Missing_baseUrl_and_credentials_are_printed_when_the_run_starts_and_in_the_summary()
    {
        var logger = NewLogger(("target", "aio-cloud"), ("project", "DEMO"), ("baseUrl", ""));
        _events.RaiseStart([Source]);

        var atStart = _output.Errors.ToList();
        Assert.Contains(atStart, l => l.Contains("target 'aio-cloud' needs an AIO Tests API token", StringComparison.Ordinal));

        _events.RaiseResult(NewResult("Ns.C.A", traits: [("TestCaseKey", "DEMO-TC-1")]));
        _events.RaiseComplete();

        Assert.Equal(2, _output.Errors.Count(l => l.Contains("target 'aio-cloud' needs an AIO Tests API token", StringComparison.Ordinal)));
        Assert.Contains(_output.Lines, l => l.Contains("nothing is lost", StringComparison.Ordinal));
        Assert.NotNull(logger.LastReport);
    }

    [Fact]
    public void NUnit_outcome_None_is_inconclusive()
    {
        var logger = NewLogger();
        var report = Run(logger, NewResult("Ns.C.Maybe", VsOutcome.None, traits: [("TestCaseKey", "DEMO-3")]));
        var r = Assert.Single(Journal(report).Results);
        Assert.Equal(Model.TestOutcome.Inconclusive, r.Outcome);
        Assert.Equal("None", r.RunnerOutcome);
        Assert.Equal("Inconclusive", Assert.Single(report.Keys).Outcome);
    }

    /// <summary>
    /// Shaped exactly as NUnit3TestAdapter 6.3.1 sends them (observed with NUnit 4.4.0 under
    /// vstest): outcome None, ErrorMessage = the reason or the Assert.Inconclusive message (null
    /// without one), the same text as a StdOutMsgs message, no stack. Only the explicit test case
    /// carries NUnit.Explicit = True and the trait "Explicit" (empty value).
    /// </summary>
    private VsTestResult NUnitNone(string fqn, string? message, bool isExplicit, string key)
    {
        var result = NewResult(fqn, VsOutcome.None, traits: [("TestCaseKey", key)]);
        if (isExplicit)
        {
            result.TestCase.Traits.Add("Explicit", "");
            result.TestCase.SetPropertyValue(NUnitExplicitProperty, true);
        }
        result.ErrorMessage = message;
        result.Duration = TimeSpan.FromTicks(isExplicit ? 120 : 106010);
        result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, message ?? ""));
        return result;
    }

    private static readonly TestProperty NUnitExplicitProperty =
        TestProperty.Register("NUnit.Explicit", "Explicit", typeof(bool), TestPropertyAttributes.Hidden, typeof(TestCase));

    [Fact]
    public void NUnit_explicit_test_not_selected_is_skipped_and_Assert_Inconclusive_stays_inconclusive()
    {
        var logger = NewLogger();
        var report = Run(logger,
            NUnitNone("Ns.C.ExplicitWithReason", "needs a printer", isExplicit: true, key: "DEMO-5"),
            NUnitNone("Ns.C.ExplicitNoReason", null, isExplicit: true, key: "DEMO-6"),
            NUnitNone("Ns.C.Inconclusive", "data not ready", isExplicit: false, key: "DEMO-7"),
            NUnitNone("Ns.C.InconclusiveNoMessage", null, isExplicit: false, key: "DEMO-8"));

        var results = Journal(report).Results.ToDictionary(r => r.FullyQualifiedName);
        Assert.Equal(Model.TestOutcome.Skipped, results["Ns.C.ExplicitWithReason"].Outcome);
        Assert.Equal("needs a printer", results["Ns.C.ExplicitWithReason"].ErrorMessage);
        Assert.Equal(Model.TestOutcome.Skipped, results["Ns.C.ExplicitNoReason"].Outcome);
        Assert.Equal(Model.TestOutcome.Inconclusive, results["Ns.C.Inconclusive"].Outcome);
        Assert.Equal(Model.TestOutcome.Inconclusive, results["Ns.C.InconclusiveNoMessage"].Outcome);
        Assert.All(results.Values, r => Assert.Equal("None", r.RunnerOutcome));
        var keys = report.Keys.ToDictionary(k => k.Key, k => k.Outcome);
        Assert.Equal("Skipped", keys["DEMO-5"]);
        Assert.Equal("Skipped", keys["DEMO-6"]);
        Assert.Equal("Inconclusive", keys["DEMO-7"]);
        Assert.Equal("Inconclusive", keys["DEMO-8"]);
    }

    [Fact]
    public void NUnit_explicit_marker_is_read_from_the_trait_when_the_property_is_absent()
    {
        var result = NewResult("Ns.C.InExplicitFixture", VsOutcome.None);
        result.TestCase.Traits.Add("Explicit", "");
        result.ErrorMessage = "OneTimeSetUp: ";
        Assert.Equal(Model.TestOutcome.Skipped, VsTestResultConverter.Convert(result).Outcome);
        Assert.Equal(Model.TestOutcome.Skipped, VsTestResultConverter.ConvertMinimal(result).Outcome);

        // A selected explicit test that ran keeps its own outcome.
        var passed = NewResult("Ns.C.ExplicitPasses", VsOutcome.Passed);
        passed.TestCase.SetPropertyValue(NUnitExplicitProperty, true);
        Assert.Equal(Model.TestOutcome.Passed, VsTestResultConverter.Convert(passed).Outcome);
    }

    [Theory]
    [InlineData(VsOutcome.Passed, Model.TestOutcome.Passed)]
    [InlineData(VsOutcome.Failed, Model.TestOutcome.Failed)]
    [InlineData(VsOutcome.Skipped, Model.TestOutcome.Skipped)]
    [InlineData(VsOutcome.None, Model.TestOutcome.Inconclusive)]
    [InlineData(VsOutcome.NotFound, Model.TestOutcome.NotRun)]
    public void Outcome_mapping(VsOutcome vs, Model.TestOutcome expected) => Assert.Equal(expected, VsTestResultConverter.OutcomeOf(vs));

    [Fact]
    public void MSTest_relative_attachment_uri_holding_an_absolute_path_is_captured()
    {
        var file = Path.Combine(_root, "x", "file.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var bytes = Encoding.UTF8.GetBytes("evidence from MSTest\n");
        File.WriteAllBytes(file, bytes);
        var result = NewResult("Ns.C.WithFile", executor: MSTestExecutor, traits: [("TestCaseKey", "DEMO-4")]);
        var set = new AttachmentSet(new Uri("executor://mstestadapter/v2"), "MSTestAdapterV2");
        var uri = new Uri(file, UriKind.Relative); // what MSTest delivers on Linux: IsAbsoluteUri=false
        Assert.False(uri.IsAbsoluteUri);
        set.Attachments.Add(new UriDataAttachment(uri, file));
        result.Attachments.Add(set);

        var report = Run(NewLogger(), result);

        var a = Assert.Single(Assert.Single(Journal(report).Results).Attachments);
        Assert.Equal("file.txt", a.FileName);
        Assert.Equal(file, a.OriginalPath);
        Assert.NotEqual(file, a.Path); // copied into the run folder
        Assert.Equal(bytes, File.ReadAllBytes(a.Path));
        Assert.Null(a.Description); // MSTest's description is just the path again
        Assert.Equal(1, Assert.Single(report.Keys).Evidence);
        Assert.Empty(_output.Errors);
    }

    [Fact]
    public void Absolute_file_uri_attachments_keep_their_description()
    {
        var file = Path.Combine(_root, "shots", "page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, [1, 2, 3]);
        var result = NewResult("Ns.C.Shot", traits: [("TestCaseKey", "DEMO-4")]);
        var set = new AttachmentSet(NUnitExecutor, "Attachments");
        set.Attachments.Add(new UriDataAttachment(new Uri(file), "login page"));
        result.Attachments.Add(set);

        var a = Assert.Single(Assert.Single(Journal(Run(NewLogger(), result)).Results).Attachments);
        Assert.Equal("login page", a.Description);
        Assert.Equal("image/png", a.ContentType);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(a.Path));
    }

    [Fact]
    public void Empty_result_display_name_falls_back_to_the_test_case_then_the_fqn()
    {
        var ignored = NewResult("Ns.C.Ignored", VsOutcome.Skipped, MSTestExecutor, traits: [("TestCaseKey", "DEMO-5")]);
        ignored.DisplayName = ""; // MSTest [Ignore]
        var record = VsTestResultConverter.Convert(ignored);
        Assert.Equal("Ignored", record.DisplayName);

        var bare = new VsTestResult(new TestCase("Ns.C.Bare", MSTestExecutor, Source) { DisplayName = " " }) { DisplayName = null };
        Assert.Equal("Ns.C.Bare", VsTestResultConverter.Convert(bare).DisplayName);

        var journal = Journal(Run(NewLogger(), ignored));
        Assert.Equal("Ignored", Assert.Single(journal.Results).DisplayName);
    }

    [Fact]
    public void Data_row_display_names_become_parameters()
    {
        var record = VsTestResultConverter.Convert(NewResult("Ns.C.Rows", executor: XunitExecutor, displayName: "Ns.C.Rows(user: \"bob\", n: 2)"));
        Assert.Equal([("user", "bob"), ("n", "2")], record.Parameters.Select(p => (p.Name, p.Value)));
        Assert.Equal("xunit", record.Framework);
    }

    [Fact]
    public void StdOut_marker_lines_become_attachments_and_leave_the_output()
    {
        var file = Path.Combine(_root, "xunit", "trace.log");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "trace");
        var result = NewResult("Ns.C.V2", executor: XunitExecutor, traits: [("TestCaseKey", "DEMO-6")]);
        var marker = "##tmsbridge[attachment]" + System.Text.Json.JsonSerializer.Serialize(new { path = file, description = "the trace" });
        result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, "first line\n" + marker + "\nlast line\n"));
        result.Messages.Add(new TestResultMessage(TestResultMessage.StandardErrorCategory, "on stderr"));

        var r = Assert.Single(Journal(Run(NewLogger(), result)).Results);

        Assert.Equal("first line\nlast line\n", r.StandardOutput);
        Assert.Equal("on stderr", r.StandardError);
        var a = Assert.Single(r.Attachments);
        Assert.Equal("trace.log", a.FileName);
        Assert.Equal("the trace", a.Description);
        Assert.Equal("trace", File.ReadAllText(a.Path));
    }

    [Fact]
    public void Runtime_api_records_become_steps_comments_keys_and_copied_step_evidence()
    {
        var logger = NewLogger();
        // Initialize hands the run's nonce to the testhost (a child process) through the environment.
        var nonce = Environment.GetEnvironmentVariable(Model.RuntimeMarkers.NonceVariable);
        Assert.False(string.IsNullOrEmpty(nonce));
        var shot = Path.Combine(_root, "steps", "declined.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        File.WriteAllBytes(shot, [1, 2, 3]);
        string Line(string kind, object body) => $"##tmsbridge[runtime:{nonce}]{kind}" + System.Text.Json.JsonSerializer.Serialize(body);
        var result = NewResult("Ns.C.NoAttribute", executor: XunitExecutor);
        result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, string.Join("\n",
            "before",
            Line("attach", new { path = shot, name = "declined.bin", contentType = "image/png", step = "s2" }),
            Line("step", new { id = "s2", name = "Pay", status = "failed", start = "2026-01-01T09:00:01Z", end = "2026-01-01T09:00:02Z", message = "InvalidOperationException: declined" }),
            Line("key", new { value = "DEMO-9" }),
            Line("comment", new { text = "chosen at run time" }),
            "##tmsbridge[runtime:not-this-run]key{\"value\":\"DEMO-66\"}",
            "after")));

        var report = Run(logger, result);

        Assert.Equal("DEMO-9", Assert.Single(report.Keys).Key);
        var r = Assert.Single(Journal(report).Results);
        Assert.Equal("before\n##tmsbridge[runtime:not-this-run]key{\"value\":\"DEMO-66\"}\nafter", r.StandardOutput);
        Assert.Equal(["chosen at run time"], r.Comments);
        var step = Assert.Single(r.Steps);
        Assert.Equal(("Pay", Model.TestOutcome.Failed, "InvalidOperationException: declined"), (step.Name, step.Outcome, step.Message));
        var evidence = Assert.Single(step.Evidence);
        Assert.Equal("declined.bin", evidence.FileName);
        Assert.Equal("image/png", evidence.ContentType); // the type the test named wins over the guess from the name
        Assert.NotEqual(shot, evidence.Path); // the copy in the run folder, as for the test's own evidence
        Assert.Equal([1, 2, 3], File.ReadAllBytes(evidence.Path));
        Assert.Empty(r.Attachments);
    }

    [Fact]
    public void A_malformed_marker_does_not_lose_the_result()
    {
        var result = NewResult("Ns.C.Marker", traits: [("TestCaseKey", "DEMO-8")]);
        result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, "##tmsbridge[attachment]{\"path\":42}\n"));
        var report = Run(NewLogger(), result);
        Assert.Equal("DEMO-8", Assert.Single(report.Keys).Key);
        Assert.Empty(_output.Errors);
    }

    [Fact]
    public void Runsettings_TmsBridge_section_is_read_from_the_run_criteria_and_logger_parameters_win()
    {
        const string xml = """
            <RunSettings>
              <TmsBridge><project>FROMRS</project><summary>from runsettings</summary><environments>a;b</environments></TmsBridge>
            </RunSettings>
            """;
        var logger = NewLogger(("summary", "from parameters"));
        _events.RaiseStart([Source], xml);
        _events.RaiseResult(NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        _events.RaiseComplete();

        var report = logger.LastReport!;
        Assert.Equal("FROMRS", report.Options["project"]);
        Assert.Equal("from parameters", report.Options["summary"]);
        Assert.Equal("a;b", report.Options["environments"]);
        Assert.Equal("FROMRS", Journal(report).Header!.Options["project"]);
    }

    [Fact]
    public void Environment_variables_are_a_layer_below_runsettings()
    {
        _environment["TMS_PROJECT"] = "FROMENV";
        _environment["TMS_REVISION"] = "abc";
        var logger = NewLogger();
        _events.RaiseStart([Source], "<RunSettings><TmsBridge><project>FROMRS</project></TmsBridge></RunSettings>");
        _events.RaiseComplete();
        Assert.Equal("FROMRS", logger.LastReport!.Options["project"]);
        Assert.Equal("abc", logger.LastReport.Options["revision"]);
    }

    [Fact]
    public void A_run_directory_that_cannot_be_created_is_reported_not_thrown()
    {
        var blocker = Path.Combine(_root, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var logger = new TmsLogger(_output, () => _environment) { SetExitCode = code => _exitCodes.Add(code) };
        logger.Initialize(_events, new Dictionary<string, string?> { ["TestRunDirectory"] = Path.Combine(blocker, "results"), ["failOnPublishError"] = "true" });

        _events.RaiseStart([Source]);
        _events.RaiseResult(NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        _events.RaiseComplete();

        Assert.Contains(_output.Errors, l => l.Contains("run journal could not be created") && l.Contains(blocker));
        Assert.Null(logger.LastReport);
        Assert.Equal([1], _exitCodes); // nothing could be published: with failOnPublishError that fails the command
    }

    [Fact]
    public void A_missing_attachment_is_a_warning_naming_the_test_and_the_result_is_kept()
    {
        var missing = Path.Combine(_root, "gone", "deleted.png");
        var result = NewResult("Ns.C.LostFile", traits: [("TestCaseKey", "DEMO-7")]);
        var set = new AttachmentSet(NUnitExecutor, "Attachments");
        set.Attachments.Add(new UriDataAttachment(new Uri(missing), null));
        result.Attachments.Add(set);

        var report = Run(NewLogger(), result);

        Assert.Contains(_output.Lines, l => l.StartsWith("warning: ") && l.Contains("LostFile") && l.Contains(missing));
        var r = Assert.Single(Journal(report).Results);
        Assert.Empty(r.Attachments);
        Assert.Equal("DEMO-7", Assert.Single(report.Keys).Key);
    }

    [Fact]
    public void A_secret_printed_by_a_test_reaches_neither_the_console_nor_the_run_folder()
    {
        const string Password = "pw+Canary<42>";
        _environment["TMS_PASSWORD"] = Password;
        _environment["TMS_USER"] = "bob";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:" + Password));
        var result = NewResult("Ns.C.Leaks", VsOutcome.Failed, displayName: $"Leaks(\"{Password}\")", traits: [("TestCaseKey", "DEMO-8")]);
        result.ErrorMessage = "Expected " + Password;
        result.ErrorStackTrace = "at Ns.C.Leaks(" + Uri.EscapeDataString(Password) + ")";
        result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, "Authorization: Basic " + basic + "\n"));
        var set = new AttachmentSet(NUnitExecutor, "Attachments");
        set.Attachments.Add(new UriDataAttachment(new Uri(Path.Combine(_root, "gone", Password + ".png")), null));
        result.Attachments.Add(set);

        var report = Run(NewLogger(), result);

        Assert.Contains(_output.Lines, l => l.StartsWith("warning: ") && l.Contains("Leaks(\"***\")") && l.Contains("***.png"));
        Assert.DoesNotContain("Canary", _output.All);
        Assert.DoesNotContain(basic, _output.All);
        foreach (var file in Directory.EnumerateFiles(ResultsDir, "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("Canary", text);
            Assert.DoesNotContain(basic, text);
        }
        Assert.Equal("DEMO-8", Assert.Single(report.Keys).Key);
    }

    [Fact]
    public void A_handler_exception_is_reported_through_the_output_and_never_thrown()
    {
        var logger = new TmsLogger(_output, () => throw new InvalidOperationException("environment exploded"));
        logger.Initialize(_events, new Dictionary<string, string?> { ["TestRunDirectory"] = ResultsDir });

        var ex = Record.Exception(() =>
        {
            _events.RaiseStart([Source]);
            _events.RaiseResult(NewResult("Ns.C.M"));
            _events.RaiseComplete();
        });

        Assert.Null(ex);
        Assert.Contains(_output.Errors, l => l.Contains("internal error while handling run start") && l.Contains("environment exploded"));
        Assert.Contains(_output.Errors, l => l.Contains("internal error while handling a test result"));
        Assert.Contains(_output.Errors, l => l.Contains("internal error while handling run end"));
    }

    [Fact]
    public void Results_without_a_run_start_still_open_a_session()
    {
        var logger = NewLogger();
        _events.RaiseResult(NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        _events.RaiseComplete();
        Assert.Equal("DEMO-1", Assert.Single(logger.LastReport!.Keys).Key);
        Assert.Equal([Source], Journal(logger.LastReport).Header!.Sources);
    }

    [Fact]
    public void The_directory_only_Initialize_overload_works_too()
    {
        var logger = new TmsLogger(_output, () => _environment);
        logger.Initialize(_events, ResultsDir);
        var report = Run(logger, NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        Assert.StartsWith(ResultsDir, report.JournalPath);
    }

    [Fact]
    public void FailOnPublishError_exits_with_1_when_publishing_failed()
    {
        // target xray without baseUrl or credentials: nothing can be sent, no network is touched.
        var logger = NewLogger(("target", "xray"), ("failOnPublishError", "true"));
        var report = Run(logger, NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        Assert.True(report.PublishFailed);
        Assert.Equal([1], _exitCodes);
        Assert.Contains(_output.Errors, l => l.Contains("failOnPublishError=true"));
    }

    [Fact]
    public void FailOnPublishError_does_not_exit_when_publishing_succeeded()
    {
        var logger = NewLogger(("failOnPublishError", "true")); // target none: planned, not failed
        var report = Run(logger, NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        Assert.False(report.PublishFailed);
        Assert.Empty(_exitCodes);
    }

    [Fact]
    public void A_failed_publish_without_failOnPublishError_does_not_exit()
    {
        var logger = NewLogger(("target", "xray"));
        var report = Run(logger, NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        Assert.True(report.PublishFailed);
        Assert.Empty(_exitCodes);
    }

    [Fact]
    public void Secrets_in_logger_parameters_are_refused_and_not_printed()
    {
        const string secret = "tok-SHOULD-NOT-APPEAR";
        var logger = NewLogger(("token", secret));
        Run(logger, NewResult("Ns.C.M", traits: [("TestCaseKey", "DEMO-1")]));
        Assert.Contains(_output.Errors, l => l.Contains("TMS_TOKEN"));
        Assert.DoesNotContain(secret, _output.All);
        Assert.DoesNotContain(secret, File.ReadAllText(logger.LastReport!.JournalPath!));
    }

    [Fact]
    public void A_stuck_publish_ends_the_run_end_within_the_deadline_plus_grace_and_the_journal_says_what_was_not_sent()
    {
        _environment["TMS_TOKEN"] = "pat-TOKEN-0123456789";
        using var stuck = new StuckHandler();
        var logger = NewLogger(("target", "xray"), ("baseUrl", "http://127.0.0.1:9/jira/"), ("project", "DEMO"), ("publishTimeout", "2"), ("failOnPublishError", "true"));
        logger.HttpHandler = stuck;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var report = Run(logger, NewResult("Ns.C.A", traits: [("TestCaseKey", "DEMO-1")]), NewResult("Ns.C.B", VsOutcome.Failed, traits: [("TestCaseKey", "DEMO-2")]));
        watch.Stop();

        // TestRunComplete returned: vstest is not held by the stuck backend beyond publishTimeout plus the grace.
        Assert.True(stuck.Calls > 0);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) + RunSession.PublishGrace + TimeSpan.FromSeconds(5));
        Assert.True(report.PublishFailed);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.Equal([1], _exitCodes);
        Assert.Contains(_output.Errors, l => l.Contains("did not finish within the publishTimeout deadline", StringComparison.Ordinal));

        var journal = Journal(report);
        Assert.NotNull(journal.End);
        Assert.Equal(["DEMO-1", "DEMO-2"], journal.PublishMarks.Select(m => m.Key).Order());
        Assert.All(journal.PublishMarks, m => Assert.Equal(KeyStates.NotSent, m.State));
        // The session was disposed on the way out: nothing holds the journal open any more.
        using (new FileStream(report.JournalPath!, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
    }
}
