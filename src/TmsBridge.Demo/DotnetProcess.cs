using System.Diagnostics;

namespace TmsBridge.Demo;

/// <summary>The outcome of a child process: exit code and every line it printed.</summary>
public sealed class ProcessResult(int exitCode, IReadOnlyList<string> lines, bool timedOut)
{
    public int ExitCode { get; } = exitCode;
    public IReadOnlyList<string> Lines { get; } = lines;
    public bool TimedOut { get; } = timedOut;
    public string Output => string.Join("\n", Lines);
}

/// <summary>
/// Runs `dotnet ...` as a child process with a controlled environment. Used by the demo and by the
/// acceptance tests, which run real `dotnet test` on the samples.
/// </summary>
public static class DotnetProcess
{
    /// <summary>
    /// Variables a parent `dotnet test`/`dotnet run` leaves behind that would steer the child's build
    /// or test host, and TMS_* settings that the caller must set explicitly.
    /// </summary>
    private static readonly string[] InheritedPrefixesToDrop = ["MSBUILD", "VSTEST", "TESTINGPLATFORM", "DOTNET_TEST", "TMS_"];

    public static string DotnetPath =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<ProcessResult> RunAsync(
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        Action<string>? onLine = null,
        TimeSpan? timeout = null) =>
        RunProgramAsync(DotnetPath, arguments, workingDirectory, environment, onLine, timeout);

    /// <summary>
    /// The same for another program, e.g. the `tmsbridge` shim of an installed .NET tool, with the
    /// same cleaned environment.
    /// </summary>
    public static async Task<ProcessResult> RunProgramAsync(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        Action<string>? onLine = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (InheritedPrefixesToDrop.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase))) start.Environment.Remove(key);
        }
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }

        var lines = new List<string>();
        using var process = new Process { StartInfo = start };
        void Collect(string? line)
        {
            if (line is null) return;
            lock (lines) lines.Add(line);
            onLine?.Invoke(line);
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(10));
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync();
        }
        process.WaitForExit(); // drains the redirected streams
        lock (lines) return new ProcessResult(timedOut ? -1 : process.ExitCode, lines.ToList(), timedOut);
    }
}
