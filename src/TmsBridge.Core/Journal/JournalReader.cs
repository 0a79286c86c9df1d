using System.Text.Json;
using TmsBridge.Model;

namespace TmsBridge.Journal;

public sealed class JournalContent
{
    public string Path { get; set; } = "";
    public RunHeader? Header { get; set; }
    public List<TestResultRecord> Results { get; } = [];
    public List<PublishMark> PublishMarks { get; } = [];
    public RunEnd? End { get; set; }
    /// <summary>Lines that could not be read (e.g. the last line of a journal whose writer was killed).</summary>
    public List<string> Problems { get; } = [];
}

/// <summary>Reads a run journal back. Tolerates a torn last line: everything before it is kept.</summary>
public static class JournalReader
{
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
                var type = JsonSerializer.Deserialize(line, JournalJsonContext.Default.EntryType)?.Type;
                switch (type)
                {
                    case "run": content.Header = JsonSerializer.Deserialize(line, JournalJsonContext.Default.RunHeader); break;
                    case "result":
                        var r = JsonSerializer.Deserialize(line, JournalJsonContext.Default.ResultEntry)?.Result;
                        if (r is not null)
                        {
                            // Evidence copies are stored relative to the journal's folder.
                            foreach (var a in r.Attachments) a.Path = System.IO.Path.Combine(folder, a.Path);
                            content.Results.Add(r);
                        }
                        break;
                    case "publish":
                        var m = JsonSerializer.Deserialize(line, JournalJsonContext.Default.PublishMark);
                        if (m is not null) content.PublishMarks.Add(m);
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
}
