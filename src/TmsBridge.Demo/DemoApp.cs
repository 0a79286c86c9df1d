using TmsBridge.Cli;

namespace TmsBridge.Demo;

/// <summary>
/// The repository's own program: the demo and the sandbox in the foreground. Not part of the
/// `tmsbridge` tool, which must run where only the .NET runtime is installed (the sandbox needs
/// ASP.NET Core). Exit codes as the tool's: 0 ok, 1 the command's work failed, 2 usage error.
/// </summary>
public static class DemoApp
{
    public static readonly string Usage = $"""
        Usage: dotnet run --project src/TmsBridge.Demo -- <command> [options]

          demo [--keep] [--port N] [--targets {string.Join(",", DemoCommand.Targets.Select(t => t.Name))}] [--samples DIR]
              Starts the sandbox, runs every sample with `dotnet test --logger tms` against it
              for every implemented target (or those named by --targets),
              prints each run's summary and what the sandbox received, then stops the sandbox
              (--keep leaves it running for a look in the browser until Ctrl+C).

          sandbox [--urls http://127.0.0.1:PORT] [--seed file.json] [--verbose]
              Runs the TMS sandbox in the foreground (Ctrl+C stops it).

        The `tmsbridge` tool (publish, validate, statuses) is src/TmsBridge.Cli.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "demo" => await DemoCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                "sandbox" => await SandboxCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                _ => throw new UsageException($"unknown command '{args[0]}' (this program runs demo and sandbox; publish, validate and statuses are the tmsbridge tool's)."),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine("TmsBridge.Demo: " + e.Message);
            stderr.WriteLine("Run `dotnet run --project src/TmsBridge.Demo -- --help` for usage.");
            return 2;
        }
    }
}
