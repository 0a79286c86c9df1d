using TmsBridge.Http;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// One evidence file as a browser-shaped multipart POST (<see cref="BrowserMultipart"/>), part "file",
/// the file streamed from a fresh stream on every attempt (never held in memory).
/// </summary>
internal static class EvidenceUpload
{
    /// <param name="jiraServer">Inside Jira Server/DC: adds X-Atlassian-Token: no-check.</param>
    public static HttpRequestMessage Request(Uri uri, PlannedEvidence evidence, bool jiraServer, string partName = "file")
    {
        var stream = new FileStream(evidence.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
        var file = new StreamContent(stream, 81920);
        file.Headers.ContentLength = stream.Length;
        var form = new BrowserMultipart().AddFile(partName, evidence.FileName, file, evidence.File.ContentType);
        return BrowserMultipart.Post(uri, form, jiraServer).AcceptJson();
    }
}
