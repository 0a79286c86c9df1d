using TmsBridge.Sandbox;

namespace TmsBridge.Cli;

/// <summary>`tmsbridge sandbox`: the emulator in the foreground.</summary>
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

    internal static Task WaitForCtrlC()
    {
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        return stop.Task;
    }
}
