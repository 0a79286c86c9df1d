using System.Net.Http.Headers;

namespace TmsBridge.Sandbox.Tests;

/// <summary>
/// multipart/form-data shaped as browsers and curl send it: an unquoted boundary and quoted
/// <c>name="…"</c> / <c>filename="…"</c>. The sandbox refuses .NET's default shape (quoted boundary,
/// <c>name=file</c>) the way web application firewalls in front of Jira do (docs/sandbox.md).
/// </summary>
internal static class BrowserForm
{
    public const string XsrfHeader = "X-Atlassian-Token";

    public static MultipartFormDataContent Create()
    {
        var form = new MultipartFormDataContent("----SandboxTestsFormBoundary" + Guid.NewGuid().ToString("N")[..16]);
        var boundary = form.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary");
        boundary.Value = boundary.Value!.Trim('"');
        return form;
    }

    /// <summary>Adds <paramref name="content"/> as <c>form-data; name="name"</c> (and <c>; filename="fileName"</c>).</summary>
    public static MultipartFormDataContent Part(this MultipartFormDataContent form, HttpContent content, string name, string? fileName = null)
    {
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = $"\"{name}\"", FileName = fileName is null ? null : $"\"{fileName}\"" };
        form.Add(content);
        return form;
    }
}
