using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace TmsBridge;

/// <summary>
/// Attaches evidence files to an xUnit v2 test. xUnit v2 has no attachment API, so
/// <see cref="Attach"/> writes one marker line to the test output:
/// <code>##tmsbridge[attachment]{"path":"/abs/path/screen.png","description":"login page"}</code>
/// The TmsBridge logger reads such lines from the test's standard output, treats each as an
/// attachment of that test and strips them from the output it publishes. Other loggers simply show
/// the line. The file is read by the logger after the test ends, so it must still exist then.
/// </summary>
public static class TmsEvidence
{
    /// <summary>The prefix of the marker line; the rest of the line is a JSON object.</summary>
    public const string MarkerPrefix = "##tmsbridge[attachment]";

    /// <summary>Attaches the file at <paramref name="filePath"/> to the current test.</summary>
    /// <param name="output">The test's <see cref="ITestOutputHelper"/> (constructor-injected by xUnit).</param>
    /// <param name="filePath">The evidence file, absolute or relative to the current directory.</param>
    /// <param name="description">Optional text shown with the attachment; omitted when null or empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="filePath"/> is null, empty or whitespace.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names the absolute path).</exception>
    public static void Attach(ITestOutputHelper output, string filePath, string? description = null)
    {
        if (output is null)
        {
            throw new ArgumentNullException(nameof(output));
        }

        if (string.IsNullOrWhiteSpace(filePath))
        {
            throw new ArgumentException("The evidence file path is empty.", nameof(filePath));
        }

        var fullPath = Path.GetFullPath(filePath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Evidence file not found: {fullPath}", fullPath);
        }

        output.WriteLine(FormatMarker(fullPath, description));
    }

    /// <summary>Builds the marker line for an absolute path (no file check).</summary>
    internal static string FormatMarker(string fullPath, string? description)
    {
        var line = new StringBuilder(MarkerPrefix.Length + fullPath.Length + 32);
        line.Append(MarkerPrefix).Append("{\"path\":");
        AppendJsonString(line, fullPath);
        if (!string.IsNullOrEmpty(description))
        {
            line.Append(",\"description\":");
            AppendJsonString(line, description!);
        }

        return line.Append('}').ToString();
    }

    /// <summary>
    /// Appends <paramref name="value"/> as a JSON string. Everything outside printable ASCII is written as
    /// a <c>\uXXXX</c> escape, so the line survives any output encoding and never contains a line break.
    /// </summary>
    private static void AppendJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
