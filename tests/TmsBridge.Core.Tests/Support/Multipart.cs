using System.Text.RegularExpressions;

namespace TmsBridge.Core.Tests.Support;

/// <summary>A minimal multipart/form-data reader for request bodies recorded by <see cref="TinyHttpServer"/> (text parts only).</summary>
internal static class Multipart
{
    public sealed record Part(string Name, string? FileName, string? ContentType, string Body);

    public static List<Part> Parse(string? contentType, string body)
    {
        Assert.NotNull(contentType);
        Assert.StartsWith("multipart/form-data", contentType, StringComparison.OrdinalIgnoreCase);
        var boundary = Regex.Match(contentType!, "boundary=\"?([^\";]+)\"?").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(boundary), "no boundary in " + contentType);
        var parts = new List<Part>();
        var sections = body.Split(["--" + boundary], StringSplitOptions.None);
        // sections[0] is the preamble, the last one starts with "--" (the closing delimiter).
        foreach (var section in sections.Skip(1))
        {
            if (section.StartsWith("--", StringComparison.Ordinal)) break;
            var text = section.StartsWith("\r\n", StringComparison.Ordinal) ? section.Substring(2) : section;
            var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.True(split >= 0, "multipart section without a header/body separator");
            var headers = text.Substring(0, split).Split("\r\n");
            var content = text.Substring(split + 4);
            if (content.EndsWith("\r\n", StringComparison.Ordinal)) content = content.Substring(0, content.Length - 2);
            var disposition = headers.FirstOrDefault(h => h.StartsWith("Content-Disposition:", StringComparison.OrdinalIgnoreCase)) ?? "";
            var name = Regex.Match(disposition, "[; ]name=\"?([^\";]+)\"?").Groups[1].Value;
            var file = Regex.Match(disposition, "[; ]filename=\"?([^\";]+)\"?");
            var type = headers.FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?.Substring("Content-Type:".Length).Trim();
            parts.Add(new Part(name, file.Success ? file.Groups[1].Value : null, type, content));
        }
        return parts;
    }
}
