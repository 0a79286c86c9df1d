using Microsoft.Testing.Platform.Builder;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// Called by the entry point that Microsoft.Testing.Platform.MSBuild generates for every
/// <c>TestingPlatformBuilderHook</c> item; the package's build/TmsBridge.TestLogger.targets adds
/// ours (only in MTP test applications on MTP 2.x). The name and signature are a contract.
/// </summary>
public static class TestingPlatformBuilderHook
{
#pragma warning disable IDE0060 // the generated code passes the command-line arguments; we read them through the platform
    public static void AddExtensions(ITestApplicationBuilder testApplicationBuilder, string[] arguments) =>
        testApplicationBuilder.AddTmsBridge();
#pragma warning restore IDE0060
}
