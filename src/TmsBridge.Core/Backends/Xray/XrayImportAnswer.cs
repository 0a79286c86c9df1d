namespace TmsBridge.Backends.Xray;

/// <summary>What an import answer said: the execution, and the tests Xray refused (DC only).</summary>
internal sealed class XrayImportAnswer
{
    public string? ExecutionKey { get; set; }
    public string? ExecutionId { get; set; }
    public string? ExecutionUrl { get; set; }
    public Dictionary<string, List<string>> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Messages { get; } = [];
}
