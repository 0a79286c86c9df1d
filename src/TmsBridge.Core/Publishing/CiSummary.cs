using System.Globalization;
using System.Text;
using TmsBridge.Http;
using TmsBridge.Reports;

namespace TmsBridge.Publishing;

/// <summary>
/// The run end's summary on the CI job page: appended to $GITHUB_STEP_SUMMARY on GitHub Actions,
/// uploaded with ##vso[task.uploadsummary] on Azure Pipelines, nothing elsewhere (the console
/// summary is there already). Built from the PublishReport only, so the logger, the MTP extension
/// and `tmsbridge publish` write the same thing. Redacted, culture-invariant, Markdown-escaped.
/// </summary>
public static class CiSummary
{
    private const int MaxListed = 20;

    /// <summary>Writes the summary for <paramref name="ci"/>. Never throws: a summary that cannot be written is one warning.</summary>
    public static void Write(PublishReport report, string runFolder, CiEnvironment ci, SecretRedactor redactor, IReporterOutput output, TextWriter? console = null)
    {
        if (ci.Kind == CiKind.None) return;
        string? target = null;
        try
        {
            var markdown = Markdown(report, redactor);
            var bytes = new UTF8Encoding(false);
            if (ci.Kind == CiKind.GitHubActions)
            {
                target = "GITHUB_STEP_SUMMARY ('" + ci.StepSummaryPath + "')";
                // Appended, as GitHub asks: other steps (and other test projects) write to the same file.
                File.AppendAllText(ci.StepSummaryPath!, markdown + "\n", bytes);
            }
            else
            {
                var path = Path.GetFullPath(Path.Combine(runFolder, (report.RunId.Length > 0 ? report.RunId : "tmsbridge") + ".summary.md"));
                target = "'" + path + "'";
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, markdown, bytes);
                console ??= Console.Out;
                lock (console)
                {
                    console.WriteLine(AzureLoggingCommands.UploadSummary(path));
                    console.Flush();
                }
            }
        }
        catch (Exception e)
        {
            // The job summary is a courtesy: it must never break the run or hide its results.
            output.Warning($"the job summary could not be written to {target ?? "the CI"}: {redactor.Redact(e.Message)}");
        }
    }

    /// <summary>The Markdown block: target, execution, counts per status, coverage, refused keys, errors.</summary>
    public static string Markdown(PublishReport report, SecretRedactor redactor)
    {
        string E(string? text) => TextEscape.Markdown(redactor.Redact(text ?? ""));
        string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        var t = report.Totals;
        var md = new StringBuilder();
        md.Append("### TmsBridge: ").Append(E(report.TargetName ?? report.Target)).Append('\n').Append('\n');

        if (report.Target == Targets.None || report.DryRun)
            md.Append(report.DryRun ? "Dry run: payloads written, nothing sent.\n" : "target=none: nothing sent.\n");
        else if (report.Execution is { } execution && (execution.Key is { Length: > 0 } || execution.Url is { Length: > 0 }))
        {
            var name = E(execution.Key is { Length: > 0 } ? execution.Key : execution.Url);
            var url = TextEscape.MarkdownUrl(redactor.Redact(execution.Url ?? ""));
            md.Append(execution.Reused ? "Reported into " : "Created ").Append(url is null ? "**" + name + "**" : $"[**{name}**]({url})").Append('\n');
        }
        md.Append('\n');

        md.Append("- Results: ").Append(N(t.Results)).Append(", keys: ").Append(N(t.Keys))
          .Append(" (sent ").Append(N(t.Sent)).Append(", refused ").Append(N(t.Refused)).Append(", not sent ").Append(N(t.NotSent)).Append(")\n");
        md.Append("- Unmapped tests (no key): ").Append(N(t.UnmappedTests)).Append('\n');
        if (report.Coverage is { } c)
            md.Append("- Requirements: ").Append(N(c.Passed)).Append(" passed / ").Append(N(c.Failed)).Append(" failed / ")
              .Append(N(c.NotRun)).Append(" not run (of ").Append(N(c.Requirements)).Append(")\n");
        else
            md.Append("- Requirements: none covered by these results\n");

        if (report.Keys.Count > 0)
        {
            md.Append('\n').Append("| Status | Keys | Results |\n|---|---:|---:|\n");
            foreach (var g in report.Keys.GroupBy(k => k.Status ?? k.Outcome, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
                md.Append("| ").Append(E(g.Key)).Append(" | ").Append(N(g.Count())).Append(" | ").Append(N(g.Sum(k => k.Results))).Append(" |\n");
        }

        var refused = report.Keys.Where(k => k.State == KeyStates.Refused).ToList();
        if (refused.Count > 0)
        {
            md.Append('\n').Append("**Refused by ").Append(E(report.TargetName ?? report.Target)).Append("**\n\n");
            foreach (var k in refused.Take(MaxListed))
                md.Append("- ").Append(E(k.Key)).Append(": ").Append(k.Messages.Count == 0 ? "no reason given" : E(string.Join(" ", k.Messages))).Append('\n');
            if (refused.Count > MaxListed) md.Append("- and ").Append(N(refused.Count - MaxListed)).Append(" more (see the report)\n");
        }
        if (report.Errors.Count > 0)
        {
            md.Append('\n').Append("**Errors**\n\n");
            foreach (var e in report.Errors.Take(MaxListed)) md.Append("- ").Append(E(e)).Append('\n');
            if (report.Errors.Count > MaxListed) md.Append("- and ").Append(N(report.Errors.Count - MaxListed)).Append(" more (see the report)\n");
        }
        // Whatever slipped past the piecewise redaction (a secret split by escaping cannot: each piece is redacted before it is escaped).
        return redactor.Redact(md.ToString());
    }
}
