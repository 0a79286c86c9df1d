using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TmsBridge.Benchmarks;

internal sealed class BenchOptions
{
    public bool Quick { get; private set; }
    public bool Verbose { get; private set; }
    public List<string> Sections { get; } = [];
    public int? Pairs { get; private set; }
    public string Work { get; private set; } = Path.Combine(Path.GetTempPath(), "tmsbridge-bench");
    public List<string> Targets { get; } = [];
    /// <summary>Logger section: only these suite sizes (default 500 and 5,000; --quick 200).</summary>
    public List<int> Sizes { get; } = [];
    /// <summary>Logger section: only these runners (vstest, mtp; default both).</summary>
    public List<string> Runners { get; } = [];
    public string RepositoryRoot { get; } = FindRoot();

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": o.Quick = true; break;
                case "--verbose": o.Verbose = true; break;
                case "--section": o.Sections.AddRange(Next(args, ref i).Split(',')); break;
                case "--pairs": o.Pairs = int.Parse(Next(args, ref i), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--work": o.Work = Path.GetFullPath(Next(args, ref i)); break;
                case "--targets": o.Targets.AddRange(Next(args, ref i).Split(',')); break;
                case "--sizes": o.Sizes.AddRange(Next(args, ref i).Split(',').Select(n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))); break;
                case "--runners": o.Runners.AddRange(Next(args, ref i).Split(',')); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}' (--quick, --verbose, --section NAME, --pairs N, --work DIR, --targets a,b, --sizes n,m, --runners vstest,mtp)");
            }
        }
        if (o.Sections.Count == 0) o.Sections.AddRange(["inproc", "logger", "publish", "memory"]);
        return o;
    }

    private static string Next(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static string FindRoot()
    {
        // Above the benchmark's own folder, or (built elsewhere with -o) above the working directory.
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Reporters.sln"))) return d.FullName;
        throw new InvalidOperationException("the repository root (Reporters.sln) was not found above " + AppContext.BaseDirectory + " or the working directory");
    }
}

/// <summary>A finished child process: exit code, output, wall time and the CPU time of its whole process tree.</summary>
internal sealed record ProcessRun(int ExitCode, string Output, double WallSeconds, double CpuSeconds);

internal static class Machine
{
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec, UtimeUsec, StimeSec, StimeUsec;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVCsw, NIvCsw;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    /// <summary>
    /// CPU seconds of every reaped descendant (RUSAGE_CHILDREN): a child's delta is the CPU of its
    /// whole tree (dotnet → vstest.console → testhost), as long as each parent waited for its children.
    /// MSBuild node reuse is turned off for the runs, so no node outlives its command.
    /// </summary>
    public static double ChildrenCpuSeconds()
    {
        if (!OperatingSystem.IsLinux() || getrusage(-1, out var u) != 0) return double.NaN;
        return u.UtimeSec + u.StimeSec + (u.UtimeUsec + u.StimeUsec) / 1e6;
    }

    public static ProcessRun Run(string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        // No TMS_* of the caller's shell leaks into a measured run.
        foreach (var k in start.Environment.Keys.Where(k => k.StartsWith("TMS_", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(k);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        var output = new System.Text.StringBuilder();
        var cpuBefore = ChildrenCpuSeconds();
        var watch = Stopwatch.StartNew();
        using var p = new Process { StartInfo = start };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(20)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }
        p.WaitForExit();
        watch.Stop();
        return new ProcessRun(p.ExitCode, output.ToString(), watch.Elapsed.TotalSeconds, ChildrenCpuSeconds() - cpuBefore);
    }

    public static double Median(IEnumerable<double> values) => Quantile(values, 0.5);

    /// <summary>The q-quantile (0..1), interpolated between the two nearest values; the median is q = 0.5.</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        var position = q * (v.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, v.Length - 1);
        return v[below] + (v[above] - v[below]) * (position - below);
    }
}
