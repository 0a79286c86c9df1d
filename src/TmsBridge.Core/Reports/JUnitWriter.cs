using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using TmsBridge.Backends.Kit;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Reports;

/// <summary>Where a case key (and each requirement key) goes in a &lt;testcase&gt;.</summary>
public enum JUnitKeyPlacement
{
    /// <summary>&lt;properties&gt;&lt;property name="testcasekey" value="DEMO-TC-12"/&gt;&lt;/properties&gt; (QTM4J's default here).</summary>
    Property,
    /// <summary>testcasekey="DEMO-TC-12" as an attribute of &lt;testcase&gt;.</summary>
    Attribute,
    /// <summary>A line "testcasekey=DEMO-TC-12" in &lt;system-out&gt; (RTM reads TC_KEY=&lt;key&gt; there).</summary>
    SystemOut,
}

/// <summary>How results sharing a key become &lt;testcase&gt; elements.</summary>
public enum JUnitGrouping
{
    /// <summary>One &lt;testcase&gt; per key with the worst status; every result (data row) listed in its system-out.</summary>
    PerKey,
    /// <summary>One &lt;testcase&gt; per result and key, named by the result's display name (data rows differ by name).</summary>
    PerResult,
}

/// <summary>What a JUnit file carries and how. TMS-neutral: each backend sets the names its importer reads.</summary>
public sealed class JUnitOptions
{
    public JUnitKeyPlacement KeyPlacement { get; set; } = JUnitKeyPlacement.Property;
    /// <summary>Property, attribute or system-out name of the case key ("testcasekey"; RTM: "TC_KEY").</summary>
    public string KeyName { get; set; } = "testcasekey";
    /// <summary>Name of each requirement key, placed like the case key ("storykey"; null: requirements left out).</summary>
    public string? RequirementName { get; set; } = "storykey";
    public JUnitGrouping Grouping { get; set; } = JUnitGrouping.PerKey;
    /// <summary>Tests without a key get a &lt;testcase&gt; without one (provisionUnmapped=true); otherwise they are left out.</summary>
    public bool IncludeUnmapped { get; set; }
    /// <summary>The &lt;testsuite&gt; name.</summary>
    public string SuiteName { get; set; } = "TmsBridge";
    /// <summary>The &lt;testsuite&gt; timestamp (the run's start).</summary>
    public DateTimeOffset? Timestamp { get; set; }
    /// <summary>Cap on each system-out / system-err text (characters).</summary>
    public int MaxOutputChars { get; set; } = 64 * 1024;
}

/// <summary>One &lt;testcase&gt; to write: built from the aggregated run by <see cref="JUnitWriter.Cases"/>.</summary>
public sealed class JUnitCase
{
    public string Name { get; set; } = "";
    public string ClassName { get; set; } = "";
    /// <summary>Null for an unmapped test written with <see cref="JUnitOptions.IncludeUnmapped"/>.</summary>
    public string? Key { get; set; }
    public List<string> Requirements { get; } = [];
    public TestOutcome Outcome { get; set; }
    public double Seconds { get; set; }
    public string? FailureMessage { get; set; }
    public string? FailureText { get; set; }
    public string? SkipMessage { get; set; }
    public string? SystemOut { get; set; }
    public string? SystemErr { get; set; }
    /// <summary>The results behind this case (a key's data rows, or one result).</summary>
    public List<TestResultRecord> Results { get; } = [];
}

/// <summary>
/// JUnit XML (the Ant/Surefire shape every importer reads: testsuites › testsuite › testcase with
/// failure / skipped / system-out / system-err) from the aggregated run. Written with the
/// invariant culture; characters XML 1.0 cannot carry are removed; names over 255 characters are
/// shortened to 246 characters + "~" + 8 hex digits of their SHA-256, so the same long name always
/// gives the same short one and two long names stay apart.
/// </summary>
public static class JUnitWriter
{
    public const int MaxNameLength = 255;

    public static List<JUnitCase> Cases(AggregatedRun run, JUnitOptions options)
    {
        var cases = new List<JUnitCase>();
        foreach (var k in run.Keyed)
        {
            if (options.Grouping == JUnitGrouping.PerResult)
            {
                foreach (var r in k.Results) cases.Add(Build(k.Key, k.Requirements, [r], perResult: true, options));
            }
            else cases.Add(Build(k.Key, k.Requirements, k.Results, perResult: false, options));
        }
        if (options.IncludeUnmapped)
        {
            foreach (var u in run.Unmapped.Where(u => !u.HasMalformedKeys))
            {
                if (options.Grouping == JUnitGrouping.PerResult)
                {
                    foreach (var r in u.Results) cases.Add(Build(null, u.Requirements, [r], perResult: true, options));
                }
                else cases.Add(Build(null, u.Requirements, u.Results, perResult: false, options));
            }
        }
        return cases;
    }

    /// <summary>The file as UTF-8 bytes (no BOM).</summary>
    public static byte[] Write(AggregatedRun run, JUnitOptions options) => Write(Cases(run, options), options);

    public static byte[] Write(IReadOnlyList<JUnitCase> cases, JUnitOptions options)
    {
        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Entitize,
        };
        using (var w = XmlWriter.Create(stream, settings))
        {
            var failures = cases.Count(c => c.Outcome == TestOutcome.Failed).ToString(CultureInfo.InvariantCulture);
            var skipped = cases.Count(c => IsSkipped(c.Outcome)).ToString(CultureInfo.InvariantCulture);
            var tests = cases.Count.ToString(CultureInfo.InvariantCulture);
            var time = Seconds(cases.Sum(c => c.Seconds));

            // testsuites and its one testsuite carry the same counts; skipped and timestamp only the suite.
            void Counts(string element)
            {
                w.WriteStartElement(element);
                w.WriteAttributeString("name", Clean(ShortName(options.SuiteName)));
                w.WriteAttributeString("tests", tests);
                w.WriteAttributeString("failures", failures);
                w.WriteAttributeString("errors", "0");
                if (element == "testsuite") w.WriteAttributeString("skipped", skipped);
                w.WriteAttributeString("time", time);
            }

            w.WriteStartDocument();
            Counts("testsuites");
            Counts("testsuite");
            if (options.Timestamp is { } ts)
                w.WriteAttributeString("timestamp", ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));

            foreach (var c in cases) WriteCase(w, c, options);

            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return stream.ToArray();
    }

    private static void WriteCase(XmlWriter w, JUnitCase c, JUnitOptions o)
    {
        w.WriteStartElement("testcase");
        w.WriteAttributeString("name", Clean(ShortName(c.Name)));
        w.WriteAttributeString("classname", Clean(ShortName(c.ClassName)));
        w.WriteAttributeString("time", Seconds(c.Seconds));
        var links = Links(c, o);
        if (o.KeyPlacement == JUnitKeyPlacement.Attribute)
        {
            // An attribute holds one value: several requirement keys are comma-joined.
            foreach (var group in links.GroupBy(l => l.Name, StringComparer.Ordinal))
                w.WriteAttributeString(XmlConvert.EncodeLocalName(group.Key), Clean(string.Join(",", group.Select(l => l.Value))));
        }
        if (o.KeyPlacement == JUnitKeyPlacement.Property && links.Count > 0)
        {
            w.WriteStartElement("properties");
            foreach (var (name, value) in links)
            {
                w.WriteStartElement("property");
                w.WriteAttributeString("name", Clean(name));
                w.WriteAttributeString("value", Clean(value));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        if (c.Outcome == TestOutcome.Failed)
        {
            w.WriteStartElement("failure");
            w.WriteAttributeString("message", Clean(c.FailureMessage ?? "failed"));
            w.WriteAttributeString("type", "failure");
            if (!string.IsNullOrEmpty(c.FailureText)) w.WriteString(Clean(Cap(c.FailureText!, o.MaxOutputChars)));
            w.WriteEndElement();
        }
        else if (IsSkipped(c.Outcome))
        {
            w.WriteStartElement("skipped");
            if (!string.IsNullOrEmpty(c.SkipMessage)) w.WriteAttributeString("message", Clean(c.SkipMessage!));
            w.WriteEndElement();
        }
        var output = c.SystemOut;
        if (o.KeyPlacement == JUnitKeyPlacement.SystemOut && links.Count > 0)
        {
            // The key lines first, so a reader scanning the start of system-out finds them even when the output is capped.
            var keyLines = string.Join("\n", links.Select(l => l.Name + "=" + l.Value));
            output = string.IsNullOrEmpty(output) ? keyLines : keyLines + "\n" + output;
        }
        if (!string.IsNullOrEmpty(output)) w.WriteElementString("system-out", Clean(Cap(output!, o.MaxOutputChars)));
        if (!string.IsNullOrEmpty(c.SystemErr)) w.WriteElementString("system-err", Clean(Cap(c.SystemErr!, o.MaxOutputChars)));
        w.WriteEndElement();
    }

    private static List<(string Name, string Value)> Links(JUnitCase c, JUnitOptions o)
    {
        var links = new List<(string, string)>();
        if (c.Key is not null) links.Add((o.KeyName, c.Key));
        if (o.RequirementName is { } req) links.AddRange(c.Requirements.Select(r => (req, r)));
        return links;
    }

    private static JUnitCase Build(string? key, IEnumerable<string> requirements, IReadOnlyList<TestResultRecord> results, bool perResult, JUnitOptions options)
    {
        var first = results[0];
        var methods = results.Select(r => r.TestName).Distinct(StringComparer.Ordinal).ToList();
        var c = new JUnitCase
        {
            Key = key,
            Outcome = TestOutcomes.Worst(results.Select(r => r.Outcome)),
            Seconds = results.Sum(r => r.DurationMs) / 1000.0,
            ClassName = ClassOf(first.TestName),
            // Per result: the display name (data rows carry their arguments in it). Per key: the method,
            // or the methods joined when one key spans several tests.
            Name = perResult ? first.Name : string.Join(", ", methods.Select(MethodOf)),
        };
        c.Requirements.AddRange(requirements);
        c.Results.AddRange(results);

        var several = results.Count > 1 || (!perResult && first.Parameters.Count > 0);
        if (c.Outcome == TestOutcome.Failed)
        {
            var failed = results.Where(r => r.Outcome == TestOutcome.Failed).ToList();
            // The whole message: some frameworks put only a generic first line ("Assertion failed.") before the details.
            c.FailureMessage = TrimMessage(failed.Select(r => r.ErrorMessage).FirstOrDefault(m => !string.IsNullOrWhiteSpace(m)) ?? "failed");
            c.FailureText = string.Join("\n\n", failed.Select(r => (several ? r.Name + ":\n" : "") + Detail(r)));
        }
        else if (IsSkipped(c.Outcome))
        {
            var reason = results.Where(r => r.Outcome == c.Outcome).Select(r => r.ErrorMessage).FirstOrDefault(m => !string.IsNullOrWhiteSpace(m));
            c.SkipMessage = c.Outcome == TestOutcome.Inconclusive ? "inconclusive" + (reason is null ? "" : ": " + FirstLine(reason))
                : c.Outcome == TestOutcome.NotRun ? "not run" + (reason is null ? "" : ": " + FirstLine(reason))
                : reason is null ? null : FirstLine(reason);
        }

        var outLines = new StringBuilder();
        if (several)
        {
            // The rows' own outcomes: the case carries only the worst one.
            foreach (var r in results) outLines.Append(r.Outcome.ToString()).Append(": ").Append(r.Name).Append('\n');
        }
        foreach (var r in results)
        {
            // Runtime comments and steps (Tms.Comment, Tms.Step) as text: JUnit has no element for them,
            // and system-out is what QMetry and RTM keep of a testcase.
            var comments = r.Comments.Where(x => !string.IsNullOrWhiteSpace(x)).Select(x => x.Trim()).ToList();
            var steps = StepText.Format(r);
            var output = string.IsNullOrWhiteSpace(r.StandardOutput) ? null : r.StandardOutput!.TrimEnd();
            if (comments.Count == 0 && steps.Length == 0 && output is null) continue;
            if (several) outLines.Append("--- ").Append(r.Name).Append('\n');
            foreach (var comment in comments) outLines.Append("Comment: ").Append(comment).Append('\n');
            if (steps.Length > 0) outLines.Append("Steps:\n").Append(steps).Append('\n');
            if (output is not null) outLines.Append(output).Append('\n');
        }
        c.SystemOut = outLines.Length == 0 ? null : outLines.ToString().TrimEnd('\n');
        var err = new StringBuilder();
        foreach (var r in results.Where(r => !string.IsNullOrWhiteSpace(r.StandardError)))
        {
            if (several) err.Append("--- ").Append(r.Name).Append('\n');
            err.Append(r.StandardError!.TrimEnd()).Append('\n');
        }
        c.SystemErr = err.Length == 0 ? null : err.ToString().TrimEnd('\n');
        return c;
    }

    private static bool IsSkipped(TestOutcome o) => o is TestOutcome.Skipped or TestOutcome.Inconclusive or TestOutcome.NotRun;

    private static string Detail(TestResultRecord r)
    {
        var message = (r.ErrorMessage ?? "").Trim();
        var stack = (r.ErrorStackTrace ?? "").Trim();
        return message.Length > 0 && stack.Length > 0 ? message + "\n" + stack : message + stack;
    }

    private static string ClassOf(string testName)
    {
        var dot = testName.LastIndexOf('.');
        return dot > 0 ? testName.Substring(0, dot) : testName;
    }

    private static string MethodOf(string testName)
    {
        var dot = testName.LastIndexOf('.');
        return dot >= 0 ? testName.Substring(dot + 1) : testName;
    }

    /// <summary>Cap on the failure message attribute (the whole message and stack are in the element's text).</summary>
    public const int MaxMessageChars = 4000;

    private static string TrimMessage(string text)
    {
        var t = text.Trim().Replace("\r\n", "\n");
        return t.Length <= MaxMessageChars ? t : t.Substring(0, MaxMessageChars) + "…";
    }

    private static string FirstLine(string text)
    {
        var t = text.Trim();
        var nl = t.IndexOf('\n');
        return nl < 0 ? t : t.Substring(0, nl).TrimEnd('\r');
    }

    /// <summary>Seconds with three decimals, invariant ("1.234"), whatever the thread's culture.</summary>
    public static string Seconds(double seconds) => Math.Max(0, seconds).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Cap(string text, int max) =>
        max <= 0 || text.Length <= max ? text : text.Substring(0, max) + "\n… (truncated)";

    /// <summary>A name over 255 characters: its first 246, "~", and 8 hex digits of the SHA-256 of the whole name.</summary>
    public static string ShortName(string name)
    {
        if (name.Length <= MaxNameLength) return name;
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
        var suffix = "~" + string.Concat(hash.Take(4).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var cut = MaxNameLength - suffix.Length;
        // Never split a surrogate pair.
        if (char.IsHighSurrogate(name[cut - 1])) cut--;
        return name.Substring(0, cut) + suffix;
    }

    /// <summary>Drops what XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF).</summary>
    public static string Clean(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            var ok = ch == '\t' || ch == '\n' || ch == '\r' || (ch >= 0x20 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD);
            if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb?.Append(ch).Append(text[i + 1]);
                i++;
                continue;
            }
            if (ok) { sb?.Append(ch); continue; }
            if (sb is null) sb = new StringBuilder(text, 0, i, text.Length);
        }
        return sb?.ToString() ?? text;
    }
}
