using TmsBridge.Journal;

namespace TmsBridge.Cli;

/// <summary>The journals the commands (publish, report, validate) are given: files and folders, read alike.</summary>
internal static class JournalInputs
{
    /// <summary>
    /// The journals named: a file as it is, a folder as every *.journal.jsonl below it (sorted, so shards
    /// are read in a stable order); each journal once however it was named (a journal read twice would
    /// count its results twice).
    /// </summary>
    /// <param name="missing">The message for an argument that is neither a file nor a folder.</param>
    public static List<string> Paths(IEnumerable<string> arguments, Func<string, string>? missing = null)
    {
        var paths = new List<string>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            List<string> found;
            if (Directory.Exists(argument))
            {
                found = Directory.EnumerateFiles(argument, "*.journal.jsonl", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new UsageException($"folder '{argument}' holds no run journal (*.journal.jsonl).");
            }
            else if (File.Exists(argument)) found = [argument];
            else throw new UsageException(missing?.Invoke(argument) ?? $"journal '{argument}' does not exist.");
            foreach (var f in found)
                if (seen.Add(Path.GetFullPath(f))) paths.Add(f);
        }
        return paths;
    }

    /// <summary>One journal: its unreadable lines printed as warnings (redacted); a file without a run header is a usage error.</summary>
    public static JournalContent Read(string path, TextWriter stderr, Http.SecretRedactor redactor)
    {
        var content = JournalReader.Read(path);
        foreach (var problem in content.Problems) stderr.WriteLine("tmsbridge: warning: " + redactor.Redact(problem));
        if (content.Header is null) throw new UsageException($"'{path}' is not a TmsBridge run journal (no run header).");
        return content;
    }
}
