using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.State;
using static TmsBridge.Sandbox.Pages.StatePage;

namespace TmsBridge.Sandbox.QTest;

/// <summary>qTest Manager (<c>/oauth/token</c>, <c>/api/v3/...</c>): its endpoints, reset to the seed, and its page section.</summary>
internal sealed class QTestModule(QTestStore store) : ISandboxModule
{
    public void MapEndpoints(WebApplication app, SandboxState state) => QTestEndpoints.Map(app, state);

    public void Reset() => store.Clear();

    public void WritePage(StringBuilder h, SandboxSnapshot snapshot)
    {
        var q = snapshot.QTest;
        h.Append("<h2>qTest Manager: test cycles (project ").Append(Enc(q.Project)).Append(")</h2>");
        foreach (var c in q.Cycles)
        {
            h.Append("<h3>").Append(Enc(c.Pid)).Append(" <span class=\"muted\">").Append(Enc(c.Name)).Append("</span></h3><p class=\"muted\">id ").Append(Enc(c.Id))
                .Append(" · under ").Append(Enc(c.ParentType)).Append(c.ParentType == "root" ? "" : " " + Enc(c.ParentId))
                .Append(c.Created ? " · created through the API" : " · seeded");
            if (c.Description is not null) h.Append(" · ").Append(Enc(c.Description));
            h.Append("</p>");
            if (c.Runs.Count == 0) { h.Append("<p class=\"muted\">No test runs.</p>"); continue; }
            h.Append("<table><tr><th>Run</th><th>Case</th><th>Module</th><th>Status</th><th>Note</th><th>Defects</th><th>Attachments</th><th>Job</th></tr>");
            foreach (var r in c.Runs)
                foreach (var l in r.Logs)
                {
                    h.Append("<tr>").Append(Td(r.Id)).Append(Td(r.TestCase)).Append(Td(r.ModulePath)).Append(Td(l.Status)).Append(Td(l.Note)).Append(Td(string.Join(", ", l.DefectPids))).Append("<td>");
                    foreach (var a in l.Attachments)
                        h.Append(Enc(a.Name)).Append(" (").Append(Enc(a.ContentType)).Append(", ").Append(a.Size.ToString(CultureInfo.InvariantCulture)).Append(" B)<br>");
                    h.Append("</td>").Append(Td(l.Job)).Append("</tr>");
                }
            h.Append("</table>");
        }
        h.Append("<h3>Test cases</h3><table><tr><th>Case</th><th>Name</th><th>Automated</th><th>Automation Content</th><th>Requirements</th></tr>");
        foreach (var c in q.TestCases)
            h.Append("<tr>").Append(Td(c.Pid + (c.Created ? " (created by a submit)" : ""))).Append(Td(c.Name)).Append(Td(c.Automated ? "yes" : "no"))
                .Append(Td(c.AutomationContent)).Append(Td(string.Join(", ", c.Requirements))).Append("</tr>");
        h.Append("</table>");
        if (q.Jobs.Count > 0)
        {
            h.Append("<h3>Submit jobs</h3><table><tr><th>Job</th><th>State</th><th>Logs</th><th>Content</th></tr>");
            foreach (var j in q.Jobs) h.Append("<tr>").Append(Td(j.Id)).Append(Td(j.State)).Append(Td(j.Logs.ToString(CultureInfo.InvariantCulture))).Append(Td(j.Content)).Append("</tr>");
            h.Append("</table>");
        }
    }
}
