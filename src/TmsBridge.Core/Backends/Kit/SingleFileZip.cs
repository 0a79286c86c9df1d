using System.IO.Compression;

namespace TmsBridge.Backends.Kit;

/// <summary>A zip archive holding one file: what import endpoints that take an archive (RTM Cloud's import) are sent.</summary>
internal static class SingleFileZip
{
    public static byte[] Of(string entryName, byte[] content)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
            using var s = entry.Open();
            s.Write(content, 0, content.Length);
        }
        return stream.ToArray();
    }
}
