using System.IO.Compression;
using TmsBridge.Backends.Kit;

namespace TmsBridge.Core.Tests.Kit;

/// <summary>SingleFileZip: a readable archive with the one entry, byte for byte.</summary>
public sealed class SingleFileZipTests
{
    [Fact]
    public void The_archive_holds_the_one_file_byte_for_byte()
    {
        var content = System.Text.Encoding.UTF8.GetBytes("<testsuites>ä</testsuites>");
        using var zip = new ZipArchive(new MemoryStream(SingleFileZip.Of("results.xml", content)));
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("results.xml", entry.FullName);
        using var read = new MemoryStream();
        entry.Open().CopyTo(read);
        Assert.Equal(content, read.ToArray());
    }
}
