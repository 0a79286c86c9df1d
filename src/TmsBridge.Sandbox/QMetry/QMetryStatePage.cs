using System.Globalization;
using System.Text;
using static TmsBridge.Sandbox.Pages.StatePage;

namespace TmsBridge.Sandbox.QMetry;

/// <summary>The state page's section of a QMetry flavour: cycles with their executions, and the imports.</summary>
internal static class QMetryStatePage
{
    public static void Write(StringBuilder h, string title, QMetrySnapshot q)
    {
        h.Append("<h2>").Append(Enc(title)).Append(": test cycles</h2>");
        if (q.Cycles.Count == 0)
            h.Append("<p class=\"muted\">None imported yet.</p>");
        foreach (var c in q.Cycles)
        {
            h.Append("<h3>").Append(Enc(c.Key)).Append(" <span class=\"muted\">").Append(Enc(c.Summary)).Append("</span></h3><p class=\"muted\">project ")
                .Append(Enc(c.Project)).Append(" · id ").Append(Enc(c.Id)).Append(c.Created ? " · created by an import" : " · seeded, reused");
            if (c.Environment is not null) h.Append(" · environment ").Append(Enc(c.Environment));
            if (c.Build is not null) h.Append(" · build ").Append(Enc(c.Build));
            if (c.Description is not null) h.Append(" · ").Append(Enc(c.Description));
            h.Append("</p><table><tr><th>Case</th><th>Summary</th><th>Result</th><th>Matched by</th><th>Stories</th><th>Failure</th></tr>");
            foreach (var e in c.Executions)
            {
                var css = e.Status switch { "Pass" => "Passed", "Fail" => "Failed", _ => "NotRun" };
                h.Append("<tr>").Append(Td(e.TestCaseKey)).Append(Td(e.Summary)).Append("<td><span class=\"st ").Append(css).Append("\">").Append(Enc(e.Status))
                    .Append("</span></td>").Append(Td(e.Matched)).Append(Td(string.Join(", ", e.StoryKeys))).Append(Td(e.Comment)).Append("</tr>");
            }
            h.Append("</table>");
        }
        if (q.Imports.Count == 0) return;
        h.Append("<h3>").Append(Enc(title)).Append(": imports</h3><table><tr><th>trackingId</th><th>Status</th><th>File</th><th>Bytes</th><th>Polls</th><th>Cycle</th><th>Message</th></tr>");
        foreach (var i in q.Imports)
            h.Append("<tr>").Append(Td(i.TrackingId)).Append(Td(i.Status)).Append(Td(i.FileName)).Append(Td(i.FileSize.ToString(CultureInfo.InvariantCulture)))
                .Append(Td(i.Polls.ToString(CultureInfo.InvariantCulture))).Append(Td(i.CycleKey)).Append(Td(i.DetailedMessage)).Append("</tr>");
        h.Append("</table>");
    }
}
