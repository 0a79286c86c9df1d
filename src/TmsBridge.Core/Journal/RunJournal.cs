using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TmsBridge.Model;

namespace TmsBridge.Journal;

/// <summary>
/// The append-only run journal, &lt;TestRunDirectory&gt;/tms/&lt;runId&gt;.journal.jsonl. Every result is
/// written (and flushed to the OS) the moment it arrives, so a crash, a kill or a failed publish
/// loses nothing: `tmsbridge publish` can send from the journal later.
/// </summary>
public sealed class RunJournal : IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _stream;
    // One line is serialised as UTF-8 into this reused buffer and written with one call: no string per
    // result and no second encoding pass (the journal is on the runner's path for every result: issue 16).
    private readonly MemoryStream _line = new();
    private readonly Utf8JsonWriter _json;
    private readonly ResultSanitizer? _sanitizer;
    private long _keptChars;
    private bool _disposed;

    private RunJournal(string runFolder, string runId, string? journalPath = null, ResultSanitizer? sanitizer = null)
    {
        _sanitizer = sanitizer;
        RunFolder = runFolder;
        RunId = runId;
        JournalPath = journalPath ?? Path.Combine(runFolder, runId + ".journal.jsonl");
        EvidenceFolder = Path.Combine(runFolder, runId + ".evidence");
        // Unbuffered (bufferSize 1): each line is already whole in _line and goes to the OS in one write, without a
        // copy into a FileStream buffer first; Flush stays for the one-byte write of EndTornLine.
        _stream = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        // The encoder of the context's options (the default one): the bytes are those JsonSerializer.Serialize would give.
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions { Encoder = JournalWriteContext.Default.Options.Encoder, SkipValidation = true });
    }

    public string RunId { get; }
    /// <summary>The header this journal was created with (null for a journal opened to append marks).</summary>
    public RunHeader? Header { get; private set; }
    /// <summary>&lt;TestRunDirectory&gt;/tms</summary>
    public string RunFolder { get; }
    public string JournalPath { get; }
    /// <summary>Copies of evidence files, so the journal stays complete when tests delete their files.</summary>
    public string EvidenceFolder { get; }

    public static string RunFolderFor(string testRunDirectory) => Path.Combine(testRunDirectory, "tms");

    /// <summary>A sortable, unique id: UTC time plus a random suffix (several projects share one results folder).</summary>
    public static string NewRunId(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <param name="sanitizer">Redacts (and caps) every result and evidence name before it is written; null only in tests of the format itself.</param>
    public static RunJournal Create(string testRunDirectory, RunHeader header, ResultSanitizer? sanitizer = null)
    {
        var folder = RunFolderFor(testRunDirectory);
        Directory.CreateDirectory(folder);
        var journal = new RunJournal(folder, header.RunId, sanitizer: sanitizer);
        try
        {
            journal.WriteLine(header, JournalWriteContext.Default.RunHeader);
            journal.Header = header;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
        return journal;
    }

    /// <summary>Opens an existing journal to append publish marks (used by `tmsbridge publish`).</summary>
    /// <remarks>
    /// A writer killed mid-line leaves a torn last line without its newline: the first line appended
    /// after it would join it and be unreadable too (a lost sent mark or attempt makes a replay send
    /// twice), so the torn line is ended first. The reader reports the torn line as a problem.
    /// </remarks>
    public static RunJournal OpenExisting(string journalPath, string runId)
    {
        var full = Path.GetFullPath(journalPath);
        var journal = new RunJournal(Path.GetDirectoryName(full)!, runId, full);
        try
        {
            if (EndsTorn(full)) journal.EndTornLine();
        }
        catch
        {
            journal.Dispose();
            throw;
        }
        return journal;
    }

    private static bool EndsTorn(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length == 0) return false;
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }

    /// <summary>Writes one result line: sanitised first (in place), so nothing a test printed reaches the file unredacted or uncapped.</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public void AppendResult(TestResultRecord result)
    {
        if (_sanitizer is not null)
        {
            _sanitizer.Sanitize(result);
            // One run keeps a bounded amount of output in all: past the budget, later results keep only a little.
            if (_sanitizer.MaxOutputChars > 0 && Interlocked.Add(ref _keptChars, ResultSanitizer.KeptChars(result)) > ResultSanitizer.RunBudgetChars)
                _sanitizer.CapOverBudget(result);
        }
        WriteLine(new ResultEntry { Result = result }, JournalWriteContext.Default.ResultEntry);
    }

    /// <summary>Writes one publish mark; its reason (server words, possibly echoing a secret) is redacted.</summary>
    public void AppendPublishMark(PublishMark mark)
    {
        if (mark.Reason is not null) mark.Reason = Redact(mark.Reason);
        WriteLine(mark, JournalWriteContext.Default.PublishMark);
    }

    /// <summary>Writes one publish-attempt line (target, base URL, project, marker, execution: nothing secret).</summary>
    public void AppendAttempt(PublishAttempt attempt) =>
        WriteLine(attempt, JournalWriteContext.Default.PublishAttempt);

    public void AppendEnd(RunEnd end) =>
        WriteLine(end, JournalWriteContext.Default.RunEnd);

    /// <summary>
    /// Copies an evidence file into the run's evidence folder and describes the copy.
    /// Throws IOException-family errors to the caller, which turns them into a warning naming the test.
    /// </summary>
    public EvidenceFile CaptureEvidence(int sequence, string sourcePath, string? fileName, string? description)
    {
        Directory.CreateDirectory(EvidenceFolder);
        // The copy's name is on disk under the results folder: redacted like everything else.
        var name = SafeFileName(Redact(string.IsNullOrWhiteSpace(fileName) ? Path.GetFileName(sourcePath) : fileName!));
        var copy = Path.Combine(EvidenceFolder, $"{sequence:D5}-{name}");
        for (var n = 2; File.Exists(copy); n++) copy = Path.Combine(EvidenceFolder, $"{sequence:D5}-{n}-{name}");
        File.Copy(sourcePath, copy);
        return new EvidenceFile
        {
            // Relative to the run folder, so a run folder moved elsewhere (a CI artifact
            // downloaded on another machine) can still be published with `tmsbridge publish`.
            Path = System.IO.Path.Combine(RunId + ".evidence", System.IO.Path.GetFileName(copy)),
            FileName = name,
            Description = description is null ? null : Redact(description),
            ContentType = ContentTypes.FromFileName(name),
            Size = new FileInfo(copy).Length,
            OriginalPath = Redact(sourcePath),
        };
    }

    private string Redact(string text) => _sanitizer is null ? text : _sanitizer.Redactor.Redact(text);

    private static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = name.Select(c => invalid.Contains(c) || c == '/' || c == '\\' ? '_' : c).ToArray();
        var s = new string(chars).Trim();
        return s.Length == 0 ? "attachment" : s;
    }

    /// <summary>Ends a last line a killed writer left without its newline, so the next line stands on its own.</summary>
    private void EndTornLine()
    {
        lock (_gate)
        {
            _stream.WriteByte((byte)'\n');
            _stream.Flush();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private void WriteLine<T>(T value, JsonTypeInfo<T> type)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _line.SetLength(0);
            _json.Reset(_line);
            JsonSerializer.Serialize(_json, value, type);
            _json.Flush();
            _line.WriteByte((byte)'\n');
            _stream.Write(_line.GetBuffer(), 0, (int)_line.Length);
            _stream.Flush(); // to the OS on every line: a killed process keeps everything written so far
            // A very large line (a chatty result) does not keep its buffer for the rest of the run.
            if (_line.Capacity > 1024 * 1024)
            {
                _line.SetLength(0);
                _line.Capacity = 64 * 1024;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _json.Dispose();
            _stream.Dispose();
        }
    }
}
