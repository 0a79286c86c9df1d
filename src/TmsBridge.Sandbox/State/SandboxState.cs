using TmsBridge.Sandbox.Aio;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.QTest;
using TmsBridge.Sandbox.QMetry;
using TmsBridge.Sandbox.Rtm;
using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.Xray;
using TmsBridge.Sandbox.XrayCloud;

namespace TmsBridge.Sandbox.State;

/// <summary>
/// Everything the sandbox holds in memory. One section per emulated API sits beside the
/// shared Jira instance and request log; a new API (QMetry, qTest, RTM) adds its own section
/// class and an <see cref="ISandboxModule"/> in its folder (endpoints, reset, page), the module in
/// <see cref="SandboxModules"/>, a property here and one in <see cref="SandboxSnapshot"/> (the JSON contract).
/// </summary>
/// <remarks>
/// Concurrency: an import reads and writes several things at once (the issue registry, the
/// section, key counters) and must be all-or-nothing, so every mutation of <see cref="Jira"/>
/// and the sections happens under the single <see cref="SyncRoot"/> lock. An emulator's
/// throughput does not need anything finer, and one lock cannot deadlock. The request log,
/// fault rules, limiter and Cloud tokens lock on their own (they are touched per request).
/// </remarks>
public sealed class SandboxState
{
    public SandboxState(SandboxSeed seed)
        : this(seed, new SandboxOptions())
    {
    }

    public SandboxState(SandboxSeed seed, SandboxOptions options)
    {
        Seed = seed;
        Jira = new JiraInstance(seed);
        Xray = new XrayServerState();
        Xray.SeedManualTests(seed);
        XrayCloud = new XrayCloudState(seed, options.XrayCloudTokenLifetime);
        XrayCloudLimiter = new RateLimiter(options.XrayCloudRateLimit);
        // AIO Cloud lives beside Jira Cloud: it resolves projects and task keys on the Cloud site.
        Aio = new AioStore(seed, XrayCloud.Jira, AioFlavor.Cloud);
        AioServer = new AioStore(seed, Jira, AioFlavor.Server);
        AioLimiter = new PerClientRateLimiter(options.AioRateLimit);
        QTest = new QTestStore();
        RtmServer = new RtmStore(seed, Jira, cloud: false);
        RtmCloud = new RtmStore(seed, XrayCloud.Jira, cloud: true);
        QMetry = new QMetryStore(seed, QMetryFlavor.Cloud);
        QMetryServer = new QMetryStore(seed, QMetryFlavor.Server);
        Modules = SandboxModules.For(this, options);
    }

    public object SyncRoot { get; } = new();

    /// <summary>The emulated TMSs (<see cref="SandboxModules"/>): their endpoints, reset and page sections.</summary>
    internal IReadOnlyList<ISandboxModule> Modules { get; }
    public SandboxSeed Seed { get; }

    /// <summary>The Server/DC Jira instance.</summary>
    public JiraInstance Jira { get; }

    /// <summary>Xray Server/Data Center (<c>/rest/raven/...</c>).</summary>
    public XrayServerState Xray { get; }

    /// <summary>Xray Cloud (<c>/api/v2/...</c>): a separate Jira site seeded alike, its own executions, the issued tokens.</summary>
    public XrayCloudState XrayCloud { get; }

    /// <summary>AIO Tests Cloud (<c>/aio-tcms/api/v1/...</c>).</summary>
    public AioStore Aio { get; }

    /// <summary>AIO Tests Server/Data Center (<c>/rest/aio-tcms-api/1.0/...</c>), in the DC Jira.</summary>
    public AioStore AioServer { get; }

    /// <summary>qTest Manager (<c>/oauth/token</c>, <c>/api/v3/...</c>).</summary>
    internal QTestStore QTest { get; }
    /// <summary>RTM Server/Data Center (<c>/rest/rtm/1.0/api/...</c>), in the DC Jira.</summary>
    public RtmStore RtmServer { get; }

    /// <summary>RTM Cloud (<c>/rtm-cloud/api/...</c>), on the Cloud site's Jira.</summary>
    public RtmStore RtmCloud { get; }
    /// <summary>QMetry Cloud (<c>/rest/api/automation/importresult</c>).</summary>
    public QMetryStore QMetry { get; }

    /// <summary>QMetry Server/Data Center (<c>/rest/qtm4j/automation/latest/importresult</c>).</summary>
    public QMetryStore QMetryServer { get; }

    public RequestLog Requests { get; } = new();

    /// <summary>Injected faults (<c>/_sandbox/faults</c>).</summary>
    public FaultStore Faults { get; } = new();

    /// <summary>Xray Cloud's rate limit (<c>/_sandbox/limits</c>).</summary>
    public RateLimiter XrayCloudLimiter { get; }

    /// <summary>AIO Tests' per-IP rate limit, both flavours together (<c>/_sandbox/limits</c>).</summary>
    public PerClientRateLimiter AioLimiter { get; }

    /// <summary>
    /// Forgets everything received (executions, created issues, requests), clears the fault rules
    /// and puts the limits back to the start options with no history. The seed stays, and so do
    /// issued Cloud tokens (use <c>/_sandbox/xray-cloud/expire-tokens</c>).
    /// </summary>
    public void Reset()
    {
        lock (SyncRoot)
        {
            Jira.Reset();
            foreach (var module in Modules) module.Reset();
            Requests.Clear();
            Faults.Clear();
        }
    }

    /// <summary>The limits in force (<c>GET /_sandbox/limits</c>).</summary>
    public LimitsSnapshot Limits() => new(XrayCloudLimiter.Snapshot(), AioLimiter.Snapshot());

    /// <summary>An immutable copy of the state, as served by <c>GET /_sandbox/state</c>.</summary>
    public SandboxSnapshot Snapshot()
    {
        lock (SyncRoot)
            return new SandboxSnapshot(
                Xray.Snapshot(), XrayCloud.Snapshot(), Aio.Snapshot(), AioServer.Snapshot(), QTest.Snapshot(), RtmServer.Snapshot(), RtmCloud.Snapshot(), Requests.Records, Requests.Counts,
                Faults.Rules, Limits(), QMetry.Snapshot(), QMetryServer.Snapshot());
    }
}
