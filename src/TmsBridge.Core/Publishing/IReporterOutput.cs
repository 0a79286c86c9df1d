namespace TmsBridge.Publishing;

/// <summary>Where TmsBridge's console lines go (the runner's console). Implementations prefix and redact nothing: callers wrap them in <see cref="RedactingReporterOutput"/>.</summary>
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

/// <summary>
/// Redacts every line before it reaches the inner output. RunSession and the Publisher print
/// through one of these, so a test name or an exception message holding a secret is masked on the
/// console like everywhere else.
/// </summary>
public sealed class RedactingReporterOutput(IReporterOutput inner, Http.SecretRedactor redactor) : IReporterOutput
{
    /// <summary>Wraps once: an output that already redacts with the same redactor is returned as is.</summary>
    public static IReporterOutput Wrap(IReporterOutput output, Http.SecretRedactor redactor) =>
        output is RedactingReporterOutput r && ReferenceEquals(r._redactor, redactor) ? output : new RedactingReporterOutput(output, redactor);

    private readonly Http.SecretRedactor _redactor = redactor;

    public void Info(string message) => inner.Info(_redactor.Redact(message));
    public void Warning(string message) => inner.Warning(_redactor.Redact(message));
    public void Error(string message) => inner.Error(_redactor.Redact(message));
}
