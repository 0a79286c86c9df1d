using System.Text;

namespace TmsBridge.Publishing;

/// <summary>Which CI service runs this process, as far as TmsBridge's job-page summary cares.</summary>
public enum CiKind
{
    /// <summary>A plain console (also a CI that TmsBridge has no summary channel for).</summary>
    None,
    /// <summary>GITHUB_ACTIONS=true with GITHUB_STEP_SUMMARY set: the summary is appended to that file.</summary>
    GitHubActions,
    /// <summary>TF_BUILD=True: warnings and errors become logging commands, the summary an uploaded Markdown file.</summary>
    AzurePipelines,
}

/// <summary>The CI service of the process, from its environment variables (read once per publish).</summary>
public sealed class CiEnvironment
{
    public static readonly CiEnvironment None = new(CiKind.None, null);

    private CiEnvironment(CiKind kind, string? stepSummaryPath)
    {
        Kind = kind;
        StepSummaryPath = stepSummaryPath;
    }

    public CiKind Kind { get; }
    /// <summary>GitHub Actions: the file behind $GITHUB_STEP_SUMMARY.</summary>
    public string? StepSummaryPath { get; }

    /// <param name="env">Reads an environment variable (null or empty: unset).</param>
    public static CiEnvironment Detect(Func<string, string?> env)
    {
        // GitHub sets GITHUB_ACTIONS=true on every runner; without GITHUB_STEP_SUMMARY (older GHES,
        // act) there is no summary file, so the console stays as it is.
        if (string.Equals(env("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase) && env("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary)
            return new CiEnvironment(CiKind.GitHubActions, summary);
        if (string.Equals(env("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
            return new CiEnvironment(CiKind.AzurePipelines, null);
        return None;
    }

    public static CiEnvironment FromProcess() => Detect(Environment.GetEnvironmentVariable);
}

/// <summary>
/// Azure Pipelines logging commands. The agent reads them from the job's standard output, one per
/// line, so they are written raw (no "TmsBridge:" prefix before the ##vso).
/// </summary>
public static class AzureLoggingCommands
{
    public const string Prefix = "##vso[";

    public static string Issue(string type, string message) => $"##vso[task.logissue type={type}]{EscapeData(Neutralize(message))}";

    /// <summary>
    /// The agent takes "##vso[" anywhere in any line of the job's output as a command (and hides the
    /// line), so a test name or a server message holding one could set variables or fail the job.
    /// TmsBridge's lines carry "## vso[" instead.
    /// </summary>
    public static string Neutralize(string text) => text.Replace(Prefix, "## vso[");

    public static string UploadSummary(string path) => "##vso[task.uploadsummary]" + EscapeData(path);

    /// <summary>The agent's escaping of a command's data: %, CR and LF (a newline would end the command and start a line the agent reads anew).</summary>
    public static string EscapeData(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            b.Append(c switch
            {
                '%' => "%AZP25",
                '\r' => "%0D",
                '\n' => "%0A",
                _ => c.ToString(),
            });
        }
        return b.ToString();
    }
}

/// <summary>
/// On Azure Pipelines, TmsBridge's warnings and errors become `##vso[task.logissue]` lines (the job
/// page lists them, the log marks them); plain lines go on as they are. Wrap inside the redacting
/// output so the raw line is redacted too.
/// </summary>
public sealed class AzurePipelinesReporterOutput : IReporterOutput
{
    private readonly IReporterOutput _inner;
    private readonly TextWriter _console;

    private AzurePipelinesReporterOutput(IReporterOutput inner, TextWriter console)
    {
        _inner = inner;
        _console = console;
    }

    /// <summary>The output for this CI: wrapped on Azure Pipelines (once), unchanged elsewhere.</summary>
    public static IReporterOutput Wrap(IReporterOutput output, CiEnvironment ci, TextWriter? console = null) =>
        ci.Kind != CiKind.AzurePipelines || output is AzurePipelinesReporterOutput ? output : new AzurePipelinesReporterOutput(output, console ?? Console.Out);

    public void Info(string message) => _inner.Info(AzureLoggingCommands.Neutralize(message));
    public void Warning(string message) => Write("warning", message);
    public void Error(string message) => Write("error", message);

    private void Write(string type, string message)
    {
        try
        {
            lock (_console)
            {
                _console.WriteLine(AzureLoggingCommands.Issue(type, "TmsBridge: " + message));
                _console.Flush();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The console is gone (end of the process): the plain line is the best left.
            if (type == "error") _inner.Error(AzureLoggingCommands.Neutralize(message)); else _inner.Warning(AzureLoggingCommands.Neutralize(message));
        }
    }
}
