using System.Globalization;
using System.Text;
using static TmsBridge.Sandbox.Pages.StatePage;

namespace TmsBridge.Sandbox.Rtm;

/// <summary>The state page's section of an RTM flavour: Test Executions, their TCEs, and requirement links.</summary>
internal static class RtmStatePage
{
    public static void Write(StringBuilder h, string title, RtmSnapshot r)
    {
        h.Append("<h2>").Append(Enc(title)).Append(": test executions</h2>");
        if (r.Executions.Count == 0) h.Append("<p class=\"muted\">None created yet.</p>");
        foreach (var e in r.Executions)
        {
            h.Append("<h3>").Append(Enc(e.Key)).Append(" <span class=\"muted\">").Append(Enc(e.Summary ?? "")).Append("</span></h3><p class=\"muted\">project ")
                .Append(Enc(e.Project)).Append(" · plan ").Append(Enc(e.TestPlan ?? "none")).Append(" · ").Append(Enc(e.Status));
            if (e.Environment is not null) h.Append(" · environment ").Append(Enc(e.Environment));
            if (e.Versions.Count > 0) h.Append(" · versions ").Append(Enc(string.Join(", ", e.Versions)));
            h.Append("</p><table><tr><th>TCE</th><th>Result</th><th>Time</th><th>Comments</th><th>Defects</th><th>Attachments</th><th>Steps</th></tr>");
            foreach (var t in e.TestCaseExecutions)
            {
                h.Append("<tr>").Append(Td(t.Key)).Append(Td(t.Result ?? "not run")).Append(Td(t.ActualTime?.ToString(CultureInfo.InvariantCulture)))
                    .Append(Td(string.Join(" | ", t.Comments))).Append(Td(string.Join(", ", t.Defects))).Append("<td>");
                foreach (var a in t.Attachments)
                    h.Append(Enc(a.Filename)).Append(" (").Append(a.Size.ToString(CultureInfo.InvariantCulture)).Append(" B, sha256 <code>")
                        .Append(Enc(a.Sha256[..Math.Min(12, a.Sha256.Length)])).Append("…</code>)<br>");
                h.Append("</td>").Append(Td(string.Join(" | ", t.Steps.Select(st => st.Ordinal.ToString(CultureInfo.InvariantCulture) + ". " + st.Action + ": " + st.Status
                    + (st.Comment is null ? "" : " (" + st.Comment + ")") + (st.Attachments.Count == 0 ? "" : " [" + string.Join(", ", st.Attachments.Select(a => a.Filename)) + "]"))))).Append("</tr>");
            }
            h.Append("</table>");
        }
        if (r.CoveredRequirements.Count > 0)
        {
            h.Append("<p>Covered requirements: ");
            h.Append(Enc(string.Join(" · ", r.CoveredRequirements.Select(p => p.Key + " → " + string.Join(", ", p.Value)))));
            h.Append("</p>");
        }
    }
}
