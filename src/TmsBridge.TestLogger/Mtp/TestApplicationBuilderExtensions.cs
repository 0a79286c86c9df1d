using Microsoft.Testing.Platform.Builder;
using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Services;

namespace TmsBridge.TestLogger.Mtp;

public static class TmsBridgeTestApplicationBuilderExtensions
{
    /// <summary>
    /// Registers TmsBridge's MTP front-end: the --tms-* options, the reporter (data consumer and
    /// session handler in one instance) and the application-lifetime hook that applies
    /// failOnPublishError to the exit code. Done automatically by the package's build targets.
    /// </summary>
    public static void AddTmsBridge(this ITestApplicationBuilder builder)
    {
        builder.CommandLine.AddProvider(() => new TmsCommandLineOptions());
        var outcome = new MtpPublishOutcome();
        var reporter = new CompositeExtensionFactory<TmsMtpReporter>(sp => new TmsMtpReporter(
            sp.GetCommandLineOptions(), sp.GetConfiguration(), sp.GetOutputDevice(), outcome));
        builder.TestHost.AddDataConsumer(reporter);
        // AddTestSessionLifetimeHandle (sic): the name that exists in every 2.x (2.0 has no "...Handler" overload).
        builder.TestHost.AddTestSessionLifetimeHandle(reporter);
        builder.TestHost.AddTestHostApplicationLifetime(sp => new TmsExitCodeGuard(sp.GetOutputDevice(), outcome, TmsMtpReporter.IsServerMode(sp.GetCommandLineOptions())));
    }
}
