using System.Globalization;
using System.Text;
using System.Text.Json;
using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Builds the Xray Server/DC "Xray JSON" import body (POST /rest/raven/2.0/import/execution).
/// Field names and nesting follow the DC docs (seeds/004) and specs/xray-server-import-execution.schema.json:
/// test-level evidence is "evidences" (the DC spelling every DC client uses), testInfo uses "testType",
/// iterations carry only parameters and status (DC has no iteration name or log).
/// </summary>
public static class XrayServerPayload
{
    /// <summary>Xray refuses iterations with more than 20 parameters (partial error).</summary>
    public const int MaxParametersPerIteration = 20;
    /// <summary>Jira text fields hold 32,767 characters; the comment stays well below.</summary>
    public const int MaxCommentLength = 30000;
    private const int MaxOutputPerResult = 4000;

    public sealed class Input
    {
        public TmsOptions Options { get; set; } = new();
        public IReadOnlyList<KeyedResult> Keyed { get; set; } = [];
        public IReadOnlyList<UnmappedTest> Provisioned { get; set; } = [];
        public StatusMap Statuses { get; set; } = new(StatusMap.XrayServerDefaults);
        public DateTimeOffset RunStarted { get; set; }
        public DateTimeOffset RunFinished { get; set; }
        public string DefaultSummary { get; set; } = "Automated test run";
    }

    public static byte[] Build(Input input, List<string> warnings)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            var o = input.Options;
            if (o.TestExecution is not null) w.WriteString("testExecutionKey", o.TestExecution);
            WriteInfo(w, input);
            w.WriteStartArray("tests");
            foreach (var k in input.Keyed) WriteKeyed(w, k, input, warnings);
            foreach (var u in input.Provisioned) WriteProvisioned(w, u, input, warnings);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
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
        if (o.Description is not null) fields.Add(("description", o.Description));
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

    /// <summary>The project of a new execution: the project option, else the project of the first key.</summary>
    public static string? ProjectKey(Input input) =>
        input.Options.Project
        ?? input.Keyed.Select(k => KeyRule.ProjectOf(k.Key)).FirstOrDefault(p => p is not null)
        ?? (input.Options.TestExecution is { } execution ? KeyRule.ProjectOf(execution) : null);

    private static void WriteKeyed(Utf8JsonWriter w, KeyedResult k, Input input, List<string> warnings)
    {
        w.WriteStartObject();
        w.WriteString("testKey", k.Key);
        WriteRunFields(w, k.Results, k.Outcome, k.HasIterations, input, warnings, k.Key);
        if (k.Defects.Count > 0) WriteStrings(w, "defects", k.Defects);
        if (input.Options.LinkRequirements && k.Requirements.Count > 0)
        {
            // Requirement links travel only in testInfo; with a testKey Xray updates that Test from it.
            var first = k.Results[0];
            WriteTestInfo(w, KeyRule.ProjectOf(k.Key)!, SummaryOf(first), first.TestName, k.Requirements);
        }
        w.WriteEndObject();
    }

    private static void WriteProvisioned(Utf8JsonWriter w, UnmappedTest u, Input input, List<string> warnings)
    {
        w.WriteStartObject();
        var outcome = TestOutcomes.Worst(u.Results.Select(r => r.Outcome));
        var iterated = u.Results.Count > 1 || u.Results.Any(r => r.Parameters.Count > 0);
        WriteRunFields(w, u.Results, outcome, iterated, input, warnings, u.FullyQualifiedName);
        if (u.Defects.Count > 0) WriteStrings(w, "defects", u.Defects);
        // Xray matches Generic tests by definition, so the fully qualified name finds the same Test next time.
        WriteTestInfo(w, ProjectKey(input)!, SummaryOf(u.Results[0]), u.FullyQualifiedName, input.Options.LinkRequirements ? u.Requirements : []);
        w.WriteEndObject();
    }

    private static void WriteRunFields(Utf8JsonWriter w, IReadOnlyList<TestResultRecord> results, TestOutcome outcome, bool iterated, Input input, List<string> warnings, string what)
    {
        var start = results.Where(r => r.StartTime.HasValue).Select(r => r.StartTime!.Value).DefaultIfEmpty(input.RunStarted).Min();
        var finish = results.Where(r => r.EndTime.HasValue).Select(r => r.EndTime!.Value).DefaultIfEmpty(input.RunFinished).Max();
        w.WriteString("start", Date(start));
        w.WriteString("finish", Date(finish));
        var comment = Comment(results);
        if (comment.Length > 0) w.WriteString("comment", comment);
        w.WriteString("status", input.Statuses[outcome]);

        var evidence = new List<(TestResultRecord Result, EvidenceFile File)>();
        foreach (var r in results)
        {
            foreach (var a in r.Attachments)
            {
                // A copy deleted from the run folder costs that file, never the result.
                if (File.Exists(a.Path)) evidence.Add((r, a));
                else warnings.Add($"{what}: evidence '{a.FileName}' of '{r.Name}' is missing from the run folder ({a.Path}); it is not sent.");
            }
        }
        if (evidence.Count > 0)
        {
            w.WriteStartArray("evidences");
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (result, file) in evidence)
            {
                w.WriteStartObject();
                w.WriteBase64String("data", File.ReadAllBytes(file.Path));
                var name = file.FileName;
                // Two rows attaching "screen.png" must stay two files in Xray.
                if (!names.Add(name)) { name = $"{result.Sequence}-{name}"; names.Add(name); }
                w.WriteString("filename", name);
                w.WriteString("contentType", file.ContentType);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        if (iterated)
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
                w.WriteStartArray("parameters");
                foreach (var p in parameters)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    w.WriteString("value", p.Value);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("status", input.Statuses[r.Outcome]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
    }

    private static void WriteTestInfo(Utf8JsonWriter w, string projectKey, string summary, string definition, IReadOnlyList<string> requirements)
    {
        w.WriteStartObject("testInfo");
        w.WriteString("projectKey", projectKey);
        w.WriteString("summary", summary);
        w.WriteString("testType", "Generic");
        w.WriteString("definition", definition);
        if (requirements.Count > 0) WriteStrings(w, "requirementKeys", requirements);
        w.WriteEndObject();
    }

    /// <summary>
    /// Failure messages, stack traces and output of each result, in Jira wiki {noformat} blocks so
    /// stack traces keep their lines and no markup is interpreted.
    /// </summary>
    public static string Comment(IReadOnlyList<TestResultRecord> results)
    {
        var sb = new StringBuilder();
        foreach (var r in results)
        {
            var hasError = !string.IsNullOrWhiteSpace(r.ErrorMessage) || !string.IsNullOrWhiteSpace(r.ErrorStackTrace);
            var output = Truncate(r.StandardOutput?.Trim(), MaxOutputPerResult);
            if (!hasError && string.IsNullOrEmpty(output)) continue;
            if (sb.Length > 0) sb.Append("\n\n");
            if (results.Count > 1) sb.Append('*').Append(r.Name).Append("* (").Append(r.Outcome).Append(")\n");
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

    /// <summary>The summary of a Test Xray creates or updates: the method name, without data-row arguments.</summary>
    private static string SummaryOf(TestResultRecord r) => r.MethodName;

    /// <summary>ISO-8601 with a colon offset: the form the Xray docs show (2014-08-30T11:47:35+01:00).</summary>
    public static string Date(DateTimeOffset d) => d.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
