using System.Globalization;
using System.Text;
using static TmsBridge.Sandbox.Pages.StatePage;

namespace TmsBridge.Sandbox.Xray;

/// <summary>The state page's sections of an Xray flavour (Server/DC and Cloud): executions and the tests defined through testInfo.</summary>
internal static class XrayStatePage
{
    public static void Write(StringBuilder h, string title, XraySnapshot x)
    {
        h.Append("<h2>").Append(Enc(title)).Append(": Test Executions</h2>");
        if (x.Executions.Count == 0)
            h.Append("<p class=\"muted\">None yet.</p>");
        foreach (var e in x.Executions)
            Execution(h, e);

        h.Append("<h2>").Append(Enc(title)).Append(": Tests defined through testInfo</h2>");
        if (x.Tests.Count == 0)
            h.Append("<p class=\"muted\">None yet.</p>");
        else
        {
            h.Append("<table><tr><th>Key</th><th>Summary</th><th>Type</th><th>Definition</th><th>Provisioned</th><th>Requirements</th></tr>");
            foreach (var t in x.Tests)
                h.Append("<tr>").Append(Td(t.Key)).Append(Td(t.Summary)).Append(Td(t.TestType)).Append(Td(t.Definition))
                    .Append(Td(t.Provisioned ? "yes" : "no")).Append(Td(string.Join(", ", t.RequirementKeys))).Append("</tr>");
            h.Append("</table>");
        }

        h.Append("<h2>").Append(Enc(title)).Append(": requirement links</h2>");
        if (x.Links.Count == 0)
            h.Append("<p class=\"muted\">None yet.</p>");
        else
        {
            h.Append("<table><tr><th>Test</th><th>tests →</th><th>Requirement</th></tr>");
            foreach (var l in x.Links)
                h.Append("<tr>").Append(Td(l.Test)).Append("<td>tests</td>").Append(Td(l.Requirement)).Append("</tr>");
            h.Append("</table>");
        }
    }

    private static void Execution(StringBuilder h, XrayExecutionSnapshot e)
    {
        h.Append("<h3>").Append(Enc(e.Key)).Append(" <span class=\"muted\">").Append(Enc(e.Summary ?? "(no summary)"))
            .Append("</span></h3><p class=\"muted\">project ").Append(Enc(e.Project))
            .Append(" · imports ").Append(e.Imports.ToString(CultureInfo.InvariantCulture));
        if (e.Version is not null) h.Append(" · version ").Append(Enc(e.Version));
        if (e.Revision is not null) h.Append(" · revision ").Append(Enc(e.Revision));
        if (e.TestPlanKey is not null) h.Append(" · test plan ").Append(Enc(e.TestPlanKey));
        if (e.TestEnvironments.Count > 0) h.Append(" · environments ").Append(Enc(string.Join(", ", e.TestEnvironments)));
        if (e.User is not null) h.Append(" · user ").Append(Enc(e.User));
        h.Append("</p>");

        h.Append("<table><tr><th>Test</th><th>Status</th><th>Comment</th><th>Iterations</th><th>Evidence</th><th>Defects</th></tr>");
        foreach (var t in e.Tests)
        {
            h.Append("<tr>").Append(Td(t.TestKey)).Append("<td>").Append(Status(t.Status)).Append("</td>").Append(Td(t.Comment)).Append("<td>");
            foreach (var it in t.Iterations)
            {
                h.Append(Status(it.Status)).Append(' ').Append(Enc(it.Name ?? ""));
                if (it.Log is not null)
                    h.Append(" <span class=\"muted\">").Append(Enc(it.Log)).Append("</span>");
                if (it.Parameters.Count > 0)
                    h.Append(" <code>").Append(Enc(string.Join(", ", it.Parameters.Select(p => $"{p.Name}={p.Value}")))).Append("</code>");
                h.Append("<br>");
            }
            h.Append("</td><td>");
            foreach (var ev in t.Evidence)
                h.Append(Enc(ev.Filename)).Append(" (").Append(ev.Size.ToString(CultureInfo.InvariantCulture)).Append(" B, sha256 <code>")
                    .Append(Enc(ev.Sha256[..Math.Min(12, ev.Sha256.Length)])).Append("…</code>)<br>");
            h.Append("</td>").Append(Td(string.Join(", ", t.Defects))).Append("</tr>");
        }
        h.Append("</table>");
    }

    // The status is also a CSS class; only known native names become classes, anything else
    // keeps the neutral style (and never reaches the class attribute unencoded).
    private static string Status(string status)
    {
        var css = status is "PASS" or "FAIL" or "PASSED" or "FAILED" or "TODO" or "EXECUTING" or "ABORTED" ? status : "";
        return $"<span class=\"st {css}\">{Enc(status)}</span>";
    }
}
