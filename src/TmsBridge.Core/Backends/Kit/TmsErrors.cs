using System.Text.Json;
using TmsBridge.Http;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// Error text from a TMS answer: the message of its error body, capped and redacted, with the
/// status and the TMS's hint for it. Every backend words failures the same way.
/// </summary>
internal static class TmsErrors
{
    /// <summary>Cap on a plain-text error body quoted in a message.</summary>
    public const int MaxMessageChars = 500;
    /// <summary>Cap on a body quoted as an excerpt (an answer that could not be read).</summary>
    public const int MaxExcerptChars = 100;

    /// <summary>
    /// The message of an error body: Jira's and most TMSs' {"error": ...}, {"message": ...},
    /// {"errorMessages": [...], "errors": {...}}, QMetry's {"errorMessage": ..., "errors": [...]}, a JSON string, or the plain text (capped).
    /// </summary>
    public static string MessageOf(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "(empty body)";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.String) return root.GetString() ?? "";
            if (root.ValueKind == JsonValueKind.Object)
            {
                var parts = new List<string>();
                if (root.TryGetProperty("error", out var e)) parts.Add(e.ToString());
                if (root.TryGetProperty("message", out var msg)) parts.Add(msg.ToString());
                if (root.TryGetProperty("errorMessages", out var em) && em.ValueKind == JsonValueKind.Array) parts.AddRange(em.EnumerateArray().Select(x => x.ToString()));
                if (root.TryGetProperty("errors", out var es) && es.ValueKind == JsonValueKind.Object) parts.AddRange(es.EnumerateObject().Select(p => $"{p.Name}: {p.Value}"));
                // QMetry: {"status": 400, "errorMessage": "...", "errors": ["...", ...], "timestamp": ...}.
                if (root.TryGetProperty("errorMessage", out var qm)) parts.Add(qm.ToString());
                if (es.ValueKind == JsonValueKind.Array) parts.AddRange(es.EnumerateArray().Select(x => x.ToString()));
                if (parts.Count > 0) return string.Join("; ", parts);
            }
        }
        catch (JsonException) { }
        return Cap(body.Trim(), MaxMessageChars);
    }

    /// <summary>"HTTP 404 NotFound: &lt;redacted message&gt;" followed by the TMS's hint for the status.</summary>
    public static string Describe(TmsHttpResponse response, SecretRedactor redactor, string hint = "") =>
        $"HTTP {response.StatusCode} {response.Status}: {redactor.Redact(MessageOf(response.Body))}" + hint;

    /// <summary>A redacted, quoted excerpt of a body that could not be understood ("empty" when blank).</summary>
    public static string Excerpt(string body, SecretRedactor redactor)
    {
        var text = redactor.Redact(body.Trim());
        return text.Length == 0 ? "empty" : "'" + Cap(text, MaxExcerptChars) + "'";
    }

    /// <summary>The text cut to at most <paramref name="max"/> characters, with an ellipsis when cut.</summary>
    public static string Cap(string text, int max) => text.Length > max ? text.Substring(0, max) + "…" : text;

    /// <summary>
    /// 401, 403 and 404 are answers about the credentials, the permission or the project, not about
    /// one request: every later request would get the same, so a backend stops spending its rate budget.
    /// </summary>
    public static bool StopsTheRest(int status) => status is 401 or 403 or 404;
}
