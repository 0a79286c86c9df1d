using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Xray;

/// <summary>One element of an import's "tests" array, with the evidence that travels in that request.</summary>
internal sealed class XrayEntry
{
    public KeyedResult? Keyed { get; init; }
    public UnmappedTest? Provisioned { get; init; }
    public List<XrayEvidence> Evidence { get; init; } = [];
    /// <summary>
    /// A later request for the same Test Run carrying evidence that did not fit the first one. It
    /// repeats status, iterations and comment (a re-import resets iterations), so nothing is lost.
    /// </summary>
    public bool IsContinuation { get; init; }

    public string Name => Keyed?.Key ?? Provisioned!.FullyQualifiedName;
    public IReadOnlyList<TestResultRecord> Results => (IReadOnlyList<TestResultRecord>?)Keyed?.Results ?? Provisioned!.Results;

    public XrayEntry WithEvidence(List<XrayEvidence> evidence, bool continuation) =>
        new() { Keyed = Keyed, Provisioned = Provisioned, Evidence = evidence, IsContinuation = continuation };
}

/// <summary>An evidence file as it is named in Xray (unique within its Test Run).</summary>
internal sealed class XrayEvidence(EvidenceFile file, string fileName, TestStep? step = null)
{
    public EvidenceFile File { get; } = file;
    public string FileName { get; } = fileName;
    /// <summary>The top-level runtime step whose step result carries this file; null: the Test Run's evidence.</summary>
    public TestStep? Step { get; } = step;
    public long Size { get; } = file.Size > 0 ? file.Size : (System.IO.File.Exists(file.Path) ? new FileInfo(file.Path).Length : 0);
    /// <summary>Bytes this evidence adds to the JSON body: base64 plus its name, type and punctuation.</summary>
    public long EncodedSize => (Size + 2) / 3 * 4 + FileName.Length * 3 + File.ContentType.Length + 48; // 3: worst UTF-8 width of a BMP character
}

/// <summary>
/// Builds "Xray JSON" import bodies for both flavours. Field names and nesting follow the DC docs
/// (seeds/004) and specs/xray-server-import-execution.schema.json for Server/DC, and the official
/// Cloud schema (specs/xray-cloud-import-execution.schema.json) for Cloud; <see cref="XrayDialect"/>
/// holds the differences. Bodies are written straight to a stream and evidence is base64-encoded
/// from its file in blocks, so memory stays flat however large the evidence is.
/// </summary>
internal static class XrayPayload
{
    /// <summary>Xray refuses iterations with more than 20 parameters (partial error).</summary>
    public const int MaxParametersPerIteration = 20;
    /// <summary>Jira text fields hold 32,767 characters; the comment stays well below.</summary>
    public const int MaxCommentLength = 30000;
    private const int MaxOutputPerResult = 4000;
    private const int Base64BlockBytes = 3 * 16 * 1024; // a multiple of 3: segments then join without padding

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed class Input
    {
        public XrayDialect Dialect { get; set; } = XrayDialect.Server;
        public TmsOptions Options { get; set; } = new();
        public IReadOnlyList<KeyedResult> Keyed { get; set; } = [];
        public IReadOnlyList<UnmappedTest> Provisioned { get; set; } = [];
        public StatusMap Statuses { get; set; } = new(StatusMap.XrayServerDefaults);
        public DateTimeOffset RunStarted { get; set; }
        public DateTimeOffset RunFinished { get; set; }
        public string DefaultSummary { get; set; } = "Automated test run";
        /// <summary>Appended to the description of a new execution so a lost create can be found again.</summary>
        public string? RunMarker { get; set; }
        /// <summary>Step counts of the keyed Manual (step-based) tests, as looked up before the import; empty: steps go as text.</summary>
        public IReadOnlyDictionary<string, int> StepCounts { get; set; } = new Dictionary<string, int>();
        /// <summary>The keyed tests the lookup found to be Manual (step-based): they get no testInfo, which would make them Generic.</summary>
        public IReadOnlyCollection<string> ManualTests { get; set; } = new HashSet<string>();

        /// <summary>
        /// Whether <paramref name="result"/> of <paramref name="key"/> goes with step results: the test is
        /// Manual and has exactly as many steps as the result's top-level runtime steps (Xray maps them by position).
        /// </summary>
        public bool SendsStepResults(string? key, TestResultRecord result) =>
            key is not null && result.Steps.Count > 0 && StepCounts.TryGetValue(key, out var count) && count == result.Steps.Count;
    }

    /// <summary>Where an import goes: a new execution (with info) or an existing one by key.</summary>
    public sealed class Target
    {
        public string? ExecutionKey { get; init; }
        /// <summary>Write "info": the create request, or a reuse with user-set fields.</summary>
        public bool IncludeInfo { get; init; } = true;
    }

    /// <summary>The whole run as one body (all evidence inline): dry runs, golden files, small runs.</summary>
    public static byte[] Build(Input input, List<string> warnings)
    {
        using var buffer = new MemoryStream();
        var entries = Entries(input, warnings);
        Write(buffer, input, entries, new Target { ExecutionKey = input.Options.TestExecution }, warnings);
        return buffer.ToArray();
    }

    /// <summary>One entry per key (and per provisioned test), evidence named uniquely per Test Run.</summary>
    public static List<XrayEntry> Entries(Input input, List<string> warnings)
    {
        var entries = new List<XrayEntry>();
        foreach (var k in input.Keyed) entries.Add(new XrayEntry { Keyed = k, Evidence = NameEvidence(k.Results, k.Key, warnings, r => input.SendsStepResults(k.Key, r)) });
        foreach (var u in input.Provisioned) entries.Add(new XrayEntry { Provisioned = u, Evidence = NameEvidence(u.Results, u.FullyQualifiedName, warnings, _ => false) });
        return entries;
    }

    /// <summary>The files of the results; a step's file goes with its top-level step where the result sends step results.</summary>
    private static List<XrayEvidence> NameEvidence(IReadOnlyList<TestResultRecord> results, string what, List<string> warnings, Func<TestResultRecord, bool> stepResults) =>
        EvidencePlan.Name(results, what, warnings).Select(e => new XrayEvidence(e.File, e.FileName, stepResults(e.Result) ? StepOf(e.Result, e.File) : null)).ToList();

    /// <summary>The top-level step that holds <paramref name="file"/> (itself or a nested step attached it), or null for the test's own attachment.</summary>
    private static TestStep? StepOf(TestResultRecord result, EvidenceFile file) =>
        result.Steps.FirstOrDefault(s => s.SelfAndDescendants().Any(d => d.Evidence.Any(x => ReferenceEquals(x, file))));

    public static void Write(Stream output, Input input, IReadOnlyList<XrayEntry> entries, Target target, List<string> warnings)
    {
        using var w = new Utf8JsonWriter(output, WriterOptions);
        w.WriteStartObject();
        if (target.ExecutionKey is not null) w.WriteString("testExecutionKey", target.ExecutionKey);
        if (target.IncludeInfo) WriteInfo(w, input);
        w.WriteStartArray("tests");
        foreach (var e in entries) WriteEntry(w, e, input, warnings);
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>Bytes of the top level of an import (key or info, brackets), plus a margin for a long execution key.</summary>
    public static long MeasureEnvelope(Input input)
    {
        using var counter = new CountingStream();
        Write(counter, input, [], new Target { ExecutionKey = input.Options.TestExecution, IncludeInfo = true }, []);
        return counter.Length + 64;
    }

    /// <summary>Bytes of an entry without its evidence data (its share of a request body).</summary>
    public static long MeasureWithoutEvidence(XrayEntry entry, Input input)
    {
        using var counter = new CountingStream();
        using (var w = new Utf8JsonWriter(counter, WriterOptions))
        {
            WriteEntry(w, entry.WithEvidence([], entry.IsContinuation), input, []);
        }
        return counter.Length;
    }

    /// <summary>
    /// A new execution gets every field; an existing one (testExecution option) only the fields the
    /// user set, since info on reuse overwrites (and testEnvironments replace) what is there.
    /// </summary>
    private static void WriteInfo(Utf8JsonWriter w, Input input)
    {
        var o = input.Options;
        var reuse = o.TestExecution is not null;
        var fields = new List<(string Name, string Value)>();
        if (!reuse) fields.Add(("project", ProjectKey(input)!));
        var summary = o.Summary ?? (reuse ? null : input.DefaultSummary);
        if (summary is not null) fields.Add(("summary", summary));
        var description = reuse ? o.Description : DescriptionWithMarker(o.Description, input.RunMarker);
        if (description is not null) fields.Add(("description", description));
        if (o.Version is not null) fields.Add(("version", o.Version));
        if (o.Revision is not null) fields.Add(("revision", o.Revision));
        if (!reuse)
        {
            fields.Add(("startDate", Date(input.RunStarted)));
            fields.Add(("finishDate", Date(input.RunFinished)));
        }
        if (o.TestPlan is not null) fields.Add(("testPlanKey", o.TestPlan));
        if (fields.Count == 0 && o.Environments.Count == 0) return;
        w.WriteStartObject("info");
        foreach (var (name, value) in fields) w.WriteString(name, value);
        if (o.Environments.Count > 0) WriteStrings(w, "testEnvironments", o.Environments);
        w.WriteEndObject();
    }

    /// <summary>The user's description with the run marker on its own last line (or the marker alone).</summary>
    public static string? DescriptionWithMarker(string? description, string? marker) =>
        marker is null ? description : RunMarker.Append(description, $"({marker})", $"Created by TmsBridge ({marker}).");

    /// <summary>The project of a new execution: the project option, else the project of the first key.</summary>
    public static string? ProjectKey(Input input) =>
        RunProject.Of(input.Options.Project, input.Keyed.Select(k => k.Key))
        ?? (input.Options.TestExecution is { } execution ? KeyRule.ProjectOf(execution) : null);

    private static void WriteEntry(Utf8JsonWriter w, XrayEntry e, Input input, List<string> warnings)
    {
        w.WriteStartObject();
        if (e.Keyed is { } k)
        {
            w.WriteString("testKey", k.Key);
            WriteRunFields(w, k.Results, k.Outcome, k.HasIterations, e.Evidence, input, warnings, k.Key, e.IsContinuation, r => input.SendsStepResults(k.Key, r));
            if (k.Defects.Count > 0) WriteStrings(w, "defects", k.Defects);
            if (input.Options.LinkRequirements && k.Requirements.Count > 0 && !e.IsContinuation && !input.ManualTests.Contains(k.Key))
            {
                // Requirement links travel only in testInfo; with a testKey Xray updates that Test from it.
                var first = k.Results[0];
                WriteTestInfo(w, input.Dialect, KeyRule.ProjectOf(k.Key)!, first.MethodName, first.TestName, k.Requirements);
            }
        }
        else
        {
            var u = e.Provisioned!;
            var outcome = TestOutcomes.Worst(u.Results.Select(r => r.Outcome));
            var iterated = u.Results.Count > 1 || u.Results.Any(r => r.Parameters.Count > 0);
            WriteRunFields(w, u.Results, outcome, iterated, e.Evidence, input, warnings, u.FullyQualifiedName, e.IsContinuation, _ => false);
            if (u.Defects.Count > 0) WriteStrings(w, "defects", u.Defects);
            // Xray matches Generic tests by definition, so the fully qualified name finds the same Test next time.
            WriteTestInfo(w, input.Dialect, ProjectKey(input)!, u.Results[0].MethodName, u.FullyQualifiedName, input.Options.LinkRequirements ? u.Requirements : []);
        }
        w.WriteEndObject();
    }

    private static void WriteRunFields(Utf8JsonWriter w, IReadOnlyList<TestResultRecord> results, TestOutcome outcome, bool iterated,
        IReadOnlyList<XrayEvidence> evidence, Input input, List<string> warnings, string what, bool continuation, Func<TestResultRecord, bool> stepResults)
    {
        var start = results.Where(r => r.StartTime.HasValue).Select(r => r.StartTime!.Value).DefaultIfEmpty(input.RunStarted).Min();
        var finish = results.Where(r => r.EndTime.HasValue).Select(r => r.EndTime!.Value).DefaultIfEmpty(input.RunFinished).Max();
        w.WriteString("start", Date(start));
        w.WriteString("finish", Date(finish));
        var comment = Comment(results, stepResults);
        if (comment.Length > 0) w.WriteString("comment", comment);
        w.WriteString("status", input.Statuses[outcome]);

        var own = evidence.Where(e => e.Step is null).ToList();
        if (own.Count > 0) WriteEvidence(w, input.Dialect.EvidenceProperty, own);

        // "steps" and "iterations" are mutually exclusive (schema): data rows carry their steps in their iteration.
        if (iterated) WriteIterations(w, results, evidence, input, continuation ? [] : warnings, what, stepResults);
        else if (results.Count == 1 && stepResults(results[0])) WriteSteps(w, results[0], evidence, input);
    }

    private static void WriteEvidence(Utf8JsonWriter w, string property, IEnumerable<XrayEvidence> evidence)
    {
        w.WriteStartArray(property);
        foreach (var e in evidence)
        {
            w.WriteStartObject();
            w.WritePropertyName("data");
            WriteBase64FromFile(w, e.File.Path);
            w.WriteString("filename", e.FileName);
            w.WriteString("contentType", e.File.ContentType);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// One step result per top-level runtime step, in order (Xray maps them to the Manual test's steps by
    /// position): the native status (custom statuses apply to the whole run only, api-notes §3.5), the
    /// step's name and nested steps as comment, a failed step's message as actual result, and the step's
    /// files as "evidences" (the spelling of both schemas and the DC docs for step results).
    /// </summary>
    private static void WriteSteps(Utf8JsonWriter w, TestResultRecord result, IReadOnlyList<XrayEvidence> evidence, Input input)
    {
        w.WriteStartArray("steps");
        var number = 0;
        foreach (var step in result.Steps)
        {
            number++;
            w.WriteStartObject();
            w.WriteString("status", input.Dialect.DefaultStatuses[step.Outcome]);
            var nested = StepText.Format(step.Steps, number.ToString(CultureInfo.InvariantCulture) + ".");
            w.WriteString("comment", Truncate(nested.Length == 0 ? step.Name : step.Name + "\n" + nested, MaxOutputPerResult));
            if (step.Outcome == TestOutcome.Failed && !string.IsNullOrWhiteSpace(step.Message))
                w.WriteString("actualResult", Truncate(step.Message!.Trim(), MaxOutputPerResult));
            var files = evidence.Where(e => ReferenceEquals(e.Step, step)).ToList();
            if (files.Count > 0) WriteEvidence(w, "evidences", files);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Base64 straight from the file in blocks: a 100 MB video never sits in memory whole.</summary>
    private static void WriteBase64FromFile(Utf8JsonWriter w, string path)
    {
        // Unbuffered reads into one pooled block: a thousand files cost no more than one.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Base64BlockBytes);
        try
        {
            WriteBase64Blocks(w, file, buffer);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteBase64Blocks(Utf8JsonWriter w, FileStream file, byte[] buffer)
    {
        var pending = 0;
        while (true)
        {
            var read = file.Read(buffer, pending, Base64BlockBytes - pending);
            if (read == 0) break;
            pending += read;
            if (pending == Base64BlockBytes)
            {
                w.WriteBase64StringSegment(new ReadOnlySpan<byte>(buffer, 0, Base64BlockBytes), isFinalSegment: false);
                // Utf8JsonWriter buffers everything until flushed: push each block to the stream.
                w.Flush();
                pending = 0;
            }
        }
        w.WriteBase64StringSegment(new ReadOnlySpan<byte>(buffer, 0, pending), isFinalSegment: true);
        w.Flush();
    }

    private static void WriteIterations(Utf8JsonWriter w, IReadOnlyList<TestResultRecord> results, IReadOnlyList<XrayEvidence> evidence, Input input,
        List<string> warnings, string what, Func<TestResultRecord, bool> stepResults)
    {
        var several = results.Select(r => r.TestName).Distinct().Count() > 1;
        // The method name reads best; the full name only where two classes share a method name.
        var ambiguous = results.GroupBy(r => r.MethodName).Any(g => g.Select(r => r.TestName).Distinct().Count() > 1);
        w.WriteStartArray("iterations");
        var index = 0;
        foreach (var r in results)
        {
            index++;
            var parameters = new List<TestParameter>();
            if (several) parameters.Add(new TestParameter("test", ambiguous ? r.TestName : r.MethodName));
            parameters.AddRange(r.Parameters);
            if (parameters.Count == 0) parameters.Add(new TestParameter("iteration", index.ToString(CultureInfo.InvariantCulture)));
            if (parameters.Count > MaxParametersPerIteration)
            {
                warnings.Add($"{what}: iteration {index} ('{r.Name}') has {parameters.Count} parameters; Xray accepts {MaxParametersPerIteration}, so only the first {MaxParametersPerIteration} are sent.");
                parameters = parameters.Take(MaxParametersPerIteration).ToList();
            }
            w.WriteStartObject();
            if (input.Dialect.IterationNameAndLog) w.WriteString("name", r.Name);
            w.WriteStartArray("parameters");
            foreach (var p in parameters)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("value", p.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (input.Dialect.IterationNameAndLog && !string.IsNullOrWhiteSpace(r.ErrorMessage))
                w.WriteString("log", Truncate(r.ErrorMessage!.Trim(), MaxOutputPerResult));
            w.WriteString("status", input.Statuses[r.Outcome]);
            if (stepResults(r)) WriteSteps(w, r, evidence, input);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteTestInfo(Utf8JsonWriter w, XrayDialect dialect, string projectKey, string summary, string definition, IReadOnlyList<string> requirements)
    {
        w.WriteStartObject("testInfo");
        w.WriteString("projectKey", projectKey);
        w.WriteString("summary", summary);
        w.WriteString(dialect.TestTypeProperty, "Generic");
        w.WriteString("definition", definition);
        if (requirements.Count > 0) WriteStrings(w, "requirementKeys", requirements);
        w.WriteEndObject();
    }

    /// <summary>
    /// Failure messages, stack traces and output of each result, in Jira wiki {noformat} blocks so
    /// stack traces keep their lines and no markup is interpreted.
    /// </summary>
    public static string Comment(IReadOnlyList<TestResultRecord> results, Func<TestResultRecord, bool>? stepResults = null)
    {
        var sb = new StringBuilder();
        foreach (var r in results)
        {
            var hasError = !string.IsNullOrWhiteSpace(r.ErrorMessage) || !string.IsNullOrWhiteSpace(r.ErrorStackTrace);
            var output = Truncate(r.StandardOutput?.Trim(), MaxOutputPerResult);
            // Steps sent as step results are not repeated here.
            var steps = stepResults?.Invoke(r) == true ? "" : StepText.Format(r);
            if (!hasError && string.IsNullOrEmpty(output) && steps.Length == 0 && r.Comments.Count == 0) continue;
            if (sb.Length > 0) sb.Append("\n\n");
            if (results.Count > 1) sb.Append('*').Append(r.Name).Append("* (").Append(r.Outcome).Append(")\n");
            // Runtime comments (Tms.Comment) first, as the test wrote them; then its steps (Tms.Step) as text:
            // the import takes step results only for Manual tests with the same number of steps (those go in "steps").
            foreach (var c in r.Comments) sb.Append(c.Trim()).Append('\n');
            if (steps.Length > 0) sb.Append("Steps:\n{noformat}").Append(NoFormat(steps)).Append("{noformat}").Append(hasError || !string.IsNullOrEmpty(output) ? "\n" : "");
            if (hasError)
            {
                sb.Append("{noformat}").Append(NoFormat(r.ErrorMessage?.Trim()));
                if (!string.IsNullOrWhiteSpace(r.ErrorStackTrace)) sb.Append('\n').Append(NoFormat(r.ErrorStackTrace!.Trim()));
                sb.Append("{noformat}");
            }
            if (!string.IsNullOrEmpty(output)) sb.Append(hasError ? "\n" : "").Append("Output:\n{noformat}").Append(NoFormat(output)).Append("{noformat}");
        }
        var comment = Truncate(sb.ToString(), MaxCommentLength) ?? "";
        // A cut inside a {noformat} block would leave it open and swallow the rest of the comment.
        if (CountOf(comment, "{noformat}") % 2 == 1) comment += "{noformat}";
        return comment;
    }

    private static int CountOf(string s, string part)
    {
        var count = 0;
        for (var i = s.IndexOf(part, StringComparison.Ordinal); i >= 0; i = s.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string NoFormat(string? s) => (s ?? "").Replace("{noformat}", "{ noformat}");

    private static string? Truncate(string? s, int max) => s is null || s.Length <= max ? s : s.Substring(0, max) + "\n… (truncated)";

    /// <summary>ISO-8601 with a colon offset: the form the Xray docs show (2014-08-30T11:47:35+01:00).</summary>
    public static string Date(DateTimeOffset d) => d.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>Counts bytes written, keeps none: measuring an entry costs no memory.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
    }
}
