using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests.Support;

/// <summary>Collects what TmsBridge would print, tagged by level.</summary>
internal sealed class CaptureOutput : IReporterOutput
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public string All => string.Join("\n", Lines);
    public IEnumerable<string> Errors => Lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal));
    public IEnumerable<string> Warnings => Lines.Where(l => l.StartsWith("warning: ", StringComparison.Ordinal));

    public void Info(string message) { lock (_lines) _lines.Add("info: " + message); }
    public void Warning(string message) { lock (_lines) _lines.Add("warning: " + message); }
    public void Error(string message) { lock (_lines) _lines.Add("error: " + message); }
}
