using System.Text.Json;
using TmsBridge.Model;

namespace TmsBridge.Journal;

public sealed class JournalContent
{
    public string Path { get; set; } = "";
    public RunHeader? Header { get; set; }
    public List<TestResultRecord> Results { get; } = [];
    public List<PublishMark> PublishMarks { get; } = [];
    /// <summary>The publish attempts' lines, in order (none in a journal of an older version).</summary>
    public List<PublishAttempt> Attempts { get; } = [];
    public RunEnd? End { get; set; }
    /// <summary>Lines that could not be read (e.g. the last line of a journal whose writer was killed).</summary>
    public List<string> Problems { get; } = [];
}

/// <summary>
/// Reads a run journal back. Tolerates a torn last line: everything before it is kept.
/// A journal is often a downloaded CI artifact, so it is not trusted: an evidence path must
/// resolve inside the run's own &lt;runId&gt;.evidence folder beside the journal, or the attachment
/// is dropped (the result is kept) with a problem naming the line.
/// </summary>
public static class JournalReader
{
    private const string ResultLinePrefix = "{\"type\":\"result\",";

    public static JournalContent Read(string path)
    {
        var content = new JournalContent { Path = path };
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "";
        var lineNumber = 0;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                // Result lines are nearly all of a journal, and RunJournal writes "type" first: those skip the
                // probe that parses the whole line once more just to read it (issue 16: half the run end's reading).
                var type = line.StartsWith(ResultLinePrefix, StringComparison.Ordinal) ? "result" : JsonSerializer.Deserialize(line, JournalJsonContext.Default.EntryType)?.Type;
                switch (type)
                {
                    case "run": content.Header = JsonSerializer.Deserialize(line, JournalJsonContext.Default.RunHeader); break;
                    case "result":
                        var r = JsonSerializer.Deserialize(line, JournalJsonContext.Default.ResultEntry)?.Result;
                        if (r is not null) AddResult(content, folder, r, lineNumber);
                        else content.Problems.Add($"{path}:{lineNumber}: result line without a result");
                        break;
                    case "publish":
                        var m = JsonSerializer.Deserialize(line, JournalJsonContext.Default.PublishMark);
                        if (m is not null) content.PublishMarks.Add(m);
                        break;
                    case "attempt":
                        var a = JsonSerializer.Deserialize(line, JournalJsonContext.Default.PublishAttempt);
                        if (a is not null) content.Attempts.Add(a);
                        break;
                    case "end": content.End = JsonSerializer.Deserialize(line, JournalJsonContext.Default.RunEnd); break;
                    default: content.Problems.Add($"{path}:{lineNumber}: unknown entry type '{type}'"); break;
                }
            }
            catch (JsonException e)
            {
                content.Problems.Add($"{path}:{lineNumber}: unreadable line ({e.Message})");
            }
        }
        return content;
    }

    /// <summary>
    /// The content of a journal its writer still holds in memory: the results exactly as they were
    /// written (sanitised in place by <see cref="RunJournal.AppendResult"/>), in order, right after the
    /// header line. What <see cref="Read"/> would return for those lines, without parsing them again:
    /// the run end of a logger reads nothing back (issue 16). Evidence goes through the same confinement.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static JournalContent FromWritten(string path, RunHeader header, IEnumerable<TestResultRecord> results)
    {
        var content = new JournalContent { Path = path, Header = header };
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "";
        var lineNumber = 1; // the header
        foreach (var r in results) AddResult(content, folder, r, ++lineNumber);
        return content;
    }

    private static void AddResult(JournalContent content, string folder, TestResultRecord r, int lineNumber)
    {
        ResultSanitizer.FillNulls(r);
        if (r.Attachments.Count == 0 && r.Steps.Count == 0)
        {
            content.Results.Add(r); // nothing to confine (most results): no path work per result
            return;
        }
        // Evidence copies are stored relative to the journal's folder.
        var evidenceFolder = EvidenceFolderOf(folder, content.Header?.RunId);
        List<EvidenceFile> Confine(List<EvidenceFile> files)
        {
            if (files.Count == 0) return files;
            return files.Where(a =>
            {
                var resolved = Resolve(folder, evidenceFolder, a.Path);
                if (resolved is null)
                {
                    content.Problems.Add($"{content.Path}:{lineNumber}: evidence '{a.Path}' of test '{r.Name}' is not inside the run's evidence folder '{(content.Header is null ? "<runId>" : content.Header.RunId)}.evidence' (or passes through a symbolic link); it is not published.");
                    return false;
                }
                a.Path = resolved;
                return true;
            }).ToList();
        }
        r.Attachments = Confine(r.Attachments);
        // A runtime step's evidence is confined the same way.
        foreach (var step in r.Steps.SelectMany(s => s.SelfAndDescendants())) step.Evidence = Confine(step.Evidence);
        content.Results.Add(r);
    }

    /// <summary>&lt;journal folder&gt;/&lt;runId&gt;.evidence, or null when the run id is missing or not a plain name.</summary>
    private static string? EvidenceFolderOf(string folder, string? runId)
    {
        if (string.IsNullOrWhiteSpace(runId) || runId!.Trim() is "." or ".." || runId.IndexOfAny(['/', '\\', ':']) >= 0
            || runId.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0) return null;
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, runId + ".evidence"));
    }

    /// <summary>
    /// The full path of an evidence entry, or null when it leaves the evidence folder (absolute
    /// paths elsewhere, ".." segments) or passes through a symbolic link (the evidence folder
    /// itself, a folder in it, or the file): a downloaded artifact can carry links (tar keeps them),
    /// and our own evidence copies are never links.
    /// </summary>
    private static string? Resolve(string folder, string? evidenceFolder, string relative)
    {
        if (evidenceFolder is null || string.IsNullOrWhiteSpace(relative)) return null; // (a null path, too)
        // A journal written on Windows names "<runId>.evidence\00001-x.png"; our own names never hold a backslash.
        if (System.IO.Path.DirectorySeparatorChar == '/') relative = relative.Replace('\\', '/');
        string full;
        try { full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, relative)); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return null; }
        var root = evidenceFolder.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
        var comparison = System.IO.Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!full.StartsWith(root, comparison) || full.Length <= root.Length) return null;
        return ThroughALink(evidenceFolder, full) ? null : full;
    }

    /// <summary>True when the evidence folder, a folder below it on the way to the file, or the file is a symbolic link (or another reparse point).</summary>
    private static bool ThroughALink(string evidenceFolder, string full)
    {
        try
        {
            for (var at = full; at.Length >= evidenceFolder.Length; at = System.IO.Path.GetDirectoryName(at) ?? "")
            {
                if ((File.Exists(at) || Directory.Exists(at)) && (File.GetAttributes(at) & FileAttributes.ReparsePoint) != 0) return true;
                if (at.Length == evidenceFolder.Length) break;
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return true; // cannot tell: refuse
        }
    }
}
