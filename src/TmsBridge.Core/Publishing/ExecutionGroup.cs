using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Journal;

namespace TmsBridge.Publishing;

/// <summary>
/// The runs that report into one execution (docs/ci.md, "One execution per run and per pipeline"):
/// the test projects and target frameworks of one `dotnet test` invocation, or every run of an
/// executionGroup (by default the CI run: shards on several machines). Its marker id marks the
/// execution the first of them creates; the others find it. On one machine the runs that share a
/// run folder take turns through a lock file (<see cref="EnterAsync"/>), and the first writes the
/// execution's key into a state file the others read, so they never create a second one there.
/// </summary>
internal sealed class ExecutionGroup
{
    /// <summary>The executionGroup value that turns grouping off: every run creates its own execution.</summary>
    public const string Off = "none";

    /// <summary>How often a run waiting for the group's lock tries again.</summary>
    internal static TimeSpan LockPoll { get; set; } = TimeSpan.FromMilliseconds(100);

    private ExecutionGroup(string markerId, string description, bool acrossMachines)
    {
        MarkerId = markerId;
        Description = description;
        AcrossMachines = acrossMachines;
    }

    /// <summary>What the execution is marked with and found by ("TmsBridge run &lt;MarkerId&gt;").</summary>
    public string MarkerId { get; }
    /// <summary>For messages: "executionGroup 'gh-123'" or "this dotnet test invocation".</summary>
    public string Description { get; }
    /// <summary>An executionGroup (runs on other machines may share it), not only this invocation.</summary>
    public bool AcrossMachines { get; }

    /// <summary>
    /// The group of a run, or null when it reports alone: a testExecution is given (every run goes there
    /// already), nothing is sent (target none, dry run), executionGroup is "none", or there is neither an
    /// executionGroup (set, or the CI run's id) nor an invocation id the front-end found.
    /// </summary>
    /// <param name="invocationId">What identifies the `dotnet test` invocation (VSTest's test session correlation id; in MTP mode the parent `dotnet test` process), or null.</param>
    /// <param name="env">Reads an environment variable (the CI run's id).</param>
    public static ExecutionGroup? For(TmsOptions options, string? invocationId, Func<string, string?> env)
    {
        if (options.TestExecution is not null || options.Target == Targets.None || options.DryRun) return null;
        // Blank (a CI expression that expanded to spaces) is unset: as a group it would gather every such run, in every pipeline, into one execution.
        var group = string.IsNullOrWhiteSpace(options.ExecutionGroup) ? null : options.ExecutionGroup;
        if (group is not null && string.Equals(group, Off, StringComparison.OrdinalIgnoreCase)) return null;
        if (group is not null) return new ExecutionGroup(RunMarker.IdOf(group), $"executionGroup '{group}'", acrossMachines: true);
        if (CiBuild.GroupOf(env) is { } ci) return new ExecutionGroup(RunMarker.IdOf(ci.Id), $"executionGroup '{ci.Id}' ({ci.From})", acrossMachines: true);
        if (string.IsNullOrEmpty(invocationId)) return null;
        // RTM (rtmMode=tce) makes a TE's Test Case Executions only from the keys it is created with, and a
        // plain group's TE comes from its first run's keys (a whole-plan TE per single run would be too
        // much): the other projects' results would be refused. So each run keeps its own TE, as before
        // groups; an executionGroup (whole-plan TE) or a testExecution gives one. The import mode adds cases.
        if (IsRtmPerTce(options)) return null;
        // The invocation id is long and machine-local in MTP mode (a process id): hashed with the machine
        // name it is one word, the same for every run of the invocation and for no other.
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(Environment.MachineName + "\n" + invocationId));
        return new ExecutionGroup("dt-" + BitConverter.ToString(hash, 0, 8).Replace("-", "").ToLowerInvariant(), "this dotnet test invocation", acrossMachines: false);
    }

    private static bool IsRtmPerTce(TmsOptions options) =>
        (options.Target == Backends.Rtm.RtmTargets.Server.Name || options.Target == Backends.Rtm.RtmTargets.Cloud.Name)
        && Backends.Rtm.RtmOptions.Mode(options) != Backends.Rtm.RtmOptions.Import;

    /// <summary>What a run does without its turn.</summary>
    private string Fallback => AcrossMachines ? "this run looks the group's execution up in the TMS by its marker instead" : "this run creates its own execution";

    /// <summary>The lock file of the group for a target in a run folder.</summary>
    public string LockPath(string runFolder, string target) => Path.Combine(runFolder, $"{MarkerId}.{target}.group.lock");
    /// <summary>The state file: the execution the group's first run created (or found).</summary>
    public string StatePath(string runFolder, string target) => Path.Combine(runFolder, $"{MarkerId}.{target}.group.json");

    /// <summary>
    /// Takes the group's turn in the run folder. A run that finds the execution's key in the state file
    /// joins it at once (the lock is released); the first run keeps the lock until its execution is known
    /// (<see cref="GroupLease.Observe"/>) or its publish ends. The wait is bounded by half of what is left
    /// of the publish deadline: past it the run goes on without the lock; an executionGroup's backend
    /// then looks the execution up by marker before creating (the cross-machine way). A lock held by a process that died
    /// is no lock: the operating system releases it with the process (the file itself stays, harmless).
    /// (Without the lock, a plain invocation group's run creates its own execution: it has no group marker to look up.)
    /// </summary>
    public async Task<GroupLease> EnterAsync(string runFolder, string target, PublishDeadline deadline, IReporterOutput output)
    {
        var lockPath = LockPath(runFolder, target);
        var statePath = StatePath(runFolder, target);
        var now = deadline.Time.GetUtcNow();
        var giveUpAt = now + TimeSpan.FromTicks(Math.Max(0, (deadline.At - now).Ticks / 2));
        FileStream? held = null;
        while (held is null)
        {
            try
            {
                Directory.CreateDirectory(runFolder);
                // FileShare.None: an exclusive lock across processes (flock on Unix, a share mode on Windows).
                held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException e)
            {
                output.Warning($"the lock of {Description} ('{lockPath}') could not be taken ({e.Message}); {Fallback}.");
                return new GroupLease(this, null, statePath, target, executionKey: null) { WithoutTurn = true };
            }
            catch (IOException)
            {
                // Held by another run of the group (or a folder that cannot be written: the same bounded wait, then the same way out).
                if (deadline.Time.GetUtcNow() >= giveUpAt || deadline.Reached) break;
                try { await Task.Delay(LockPoll, deadline.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }
        if (held is null)
        {
            output.Warning($"another run of {Description} held the lock '{lockPath}' past half of the publish deadline; {Fallback}.");
            return new GroupLease(this, null, statePath, target, executionKey: null) { WithoutTurn = true };
        }
        var known = ReadState(statePath, target);
        if (known is not null)
        {
            held.Dispose();
            return new GroupLease(this, null, statePath, target, known);
        }
        return new GroupLease(this, held, statePath, target, executionKey: null);
    }

    /// <summary>The execution key the state file names for the target, or null (absent, unreadable or another target's).</summary>
    internal static string? ReadState(string statePath, string target)
    {
        try
        {
            if (!File.Exists(statePath)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllText(statePath));
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object
                   && root.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == target
                   && root.TryGetProperty("executionKey", out var k) && k.ValueKind == JsonValueKind.String && k.GetString() is { Length: > 0 } key
                ? key
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// One run's turn in its group: the execution to join (from the state file), or the lock while this
/// run creates the execution. Disposing releases the lock.
/// </summary>
internal sealed class GroupLease(ExecutionGroup group, FileStream? held, string statePath, string target, string? executionKey) : IDisposable
{
    private readonly object _gate = new();
    private FileStream? _held = held;

    public ExecutionGroup Group { get; } = group;
    /// <summary>The group's execution, created by an earlier run in this run folder: this run reports into it.</summary>
    public string? ExecutionKey { get; } = executionKey;
    /// <summary>The lock could not be had in time: this run looks the execution up in the TMS before creating, like a shard elsewhere.</summary>
    public bool WithoutTurn { get; init; }
    /// <summary>This run holds the lock: it is the first, and creates (or finds) the execution.</summary>
    public bool Leads { get { lock (_gate) return _held is not null; } }

    /// <summary>
    /// A publish mark of the leading run: the first that names an execution is written to the state file
    /// and the lock released, so the others join while this run goes on sending.
    /// </summary>
    public void Observe(PublishMark mark)
    {
        if (mark.ExecutionKey is { Length: > 0 } key && mark.Target == target) Settle(key, mark.At);
    }

    /// <summary>The publish ended: its execution (if any) goes to the state file, and the lock is released.</summary>
    public void Settle(string? key, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_held is null) return;
            if (key is not null)
            {
                try
                {
                    // Written under the lock, read only under it: no reader sees half a file.
                    var json = JsonSerializer.Serialize(new Dictionary<string, string>
                    {
                        ["markerId"] = Group.MarkerId,
                        ["target"] = target,
                        ["executionKey"] = key,
                        ["at"] = at.UtcDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
                    });
                    File.WriteAllText(statePath, json, new UTF8Encoding(false));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The others then look the execution up by its marker in the TMS.
                }
            }
            _held.Dispose();
            _held = null;
        }
    }

    public void Dispose() => Settle(null, default);
}
