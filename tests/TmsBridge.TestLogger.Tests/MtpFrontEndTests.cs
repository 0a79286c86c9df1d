using Microsoft.Testing.Platform.CommandLine;
using Microsoft.Testing.Platform.Configurations;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.OutputDevice;
using Microsoft.Testing.Platform.OutputDevice;
using Microsoft.Testing.Platform.Services;
using Microsoft.Testing.Platform.TestHost;
using TmsBridge.Configuration;
using TmsBridge.TestLogger.Mtp;
using CoreOutcome = TmsBridge.Model.TestOutcome;

namespace TmsBridge.TestLogger.Tests;

/// <summary>The MTP converter: real Microsoft.Testing.Platform test nodes in, Core records out.</summary>
public sealed class MtpResultConverterTests
{
    private static TestNode Node(string uid, string displayName, params IProperty[] properties) =>
        new() { Uid = uid, DisplayName = displayName, Properties = new PropertyBag(properties) };

    private static TestMethodIdentifierProperty Method(string ns, string type, string method) =>
        new("", ns, type, method, 0, [], "System.Void");

    [Theory]
    [InlineData("0123456789abcdef0123456789ABCDEF", true)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", true)]
    [InlineData("0123456789abcdef0123456789abcde", false)] // 31 digits
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c330g", false)]
    [InlineData("3f2504e0x4f89-11d3-9a0c-0305e82c3301", false)]
    [InlineData("Bench.Case0.Test1", false)]
    [InlineData("", false)]
    public void An_opaque_uid_is_32_or_more_hex_digits_or_a_guid(string uid, bool opaque) =>
        Assert.Equal(opaque, MtpResultConverter.IsOpaqueUid(uid));

    [Fact]
    public void Discovered_and_in_progress_updates_are_not_results()
    {
        Assert.Null(MtpResultConverter.Convert(Node("1", "T", DiscoveredTestNodeStateProperty.CachedInstance), null, null));
        Assert.Null(MtpResultConverter.Convert(Node("1", "T", InProgressTestNodeStateProperty.CachedInstance), null, null));
        Assert.Null(MtpResultConverter.Convert(Node("1", "T"), null, null));
    }

    [Theory]
    [InlineData("passed", CoreOutcome.Passed, "Passed")]
    [InlineData("failed", CoreOutcome.Failed, "Failed")]
    [InlineData("error", CoreOutcome.Failed, "Error")]
    [InlineData("timeout", CoreOutcome.Failed, "Timeout")]
    [InlineData("skipped", CoreOutcome.Skipped, "Skipped")]
    public void Outcomes_map_to_core_and_keep_the_runner_word(string state, CoreOutcome expected, string runnerWord)
    {
        TestNodeStateProperty property = state switch
        {
            "passed" => PassedTestNodeStateProperty.CachedInstance,
            "failed" => new FailedTestNodeStateProperty(new InvalidOperationException("boom"), "assertion said no"),
            "error" => new ErrorTestNodeStateProperty(new InvalidOperationException("setup crashed"), "setup crashed"),
            "timeout" => new TimeoutTestNodeStateProperty("took too long"),
            _ => new SkippedTestNodeStateProperty("not today"),
        };
        var record = MtpResultConverter.Convert(Node("1", "T", property), null, null)!;
        Assert.Equal(expected, record.Outcome);
        Assert.Equal(runnerWord, record.RunnerOutcome);
        if (state == "failed") Assert.Equal("assertion said no", record.ErrorMessage);
        if (state == "skipped") Assert.Equal("not today", record.ErrorMessage);
    }

    [Fact]
    public void Identity_keys_categories_output_timing_and_evidence()
    {
        var file = Path.Combine(Path.GetTempPath(), "tmsbridge-mtp-" + Guid.NewGuid().ToString("N") + ".png");
        var marked = Path.Combine(Path.GetTempPath(), "marked.txt");
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var node = Node("0f8fad5b-d9cb-469f-a165-70867728950e", "Locked_user_is_refused (\"bob\")",
            new PassedTestNodeStateProperty(),
            Method("MSTestSample", "LoginTests", "Locked_user_is_refused"),
            new TestMetadataProperty("TestCaseKey", "DEMO-2"),
            new TestMetadataProperty("Defect", "DEMO-200"),
            new TestMetadataProperty("Covers", "DEMO-100"),
            new TestMetadataProperty("TestCaseKey", ""), // a category named like a trait: never a key
            new TestMetadataProperty("DEMO-999", ""),    // a category that looks like a key: ignored too
            new TimingProperty(new TimingInfo(start, start.AddMilliseconds(250), TimeSpan.FromMilliseconds(250))),
#pragma warning disable TPEXP
            new StandardOutputProperty("hello\n##tmsbridge[attachment]{\"path\":\"" + marked.Replace("\\", "\\\\") + "\",\"description\":\"marker\"}\nbye"),
            new StandardErrorProperty("warning text"),
#pragma warning restore TPEXP
            new FileArtifactProperty(new FileInfo(file), "MSTestAdapterV2", null!));

        var record = MtpResultConverter.Convert(node, "mstest", "MSTestMtpSample.dll")!;

        Assert.Equal("MSTestSample.LoginTests.Locked_user_is_refused", record.FullyQualifiedName);
        Assert.Equal("Locked_user_is_refused", record.MethodName);
        Assert.Equal("Locked_user_is_refused (\"bob\")", record.DisplayName);
        Assert.Equal("bob", Assert.Single(record.Parameters).Value);
        Assert.Equal(["DEMO-2"], record.TestCaseKeys);
        Assert.Equal(["DEMO-100"], record.Covers);
        Assert.Equal(["DEMO-200"], record.Defects);
        Assert.Equal(250, record.DurationMs);
        Assert.Equal(start, record.StartTime);
        Assert.Equal("hello\nbye", record.StandardOutput);
        Assert.Equal("warning text", record.StandardError);
        Assert.Equal(2, record.Attachments.Count);
        Assert.Contains(record.Attachments, a => a.Path == marked && a.Description == "marker");
        var png = Assert.Single(record.Attachments, a => a.Path == file);
        Assert.Equal(Path.GetFileName(file), png.FileName);
        Assert.Null(png.Description); // "MSTestAdapterV2" says nothing about the file
        Assert.Equal("mstest", record.Framework);
        Assert.Equal("MSTestMtpSample.dll", record.Source);
    }

    [Fact]
    public void Runtime_api_records_in_the_standard_output_become_steps_and_keys()
    {
        var nonce = Model.RuntimeMarkers.EnsureNonce(); // what the extension does at session start
        var node = Node("uid-1", "Key_chosen_at_run_time", new PassedTestNodeStateProperty(),
#pragma warning disable TPEXP
            new StandardOutputProperty(
                $"##tmsbridge[runtime:{nonce}]step{{\"id\":\"b\",\"parent\":\"a\",\"name\":\"inner\",\"status\":\"passed\"}}\n" +
                $"##tmsbridge[runtime:{nonce}]step{{\"id\":\"a\",\"name\":\"outer\",\"status\":\"passed\"}}\n" +
                $"##tmsbridge[runtime:{nonce}]key{{\"value\":\"DEMO-9\"}}\n" +
                $"##tmsbridge[runtime:{nonce}]parameter{{\"name\":\"region\",\"value\":\"eu\"}}\nplain"));
#pragma warning restore TPEXP

        var record = MtpResultConverter.Convert(node, "xunit", null)!;

        Assert.Equal("plain", record.StandardOutput);
        Assert.Equal(["DEMO-9"], record.TestCaseKeys);
        Assert.Equal("eu", Assert.Single(record.Parameters, p => p.Name == "region").Value);
        var outer = Assert.Single(record.Steps);
        Assert.Equal("outer", outer.Name);
        Assert.Equal("inner", Assert.Single(outer.Steps).Name);
    }

    [Fact]
    public void Names_without_a_method_identifier_come_from_a_readable_uid_or_the_display_name()
    {
        // NUnit through the VSTest bridge: the Uid is the FQN (with row arguments).
        var nunit = MtpResultConverter.Convert(Node("NUnitSample.LoginTests.Locked_user_is_refused(\"bob\")", "Locked_user_is_refused(\"bob\")", PassedTestNodeStateProperty.CachedInstance), "nunit", null)!;
        Assert.Equal("NUnitSample.LoginTests.Locked_user_is_refused", nunit.TestName);
        // An opaque hash Uid: the display name is the best name there is.
        var opaque = MtpResultConverter.Convert(Node(new string('a', 64), "Some test", PassedTestNodeStateProperty.CachedInstance), null, null)!;
        Assert.Equal("Some test", opaque.FullyQualifiedName);
        // xUnit gives the full type name in TypeName: the namespace is not doubled.
        var xunit = MtpResultConverter.Convert(Node("x", "XunitSample.ReportTests.Daily", PassedTestNodeStateProperty.CachedInstance, Method("XunitSample", "XunitSample.ReportTests", "Daily")), "xunit", null)!;
        Assert.Equal("XunitSample.ReportTests.Daily", xunit.FullyQualifiedName);
    }

    [Fact]
    public void One_pass_over_the_properties_reads_what_the_bags_own_queries_read()
    {
        // The converter walks the property bag once (issue 16); what it reads must stay what PropertyBag.OfType and
        // SingleOrDefault give: output parts joined in the bag's order, files named in the output before the artifacts.
        var artifact = Path.Combine(Path.GetTempPath(), "artifact.png");
        var marked = Path.Combine(Path.GetTempPath(), "marked.txt");
#pragma warning disable TPEXP
        var node = Node("A.B.C", "C", new FailedTestNodeStateProperty(new InvalidOperationException("boom"), "explained"),
            new StandardOutputProperty("first part\n"),
            new FileArtifactProperty(new FileInfo(artifact), "NUnit", null!),
            new StandardOutputProperty("##tmsbridge[attachment]{\"path\":\"" + marked.Replace("\\", "\\\\") + "\"}\nsecond part"),
            new StandardErrorProperty("err 1 "),
            new StandardErrorProperty("err 2"),
            new TestMetadataProperty("TestCaseKey", "DEMO-1; DEMO-2"),
            new TestMetadataProperty("testcasekey", "DEMO-2"));
        var expectedOutput = string.Concat(node.Properties.OfType<StandardOutputProperty>().Select(p => p.StandardOutput)).Replace("##tmsbridge[attachment]{\"path\":\"" + marked.Replace("\\", "\\\\") + "\"}\n", "");
        var expectedError = string.Concat(node.Properties.OfType<StandardErrorProperty>().Select(p => p.StandardError));
#pragma warning restore TPEXP

        var record = MtpResultConverter.Convert(node, "nunit", null)!;

        Assert.Equal(expectedOutput, record.StandardOutput);
        Assert.Equal(expectedError, record.StandardError);
        Assert.Equal([marked, artifact], record.Attachments.Select(a => a.Path));
        Assert.Equal(["DEMO-1", "DEMO-2"], record.TestCaseKeys.Order()); // one each, however the bag orders its entries
        Assert.Equal("explained", record.ErrorMessage);
        Assert.Equal("Failed", record.RunnerOutcome);
        Assert.Equal("A.B.C", record.FullyQualifiedName);

        // The fallback reads identity, outcome, error and keys only.
        var minimal = MtpResultConverter.ConvertMinimal(node, MtpResultConverter.FinalState(node)!, "nunit", null);
        Assert.Null(minimal.StandardOutput);
        Assert.Empty(minimal.Attachments);
        Assert.Equal(["DEMO-1", "DEMO-2"], minimal.TestCaseKeys.Order());
        Assert.Equal("explained", minimal.ErrorMessage);
    }

    [Fact]
    public void Evidence_description_prefers_the_description_then_a_meaningful_display_name()
    {
        var path = Path.Combine(Path.GetTempPath(), "screen.png");
        var withDescription = MtpResultConverter.Convert(Node("1", "T", PassedTestNodeStateProperty.CachedInstance, new FileArtifactProperty(new FileInfo(path), "Attachments", "login page after sign-in")), null, null)!;
        Assert.Equal("login page after sign-in", withDescription.Attachments[0].Description);
        var xunitNamed = MtpResultConverter.Convert(Node("1", "T", PassedTestNodeStateProperty.CachedInstance, new FileArtifactProperty(new FileInfo(path), "screen", null!)), null, null)!;
        Assert.Equal("screen", xunitNamed.Attachments[0].Description);
    }
}

/// <summary>MTP configuration: --tms-* options generated from the catalog, testconfig.json flattening, layering.</summary>
public sealed class MtpConfigurationLayersTests
{
    [Fact]
    public void Every_non_secret_option_has_a_command_line_option_and_no_secret_has_one()
    {
        var names = MtpConfigurationLayers.CommandLineOptions.Select(MtpConfigurationLayers.CommandLineName).ToList();
        Assert.Contains("tms-target", names);
        Assert.Contains("tms-base-url", names);
        Assert.Contains("tms-fail-on-publish-error", names);
        Assert.Equal(OptionCatalog.All.Count(o => !o.IsSecret), names.Count);
        Assert.DoesNotContain(names, n => n.Contains("password", StringComparison.Ordinal) || n.Contains("token", StringComparison.Ordinal));
        Assert.Same(OptionCatalog.BaseUrl, MtpConfigurationLayers.FindByCommandLineName("--tms-base-url"));
    }

    [Fact]
    public void Values_are_validated_with_the_resolver_rules()
    {
        Assert.Empty(MtpConfigurationLayers.Validate(OptionCatalog.Target, "xray"));
        Assert.Contains("jira-please", Assert.Single(MtpConfigurationLayers.Validate(OptionCatalog.Target, "jira-please")));
        Assert.NotEmpty(MtpConfigurationLayers.Validate(OptionCatalog.BaseUrl, "not a url"));
        Assert.NotEmpty(MtpConfigurationLayers.Validate(OptionCatalog.Timeout, "-5"));
        Assert.Empty(MtpConfigurationLayers.Validate(OptionCatalog.Timeout, "90s"));
    }

    [Fact]
    public void Testconfig_section_arrays_and_status_map_are_flattened()
    {
        var flat = MtpConfigurationLayers.FlattenSection(
        [
            new("project", "DEMO"),
            new("environments:1", "linux"),
            new("environments:0", "ci"),
            new("statusMap:Skipped", "ABORTED"),
        ]).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("DEMO", flat["project"]);
        Assert.Equal("ci;linux", flat["environments"]);
        Assert.Equal("Skipped=ABORTED", flat["statusMap"]);
    }

    [Fact]
    public void Layers_are_json_then_environment_then_testconfig_then_command_line_and_secrets_stay_out_of_files()
    {
        var folder = Path.Combine(Path.GetTempPath(), "tmsbridge-mtp-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "tmsbridge.json"), """{ "project": "JSON", "summary": "json", "version": "v-json", "revision": "r-json" }""");
            var environment = new Dictionary<string, string> { ["TMS_SUMMARY"] = "env", ["TMS_VERSION"] = "v-env", ["TMS_PASSWORD"] = "s3cret" };
            var options = MtpConfigurationLayers.Resolve(environment, [folder],
                [new("version", "v-testconfig"), new("summary", "testconfig"), new("token", "leaked")],
                [new("summary", "cli")]);
            Assert.Equal("JSON", options.Project);
            Assert.Equal("r-json", options.Revision);
            Assert.Equal("v-testconfig", options.Version);
            Assert.Equal("cli", options.Summary);
            Assert.Equal("s3cret", options.Password);
            Assert.Null(options.Token);
            Assert.Contains(options.Problems, p => p.Message.Contains("'token' is a secret", StringComparison.Ordinal) && p.Message.Contains("testconfig.json", StringComparison.Ordinal));
            Assert.DoesNotContain(options.Problems, p => p.Message.Contains("leaked", StringComparison.Ordinal));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}

/// <summary>The reporter through its MTP entry points, with real messages and fake platform services.</summary>
public sealed class TmsMtpReporterTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tmsbridge-mtp-reporter", Guid.NewGuid().ToString("N"));
    private readonly FakeOutputDevice _device = new();
    private readonly FakeConfiguration _configuration = new();
    private readonly FakeCommandLine _commandLine = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.OrdinalIgnoreCase);

    public TmsMtpReporterTests()
    {
        Directory.CreateDirectory(_root);
        var empty = Path.Combine(_root, "empty.json");
        File.WriteAllText(empty, "{}");
        _environment["TMS_CONFIG"] = empty;
        _configuration.Values["platformOptions:resultDirectory"] = Path.Combine(_root, "results");
    }

    public void Dispose() { try { Directory.Delete(_root, recursive: true); } catch (IOException) { } }

    private TmsMtpReporter Reporter(MtpPublishOutcome outcome) => new(_commandLine, _configuration, _device, outcome, () => _environment);

    private static TestNodeUpdateMessage Update(string uid, string name, TestNodeStateProperty state, params IProperty[] more) =>
        new(new SessionUid("s"), new TestNode { Uid = uid, DisplayName = name, Properties = new PropertyBag([state, .. more]) }, null!);

    [Fact]
    public async Task Only_final_states_are_journalled_and_the_run_ends_with_the_summary()
    {
        _configuration.Values["tmsBridge:summary"] = "from testconfig";
        _commandLine.Options["tms-project"] = ["DEMO"];
        var outcome = new MtpPublishOutcome();
        var reporter = Reporter(outcome);
        var context = new FakeSessionContext();
        var producer = new FakeProducer();

        await reporter.OnTestSessionStartingAsync(context);
        await reporter.ConsumeAsync(producer, Update("a", "A", DiscoveredTestNodeStateProperty.CachedInstance), TestContext.Current.CancellationToken);
        await reporter.ConsumeAsync(producer, Update("a", "A", InProgressTestNodeStateProperty.CachedInstance), TestContext.Current.CancellationToken);
        await reporter.ConsumeAsync(producer, Update("a", "A", PassedTestNodeStateProperty.CachedInstance, new TestMetadataProperty("TestCaseKey", "DEMO-1")), TestContext.Current.CancellationToken);
        await reporter.ConsumeAsync(producer, Update("b", "B", new FailedTestNodeStateProperty("no"), new TestMetadataProperty("TestCaseKey", "DEMO-2")), TestContext.Current.CancellationToken);
        await reporter.ConsumeAsync(producer, new SessionFileArtifact(new SessionUid("s"), new FileInfo(Path.Combine(_root, "x.trx")), "trx"), TestContext.Current.CancellationToken);
        await reporter.OnTestSessionFinishingAsync(context);

        var journal = Directory.GetFiles(Path.Combine(_root, "results", "tms"), "*.journal.jsonl").Single();
        var lines = File.ReadAllLines(journal);
        Assert.Equal(2, lines.Count(l => l.Contains("\"type\":\"result\"", StringComparison.Ordinal)));
        Assert.Contains("\"runner\":\"mtp\"", lines[0]);
        Assert.Contains("\"summary\":\"from testconfig\"", lines[0]);
        Assert.Contains("\"project\":\"DEMO\"", lines[0]);
        Assert.Contains(_device.Lines, l => l.StartsWith("TmsBridge: 2 results, 2 keys", StringComparison.Ordinal));
        Assert.False(outcome.PublishFailed);
        Assert.DoesNotContain(_device.Lines, l => l.Contains("internal error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_report_at_all_counts_as_a_publish_failure_as_under_VSTest()
    {
        // The results folder is a file: the journal cannot be created, so no report can come.
        File.WriteAllText(Path.Combine(_root, "results"), "not a folder");
        var outcome = new MtpPublishOutcome();
        var reporter = Reporter(outcome);
        var context = new FakeSessionContext();
        await reporter.OnTestSessionStartingAsync(context);
        await reporter.ConsumeAsync(new FakeProducer(), Update("a", "A", PassedTestNodeStateProperty.CachedInstance, new TestMetadataProperty("TestCaseKey", "DEMO-1")), TestContext.Current.CancellationToken);
        await reporter.OnTestSessionFinishingAsync(context);

        Assert.Null(outcome.Report);
        Assert.True(outcome.PublishFailed);
        Assert.Contains(_device.Lines, l => l.Contains("journal could not be created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_inside_the_reporter_never_reach_the_platform()
    {
        _configuration.Throw = true; // the platform's configuration itself misbehaves
        var reporter = Reporter(new MtpPublishOutcome());
        await reporter.OnTestSessionStartingAsync(new FakeSessionContext());
        await reporter.ConsumeAsync(new FakeProducer(), Update("a", "A", PassedTestNodeStateProperty.CachedInstance), TestContext.Current.CancellationToken);
        await reporter.OnTestSessionFinishingAsync(new FakeSessionContext());
        Assert.Contains(_device.Lines, l => l.Contains("TmsBridge: error: internal error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exit_code_guard_fails_only_a_green_run_whose_publish_failed_when_asked()
    {
        var exits = new List<int>();
        TmsExitCodeGuard Guard(bool fail, bool failed) => new(_device, new MtpPublishOutcome { FailOnPublishError = fail, PublishFailed = failed }, useConsole: false) { Exit = exits.Add };
        await Guard(fail: true, failed: true).AfterRunAsync(2, TestContext.Current.CancellationToken);   // tests failed already: left alone
        await Guard(fail: false, failed: true).AfterRunAsync(0, TestContext.Current.CancellationToken);  // not asked
        await Guard(fail: true, failed: false).AfterRunAsync(0, TestContext.Current.CancellationToken);  // published fine
        Assert.Empty(exits);
        await Guard(fail: true, failed: true).AfterRunAsync(0, TestContext.Current.CancellationToken);
        Assert.Equal([1], exits);
        Assert.Contains(_device.Lines, l => l.Contains("failOnPublishError", StringComparison.Ordinal));
    }

    private sealed class FakeOutputDevice : IOutputDevice
    {
        public List<string> Lines { get; } = [];
        public Task DisplayAsync(IOutputDeviceDataProducer producer, IOutputDeviceData data, CancellationToken cancellationToken)
        {
            lock (Lines) Lines.Add(data switch
            {
                TextOutputDeviceData t => t.Text,
                WarningMessageOutputDeviceData w => w.Message,
                ErrorMessageOutputDeviceData e => e.Message,
                _ => data.ToString() ?? "",
            });
            return Task.CompletedTask;
        }
    }

    private sealed class FakeConfiguration : IConfiguration
    {
        public Dictionary<string, string> Values { get; } = new(StringComparer.OrdinalIgnoreCase);
        public bool Throw { get; set; }
        public string? this[string key] => Throw ? throw new InvalidOperationException("configuration is broken") : Values.TryGetValue(key, out var v) ? v : null;
    }

    private sealed class FakeCommandLine : ICommandLineOptions
    {
        public Dictionary<string, string[]> Options { get; } = new(StringComparer.OrdinalIgnoreCase);
        public bool IsOptionSet(string optionName) => Options.ContainsKey(optionName);
        public bool TryGetOptionArgumentList(string optionName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string[]? arguments) => Options.TryGetValue(optionName, out arguments);
    }

    private sealed class FakeSessionContext : ITestSessionContext
    {
        public SessionUid SessionUid => new("s");
        public CancellationToken CancellationToken => default;
    }

    private sealed class FakeProducer : IDataProducer
    {
        public Type[] DataTypesProduced => [typeof(TestNodeUpdateMessage)];
        public string Uid => "MSTestExtension";
        public string Version => "4.5.3";
        public string DisplayName => "MSTest";
        public string Description => "fake";
        public Task<bool> IsEnabledAsync() => Task.FromResult(true);
    }
}
