using TmsBridge.Cli;
using TmsBridge.Sandbox;

namespace TmsBridge.Demo;

/// <summary>`sandbox` (dotnet run --project src/TmsBridge.Demo -- sandbox): the emulator in the foreground.</summary>
public static class SandboxCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args, "verbose");
        var options = new SandboxOptions { Logging = a.Flags.Contains("verbose") };
        if (a.Named.TryGetValue("urls", out var urls)) options.Url = urls.Split(';')[0];
        if (a.Named.TryGetValue("seed", out var seed)) options.SeedPath = seed;
        await using var server = await SandboxServer.StartAsync(options);
        stdout.WriteLine($"TmsBridge sandbox listening on {server.BaseAddress} (state page; JSON at {server.BaseAddress}_sandbox/state). Ctrl+C to stop.");
        await WaitForCtrlC();
        return 0;
    }

    /// <summary>Completes on Ctrl+C (SIGINT) or SIGTERM, so `kill PID` stops the sandbox cleanly.</summary>
    internal static async Task WaitForCtrlC()
    {
        // Continuations must not run on the signal thread: disposing the server there would block it.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
    }
}
