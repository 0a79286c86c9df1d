using Microsoft.Testing.Platform.Extensions.OutputDevice;
using Microsoft.Testing.Platform.OutputDevice;
using TmsBridge.Publishing;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// Collects Core's console lines and writes them out afterwards (so Core's synchronous calls never
/// block on the platform). Run directly (terminal), the lines go to MTP's output device, next to
/// its own summary. In server mode (`dotnet test` in MTP mode, IDEs) the output device has no
/// channel for an extension's text, so the lines go to the process's stdout / stderr: `dotnet test`
/// prints those under the test application's "Standard output" / "Error output", which the SDK
/// shows when the application fails (it hides them for a passing application).
/// </summary>
internal sealed class BufferedReporterOutput(bool useConsole = false) : IReporterOutput
{
    private readonly List<(int Level, string Text)> _pending = [];
    private readonly object _lock = new();

    public void Info(string message) => Add(0, "TmsBridge: " + message);
    public void Warning(string message) => Add(1, "TmsBridge: warning: " + message);
    public void Error(string message) => Add(2, "TmsBridge: error: " + message);

    private void Add(int level, string text) { lock (_lock) _pending.Add((level, text)); }

    public async Task FlushAsync(IOutputDeviceDataProducer producer, IOutputDevice device)
    {
        List<(int Level, string Text)> lines;
        lock (_lock)
        {
            if (_pending.Count == 0) return;
            lines = [.. _pending];
            _pending.Clear();
        }
        foreach (var (level, text) in lines)
        {
            if (useConsole)
            {
                (level == 2 ? Console.Error : Console.Out).WriteLine(text);
                continue;
            }
            try
            {
                IOutputDeviceData data = level switch
                {
                    2 => new ErrorMessageOutputDeviceData(text),
                    1 => new WarningMessageOutputDeviceData(text),
                    _ => new TextOutputDeviceData(text),
                };
                await device.DisplayAsync(producer, data, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The device may already be closed at the very end of a run: the console still works.
                (level == 2 ? Console.Error : Console.Out).WriteLine(text);
            }
        }
        if (useConsole) { Console.Out.Flush(); Console.Error.Flush(); }
    }
}

/// <summary>What the reporter's final publish left, for the exit-code guard that runs after it.</summary>
internal sealed class MtpPublishOutcome
{
    public PublishReport? Report { get; set; }
    public bool FailOnPublishError { get; set; }
    public bool PublishFailed { get; set; }
}
