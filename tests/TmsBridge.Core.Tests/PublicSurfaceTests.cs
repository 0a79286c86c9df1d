using TmsBridge.Configuration;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>Core's public surface is what users and front-ends need; backends and their plumbing stay internal.</summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void Backends_payload_builders_kit_and_http_client_are_internal()
    {
        var core = typeof(TmsOptions).Assembly;
        var publicInBackends = core.GetExportedTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith("TmsBridge.Backends", StringComparison.Ordinal))
            .Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        // Only the descriptors and the typed options a front-end can read are public.
        Assert.Equal(["AioOptions", "AioTargets", "QMetryOptions", "QMetryTargets", "QTestOptions", "QTestTargets", "RtmOptions", "RtmTargets", "XrayOptions", "XrayTargets"], publicInBackends);
        foreach (var name in new[] { "TmsBridge.Http.TmsHttpClient", "TmsBridge.Publishing.ITmsBackend", "TmsBridge.Publishing.BackendRegistry", "TmsBridge.Backends.Xray.XrayPayload", "TmsBridge.Backends.Aio.AioPayload" })
            Assert.False(core.GetType(name, throwOnError: true)!.IsPublic, name + " should be internal");
        // What front-ends use stays public.
        foreach (var t in new[] { typeof(RunSession), typeof(Publisher), typeof(PublishReport), typeof(IReporterOutput), typeof(TargetDescriptor), typeof(Targets), typeof(ConfigurationResolver) })
            Assert.True(t.IsPublic, t.Name);
    }
}
