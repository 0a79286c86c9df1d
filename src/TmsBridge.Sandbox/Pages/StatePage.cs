using System.Globalization;
using System.Net;
using System.Text;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Pages;

/// <summary>
/// <c>GET /</c>: the state as a self-contained HTML page (no external CSS/JS, so it works
/// offline and in CI artefacts). Each TMS module writes its own sections (<see cref="ISandboxModule.WritePage"/>). Every value that came from a request is HTML-encoded: test
/// names, comments and file names are attacker-controlled as far as this page is concerned.
/// </summary>
internal static class StatePage
{
    public static string Render(SandboxSnapshot s, IReadOnlyList<ISandboxModule> modules)
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

        Faults(h, s, modules);

        // Each emulated TMS writes its own sections, in registration order.
        foreach (var module in modules) module.WritePage(h, s);

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

    private static void Faults(StringBuilder h, SandboxSnapshot s, IReadOnlyList<ISandboxModule> modules)
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
        foreach (var module in modules) module.WriteLimits(h, s);
    }

    internal static string Td(string? value) => $"<td>{Enc(value ?? "")}</td>";

    internal static string Enc(string value) => WebUtility.HtmlEncode(value);
}
