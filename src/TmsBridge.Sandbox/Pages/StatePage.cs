using System.Globalization;
using System.Net;
using System.Text;
using TmsBridge.Sandbox.Aio;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.Pages;

/// <summary>
/// <c>GET /</c>: the state as a self-contained HTML page (no external CSS/JS, so it works
/// offline and in CI artefacts). Every value that came from a request is HTML-encoded: test
/// names, comments and file names are attacker-controlled as far as this page is concerned.
/// </summary>
internal static class StatePage
{
    public static string Render(SandboxSnapshot s)
    {
        var h = new StringBuilder();
        h.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>TmsBridge sandbox</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            table{border-collapse:collapse;margin:.5em 0 1.5em}
            th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f3f3f3}
            .st{font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff;background:#888}
            .PASS,.PASSED{background:#2e7d32}.FAIL,.FAILED{background:#c62828}.TODO{background:#757575}
            .EXECUTING{background:#f9a825;color:#222}.ABORTED{background:#37474f}
            .Passed{background:#2e7d32}.Failed{background:#c62828}.Blocked{background:#37474f}.NotRun{background:#757575}.InProgress{background:#f9a825;color:#222}
            code{font-size:12px}.muted{color:#777}
            </style></head><body>
            <h1>TmsBridge sandbox</h1>
            <p class="muted">JSON: <a href="/_sandbox/state">/_sandbox/state</a> · reset: <code>POST /_sandbox/reset</code>
            · faults: <a href="/_sandbox/faults">/_sandbox/faults</a> · limits: <a href="/_sandbox/limits">/_sandbox/limits</a></p>
            """);

        Faults(h, s);

        Section(h, "Xray Server/DC", s.Xray);
        Section(h, "Xray Cloud", s.XrayCloud);
        AioSection(h, "AIO Tests Cloud", s.Aio);
        AioSection(h, "AIO Tests Server/DC", s.AioServer);

        h.Append("<h2>Requests</h2>");
        if (s.Requests.Count == 0)
            h.Append("<p class=\"muted\">None yet.</p>");
        else
        {
            h.Append("<table><tr><th>At (UTC)</th><th>Method</th><th>Path</th><th>Status</th><th>Client got</th><th>Fault</th><th>Bytes</th></tr>");
            foreach (var r in s.Requests)
                h.Append("<tr>").Append(Td(r.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)))
                    .Append(Td(r.Method)).Append(Td(r.Path)).Append(Td(r.Status.ToString(CultureInfo.InvariantCulture)))
                    .Append(Td(Convert.ToString(r.Response, CultureInfo.InvariantCulture))).Append(Td(r.Fault))
                    .Append(Td(r.Bytes.ToString(CultureInfo.InvariantCulture))).Append("</tr>");
            h.Append("</table>");
        }

        h.Append("</body></html>");
        return h.ToString();
    }

    private static void Section(StringBuilder h, string title, XraySnapshot x)
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

    private static void Faults(StringBuilder h, SandboxSnapshot s)
    {
        h.Append("<h2>Faults and limits</h2>");
        if (s.Faults.Count == 0)
            h.Append("<p class=\"muted\">No active fault rules.</p>");
        else
        {
            h.Append("<table><tr><th>#</th><th>Method</th><th>Path</th><th>Action</th><th>Remaining</th><th>Details</th></tr>");
            foreach (var f in s.Faults)
            {
                var details = string.Join(" · ", new[]
                {
                    f.Status is { } st ? $"status {st}" : null,
                    f.RetryAfter is { } ra ? $"Retry-After {ra}" : null,
                    f.DelayMs is { } d ? $"{d} ms" : null,
                    f.MaxBytes is { } mb ? $"over {mb} bytes" : null,
                    f.Body is { } b ? $"body {b}" : null,
                }.Where(x => x is not null));
                h.Append("<tr>").Append(Td(f.Id.ToString(CultureInfo.InvariantCulture))).Append(Td(f.Method ?? "any")).Append(Td(f.Path))
                    .Append(Td(f.Action)).Append(Td(f.Remaining < 0 ? "unlimited" : f.Remaining.ToString(CultureInfo.InvariantCulture)))
                    .Append(Td(details)).Append("</tr>");
            }
            h.Append("</table>");
        }
        var l = s.Limits.XrayCloud;
        h.Append("<p>Xray Cloud rate limit: ").Append(l.Requests.ToString(CultureInfo.InvariantCulture)).Append(" requests per ")
            .Append(l.WindowSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s, ")
            .Append(l.Used.ToString(CultureInfo.InvariantCulture)).Append(" used in the current window, Retry-After ")
            .Append(l.RetryAfter ? "sent" : "not sent").Append(".</p>");
        var a = s.Limits.Aio;
        h.Append("<p>AIO Tests rate limit (per client IP, Cloud and Server together): ").Append(a.Requests.ToString(CultureInfo.InvariantCulture))
            .Append(" requests per ").Append(a.WindowSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s, ")
            .Append(a.Used.ToString(CultureInfo.InvariantCulture)).Append(" used by the busiest client in the current window, Retry-After ")
            .Append(a.RetryAfter ? "sent" : "not sent").Append(".</p>");
    }

    private static void AioSection(StringBuilder h, string title, AioSnapshot a)
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

    private static string Td(string? value) => $"<td>{Enc(value ?? "")}</td>";

    private static string Enc(string value) => WebUtility.HtmlEncode(value);
}
