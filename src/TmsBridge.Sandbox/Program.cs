using System.Runtime.InteropServices;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.Seed;

// dotnet run --project src/TmsBridge.Sandbox -- [--urls http://127.0.0.1:PORT] [--seed file.json] [--verbose]
// Runs until Ctrl+C / SIGTERM. All behaviour lives in SandboxServer so tests and the CLI get the same thing.

var options = new SandboxOptions();
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    try
    {
        switch (args[i])
        {
            case "--urls" or "--url": options.Url = Value().Split(';')[0]; break;
            case "--seed": options.SeedPath = Value(); break;
            case "--verbose": options.Logging = true; break;
            case "-h" or "--help":
                Console.WriteLine("Usage: TmsBridge.Sandbox [--urls http://127.0.0.1:PORT] [--seed file.json] [--verbose]");
                Console.WriteLine("Default URL http://127.0.0.1:0 picks a free port. See docs/sandbox.md.");
                return 0;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

SandboxServer server;
try
{
    server = await SandboxServer.StartAsync(options);
}
catch (SeedException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

await using (server)
{
    // Continuations off the signal thread: disposing the server there would block the signal handler.
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.TrySetResult();
    };
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
    {
        ctx.Cancel = true;
        stop.TrySetResult();
    });

    Console.WriteLine($"TmsBridge sandbox listening on {server.BaseAddress}");
    Console.WriteLine($"State page: {server.BaseAddress}   JSON: {server.BaseAddress}_sandbox/state   Ctrl+C to stop.");
    await stop.Task;
}
return 0;
