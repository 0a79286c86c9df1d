using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Reports;

namespace TmsBridge.Cli;

/// <summary>
/// `tmsbridge report journal-or-folder... [--format md|html] [--out FILE] [--requirements KEYS]`:
/// requirement → tests → latest status from the journals (see Reports.Traceability). Writes nothing
/// to any TMS. Exit 0 when the report is written, 2 for bad arguments or unreadable journals.
/// </summary>
public static class ReportCommand
{
    public const string UsageText = """
          report <journal.jsonl or folder>... [--format md|html] [--out FILE] [--requirements KEY,KEY...]
              Traceability report from run journals (folders are searched for *.journal.jsonl):
              requirement → covering tests → latest status ([Covers] and Tms.Covers), tests without
              keys, keys the TMS refused. --format defaults to the --out file's extension, else md;
              without --out it prints to the console. html is one self-contained file (no scripts,
              nothing fetched). --requirements names requirements that must be covered: one no test
              covers is listed as not covered.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args);
        foreach (var name in a.Named.Keys)
            if (name is not ("format" or "out" or "requirements")) throw new UsageException($"report has no option --{name} (it takes --format, --out and --requirements).");
        if (a.Positional.Count == 0) throw new UsageException("report needs at least one journal file or folder (<results>/tms/<runId>.journal.jsonl).");
        var outPath = a.Named.TryGetValue("out", out var o) ? o : null;
        var format = a.Named.TryGetValue("format", out var f) ? f.ToLowerInvariant()
            : outPath is not null && Path.GetExtension(outPath).ToLowerInvariant() is ".html" or ".htm" ? "html" : "md";
        if (format is not ("md" or "html")) throw new UsageException($"--format '{f}' is not md or html.");

        var redactor = CliOptions.EnvironmentRedactor();
        var journals = JournalInputs.Paths(a.Positional, p => $"'{p}' is neither a journal file nor a folder.").Select(p => JournalInputs.Read(p, stderr, redactor)).ToList();
        var requirements = a.Named.TryGetValue("requirements", out var r) ? r.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries) : [];
        var report = Traceability.Build(journals, requirements);
        var generated = DateTimeOffset.UtcNow;
        var text = format == "html" ? TraceabilityWriter.Html(report, generated, redactor) : TraceabilityWriter.Markdown(report, generated, redactor);

        if (outPath is null)
        {
            stdout.Write(text);
            return Task.FromResult(0);
        }
        try
        {
            var full = Path.GetFullPath(outPath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text, new System.Text.UTF8Encoding(false));
            stdout.WriteLine($"tmsbridge: traceability report ({report.Requirements.Count} requirements, {report.Tests.Count} tests, {journals.Count} journals) written to {full}");
            return Task.FromResult(0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"tmsbridge: error: the report could not be written to '{outPath}': {e.Message}");
            return Task.FromResult(1);
        }
    }
}
