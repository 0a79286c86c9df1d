using TmsBridge.Backends.Kit;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Core.Tests.Kit;

/// <summary>EvidenceUpload: a browser-shaped multipart POST of the file, Jira's XSRF header only for Server/DC.</summary>
public sealed class EvidenceUploadTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_file_is_part_file_with_its_name_and_type()
    {
        var path = _dir.File("screen.png", "PNGDATA");
        var result = new TestResultRecord { FullyQualifiedName = "T" };
        var evidence = new PlannedEvidence(new KeyedResult { Key = "DEMO-1" }, result, new EvidenceFile { Path = path, FileName = "screen.png", ContentType = "image/png" }, "1-screen.png", 7);

        using var server = EvidenceUpload.Request(new Uri("http://127.0.0.1/x"), evidence, jiraServer: true);
        using var cloud = EvidenceUpload.Request(new Uri("http://127.0.0.1/x"), evidence, jiraServer: false);

        Assert.Equal(HttpMethod.Post, server.Method);
        Assert.Equal("no-check", server.Headers.GetValues("X-Atlassian-Token").Single());
        Assert.False(cloud.Headers.Contains("X-Atlassian-Token"));
        var body = await server.Content!.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Content-Disposition: form-data; name=\"file\"; filename=\"1-screen.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA", body);
        Assert.Equal("application/json", server.Headers.Accept.Single().MediaType);
    }
}
