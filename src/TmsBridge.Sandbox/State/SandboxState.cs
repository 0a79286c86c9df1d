using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.State;

/// <summary>
/// Everything the sandbox holds in memory. One section per emulated API sits beside the
/// shared Jira instance and request log; a new API (Xray Cloud, AIO, QMetry, qTest, RTM)
/// adds its own section class in its folder, a property here, a line in
/// <see cref="Reset"/> and a property in <see cref="SandboxSnapshot"/>.
/// </summary>
/// <remarks>
/// Concurrency: an import reads and writes several things at once (the issue registry, the
/// section, key counters) and must be all-or-nothing, so every mutation of <see cref="Jira"/>
/// and the sections happens under the single <see cref="SyncRoot"/> lock. An emulator's
/// throughput does not need anything finer, and one lock cannot deadlock.
/// </remarks>
public sealed class SandboxState
{
    public SandboxState(SandboxSeed seed)
    {
        Seed = seed;
        Jira = new JiraInstance(seed);
        Xray = new XrayServerState();
    }

    public object SyncRoot { get; } = new();
    public SandboxSeed Seed { get; }
    public JiraInstance Jira { get; }

    /// <summary>Xray Server/Data Center (<c>/rest/raven/...</c>).</summary>
    public XrayServerState Xray { get; }

    public RequestLog Requests { get; } = new();

    /// <summary>Forgets everything received; the seed stays.</summary>
    public void Reset()
    {
        lock (SyncRoot)
        {
            Jira.Reset();
            Xray.Clear();
            Requests.Clear();
        }
    }

    /// <summary>An immutable copy of the state, as served by <c>GET /_sandbox/state</c>.</summary>
    public SandboxSnapshot Snapshot()
    {
        lock (SyncRoot)
            return new SandboxSnapshot(Xray.Snapshot(), Requests.Records, Requests.Counts);
    }
}

/// <summary>The JSON of <c>GET /_sandbox/state</c>. Names are a contract: other tests read them.</summary>
public sealed record SandboxSnapshot(
    XraySnapshot Xray,
    IReadOnlyList<RequestRecord> Requests,
    IReadOnlyDictionary<string, int> RequestCounts);
