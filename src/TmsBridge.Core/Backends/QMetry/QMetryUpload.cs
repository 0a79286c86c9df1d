using System.IO.Compression;

namespace TmsBridge.Backends.QMetry;

/// <summary>The result file as uploaded: the JUnit XML, or a zip holding it (isZip=true).</summary>
internal sealed class QMetryUpload(string fileName, byte[] bytes, bool zipped)
{
    public string FileName { get; } = fileName;
    public byte[] Bytes { get; } = bytes;
    public bool Zipped { get; } = zipped;
    public string ContentType => Zipped ? "application/zip" : "application/xml";

    /// <summary>A zip with the one XML file inside (QTM4J: a zip must hold files of the declared format).</summary>
    public static QMetryUpload Zip(string xmlName, byte[] xml)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry(xmlName, CompressionLevel.Optimal);
            using var s = entry.Open();
            s.Write(xml, 0, xml.Length);
        }
        return new QMetryUpload(Path.ChangeExtension(xmlName, ".zip"), stream.ToArray(), zipped: true);
    }
}
