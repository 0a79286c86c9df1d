using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace TmsBridge.Benchmarks;

/// <summary>
/// Section "logger": what `--logger tms` (VSTest) and the MTP extension add to `dotnet test --no-build`
/// of a generated NUnit suite, beside a peer reporter doing comparable work (VSTest: the JUnit XML
/// logger; MTP: the TRX report, since JunitXml.TestLogger has no MTP extension). Each suite is built
/// once per variant (no logger / tms / peer: separate projects with the same test file, so the "no
/// logger" run does not even have the logger's assemblies next to it), then the variants run in
/// interleaved rounds whose order rotates; the printed ratios are medians of per-round ratios.
/// </summary>
internal static class LoggerOverhead
{
    private static readonly string[] Variants = ["none", "tms", "peer"];

    public static async Task RunAsync(BenchOptions o)
    {
        int[] sizes = o.Sizes.Count > 0 ? [.. o.Sizes] : o.Quick ? [200] : [500, 5000];
        string[] runners = o.Runners.Count > 0 ? [.. o.Runners] : ["vstest", "mtp"];
        Console.WriteLine("== logger overhead: dotnet test --no-build, generated NUnit suite (every test keyed, every 10th writes output, every 50th fails, every 100th attaches a file)");
        Console.WriteLine("   VSTest peer: --logger junit (JunitXml.TestLogger 8.1.0); MTP peer: --report-trx (Microsoft.Testing.Extensions.TrxReport). Ratios: median of per-round ratios; \"middle half\": where the middle half of the per-round tms/none ratios lie (their 25th to 75th percentile), to tell a median's noise from a difference.");
        var versions = PackageVersions(o.RepositoryRoot);
        var suites = new List<(string Runner, int N, string Folder)>();
        foreach (var runner in runners)
            foreach (var n in sizes)
            {
                var folder = Path.Combine(o.Work, "suites", $"{runner}-{n}");
                Generate(folder, runner, n, versions, o.RepositoryRoot);
                foreach (var v in Variants)
                {
                    var build = Machine.Run("dotnet", ["build", Path.Combine(folder, v, v + ".csproj"), "-c", "Release", "-nr:false", "-v:q", "-clp:ErrorsOnly"], folder, timeout: TimeSpan.FromMinutes(15));
                    if (build.ExitCode != 0) throw new InvalidOperationException($"building {runner}-{n}/{v} failed:\n{build.Output}");
                }
                suites.Add((runner, n, folder));
            }
        Console.WriteLine($"{"runner",-7} {"tests",6} {"none s",7} {"tms s",7} {"peer s",7} | {"tms/none",8} {"peer/none",9} {"tms/peer",8} | {"cpu tms/none",12} {"cpu peer/none",13} | {"tms +s",7} {"middle half",11} {"journal lines",13} {"rounds",6}");
        foreach (var (runner, n, folder) in suites)
        {
            var rounds = o.Pairs ?? (o.Quick ? 2 : n >= 5000 ? 7 : 9);
            var wall = Variants.ToDictionary(v => v, _ => new List<double>());
            var cpu = Variants.ToDictionary(v => v, _ => new List<double>());
            long journalLines = 0;
            // One unmeasured round first: disk cache, JIT'd SDK, NuGet's package folder in memory.
            foreach (var v in Variants) RunOnce(runner, folder, v, o.Work, out _);
            for (var r = 0; r < rounds; r++)
            {
                for (var k = 0; k < Variants.Length; k++)
                {
                    var v = Variants[(r + k) % Variants.Length];
                    var run = RunOnce(runner, folder, v, o.Work, out var lines);
                    wall[v].Add(run.WallSeconds);
                    cpu[v].Add(run.CpuSeconds);
                    if (v == "tms") journalLines = lines;
                }
            }
            double Ratio(Dictionary<string, List<double>> d, string a, string b) => Machine.Median(d[a].Zip(d[b], (x, y) => x / y));
            var tmsRatios = wall["tms"].Zip(wall["none"], (x, y) => x / y).ToList();
            Goals.AtMost(1, $"{runner} {n} tests: wall tms/none", Ratio(wall, "tms", "none"), 1.05);
            Goals.AtMost(1, $"{runner} {n} tests: wall tms/peer", Ratio(wall, "tms", "peer"), 1.0);
            var middleHalf = string.Create(CultureInfo.InvariantCulture, $"{Machine.Quantile(tmsRatios, 0.25):0.000}-{Machine.Quantile(tmsRatios, 0.75):0.000}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{runner,-7} {n,6} {Machine.Median(wall["none"]),7:0.00} {Machine.Median(wall["tms"]),7:0.00} {Machine.Median(wall["peer"]),7:0.00} | {Ratio(wall, "tms", "none"),7:0.000}x {Ratio(wall, "peer", "none"),8:0.000}x {Ratio(wall, "tms", "peer"),7:0.000}x | {Ratio(cpu, "tms", "none"),11:0.000}x {Ratio(cpu, "peer", "none"),12:0.000}x | {Machine.Median(wall["tms"].Zip(wall["none"], (x, y) => x - y)),+7:0.00} {middleHalf,11} {journalLines,13} {rounds,6}"));
        }
        await Task.CompletedTask;
    }

    private static ProcessRun RunOnce(string runner, string folder, string variant, string work, out long journalLines)
    {
        var results = Path.Combine(work, "results", Path.GetFileName(folder) + "-" + variant);
        if (Directory.Exists(results)) Directory.Delete(results, true);
        var project = Path.Combine(folder, variant, variant + ".csproj");
        List<string> args = runner == "vstest"
            ? ["test", project, "--no-build", "-c", "Release", "--results-directory", results]
            : ["test", "--project", project, "--no-build", "-c", "Release", "--results-directory", results];
        // MTP: the extension is on by being referenced; `dotnet test` in MTP mode takes "--tms-target none" for a
        // folder argument, so the target comes from the environment (the default is none anyway).
        if (variant == "tms" && runner == "vstest") args.AddRange(["--logger", "tms;target=none"]);
        if (variant == "peer") args.AddRange(runner == "vstest" ? ["--logger", "junit;LogFilePath=" + Path.Combine(results, "junit.xml")] : ["--report-trx"]);
        var run = Machine.Run("dotnet", args, folder, variant == "tms" && runner == "mtp" ? new Dictionary<string, string> { ["TMS_TARGET"] = "none" } : null);
        // The suite fails every 50th test on purpose: VSTest exits 1, MTP 2 (failed tests); anything else is a broken run.
        if (run.ExitCode is not (0 or 1 or 2) || !run.Output.Contains("Failed", StringComparison.OrdinalIgnoreCase) && !run.Output.Contains("failed", StringComparison.Ordinal))
            throw new InvalidOperationException($"{runner} {variant} run failed (exit {run.ExitCode}):\n{run.Output}");
        journalLines = 0;
        if (variant == "tms")
        {
            var journal = Directory.Exists(results) ? Directory.GetFiles(results, "*.journal.jsonl", SearchOption.AllDirectories).SingleOrDefault() : null;
            if (journal is null) throw new InvalidOperationException($"{runner} tms run wrote no journal under {results}:\n{run.Output}");
            journalLines = File.ReadLines(journal).LongCount();
        }
        if (variant == "peer" && !(Directory.Exists(results) && Directory.GetFiles(results, runner == "vstest" ? "*.xml" : "*.trx", SearchOption.AllDirectories).Length > 0))
            throw new InvalidOperationException($"{runner} peer run wrote no report under {results}:\n{run.Output}");
        return run;
    }

    private static Dictionary<string, string> PackageVersions(string root)
    {
        var doc = XDocument.Load(Path.Combine(root, "Directory.Packages.props"));
        return doc.Descendants("PackageVersion").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
    }

    private static void Generate(string folder, string runner, int n, Dictionary<string, string> versions, string root)
    {
        Directory.CreateDirectory(folder);
        var code = new StringBuilder();
        code.AppendLine("using System; using System.IO; using NUnit.Framework; using TmsBridge;");
        code.AppendLine("namespace Bench;");
        code.AppendLine("""
            static class Work
            {
                public static void Do(int i)
                {
                    if (i % 10 == 0) Console.WriteLine("output of test " + i + ": " + new string('x', 200));
                    if (i % 100 == 0)
                    {
                        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "attachment-" + i + ".txt");
                        File.WriteAllText(path, new string('a', 4096));
                        TestContext.AddTestAttachment(path);
                    }
                    if (i % 50 == 0) Assert.Fail("test " + i + " fails on purpose");
                }
            }
            """);
        for (var c = 0; c < (n + 99) / 100; c++)
        {
            code.AppendLine($"public class Case{c}");
            code.AppendLine("{");
            for (var i = c * 100 + 1; i <= Math.Min(n, c * 100 + 100); i++)
                code.AppendLine($"    [Test, TestCaseKey(\"BENCH-{i}\")] public void Test{i}() => Work.Do({i});");
            code.AppendLine("}");
        }
        File.WriteAllText(Path.Combine(folder, "Tests.cs"), code.ToString());
        if (runner == "mtp") File.WriteAllText(Path.Combine(folder, "global.json"), """{ "test": { "runner": "Microsoft.Testing.Platform" } }""");
        var src = Path.Combine(root, "src");
        foreach (var v in Variants)
        {
            var packages = new List<string> { $"""<PackageReference Include="NUnit" Version="{versions["NUnit"]}" />""", $"""<PackageReference Include="NUnit3TestAdapter" Version="{versions["NUnit3TestAdapter"]}" />""" };
            var properties = "";
            var imports = "";
            if (runner == "vstest")
            {
                packages.Add($"""<PackageReference Include="Microsoft.NET.Test.Sdk" Version="{versions["Microsoft.NET.Test.Sdk"]}" />""");
                if (v == "peer") packages.Add("""<PackageReference Include="JunitXml.TestLogger" Version="8.1.0" />""");
            }
            else
            {
                properties = "<OutputType>Exe</OutputType><EnableNUnitRunner>true</EnableNUnitRunner>";
                // The same platform version in every variant (the TRX report needs at least 2.5.2).
                packages.Add($"""<PackageReference Include="Microsoft.Testing.Platform" Version="{versions["Microsoft.Testing.Platform"]}" />""");
                if (v == "peer") packages.Add("""<PackageReference Include="Microsoft.Testing.Extensions.TrxReport" Version="2.5.2" />""");
                if (v == "tms") imports = $"""<Import Project="{src}/TmsBridge.TestLogger/build/TmsBridge.TestLogger.props" /><Import Project="{src}/TmsBridge.TestLogger/build/TmsBridge.TestLogger.targets" />""";
            }
            var logger = v == "tms" ? $"""<ProjectReference Include="{src}/TmsBridge.TestLogger/TmsBridge.TestLogger.csproj" />""" : "";
            Directory.CreateDirectory(Path.Combine(folder, v));
            File.WriteAllText(Path.Combine(folder, v, v + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework><IsPackable>false</IsPackable><IsTestProject>true</IsTestProject>
                    <AssemblyName>Bench.{v}</AssemblyName><Nullable>disable</Nullable>{properties}
                  </PropertyGroup>
                  <ItemGroup>
                    {string.Join("\n    ", packages)}
                    <ProjectReference Include="{src}/TmsBridge.NUnit/TmsBridge.NUnit.csproj" />
                    {logger}
                  </ItemGroup>
                  <ItemGroup><Compile Include="../Tests.cs" /></ItemGroup>
                  {imports}
                </Project>
                """);
        }
    }
}
