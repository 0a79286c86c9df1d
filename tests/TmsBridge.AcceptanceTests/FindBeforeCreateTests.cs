using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Configuration;
using TmsBridge.Model;
using TmsBridge.Publishing;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 15, the shared primitive: a publish with a marker id and FindBeforeCreate reports into the
/// execution (Xray), cycle (AIO, qTest) or Test Execution (RTM Server) that already carries the marker,
/// instead of creating one; with none, it creates one, once, with the marker. Every target, in process,
/// against the loopback sandbox (real HTTP). QMetry and RTM Cloud have no finder yet: they say so and create.
/// </summary>
public sealed class FindBeforeCreateTests : IDisposable
{
    /// <summary>Targets whose create path cannot look an execution up by marker (yet): a warning, and a new one.</summary>
    // RTM Cloud finds its TE through the TCEs of the run's test cases (RtmExecutionFinder, since the replay merge).
    public static readonly HashSet<string> NoFinderYet = ["qmetry", "qmetry-cloud"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tmsbridge-find-before-create", Guid.NewGuid().ToString("N").Substring(0, 8));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static TheoryData<string> TargetNames() => [.. DemoCommand.Targets.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public async Task A_second_publish_with_the_same_marker_joins_the_execution_the_first_created(string target)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var demo = DemoCommand.Targets.Single(t => t.Name == target);
        var markerId = "grp-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        var before = await CountAsync(sandbox.BaseAddress, demo.StateSection);

        var first = await PublishAsync(sandbox.BaseAddress, demo, "20261129T090000Z-0000aaaa", markerId, ("Ns.A.Login", ["DEMO-1", "DEMO-TC-1", "1001"]));
        Assert.True(first.Errors.Count == 0, string.Join("\n", first.Errors));
        Assert.NotNull(first.Execution);
        Assert.False(first.Execution!.Joined);
        Assert.Equal(before + 1, await CountAsync(sandbox.BaseAddress, demo.StateSection));
        // Created with the marker: what the second publish (or a shard, or a replay) finds it by.
        using (var state = await ReadAsync(sandbox.BaseAddress))
            Assert.Contains("TmsBridge run " + markerId, state.RootElement.GetProperty(demo.StateSection).GetRawText());

        var second = await PublishAsync(sandbox.BaseAddress, demo, "20261129T090001Z-0000bbbb", markerId, ("Ns.B.Checkout", ["DEMO-2", "DEMO-TC-2", "1002"]));
        Assert.True(second.Errors.Count == 0, string.Join("\n", second.Errors));
        Assert.All(second.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        if (NoFinderYet.Contains(target))
        {
            Assert.Contains(second.Warnings, w => w.Contains($"an execution with the marker 'TmsBridge run {markerId}' cannot be looked up on this target", StringComparison.Ordinal));
            Assert.Equal(before + 2, await CountAsync(sandbox.BaseAddress, demo.StateSection));
            return;
        }
        Assert.Equal(before + 1, await CountAsync(sandbox.BaseAddress, demo.StateSection));
        Assert.True(second.Execution!.Joined);
        Assert.True(second.Execution.Reused);
        Assert.Equal(first.Execution.Key ?? first.Execution.Id, second.Execution.Key ?? second.Execution.Id);
        Assert.Contains(second.Warnings, w => w.Contains("instead of creating one", StringComparison.Ordinal));
        // The second publish's result is in that execution.
        using var after = await ReadAsync(sandbox.BaseAddress);
        var section = after.RootElement.GetProperty(demo.StateSection).GetRawText();
        Assert.Contains(target == "qtest" ? "1002" : target.StartsWith("aio", StringComparison.Ordinal) ? "DEMO-TC-2" : "DEMO-2", section);
    }

    [Fact]
    public async Task Without_FindBeforeCreate_the_same_marker_still_creates_a_new_execution()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var demo = DemoCommand.Targets.Single(t => t.Name == "xray");
        await PublishAsync(sandbox.BaseAddress, demo, "20261129T090000Z-0000aaaa", "grp-same", ("Ns.A.Login", ["DEMO-1"]));
        var second = await PublishAsync(sandbox.BaseAddress, demo, "20261129T090001Z-0000bbbb", "grp-same", ("Ns.B.Checkout", ["DEMO-2"]), findBeforeCreate: false);
        Assert.False(second.Execution!.Joined);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal(2, Executions(state).Count);
    }

    [Fact]
    public async Task A_marker_id_that_cannot_travel_in_JQL_is_refused_naming_it()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var report = await PublishAsync(sandbox.BaseAddress, DemoCommand.Targets.Single(t => t.Name == "xray"), "20261129T090000Z-0000aaaa", "my group\"", ("Ns.A.Login", ["DEMO-1"]));
        Assert.Contains(report.Errors, e => e.Contains("the execution marker id 'my group\"' cannot be used", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Empty(Executions(state));
    }

    private async Task<PublishReport> PublishAsync(Uri sandbox, DemoCommand.DemoTarget target, string runId, string markerId, (string Name, string[] Keys) test, bool findBeforeCreate = true)
    {
        var environment = target.Environment(sandbox).Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
        var options = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(environment)]);
        var now = DateTimeOffset.UtcNow;
        var folder = Path.Combine(_folder, runId);
        Directory.CreateDirectory(folder);
        return await Publisher.PublishAsync(new PublishRequest
        {
            RunId = runId,
            MarkerId = markerId,
            FindBeforeCreate = findBeforeCreate,
            // A group's execution: RTM then creates its TE from the whole test plan, so the second run's key has its TCE.
            SharedExecution = findBeforeCreate,
            RunFolder = folder,
            Options = options,
            RunStarted = now,
            RunFinished = now,
            Results =
            [
                new TestResultRecord
                {
                    Sequence = 1, FullyQualifiedName = test.Name, DisplayName = test.Name, Outcome = TestOutcome.Passed,
                    StartTime = now, EndTime = now, TestCaseKeys = [.. test.Keys],
                },
            ],
            Deadline = TimeSpan.FromMinutes(2),
        }, new Silent(), TestContext.Current.CancellationToken);
    }

    /// <summary>How many executions (Xray, RTM) or cycles (AIO, QMetry, qTest) the target's state holds.</summary>
    private static async Task<int> CountAsync(Uri sandbox, string section)
    {
        using var state = await ReadAsync(sandbox);
        var s = state.RootElement.GetProperty(section);
        return s.TryGetProperty("executions", out var e) && e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : s.GetProperty("cycles").GetArrayLength();
    }

    private sealed class Silent : IReporterOutput
    {
        public void Info(string message) { }
        public void Warning(string message) { }
        public void Error(string message) { }
    }
}
