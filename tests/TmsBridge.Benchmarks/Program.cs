using TmsBridge.Benchmarks;

// The performance benchmark of issue 16; what each line means: docs/performance.md.
//   dotnet run -c Release --project tests/TmsBridge.Benchmarks -- [--quick] [--section NAME]... [--pairs N] [--work DIR]
// Sections (default: inproc first, while the process has loaded nothing of TmsBridge; then logger, publish, memory):
//   logger  - generated NUnit suites under `dotnet test --no-build`, VSTest and MTP: no logger / tms (target=none) / peer
//   inproc  - the VSTest logger driven in process: assemblies loaded, bytes allocated, journal lines (counts, not timings)
//   publish - each backend against the sandbox with injected latency: requests, wall, lower bound, naive publisher
//   memory  - peak RSS of `tmsbridge publish` with 200 MB of evidence; journal size and publish time from 1k to 100k
//   payload - (only when named) the streamed vs in-memory Xray payload writer
var options = BenchOptions.Parse(args);
Console.WriteLine($"TmsBridge benchmark {(options.Quick ? "(quick) " : "")}{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, load average {Machine.LoadAverage()}");
Directory.CreateDirectory(options.Work);
foreach (var section in options.Sections)
{
    Console.WriteLine();
    switch (section)
    {
        case "logger": await LoggerOverhead.RunAsync(options); break;
        case "inproc": InProcessLogger.Run(options); break;
        case "publish": await PublishEfficiency.RunAsync(options); break;
        case "memory": await MemoryAndJournal.RunAsync(options); break;
        case "payload": PayloadMemory.Run(options.Quick ? [5] : [20, 50, 100]); break;
        default: Console.Error.WriteLine($"unknown section '{section}' (logger, inproc, publish, memory, payload)"); return 2;
    }
}
Goals.Print();
return 0;
