namespace TmsBridge.Configuration;

public enum ProblemSeverity { Warning, Error }

/// <summary>A configuration problem, phrased for the person who has to fix it: it names the option and where it came from.</summary>
public sealed class ConfigurationProblem(ProblemSeverity severity, string message)
{
    public ProblemSeverity Severity { get; } = severity;
    public string Message { get; } = message;
    public override string ToString() => (Severity == ProblemSeverity.Error ? "error: " : "warning: ") + Message;
}
