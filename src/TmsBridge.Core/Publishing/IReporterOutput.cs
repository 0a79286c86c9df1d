namespace TmsBridge.Publishing;

/// <summary>Where TmsBridge's console lines go (the runner's console). Implementations prefix and redact nothing: callers do.</summary>
public interface IReporterOutput
{
    void Info(string message);
    void Warning(string message);
    void Error(string message);
}

/// <summary>Writes "TmsBridge: ..." lines to the process console.</summary>
public sealed class ConsoleReporterOutput : IReporterOutput
{
    public void Info(string message) => Console.Out.WriteLine("TmsBridge: " + message);
    public void Warning(string message) => Console.Out.WriteLine("TmsBridge: warning: " + message);
    public void Error(string message) => Console.Error.WriteLine("TmsBridge: error: " + message);
}
