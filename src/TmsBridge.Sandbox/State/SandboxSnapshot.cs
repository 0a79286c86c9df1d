using System.Text.Json.Serialization;
using TmsBridge.Sandbox.Aio;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.QTest;
using TmsBridge.Sandbox.QMetry;
using TmsBridge.Sandbox.Rtm;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.State;

/// <summary>The JSON of <c>GET /_sandbox/state</c>. Names are a contract: other tests read them.</summary>
public sealed record SandboxSnapshot(
    XraySnapshot Xray,
    XraySnapshot XrayCloud,
    AioSnapshot Aio,
    AioSnapshot AioServer,
    QTestSnapshot QTest,
    RtmSnapshot Rtm,
    RtmSnapshot RtmCloud,
    IReadOnlyList<RequestRecord> Requests,
    IReadOnlyDictionary<string, int> RequestCounts,
    IReadOnlyList<FaultRule> Faults,
    LimitsSnapshot Limits,
    // Named explicitly: camel-casing "QMetry" would give "qMetry".
    [property: JsonPropertyName("qmetry")] QMetrySnapshot QMetry,
    [property: JsonPropertyName("qmetryServer")] QMetrySnapshot QMetryServer);

/// <summary>The limits in force (<c>GET /_sandbox/limits</c>, <c>limits</c> in the state).</summary>
/// <param name="Aio">AIO Tests (both flavours); <c>used</c> is the busiest client IP's count.</param>
public sealed record LimitsSnapshot(RateLimitSnapshot XrayCloud, RateLimitSnapshot Aio);
