using System.Text;

namespace TmsBridge.Reports;

/// <summary>Escaping for text from tests and servers (names may hold | ` * &lt; &gt;) in Markdown and HTML.</summary>
internal static class TextEscape
{
    /// <summary>
    /// Inline Markdown (also safe in a table cell): CommonMark's punctuation that starts markup is
    /// backslash-escaped, &lt; &gt; &amp; become entities (GitHub renders raw HTML), line breaks become spaces.
    /// </summary>
    public static string Markdown(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var b = new StringBuilder(text!.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~' or '#' or '!': b.Append('\\').Append(c); break;
                case '<': b.Append("&lt;"); break;
                case '>': b.Append("&gt;"); break;
                case '&': b.Append("&amp;"); break;
                case '\r': break;
                case '\n' or '\t': b.Append(' '); break;
                default: b.Append(char.IsControl(c) ? ' ' : c); break;
            }
        }
        return b.ToString();
    }

    /// <summary>A link target for Markdown: only http(s) URLs, with the characters that would end the link percent-encoded; null otherwise.</summary>
    public static string? MarkdownUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")) return null;
        return uri.AbsoluteUri.Replace("(", "%28").Replace(")", "%29").Replace("<", "%3C").Replace(">", "%3E").Replace(" ", "%20");
    }

    /// <summary>HTML text and attribute values; '#' too, so no Azure Pipelines logging command ("##vso[") survives in the page's source.</summary>
    public static string Html(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var b = new StringBuilder(text!.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': b.Append("&lt;"); break;
                case '>': b.Append("&gt;"); break;
                case '&': b.Append("&amp;"); break;
                case '"': b.Append("&quot;"); break;
                case '\'': b.Append("&#39;"); break;
                // "##vso[" in a test name would be an Azure Pipelines command where the HTML is printed (report without --out).
                case '#': b.Append("&#35;"); break;
                default: b.Append(char.IsControl(c) && c != '\n' && c != '\t' ? ' ' : c); break;
            }
        }
        return b.ToString();
    }
}
