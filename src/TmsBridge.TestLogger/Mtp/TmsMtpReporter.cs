using System.Reflection;
using System.Runtime.Versioning;
using Microsoft.Testing.Platform.CommandLine;
using Microsoft.Testing.Platform.Configurations;
using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.OutputDevice;
using Microsoft.Testing.Platform.Extensions.TestHost;
using Microsoft.Testing.Platform.OutputDevice;
using Microsoft.Testing.Platform.Services;
using TmsBridge.Configuration;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// The Microsoft.Testing.Platform front-end: the counterpart of <see cref="TmsLogger"/>. It turns
/// final test-node updates into Core's neutral records and leaves journal, aggregation, publishing,
/// report and summary to <see cref="RunSession"/>, exactly as the VSTest logger does. Nothing here
/// throws into the platform: every failure becomes a "TmsBridge: error:" line.
/// </summary>
internal sealed class TmsMtpReporter : IDataConsumer, ITestSessionLifetimeHandler, IOutputDeviceDataProducer
{
    public const string ExtensionUid = "TmsBridge.TestLogger.Mtp";
    public static readonly string ExtensionVersion =
        typeof(TmsMtpReporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly ICommandLineOptions _commandLine;
    private readonly IConfiguration _configuration;
    private readonly IOutputDevice _outputDevice;
    private readonly MtpPublishOutcome _outcome;
    private readonly Func<IReadOnlyDictionary<string, string>> _environment;
    private readonly BufferedReporterOutput _output;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _sessionGate = new();
    private RunSession? _session;

    public TmsMtpReporter(ICommandLineOptions commandLine, IConfiguration configuration, IOutputDevice outputDevice, MtpPublishOutcome outcome)
        : this(commandLine, configuration, outputDevice, outcome, ReadEnvironment) { }

    internal TmsMtpReporter(ICommandLineOptions commandLine, IConfiguration configuration, IOutputDevice outputDevice, MtpPublishOutcome outcome, Func<IReadOnlyDictionary<string, string>> environment)
    {
        _commandLine = commandLine;
        _configuration = configuration;
        _outputDevice = outputDevice;
        _outcome = outcome;
        _environment = environment;
        _output = new BufferedReporterOutput(useConsole: IsServerMode(commandLine));
    }

    /// <summary>--server: run by `dotnet test` (MTP mode) or an IDE rather than from a terminal.</summary>
    internal static bool IsServerMode(ICommandLineOptions commandLine)
    {
        try { return commandLine.IsOptionSet("server"); }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; }
    }

    public string Uid => ExtensionUid;
    public string Version => ExtensionVersion;
    public string DisplayName => "TmsBridge";
    public string Description => "Publishes test results to a test-management system (Xray, AIO Tests, QMetry, qTest, RTM).";
    public Task<bool> IsEnabledAsync() => Task.FromResult(true);

    public Type[] DataTypesConsumed => [typeof(TestNodeUpdateMessage), typeof(SessionFileArtifact)];

    public async Task OnTestSessionStartingAsync(ITestSessionContext testSessionContext)
    {
        // Tests run in this process after the session starts: TmsBridge.Tms marks its records with this nonce.
        // The platform waits for this before it runs a test, so only the nonce is made here; the session
        // (configuration, journal, rehearsal: tens of milliseconds of loading and compiling) starts on the
        // thread pool beside the first tests. The first result waits for it (EnsureSession holds a lock).
        await GuardAsync("run start", () =>
        {
            RuntimeMarkers.EnsureNonce();
            _ = Task.Run(() =>
            {
                try { EnsureSession(); }
                catch (Exception e) when (e is not OutOfMemoryException) { } // the next guarded EnsureSession meets it again and reports it
            });
            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    public async Task ConsumeAsync(IDataProducer dataProducer, IData value, CancellationToken cancellationToken)
    {
        // Every test is also announced in progress (and may be discovered): those updates carry no result, so
        // they skip the gate and the output flush below (issue 16: this runs beside the tests, in their process).
        if (value is TestNodeUpdateMessage { TestNode: { } node } && IsNotFinal(node)) return;
        await GuardAsync("a test result", () =>
        {
            if (value is TestNodeUpdateMessage update) OnTestNodeUpdate(dataProducer, update);
            // SessionFileArtifact (TRX, coverage...) belongs to the run, not to a test: a TMS
            // execution has no place for it, so it is consumed only to stay informed of it.
            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    public async Task OnTestSessionFinishingAsync(ITestSessionContext testSessionContext)
    {
        await GuardAsync("run end", async () =>
        {
            var session = EnsureSession();
            var aborted = testSessionContext.CancellationToken.IsCancellationRequested;
            // Bounded in Core (publishTimeout plus RunSession.PublishGrace, whatever the backend
            // does), then the run goes on: the journal keeps everything that was not sent.
            PublishReport? report;
            try
            {
                report = await session.CompleteAsync(aborted).ConfigureAwait(false);
            }
            finally
            {
                session.Dispose();
            }
            _outcome.Report = report;
            _outcome.FailOnPublishError = session.Options.FailOnPublishError;
            // As under VSTest: no report at all (the journal could not be created, the run end failed) is a publishing failure too.
            _outcome.PublishFailed = report is null || report.PublishFailed;
        }).ConfigureAwait(false);
    }

    private RunSession EnsureSession()
    {
        lock (_sessionGate) return _session ??= StartSession();
    }

    private RunSession StartSession()
    {
        var entry = Assembly.GetEntryAssembly();
        var source = string.IsNullOrEmpty(entry?.Location) ? null : entry!.Location;
        var environment = _environment();
        var searchFrom = new List<string>();
        if (source is not null) searchFrom.Add(Path.GetDirectoryName(source)!);
        var workingDirectory = SafeConfiguration(c => c.GetCurrentWorkingDirectory());
        if (!string.IsNullOrEmpty(workingDirectory)) searchFrom.Add(workingDirectory!);
        searchFrom.Add(Directory.GetCurrentDirectory());
        var options = MtpConfigurationLayers.Resolve(environment, searchFrom, ReadTestConfigSection(), TmsCommandLineOptions.Read(_commandLine));
        var resultsDirectory = SafeConfiguration(c => c.GetTestResultDirectory());
        return RunSession.Start(new RunStartInfo
        {
            TestRunDirectory = string.IsNullOrEmpty(resultsDirectory) ? Path.Combine(Directory.GetCurrentDirectory(), "TestResults") : resultsDirectory!,
            Sources = source is null ? [] : [source],
            Runner = "mtp",
            TargetFramework = entry?.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName,
            Options = options,
            InvocationId = DotnetTestInvocation.FromParentProcess(name => environment.TryGetValue(name, out var v) ? v : null),
            Environment = name => environment.TryGetValue(name, out var v) ? v : null,
        }, _output);
    }

    private void OnTestNodeUpdate(IDataProducer producer, TestNodeUpdateMessage update)
    {
        var node = update.TestNode;
        var state = MtpResultConverter.FinalState(node);
        if (state is null) return; // discovered / in progress: only the final state counts
        var session = EnsureSession();
        var framework = FrameworkOf(producer);
        var source = session.Journal is null ? null : SourceName();
        TestResultRecord record;
        try
        {
            record = MtpResultConverter.Convert(node, framework, source)!;
        }
        catch (Exception x)
        {
            // An adapter quirk we do not know yet must not lose the result.
            session.Output.Warning($"test '{node.DisplayName}': part of its result could not be read ({x.GetType().Name}: {x.Message}); it is reported without output and evidence.");
            record = MtpResultConverter.ConvertMinimal(node, state, framework, source);
        }
        session.Record(record);
    }

    private static bool IsNotFinal(TestNode node)
    {
        try { return MtpResultConverter.FinalState(node) is null; }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; } // let the guarded path report it
    }

    // The test application's file name and the framework of its one test producer: read once, not per result.
    private static readonly Lazy<string?> Source = new(() =>
    {
        var location = Assembly.GetEntryAssembly()?.Location;
        return string.IsNullOrEmpty(location) ? null : Path.GetFileName(location);
    });
    private (IDataProducer Producer, string? Framework)? _lastFramework;

    private static string? SourceName() => Source.Value;

    private string? FrameworkOf(IDataProducer producer)
    {
        if (_lastFramework is { } last && ReferenceEquals(last.Producer, producer)) return last.Framework;
        var s = ((producer.Uid ?? "") + " " + (producer.DisplayName ?? "")).ToLowerInvariant();
        var framework = s.Contains("nunit") ? "nunit" : s.Contains("xunit") ? "xunit" : s.Contains("mstest") ? "mstest" : null;
        _lastFramework = (producer, framework);
        return framework;
    }

    /// <summary>
    /// The testconfig.json "tmsBridge" section, flattened to option name → text. MTP 2.0's public
    /// configuration API answers only for a known key (no enumeration), so the section is read by
    /// the catalog's option names: "tmsBridge:project", "tmsBridge:environments:0", "tmsBridge:statusMap:Skipped"...
    /// </summary>
    private List<KeyValuePair<string, string>> ReadTestConfigSection()
    {
        var entries = new List<KeyValuePair<string, string?>>();
        foreach (var o in OptionCatalog.All)
        {
            var prefix = MtpConfigurationLayers.TestConfigSection + ":" + o.Name;
            var v = _configuration[prefix];
            if (v is not null) { entries.Add(new(o.Name, v)); continue; }
            if (o.Kind == OptionKind.StatusMap)
            {
                foreach (var outcome in Enum.GetNames(typeof(TestOutcome)))
                {
                    var status = _configuration[prefix + ":" + outcome];
                    if (status is not null) entries.Add(new(o.Name + ":" + outcome, status));
                }
                continue;
            }
            for (var i = 0; i < 100 && (v = _configuration[prefix + ":" + i]) is not null; i++) entries.Add(new(o.Name + ":" + i, v));
        }
        return MtpConfigurationLayers.FlattenSection(entries);
    }

    private string? SafeConfiguration(Func<IConfiguration, string> read)
    {
        try { return read(_configuration); }
        catch (Exception e) when (e is not OutOfMemoryException) { return null; }
    }

    private async Task GuardAsync(string what, Func<Task> action)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Never into the platform: the test run comes first. The console gets "Type: message"; the
            // session keeps the stack trace (redacted) for the report or the run folder.
            if (_session is { } session) session.ReportInternalError($"handling {what}", e);
            else _output.Error($"internal error while handling {what}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _gate.Release();
        }
        await _output.FlushAsync(this, _outputDevice).ConfigureAwait(false);
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
