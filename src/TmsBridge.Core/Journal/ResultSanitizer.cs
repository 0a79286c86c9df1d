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
    public const int MinErrorChars = 64 * 1024;
    /// <summary>
    /// Output, error and stack characters one run keeps in all before every later result is cut to
    /// <see cref="OverBudgetChars"/> per field: the journal is read back whole at the run end, so
    /// 100,000 chatty results must not add up to more than the memory of a CI agent (about 128 MB as .NET strings).
    /// </summary>
    public const long RunBudgetChars = 64L * 1024 * 1024;
    /// <summary>What each output field of a result keeps once the run has used its <see cref="RunBudgetChars"/>.</summary>
    public const int OverBudgetChars = 1024;

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
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
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
        // Runtime steps and comments are test output too: redacted, and capped like messages.
        for (var i = 0; i < r.Comments.Count; i++) r.Comments[i] = Clean(r.Comments[i], MaxErrorChars);
        if (r.Steps.Count > 0) SanitizeSteps(r.Steps, names);
        return r;
    }

    // Apart: most results have no runtime steps, and the walk over a step tree allocates.
    private void SanitizeSteps(List<TestStep> steps, int names)
    {
        foreach (var step in steps.SelectMany(s => s.SelfAndDescendants()))
        {
            step.Name = Clean(step.Name, names);
            step.Message = CleanOrNull(step.Message, MaxErrorChars);
            foreach (var a in step.Evidence)
            {
                a.FileName = Clean(a.FileName ?? "", names);
                a.Description = CleanOrNull(a.Description, names);
                a.OriginalPath = CleanOrNull(a.OriginalPath, names);
            }
        }
    }

    /// <summary>A hand-written or damaged journal line may hold nulls where the model has (non-null) lists.</summary>
    internal static void FillNulls(TestResultRecord r)
    {
        r.FullyQualifiedName ??= "";
        r.DisplayName ??= "";
        r.Parameters = NonNull(r.Parameters);
        r.Attachments = NonNull(r.Attachments);
        r.TestCaseKeys = NonNull(r.TestCaseKeys);
        r.Covers = NonNull(r.Covers);
        r.Defects = NonNull(r.Defects);
        r.Comments = NonNull(r.Comments);
        r.Steps = FillNulls(r.Steps);
    }

    /// <summary>The list without null items; the same list when it has none (every result passes here twice: no copies for nothing).</summary>
    private static List<T> NonNull<T>(List<T>? list) where T : class
    {
        if (list is null) return [];
        foreach (var item in list)
        {
            if (item is null) return list.Where(i => i is not null).ToList();
        }
        return list;
    }

    private static List<TestStep> FillNulls(List<TestStep>? steps)
    {
        var kept = NonNull(steps);
        foreach (var s in kept)
        {
            s.Name ??= "";
            s.Evidence = (s.Evidence ?? []).Where(a => a is not null).ToList();
            s.Steps = FillNulls(s.Steps);
        }
        return kept;
    }

    private string? CleanOrNull(string? text, int max) => text is null ? null : Clean(text, max);

    /// <summary>
    /// Redacts, then keeps the head and the tail around a note of what was cut. A long text is cut
    /// on the raw text first, at places that split no secret form, and only the two kept parts are
    /// redacted: a 100 MB output costs two small copies, not two big ones, and a secret across a
    /// cut is never half kept (cutting after redacting would be wrong: masks shorten the text).
    /// </summary>
    public string Clean(string? text, int max) => Clean(text, max, "maxOutputChars");

    /// <summary>
    /// Cuts the output fields of an already sanitised result to <see cref="OverBudgetChars"/>: the run
    /// has kept <see cref="RunBudgetChars"/> of output already (see <see cref="RunJournal"/>).
    /// </summary>
    public void CapOverBudget(TestResultRecord r)
    {
        const string why = "the run's output budget is used up";
        r.StandardOutput = r.StandardOutput is null ? null : Clean(r.StandardOutput, OverBudgetChars, why);
        r.StandardError = r.StandardError is null ? null : Clean(r.StandardError, OverBudgetChars, why);
        r.ErrorMessage = r.ErrorMessage is null ? null : Clean(r.ErrorMessage, OverBudgetChars, why);
        r.ErrorStackTrace = r.ErrorStackTrace is null ? null : Clean(r.ErrorStackTrace, OverBudgetChars, why);
    }

    /// <summary>Characters of output, error and stack a sanitised result keeps: what counts against the run's budget.</summary>
    public static long KeptChars(TestResultRecord r) =>
        (r.StandardOutput?.Length ?? 0) + (r.StandardError?.Length ?? 0) + (r.ErrorMessage?.Length ?? 0) + (r.ErrorStackTrace?.Length ?? 0);

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private string Clean(string? text, int max, string why)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        // A text cut before (a journal read back) is max plus its note long: it is not cut again.
        if (max <= 0 || text!.Length <= max + NoteAllowance) return Redactor.Redact(text);
        if (text.Length <= max + 2 * Redactor.LongestForm)
        {
            var all = Redactor.Redact(text);
            if (all.Length <= max + NoteAllowance) return all; // the masks shortened it enough
        }
        var headLength = max / 2;
        var headEnd = Redactor.SafeCutAtOrBefore(text, headLength);
        var tailStart = Redactor.SafeCutAtOrAfter(text, text.Length - (max - headLength));
        // Never half a surrogate pair on either side of a cut: a half character would not survive UTF-8.
        if (headEnd > 0 && char.IsHighSurrogate(text[headEnd - 1])) headEnd--;
        if (tailStart < text.Length && char.IsLowSurrogate(text[tailStart])) tailStart++;
        var head = Redactor.Redact(text.Substring(0, headEnd));
        var tail = Redactor.Redact(text.Substring(tailStart));
        return head + string.Format(CultureInfo.InvariantCulture, "\n[... {0} characters cut by TmsBridge ({1}) ...]\n", tailStart - headEnd, why) + tail;
    }

}
