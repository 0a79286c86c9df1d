using System.Globalization;
using System.Runtime.CompilerServices;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Model;

namespace TmsBridge.Journal;

/// <summary>
/// Makes a result safe to keep and to send: every text a test produced (names, parameters, output,
/// error message and stack, attachment names and descriptions) passes through the run's
/// <see cref="SecretRedactor"/>, and standard output and error are cut to a head and a tail so one
/// chatty test cannot fill the journal or the memory of the run end. Redacting the record before it
/// is serialised is what keeps JSON-escaped forms of a secret out of the journal and the payloads.
/// Applied by <see cref="RunJournal"/> to every result it writes and by the Publisher to every
/// result it publishes (journals written by older versions included). Never throws.
/// </summary>
public sealed class ResultSanitizer
{
    public const int DefaultMaxOutputChars = 64 * 1024;
    /// <summary>Error messages, stack traces, names and parameters keep at least this many characters: they are what a reader looks for.</summary>
    public const int MinErrorChars = 256 * 1024;

    private const int NoteAllowance = 100;
    private static readonly ConditionalWeakTable<TmsOptions, ResultSanitizer> Cache = new();

    public ResultSanitizer(SecretRedactor redactor, int maxOutputChars = DefaultMaxOutputChars)
    {
        Redactor = redactor;
        MaxOutputChars = Math.Max(0, maxOutputChars);
    }

    /// <summary>The sanitizer of a run's options (one per options object: its redactor is built once).</summary>
    public static ResultSanitizer For(TmsOptions options) =>
        Cache.GetValue(options, o => new ResultSanitizer(new SecretRedactor(o.SecretValues(), o.User), o.MaxOutputChars));

    public SecretRedactor Redactor { get; }
    /// <summary>Characters kept of standard output and of standard error; 0: everything.</summary>
    public int MaxOutputChars { get; }
    /// <summary>Characters kept of the error message, the stack trace, names and parameter values; 0: everything.</summary>
    public int MaxErrorChars => MaxOutputChars == 0 ? 0 : Math.Max(MaxOutputChars, MinErrorChars);

    /// <summary>Redacts and caps the record in place and returns it.</summary>
    public TestResultRecord Sanitize(TestResultRecord r)
    {
        var names = MaxErrorChars;
        FillNulls(r);
        r.FullyQualifiedName = Clean(r.FullyQualifiedName, names);
        r.DisplayName = Clean(r.DisplayName, names);
        foreach (var p in r.Parameters)
        {
            p.Name = Clean(p.Name, names);
            p.Value = Clean(p.Value, names);
        }
        r.Source = CleanOrNull(r.Source, names);
        r.RunnerOutcome = CleanOrNull(r.RunnerOutcome, names);
        r.ErrorMessage = CleanOrNull(r.ErrorMessage, MaxErrorChars);
        r.ErrorStackTrace = CleanOrNull(r.ErrorStackTrace, MaxErrorChars);
        r.StandardOutput = CleanOrNull(r.StandardOutput, MaxOutputChars);
        r.StandardError = CleanOrNull(r.StandardError, MaxOutputChars);
        foreach (var a in r.Attachments)
        {
            // Path is where the file is read from (the copy in the evidence folder, whose name is
            // already redacted by RunJournal.CaptureEvidence): it is never sent or printed.
            a.FileName = Clean(a.FileName ?? "", names);
            a.Description = CleanOrNull(a.Description, names);
            a.OriginalPath = CleanOrNull(a.OriginalPath, names);
        }
        for (var i = 0; i < r.TestCaseKeys.Count; i++) r.TestCaseKeys[i] = Clean(r.TestCaseKeys[i], names);
        for (var i = 0; i < r.Covers.Count; i++) r.Covers[i] = Clean(r.Covers[i], names);
        for (var i = 0; i < r.Defects.Count; i++) r.Defects[i] = Clean(r.Defects[i], names);
        return r;
    }

    /// <summary>A hand-written or damaged journal line may hold nulls where the model has (non-null) lists.</summary>
    internal static void FillNulls(TestResultRecord r)
    {
        r.FullyQualifiedName ??= "";
        r.DisplayName ??= "";
        r.Parameters = (r.Parameters ?? []).Where(p => p is not null).ToList();
        r.Attachments = (r.Attachments ?? []).Where(a => a is not null).ToList();
        r.TestCaseKeys = (r.TestCaseKeys ?? []).Where(k => k is not null).ToList();
        r.Covers = (r.Covers ?? []).Where(k => k is not null).ToList();
        r.Defects = (r.Defects ?? []).Where(k => k is not null).ToList();
    }

    private string? CleanOrNull(string? text, int max) => text is null ? null : Clean(text, max);

    /// <summary>
    /// Redacts, then keeps the head and the tail around a note of what was cut. A long text is
    /// redacted only in the two windows it keeps (widened by the longest secret form, so a secret
    /// across the cut is still masked whole): a 100 MB output costs two small copies, not two big ones.
    /// </summary>
    public string Clean(string? text, int max)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        // A text cut before (a journal read back) is max plus its note long: it is not cut again.
        if (max <= 0 || text!.Length <= max + NoteAllowance) return Redactor.Redact(text);
        var margin = Redactor.LongestForm;
        var headLength = max / 2;
        var tailLength = max - headLength;
        string head, tail;
        if (text.Length <= max + 2 * margin)
        {
            var all = Redactor.Redact(text);
            if (all.Length <= max) return all; // the masks shortened it enough
            head = all.Substring(0, headLength);
            tail = all.Substring(all.Length - tailLength);
        }
        else
        {
            head = Redactor.Redact(text.Substring(0, headLength + margin));
            tail = Redactor.Redact(text.Substring(text.Length - tailLength - margin));
            head = head.Substring(0, Math.Min(headLength, head.Length));
            tail = tail.Substring(Math.Max(0, tail.Length - tailLength));
        }
        head = head.Substring(0, SafeCut(head, head.Length));
        tail = tail.Substring(tail.Length > 0 && char.IsLowSurrogate(tail[0]) ? 1 : 0);
        return head + string.Format(CultureInfo.InvariantCulture, "\n[... {0} characters cut by TmsBridge (maxOutputChars) ...]\n", text.Length - max) + tail;
    }

    /// <summary>Never ends on half a surrogate pair: a half character would not survive UTF-8.</summary>
    private static int SafeCut(string s, int length) => length > 0 && char.IsHighSurrogate(s[length - 1]) ? length - 1 : length;
}
