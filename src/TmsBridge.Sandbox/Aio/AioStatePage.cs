using System.Globalization;
using System.Text;
using TmsBridge.Sandbox.State;
using static TmsBridge.Sandbox.Pages.StatePage;

namespace TmsBridge.Sandbox.Aio;

/// <summary>The state page's section of an AIO Tests flavour: cycles, runs and attachments.</summary>
internal static class AioStatePage
{
    public static void Write(StringBuilder h, string title, AioSnapshot a)
    {
        h.Append("<h2>").Append(Enc(title)).Append(": cycles</h2>");
        if (a.Folders.Count > 0)
            h.Append("<p class=\"muted\">Cycle folders: ").Append(Enc(string.Join(" · ", a.Folders))).Append("</p>");
        if (a.Cycles.Count == 0)
            h.Append("<p class=\"muted\">None created or run yet.</p>");
        foreach (var c in a.Cycles)
        {
            h.Append("<h3>").Append(Enc(c.Key)).Append(" <span class=\"muted\">").Append(Enc(c.Title))
                .Append("</span></h3><p class=\"muted\">project ").Append(Enc(c.Project)).Append(" · id ").Append(Enc(c.Id))
                .Append(c.Created ? " · created through the API" : " · seeded");
            if (c.Folder is not null) h.Append(" · folder ").Append(Enc(c.Folder));
            if (c.Objective is not null) h.Append(" · objective ").Append(Enc(c.Objective));
            if (c.JiraTaskIds.Count > 0) h.Append(" · tasks ").Append(Enc(string.Join(", ", c.JiraTaskIds)));
            h.Append("</p>");
            if (c.Runs.Count == 0)
            {
                h.Append("<p class=\"muted\">No runs.</p>");
                continue;
            }
            h.Append("<table><tr><th>Run</th><th>Case</th><th>Status</th><th>Effort (s)</th><th>Automated</th><th>Comments</th><th>Attachments</th><th>Created (UTC)</th></tr>");
            foreach (var r in c.Runs)
            {
                h.Append("<tr>").Append(Td(r.Id)).Append(Td(r.TestCaseKey)).Append("<td>").Append(AioStatus(r.Status)).Append("</td>")
                    .Append(Td(r.Effort?.ToString(CultureInfo.InvariantCulture))).Append(Td(r.IsAutomated ? "yes" : "no"))
                    .Append(Td(string.Join(" | ", r.Comments))).Append("<td>");
                foreach (var at in r.Attachments)
                    h.Append(Enc(at.Filename)).Append(" (").Append(Enc(at.ContentType ?? "no type")).Append(", ")
                        .Append(at.Size.ToString(CultureInfo.InvariantCulture)).Append(" B, sha256 <code>")
                        .Append(Enc(at.Sha256[..Math.Min(12, at.Sha256.Length)])).Append("…</code>)<br>");
                h.Append("</td>").Append(Td(r.CreatedDate)).Append("</tr>");
            }
            h.Append("</table>");
        }
    }

    // AIO status names are per project: the default names get colours, others the neutral style.
    private static string AioStatus(string status)
    {
        var css = status switch
        {
            "Passed" or "Failed" or "Blocked" => status,
            "Not Run" => "NotRun",
            "In Progress" => "InProgress",
            _ => "",
        };
        return $"<span class=\"st {css}\">{Enc(status)}</span>";
    }

    public static void WriteLimit(StringBuilder h, SandboxSnapshot s)
    {
        var a = s.Limits.Aio;
        h.Append("<p>AIO Tests rate limit (per client IP, Cloud and Server together): ").Append(a.Requests.ToString(CultureInfo.InvariantCulture))
            .Append(" requests per ").Append(a.WindowSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s, ")
            .Append(a.Used.ToString(CultureInfo.InvariantCulture)).Append(" used by the busiest client in the current window, Retry-After ")
            .Append(a.RetryAfter ? "sent" : "not sent").Append(".</p>");
    }
}
