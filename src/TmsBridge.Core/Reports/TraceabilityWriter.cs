using System.Globalization;
using System.Text;
using TmsBridge.Http;
using TmsBridge.Model;

namespace TmsBridge.Reports;

/// <summary>
/// The traceability report as Markdown or as one self-contained HTML file (inline CSS and SVG, no
/// script, nothing fetched: it opens from a CI artifact as it is). Every text from a journal is
/// redacted, then escaped; numbers and dates are culture-invariant.
/// </summary>
public static class TraceabilityWriter
{
    private static readonly string[] States = [CoverageStates.Passed, CoverageStates.Failed, CoverageStates.NotRun, CoverageStates.NotCovered];

    private const string NotCoveredNote = "A requirement is passed when every covering test's latest result passed, failed when one failed, not run when none failed but one was skipped or not run; not covered when it was named with --requirements or covered in an older journal, but no test's latest result covers it.";

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string OutcomeLabel(TestOutcome outcome) => outcome switch
    {
        TestOutcome.NotRun => "not run",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    public static string Markdown(TraceabilityReport report, DateTimeOffset generatedAt, SecretRedactor redactor)
    {
        string E(string? s) => TextEscape.Markdown(redactor.Redact(s ?? ""));
        var md = new StringBuilder();
        md.Append("# Traceability report\n\n");
        md.Append("Generated ").Append(When(generatedAt)).Append(" from ").Append(N(report.Journals.Count)).Append(" journal(s): ")
          .Append(N(report.Tests.Count)).Append(" tests, ").Append(N(report.Requirements.Count)).Append(" requirements.\n\n");

        md.Append("## Requirement coverage\n\n");
        md.Append(string.Join(" / ", States.Select(s => N(report.CountOf(s)) + " " + CoverageStates.Label(s)))).Append("\n\n");
        md.Append(NotCoveredNote).Append("\n\n");
        if (report.Requirements.Count == 0) md.Append("No test covers a requirement ([Covers] or Tms.Covers).\n\n");
        else
        {
            md.Append("| Requirement | Coverage | Tests (latest status) |\n|---|---|---|\n");
            foreach (var r in report.Requirements)
            {
                var tests = r.Tests.Count == 0 ? "none in the latest results"
                    : string.Join("<br>", r.Tests.Select(t => E(t.Name) + " (" + OutcomeLabel(t.Outcome) + (t.Keys.Count > 0 ? ", " + E(string.Join(", ", t.Keys)) : "") + ")"));
                md.Append("| ").Append(E(r.Key)).Append(" | ").Append(CoverageStates.Label(r.State)).Append(" | ").Append(tests).Append(" |\n");
            }
            md.Append('\n');
        }

        var unkeyed = report.TestsWithoutKeys.ToList();
        md.Append("## Tests without keys\n\n");
        if (unkeyed.Count == 0) md.Append("Every test carries a test case key.\n\n");
        else
        {
            md.Append("| Test | Latest status | Covers |\n|---|---|---|\n");
            foreach (var t in unkeyed)
                md.Append("| ").Append(E(t.Name)).Append(" | ").Append(OutcomeLabel(t.Outcome)).Append(" | ").Append(E(string.Join(", ", t.Requirements))).Append(" |\n");
            md.Append('\n');
        }

        md.Append("## Keys refused by the TMS\n\n");
        if (report.Refused.Count == 0) md.Append("No key was refused (as far as the journals' publish marks tell).\n");
        else
        {
            md.Append("| Key | Target | Reason | When |\n|---|---|---|---|\n");
            foreach (var r in report.Refused)
                md.Append("| ").Append(E(r.Key)).Append(" | ").Append(E(r.Target)).Append(" | ").Append(r.Reason.Length == 0 ? "no reason recorded" : E(r.Reason)).Append(" | ").Append(When(r.At)).Append(" |\n");
        }
        return redactor.Redact(md.ToString());
    }

    public static string Html(TraceabilityReport report, DateTimeOffset generatedAt, SecretRedactor redactor)
    {
        string H(string? s) => TextEscape.Html(redactor.Redact(s ?? ""));
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .Append("<title>Traceability report</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        h.Append("<h1>Traceability report</h1>\n<p class=\"meta\">Generated ").Append(When(generatedAt)).Append(" from ").Append(N(report.Journals.Count))
         .Append(" journal(s): ").Append(N(report.Tests.Count)).Append(" tests, ").Append(N(report.Requirements.Count)).Append(" requirements.</p>\n");

        h.Append("<section>\n<h2>Requirement coverage</h2>\n");
        AppendBar(h, "Requirements by coverage", States.Select(s => (s, CoverageStates.Label(s), report.CountOf(s))).ToList());
        h.Append("<p class=\"meta\">").Append(TextEscape.Html(NotCoveredNote)).Append("</p>\n");
        if (report.Requirements.Count == 0) h.Append("<p>No test covers a requirement ([Covers] or Tms.Covers).</p>\n");
        else
        {
            h.Append("<table>\n<thead><tr><th scope=\"col\">Requirement</th><th scope=\"col\">Coverage</th><th scope=\"col\">Tests (latest status)</th></tr></thead>\n<tbody>\n");
            foreach (var r in report.Requirements)
            {
                h.Append("<tr><td>").Append(H(r.Key)).Append("</td><td><span class=\"badge ").Append(r.State).Append("\">").Append(CoverageStates.Label(r.State)).Append("</span></td><td>");
                if (r.Tests.Count == 0) h.Append("none in the latest results");
                else
                {
                    h.Append("<ul>");
                    foreach (var t in r.Tests)
                        h.Append("<li><span class=\"badge ").Append(t.Coverage).Append("\">").Append(OutcomeLabel(t.Outcome)).Append("</span> ")
                         .Append(H(t.Name)).Append(t.Keys.Count > 0 ? " <span class=\"keys\">" + H(string.Join(", ", t.Keys)) + "</span>" : "").Append("</li>");
                    h.Append("</ul>");
                }
                h.Append("</td></tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("</section>\n");

        h.Append("<section>\n<h2>Tests by latest status</h2>\n");
        var byOutcome = report.Tests.GroupBy(t => t.Coverage).ToDictionary(g => g.Key, g => g.Count());
        AppendBar(h, "Tests by latest status", States.Take(3).Select(s => (s, CoverageStates.Label(s), byOutcome.TryGetValue(s, out var n) ? n : 0)).ToList());
        h.Append("</section>\n");

        var unkeyed = report.TestsWithoutKeys.ToList();
        h.Append("<section>\n<h2>Tests without keys</h2>\n");
        if (unkeyed.Count == 0) h.Append("<p>Every test carries a test case key.</p>\n");
        else
        {
            h.Append("<table>\n<thead><tr><th scope=\"col\">Test</th><th scope=\"col\">Latest status</th><th scope=\"col\">Covers</th></tr></thead>\n<tbody>\n");
            foreach (var t in unkeyed)
                h.Append("<tr><td>").Append(H(t.Name)).Append("</td><td><span class=\"badge ").Append(t.Coverage).Append("\">").Append(OutcomeLabel(t.Outcome))
                 .Append("</span></td><td>").Append(H(string.Join(", ", t.Requirements))).Append("</td></tr>\n");
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("</section>\n");

        h.Append("<section>\n<h2>Keys refused by the TMS</h2>\n");
        if (report.Refused.Count == 0) h.Append("<p>No key was refused (as far as the journals' publish marks tell).</p>\n");
        else
        {
            h.Append("<table>\n<thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Target</th><th scope=\"col\">Reason</th><th scope=\"col\">When</th></tr></thead>\n<tbody>\n");
            foreach (var r in report.Refused)
                h.Append("<tr><td>").Append(H(r.Key)).Append("</td><td>").Append(H(r.Target)).Append("</td><td>").Append(r.Reason.Length == 0 ? "no reason recorded" : H(r.Reason))
                 .Append("</td><td>").Append(When(r.At)).Append("</td></tr>\n");
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("</section>\n</main>\n</body>\n</html>\n");
        return redactor.Redact(h.ToString());
    }

    /// <summary>A stacked horizontal bar (inline SVG, colours from the page's CSS classes) and its legend.</summary>
    private static void AppendBar(StringBuilder h, string title, List<(string State, string Label, int Count)> parts)
    {
        const int width = 600, height = 28;
        var total = parts.Sum(p => p.Count);
        var description = string.Join(", ", parts.Select(p => p.Label + " " + N(p.Count)));
        h.Append("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(height))
         .Append("\" viewBox=\"0 0 ").Append(N(width)).Append(' ').Append(N(height)).Append("\" role=\"img\" aria-label=\"").Append(TextEscape.Html(title + ": " + description)).Append("\">\n");
        if (total == 0) h.Append("<rect class=\"empty\" x=\"0\" y=\"0\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(height)).Append("\"/>\n");
        double x = 0;
        foreach (var p in parts.Where(p => p.Count > 0))
        {
            var w = width * (double)p.Count / total;
            h.Append("<rect class=\"").Append(p.State).Append("\" x=\"").Append(x.ToString("0.##", CultureInfo.InvariantCulture)).Append("\" y=\"0\" width=\"")
             .Append(w.ToString("0.##", CultureInfo.InvariantCulture)).Append("\" height=\"").Append(N(height)).Append("\"/>\n");
            x += w;
        }
        h.Append("</svg>\n<figcaption>");
        h.Append(string.Join(" ", parts.Select(p => "<span class=\"badge " + p.State + "\">" + p.Label + ": " + N(p.Count) + "</span>")));
        h.Append("</figcaption>\n</figure>\n");
    }

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
        main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
        h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
        h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
        .meta { color: #59636e; margin-top: 0; }
        figure { margin: .5rem 0 1rem; }
        svg { max-width: 100%; height: auto; border-radius: 4px; }
        rect.passed { fill: #2da44e; } rect.failed { fill: #cf222e; } rect.notRun { fill: #bf8700; } rect.notCovered { fill: #8c959f; } rect.empty { fill: #eaeef2; }
        table { border-collapse: collapse; width: 100%; font-size: .92rem; }
        th, td { text-align: left; vertical-align: top; border: 1px solid #d0d7de; padding: .35rem .5rem; word-break: break-word; }
        th { background: #f6f8fa; }
        td ul { margin: 0; padding-left: 1rem; }
        .badge { display: inline-block; border-radius: 1em; padding: 0 .55em; font-size: .8rem; color: #fff; margin-right: .25em; }
        .badge.passed { background: #1a7f37; } .badge.failed { background: #cf222e; } .badge.notRun { background: #9a6700; } .badge.notCovered { background: #6e7781; }
        .keys { color: #59636e; font-family: ui-monospace, monospace; font-size: .85rem; }

        """;
}
