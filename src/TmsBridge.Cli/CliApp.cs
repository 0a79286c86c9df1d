namespace TmsBridge.Cli;

/// <summary>Command dispatch. Exit codes: 0 ok, 1 the command's work failed, 2 usage error.</summary>
public static class CliApp
{
    public static readonly string Usage = $"""
        Usage: tmsbridge <command> [options]

          demo [--keep] [--port N] [--targets {string.Join(",", DemoCommand.Targets.Select(t => t.Name))}] [--samples DIR]
              Starts the sandbox, runs every sample with `dotnet test --logger tms` against it
              for every implemented target (or those named by --targets),
              prints each run's summary and what the sandbox received, then stops the sandbox
              (--keep leaves it running for a look in the browser until Ctrl+C).

          publish <journal.jsonl>... [--option value]...
              Publishes results from run journals (<results>/tms/<runId>.journal.jsonl), e.g. after a
              failed publish or to merge several test projects / CI shards into one execution.
              Options as in tmsbridge.json (--target xray --base-url ... --test-execution DEMO-1000);
              secrets only from TMS_PASSWORD / TMS_TOKEN (or their _FILE forms).
              --all also re-sends keys a journal marks as already sent; --stats prints
              the number of requests, the largest request and the peak memory of the publish.

        {ReportCommand.UsageText}

          sandbox [--urls http://127.0.0.1:PORT] [--seed file.json]
              Runs the TMS sandbox in the foreground (Ctrl+C stops it).
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
                "publish" => await PublishCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                "report" => await ReportCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                "sandbox" => await SandboxCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                _ => throw new UsageException($"unknown command '{args[0]}'."),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine("tmsbridge: " + e.Message);
            stderr.WriteLine("Run `tmsbridge --help` for usage.");
            return 2;
        }
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>Small argument reader: --name value pairs, --flags, and positional arguments.</summary>
public sealed class Arguments
{
    public List<string> Positional { get; } = [];
    public Dictionary<string, string> Named { get; } = new(StringComparer.OrdinalIgnoreCase);
    public HashSet<string> Flags { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static Arguments Parse(string[] args, params string[] flagNames)
    {
        var result = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) { result.Positional.Add(a); continue; }
            var name = a.Substring(2);
            var eq = name.IndexOf('=');
            if (eq > 0) { result.Named[name.Substring(0, eq)] = name.Substring(eq + 1); continue; }
            if (flagNames.Contains(name, StringComparer.OrdinalIgnoreCase)) { result.Flags.Add(name); continue; }
            if (i + 1 >= args.Length) throw new UsageException($"--{name} needs a value.");
            result.Named[name] = args[++i];
        }
        return result;
    }
}
