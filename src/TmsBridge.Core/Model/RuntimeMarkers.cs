using System.Globalization;
using System.Text.Json;

namespace TmsBridge.Model;

/// <summary>
/// Records written by the runtime API (TmsBridge.Tms, assembly TmsBridge.Runtime) into a test's own output:
/// one line per record, "##tmsbridge[runtime:NONCE]KIND{json}", at the very start of the line. Front-ends
/// turn them into steps, comments, keys, requirements, defects, parameters and evidence of that result and
/// drop them from the kept output. Only lines carrying this run's nonce count: the front-end makes one before
/// tests start and hands it to the test process in <see cref="NonceVariable"/>, so a test that prints text it
/// received (a log, a server answer holding such a line) cannot add a key or attach a file by accident.
/// </summary>
public static class RuntimeMarkers
{
    /// <summary>Keep in step with TmsBridge.Runtime.TmsRuntime.</summary>
    public const string NonceVariable = "TMSBRIDGE_RUNTIME_NONCE";
    public const string Prefix = "##tmsbridge[runtime:";

    private static readonly object Gate = new();

    /// <summary>
    /// In a class of its own, so the expression is built when a record first names a content type, not when a
    /// front-end makes the nonce: that is on vstest.console's main thread, before it starts the test host (issue 16).
    /// </summary>
    private static class ContentTypes
    {
        public static readonly System.Text.RegularExpressions.Regex MediaType =
            new(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// This run's nonce: the one already in the environment (a front-end started earlier in this process, or
    /// the parent's), else a new random one, put into the environment so the test process inherits it (the
    /// VSTest testhost is started after the logger's Initialize; MTP tests run in the extension's process).
    /// </summary>
    public static string EnsureNonce()
    {
        lock (Gate)
        {
            var existing = Environment.GetEnvironmentVariable(NonceVariable);
            if (!string.IsNullOrEmpty(existing)) return existing!;
            // A random version-4 GUID (122 bits from the OS generator) rather than RandomNumberGenerator: the nonce keeps
            // records a test merely forwards from counting, it is no key; and this does not load System.Security.Cryptography
            // into vstest.console while it starts the run (issue 16).
            var nonce = Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable(NonceVariable, nonce);
            return nonce;
        }
    }

    /// <summary>The nonce in this process's environment, or null when no front-end made one.</summary>
    public static string? CurrentNonce() => Environment.GetEnvironmentVariable(NonceVariable) is { Length: > 0 } n ? n : null;

    /// <summary>
    /// <see cref="Extract"/> with this run's nonce, read only when the output holds a record at all: the
    /// environment is not read once per result (issue 16: a front-end converts every result on the runner's path).
    /// </summary>
    public static string? ExtractThisRun(string? output, TestResultRecord record) =>
        output is null || output.IndexOf(Prefix, StringComparison.Ordinal) < 0 ? output : Extract(output, record, CurrentNonce());

    /// <summary>
    /// Takes this run's records out of <paramref name="output"/> into <paramref name="record"/> and returns the
    /// rest of the output. Runtime keys, requirements and defects join the attributes' (union, no duplicates).
    /// </summary>
    public static string? Extract(string? output, TestResultRecord record, string? nonce)
    {
        if (output is null || string.IsNullOrEmpty(nonce)) return output;
        var prefix = Prefix + nonce + "]";
        if (output.IndexOf(prefix, StringComparison.Ordinal) < 0) return output;

        var kept = new List<string>();
        var steps = new List<(string Id, string? Parent, TestStep Step)>();
        var attachments = new List<(string? Step, EvidenceFile File)>();
        foreach (var line in output.Replace("\r\n", "\n").Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) { kept.Add(line); continue; }
            var rest = line.Substring(prefix.Length);
            var brace = rest.IndexOf('{');
            if (brace <= 0) { kept.Add(line); continue; }
            var kind = rest.Substring(0, brace);
            try
            {
                using var doc = JsonDocument.Parse(rest.Substring(brace));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) { kept.Add(line); continue; }
                switch (kind)
                {
                    case "step":
                        var id = Str(root, "id");
                        if (id is null) { kept.Add(line); continue; }
                        steps.Add((id, Str(root, "parent"), new TestStep
                        {
                            Name = Str(root, "name") ?? "",
                            Outcome = Str(root, "status") == "failed" ? TestOutcome.Failed : TestOutcome.Passed,
                            StartTime = Time(root, "start"),
                            EndTime = Time(root, "end"),
                            Message = Str(root, "message"),
                        }));
                        break;
                    case "attach":
                        var path = Str(root, "path");
                        if (path is null) { kept.Add(line); continue; }
                        var file = new EvidenceFile { Path = path, OriginalPath = path, FileName = Str(root, "name") ?? Path.GetFileName(path) };
                        // The type travels in a multipart header: only a plain "type/subtype" is taken.
                        if (Str(root, "contentType") is { } type && ContentTypes.MediaType.IsMatch(type)) file.ContentType = type.ToLowerInvariant();
                        attachments.Add((Str(root, "step"), file));
                        break;
                    case "comment": AddIf(record.Comments, Str(root, "text"), unique: false); break;
                    case "key": AddIf(record.TestCaseKeys, Str(root, "value"), unique: true); break;
                    case "covers": AddIf(record.Covers, Str(root, "value"), unique: true); break;
                    case "defect": AddIf(record.Defects, Str(root, "value"), unique: true); break;
                    case "parameter":
                        var name = Str(root, "name");
                        if (name is null) break;
                        // A data row's own argument of the same name wins: it is what the runner ran.
                        if (!record.Parameters.Any(p => p.Name == name)) record.Parameters.Add(new TestParameter(name, Str(root, "value") ?? ""));
                        break;
                    default: kept.Add(line); break; // a newer runtime's record: keep the text rather than lose it
                }
            }
            catch (JsonException)
            {
                kept.Add(line);
            }
        }

        // Steps are written when they end (inner before outer): link them by id, in order of start.
        var byId = new Dictionary<string, TestStep>(StringComparer.Ordinal);
        foreach (var s in steps) byId[s.Id] = s.Step;
        foreach (var s in steps.OrderBy(s => s.Step.StartTime ?? DateTimeOffset.MinValue))
        {
            if (s.Parent is not null && byId.TryGetValue(s.Parent, out var parent)) parent.Steps.Add(s.Step);
            else record.Steps.Add(s.Step);
        }
        foreach (var (stepId, file) in attachments)
        {
            if (stepId is not null && byId.TryGetValue(stepId, out var step)) step.Evidence.Add(file);
            else record.Attachments.Add(file);
        }
        return string.Join("\n", kept);
    }

    private static void AddIf(List<string> into, string? value, bool unique)
    {
        if (string.IsNullOrWhiteSpace(value)) return;
        if (unique && into.Contains(value!, StringComparer.OrdinalIgnoreCase)) return;
        into.Add(value!);
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        Str(root, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
