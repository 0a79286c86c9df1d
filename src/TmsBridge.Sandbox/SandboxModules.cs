using TmsBridge.Sandbox.Aio;
using TmsBridge.Sandbox.QTest;
using TmsBridge.Sandbox.QMetry;
using TmsBridge.Sandbox.Rtm;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;
using TmsBridge.Sandbox.XrayCloud;

namespace TmsBridge.Sandbox;

/// <summary>
/// The one list of emulated TMSs, in the order their endpoints are mapped and their sections
/// appear on the state page. A new TMS adds its module here (QMetry, qTest, RTM next).
/// </summary>
internal static class SandboxModules
{
    public static IReadOnlyList<ISandboxModule> For(SandboxState state, SandboxOptions options) =>
    [
        new XrayServerModule(state.Xray),
        new XrayCloudModule(state.XrayCloud, state.XrayCloudLimiter, options.XrayCloudRateLimit),
        new AioModule(state.Aio, state.AioServer, state.AioLimiter, options.AioRateLimit),
        new QTestModule(state.QTest),
        new RtmModule(state.RtmServer, state.RtmCloud),
        new QMetryModule(state.QMetry, state.QMetryServer),
    ];
}
