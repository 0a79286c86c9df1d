using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace TmsBridge.Sandbox.Http;

/// <summary>
/// What happens to a multipart request before the endpoint reads it, on the real servers:
/// <list type="bullet">
/// <item><see cref="JiraXsrf"/>: Jira Server/DC's XSRF check refuses a multipart REST call without
/// <c>X-Atlassian-Token: no-check</c> with 403 "XSRF check failed", whatever the credentials.</item>
/// <item><see cref="BrowserShapeProblemAsync"/>: web application firewalls in front of Jira Data Center
/// and several server stacks refuse or misread a quoted boundary and unquoted <c>name=</c> /
/// <c>filename=</c> parameters (.NET's MultipartFormDataContent default). The sandbox plays such a
/// firewall on every multipart endpoint: only the form browsers and curl send passes.</item>
/// </list>
/// </summary>
internal static partial class MultipartChecks
{
    public const string XsrfHeader = "X-Atlassian-Token";
    public const string XsrfNoCheck = "no-check";
    public const string XsrfFailed = "XSRF check failed";

    /// <summary>Null when the request carries <c>X-Atlassian-Token: no-check</c>; else Jira's 403 (plain text).</summary>
    public static IResult? JiraXsrf(HttpRequest request) =>
        string.Equals(request.Headers[XsrfHeader].ToString(), XsrfNoCheck, StringComparison.Ordinal)
            ? null
            : Results.Text(XsrfFailed, "text/plain;charset=UTF-8", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>
    /// Null for a browser-shaped form; else what is wrong with it. Reads the part headers once
    /// (the body is buffered and rewound, so the endpoint reads it again from the start). A body that
    /// is not valid multipart is left to the endpoint's own parser and its message.
    /// </summary>
    public static async Task<string?> BrowserShapeProblemAsync(HttpRequest request, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.Boundary.Length == 0)
            return null;
        if (type.Boundary.StartsWith("\"", StringComparison.Ordinal))
            return $"the multipart boundary is quoted ({type.Boundary}); send it unquoted, as browsers and curl do (boundary=----FormBoundaryX).";

        request.EnableBuffering();
        try
        {
            var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(type.Boundary).Value!, request.Body);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                var disposition = section.ContentDisposition ?? "";
                if (UnquotedParameter().Match(disposition) is { Success: true } m)
                    return $"the part header 'Content-Disposition: {disposition}' has the unquoted parameter {m.Groups[1].Value}=; send form-data; name=\"file\"; filename=\"x.png\", as browsers and curl do.";
            }
        }
        catch (InvalidDataException)
        {
            // Not readable as multipart: the endpoint's parser says why.
        }
        finally
        {
            request.Body.Position = 0;
        }
        return null;
    }

    [GeneratedRegex("""(?:^|;)\s*(name|filename)=(?!")""", RegexOptions.IgnoreCase)]
    private static partial Regex UnquotedParameter();

    /// <summary>
    /// The browser-shape check, then the form: the form, or null and the problem in the words every
    /// emulated API answers with (a 400 body).
    /// </summary>
    public static async Task<(IFormCollection? Form, string? Problem)> ReadBrowserFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (await BrowserShapeProblemAsync(request, ct) is { } shape)
            return (null, "Malformed multipart request: " + shape);
        try
        {
            return (await request.ReadFormAsync(ct), null);
        }
        catch (InvalidDataException e)
        {
            return (null, $"Invalid multipart body: {e.Message}");
        }
    }
}
