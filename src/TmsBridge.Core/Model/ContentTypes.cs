namespace TmsBridge.Model;

/// <summary>Content types by extension. TMSs preview evidence only when the type is right.</summary>
public static class ContentTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif",
        [".bmp"] = "image/bmp", [".webp"] = "image/webp", [".svg"] = "image/svg+xml",
        [".txt"] = "text/plain", [".log"] = "text/plain", [".csv"] = "text/csv", [".md"] = "text/markdown",
        [".json"] = "application/json", [".xml"] = "application/xml", [".trx"] = "application/xml",
        [".html"] = "text/html", [".htm"] = "text/html", [".pdf"] = "application/pdf",
        [".zip"] = "application/zip", [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".har"] = "application/json",
    };

    public static string FromFileName(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var type) ? type : "application/octet-stream";
}
