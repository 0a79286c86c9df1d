using System.Text.Json;

namespace TmsBridge.Model;

/// <summary>
/// Evidence announced through test output, for frameworks without an attachment API (xUnit v2):
/// a line "##tmsbridge[attachment]{"path":"...","description":"..."}" written by TmsEvidence.Attach.
/// Front-ends turn such lines into attachments and drop them from the kept output.
/// The marker counts only at the very start of a line (no leading spaces): a test that prints text
/// it received (a server answer, a log) must not be able to attach an arbitrary file by accident.
/// TmsEvidence.Attach always writes it at column 0.
/// </summary>
public static class OutputMarkers
{
    public const string AttachmentPrefix = "##tmsbridge[attachment]";

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static string? ExtractAttachments(string? output, List<EvidenceFile> into)
    {
        if (output is null || output.IndexOf(AttachmentPrefix, StringComparison.Ordinal) < 0) return output;
        var kept = new List<string>();
        foreach (var line in output.Replace("\r\n", "\n").Split('\n'))
        {
            if (!line.StartsWith(AttachmentPrefix, StringComparison.Ordinal)) { kept.Add(line); continue; }
            try
            {
                using var doc = JsonDocument.Parse(line.Substring(AttachmentPrefix.Length));
                // Valid JSON of another shape ([...], "x", {"path":42}) is not a marker either.
                var root = doc.RootElement;
                var path = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                if (string.IsNullOrEmpty(path)) { kept.Add(line); continue; }
                var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                into.Add(new EvidenceFile { Path = path!, OriginalPath = path, FileName = Path.GetFileName(path!), Description = description });
            }
            catch (JsonException)
            {
                kept.Add(line); // not ours after all: keep the text as output
            }
        }
        return string.Join("\n", kept);
    }
}
