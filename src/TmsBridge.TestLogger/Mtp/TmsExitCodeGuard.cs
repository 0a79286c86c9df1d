using Microsoft.Testing.Platform.Extensions.OutputDevice;
using Microsoft.Testing.Platform.Extensions.TestHost;
using Microsoft.Testing.Platform.OutputDevice;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// failOnPublishError in MTP mode. MTP offers extensions no API to change the exit code: the
/// session handler that publishes cannot, and the platform computes the code from the test results
/// alone. So the guard waits until the platform is completely done (AfterRunAsync gets the final
/// exit code, after results, TRX and the summary are written) and, only when the tests themselves
/// passed (exit code 0), publishing failed and the user asked for it, prints an error through the
/// output device and ends the process with exit code 1, as the VSTest logger does.
/// </summary>
internal sealed class TmsExitCodeGuard(IOutputDevice outputDevice, MtpPublishOutcome outcome, bool useConsole) : ITestHostApplicationLifetime, IOutputDeviceDataProducer
{
    /// <summary>The exit code used when failOnPublishError ends a run whose tests passed.</summary>
    public const int PublishErrorExitCode = 1;

    public string Uid => TmsMtpReporter.ExtensionUid + ".ExitCode";
    public string Version => TmsMtpReporter.ExtensionVersion;
    public string DisplayName => "TmsBridge";
    public string Description => "Applies failOnPublishError to the exit code.";
    public Task<bool> IsEnabledAsync() => Task.FromResult(true);

    /// <summary>Set by tests to replace the process exit.</summary>
    internal Action<int> Exit { get; set; } = Environment.Exit;

    public Task BeforeRunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task AfterRunAsync(int exitCode, CancellationToken cancellation)
    {
        if (!outcome.FailOnPublishError || !outcome.PublishFailed || exitCode != 0) return;
        const string message = "TmsBridge: error: failOnPublishError=true and publishing failed: ending the test command with exit code 1.";
        if (useConsole) Console.Error.WriteLine(message);
        else try
        {
            await outputDevice.DisplayAsync(this, new ErrorMessageOutputDeviceData(message), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine(message);
        }
        Console.Out.Flush();
        Console.Error.Flush();
        Exit(PublishErrorExitCode);
    }
}
