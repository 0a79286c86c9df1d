namespace TmsBridge.Cli;

/// <summary>Command dispatch. Exit codes: 0 ok, 1 the command's work failed, 2 usage error.</summary>
public static class CliApp
{
    public static readonly string Usage = $"""
        Usage: tmsbridge <command> [options]

          publish <journals or folders>... [--option value]...
              Publishes results from run journals (<results>/tms/<runId>.journal.jsonl; a folder: every
              journal under it), e.g. after publishMode=deferred or a failed or killed publish (resumed,
              never repeated), or to merge several test projects / CI shards into one execution.
              Options as in tmsbridge.json (--target xray --base-url ... --test-execution DEMO-1000);
              secrets only from TMS_PASSWORD / TMS_TOKEN (or their _FILE forms).
              --all also re-sends keys a journal marks as already sent; --stats prints
              the number of requests, the largest request and the peak memory of the publish.
          validate [journals | folders | test assemblies] [--option value]...
              Checks the configuration, credentials, reachability, the project, that the test case keys
              of the given journals (or of built test assemblies: [TestCaseKey] read without loading them)
              exist and that the mapped statuses exist, writing nothing to the TMS. One line per check;
              exit code 0 all passed, 1 a check failed, 2 usage.
        {ReportCommand.UsageText}

          statuses [--option value]...
              Lists the target's status names for statusMap: the project's where the API lists them
              (AIO Tests), else the built-in defaults (it says which).

        The sandbox and the demo run from the repository: dotnet run --project src/TmsBridge.Demo -- --help
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
                "publish" => await PublishCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                "report" => await ReportCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                "validate" => await ValidateCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                "statuses" => await StatusesCommand.RunAsync(args.Skip(1).ToArray(), stdout, stderr),
                // Moved out of the tool (it needs only the .NET runtime; the sandbox needs ASP.NET Core).
                "demo" or "sandbox" => throw new UsageException($"'{args[0]}' runs from the TmsBridge repository: dotnet run --project src/TmsBridge.Demo -- {args[0]}"),
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
