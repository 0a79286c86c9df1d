using TmsBridge.Http;

namespace TmsBridge.Publishing;

/// <summary>The few lines a run ends with: what was published and where, what was not and why.</summary>
public static class ConsoleSummary
{
    private const int MaxListed = 10;

    public static void Write(PublishReport report, string reportPath, IReporterOutput output, SecretRedactor redactor)
    {
        var t = report.Totals;
        var head = $"{t.Results} results, {t.Keys} keys, {t.UnmappedTests} unmapped tests";
        if (report.Errors.Count > 0 && report.Totals.Sent == 0 && report.Requests.Count == 0)
            output.Info($"{head}; nothing was sent to {report.TargetName} because of the errors below.");
        else if (report.Target == Targets.None && report.Errors.Count == 0)
            output.Info($"{head}; target=none, nothing sent (dry-run plan: {report.PlanPath}).");
        else if (report.DryRun && report.Errors.Count == 0)
            output.Info($"{head}; dryRun=true, {report.TargetName} payloads written to {report.PlanPath}, nothing sent.");
        else if (ExecutionName(report.Execution) is { } execution)
            output.Info($"{head} → {report.TargetName} {(report.Execution!.Reused ? "reported into" : "created")} {execution}: {t.Sent} sent{Pending(t)}, {t.Refused} refused, {t.NotSent} not sent.");
        else
            output.Info($"{head} → {report.TargetName}: {t.Sent} sent{Pending(t)}, {t.Refused} refused, {t.NotSent} not sent.");

        foreach (var w in report.Warnings) output.Warning(redactor.Redact(w));
        foreach (var k in report.Keys.Where(k => k.State == KeyStates.Refused).Take(MaxListed))
            output.Error($"{k.Key} refused by {report.TargetName}: {redactor.Redact(string.Join(" ", k.Messages))}");
        foreach (var e in report.Errors) output.Error(redactor.Redact(e));
        if (report.Unmapped.Count > 0)
        {
            var listed = string.Join(", ", report.Unmapped.Take(MaxListed).Select(u => $"{u.Test} ({u.Reason})"));
            output.Info($"unmapped tests: {listed}{(report.Unmapped.Count > MaxListed ? $", and {report.Unmapped.Count - MaxListed} more" : "")}.");
        }
        // Whenever errors kept results back (also target=none because the target was misspelt), the
        // journal has them all: say how to send them. A clean target=none run had nothing to send.
        if (report.PublishFailed && report.JournalPath is not null && (report.Target != Targets.None || report.Errors.Count > 0))
            output.Info($"nothing is lost: every result is in {report.JournalPath}; send what was not sent{(t.EvidencePending > 0 ? " (and the pending evidence)" : "")} with `tmsbridge publish \"{report.JournalPath}\"`.");
        if (reportPath.Length > 0) output.Info($"report: {reportPath}");
    }

    /// <summary>", 2 sent without all their evidence (evidencePending)" when some are: never counted as sent.</summary>
    private static string Pending(ReportTotals t) =>
        t.EvidencePending == 0 ? "" : $", {t.EvidencePending} sent without all their evidence yet (evidencePending)";

    /// <summary>"KEY URL", "KEY" or "URL", whichever parts the execution has (null: neither).</summary>
    private static string? ExecutionName(ExecutionReference? execution)
    {
        if (execution is null) return null;
        var parts = new[] { execution.Key, execution.Url }.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return parts.Count == 0 ? null : string.Join(" ", parts);
    }
}
