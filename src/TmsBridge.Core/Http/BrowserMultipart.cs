using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace TmsBridge.Http;

/// <summary>
/// multipart/form-data shaped exactly like a browser's (and <c>curl -F</c>'s) form, for every
/// multipart request TmsBridge sends. .NET's <see cref="MultipartFormDataContent"/> writes
/// <c>name=file</c> unquoted, a quoted boundary and, for non-ASCII names, an RFC 2047 encoded
/// <c>filename</c>; web application firewalls in front of Jira Data Center and several server
/// stacks refuse or misread that (dotnet/aspnetcore#44200, dotnet/runtime#72447, nodejs/undici#4660).
/// <list type="bullet">
/// <item>the request's <c>Content-Type: multipart/form-data; boundary=XYZ</c>, the boundary never quoted;</item>
/// <item>per part exactly <c>Content-Disposition: form-data; name="file"; filename="x.png"</c> and
/// <c>Content-Type: image/png</c>, nothing else (no part Content-Length);</item>
/// <item>names escaped as the WHATWG HTML form encoding does (<c>"</c> → <c>%22</c>, CR → <c>%0D</c>, LF → <c>%0A</c>),
/// a non-ASCII file name sent as UTF-8 in <c>filename</c> like a browser, plus <c>filename*=utf-8''…</c>
/// (RFC 5987) for servers that read only that; an ASCII name never gets <c>filename*</c>.</item>
/// </list>
/// The parts' contents are copied to the wire as they are read: a file part stays streamed.
/// Build the request with <see cref="Post"/>, which also adds Jira's XSRF header for Server/DC.
/// </summary>
internal sealed class BrowserMultipart : HttpContent
{
    private static readonly byte[] CrLf = [(byte)'\r', (byte)'\n'];
    private readonly List<(byte[] Head, HttpContent Content)> _parts = [];

    public BrowserMultipart() : this(NewBoundary()) { }

    /// <param name="boundary">1 to 70 characters of letters, digits, '-', '_' and '.': a token that never needs quotes.</param>
    public BrowserMultipart(string boundary)
    {
        if (boundary.Length is 0 or > 70 || !boundary.All(c => c < 128 && (char.IsLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ArgumentException("a multipart boundary here is 1 to 70 letters, digits, '-', '_' or '.'", nameof(boundary));
        Boundary = boundary;
        var type = new MediaTypeHeaderValue("multipart/form-data");
        type.Parameters.Add(new NameValueHeaderValue("boundary", boundary));
        Headers.ContentType = type;
    }

    public string Boundary { get; }

    /// <summary>A browser-style boundary: "----TmsBridgeFormBoundary" and 16 random letters and digits.</summary>
    public static string NewBoundary() => "----TmsBridgeFormBoundary" + Guid.NewGuid().ToString("N").Substring(0, 16);

    /// <summary>
    /// Adds a file part: <c>Content-Disposition: form-data; name="<paramref name="name"/>"; filename="<paramref name="fileName"/>"</c>
    /// and <c>Content-Type: <paramref name="contentType"/></c> (application/octet-stream when it is not a valid media type).
    /// The part's own headers are not written; only its body is. The part is disposed with this content.
    /// </summary>
    public BrowserMultipart AddFile(string name, string fileName, HttpContent content, string? contentType)
    {
        var type = contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.ToString() : "application/octet-stream";
        var head = "Content-Disposition: " + Disposition(name, fileName) + "\r\nContent-Type: " + type + "\r\n\r\n";
        _parts.Add((Encoding.UTF8.GetBytes(head), content));
        return this;
    }

    /// <summary>
    /// Adds a text field: <c>Content-Disposition: form-data; name="<paramref name="name"/>"</c> and the
    /// value as UTF-8, with no Content-Type, exactly as browsers and <c>curl -F name=value</c> send a field.
    /// </summary>
    public BrowserMultipart AddText(string name, string value)
    {
        var head = "Content-Disposition: " + Disposition(name, null) + "\r\n\r\n";
        _parts.Add((Encoding.UTF8.GetBytes(head), new ByteArrayContent(Encoding.UTF8.GetBytes(value))));
        return this;
    }

    /// <summary>
    /// <c>form-data; name="n"</c>, with <c>; filename="f"</c> when a file name is given, and
    /// <c>; filename*=utf-8''…</c> after it only when that name is not ASCII.
    /// </summary>
    public static string Disposition(string name, string? fileName)
    {
        var text = new StringBuilder("form-data; name=\"").Append(Escape(name)).Append('"');
        if (fileName is null) return text.ToString();
        text.Append("; filename=\"").Append(Escape(fileName)).Append('"');
        if (fileName.Any(c => c > 127)) text.Append("; filename*=utf-8''").Append(Rfc5987(fileName));
        return text.ToString();
    }

    /// <summary>The WHATWG HTML multipart/form-data escaping of names (what browsers and curl 7.81+ send).</summary>
    private static string Escape(string value) => value.Replace("\"", "%22").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>RFC 5987 value-chars: attr-chars as they are, every other UTF-8 byte as %XX.</summary>
    private static string Rfc5987(string value)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (b < 128 && (char.IsLetterOrDigit(c) || "!#$&+-.^_`|~".IndexOf(c) >= 0)) text.Append(c);
            else text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>
    /// The one way TmsBridge builds a multipart request: a POST of <paramref name="form"/> and, for a
    /// Jira Server/DC flavour, <c>X-Atlassian-Token: no-check</c>. Jira's XSRF check refuses a
    /// multipart REST call without it ("XSRF check failed", 403), whatever the credentials.
    /// </summary>
    /// <param name="jiraServer">true for every target that runs inside Jira Server/Data Center (Xray DC, AIO Server, ...).</param>
    public static HttpRequestMessage Post(Uri uri, BrowserMultipart form, bool jiraServer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = form };
        if (jiraServer) request.Headers.TryAddWithoutValidation(JiraXsrfHeader, JiraXsrfNoCheck);
        return request;
    }

    /// <summary>Jira Server/DC's XSRF opt-out header for REST calls with form bodies.</summary>
    public const string JiraXsrfHeader = "X-Atlassian-Token";
    public const string JiraXsrfNoCheck = "no-check";

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var dashBoundary = Encoding.ASCII.GetBytes("--" + Boundary + "\r\n");
        foreach (var (head, content) in _parts)
        {
            await stream.WriteAsync(dashBoundary, 0, dashBoundary.Length).ConfigureAwait(false);
            await stream.WriteAsync(head, 0, head.Length).ConfigureAwait(false);
            await content.CopyToAsync(stream).ConfigureAwait(false);
            await stream.WriteAsync(CrLf, 0, CrLf.Length).ConfigureAwait(false);
        }
        var close = Encoding.ASCII.GetBytes("--" + Boundary + "--\r\n");
        await stream.WriteAsync(close, 0, close.Length).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        var boundaryLine = Boundary.Length + 4; // "--" boundary CRLF
        foreach (var (head, content) in _parts)
        {
            if (content.Headers.ContentLength is not { } partLength) { length = 0; return false; }
            length += boundaryLine + head.Length + partLength + 2;
        }
        length += Boundary.Length + 6; // "--" boundary "--" CRLF
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var (_, content) in _parts) content.Dispose();
        base.Dispose(disposing);
    }
}
