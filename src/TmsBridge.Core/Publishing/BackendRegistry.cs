using TmsBridge.Backends.Aio;
using TmsBridge.Backends.QMetry;
using TmsBridge.Backends.Rtm;
using TmsBridge.Backends.Xray;

namespace TmsBridge.Publishing;

/// <summary>Target name → backend. Targets not listed here are known names not implemented yet.</summary>
public static class BackendRegistry
{
    public static ITmsBackend? Create(string target) => target switch
    {
        "xray" => new XrayServerBackend(),
        "xray-cloud" => new XrayCloudBackend(),
        "aio" => new AioServerBackend(),
        "aio-cloud" => new AioCloudBackend(),
        "rtm" => new RtmServerBackend(),
        "rtm-cloud" => new RtmCloudBackend(),
        "qmetry" => new QMetryServerBackend(),
        "qmetry-cloud" => new QMetryCloudBackend(),
        _ => null,
    };
}
