using TmsBridge.Publishing;

namespace TmsBridge.Cli;

/// <summary>
/// `tmsbridge statuses [--option value]...`: the status names the target accepts, for statusMap: the
/// project's where the API lists them (read-only), else the built-in defaults, saying which.
/// Exit 0 listed, 1 the project's statuses could not be read or an option is bad, 2 usage (no target).
/// </summary>
public static class StatusesCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args);
        if (a.Positional.Count > 0) throw new UsageException($"statuses takes options only (--target ... ), not '{a.Positional[0]}'.");
        var options = CliOptions.Resolve(null, a);
        if (options.Target == Targets.None)
            throw new UsageException(options.RejectedTarget is { } rejected
                ? $"target '{rejected}' is not a target TmsBridge knows ({string.Join(", ", Targets.Known)})."
                : $"statuses needs a target: --target {string.Join("|", Targets.All.Select(t => t.Name))} (or {Configuration.OptionCatalog.Target.EnvironmentVariable}).");

        TargetCheckReport report;
        if (TargetChecker.ListsStatuses(options.Target))
        {
            report = await TargetChecker.ReadStatusesAsync(options);
            var failures = report.Checks.Where(c => c.State == TargetCheck.Failed).ToList();
            if (failures.Count > 0 || !report.StatusesFromProject)
            {
                foreach (var c in failures) stderr.WriteLine("tmsbridge: " + c);
                if (failures.Count == 0) foreach (var c in report.Checks.Where(c => c.Check == "statuses")) stderr.WriteLine("tmsbridge: " + c);
                stderr.WriteLine($"tmsbridge: the project's statuses could not be read; the built-in defaults are {string.Join(", ", report.Statuses)}.");
                return 1;
            }
            stdout.WriteLine($"{report.TargetName}: {report.StatusesSource} (read from the project):");
        }
        else
        {
            // Nothing to read: no connection options are needed to see the defaults. A bad option is still
            // named (a misspelt or unreadable statusMap would otherwise leave the defaults shown as "in force").
            var errors = options.Problems.Where(p => p.Severity == Configuration.ProblemSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                var redactor = CliOptions.EnvironmentRedactor();
                foreach (var e in errors) stderr.WriteLine("tmsbridge: " + new TargetCheck { Check = "configuration", State = TargetCheck.Failed, Message = redactor.Redact(e.Message) });
                return 1;
            }
            report = await TargetChecker.ReadStatusesAsync(new Configuration.TmsOptions { Target = options.Target, StatusOverrides = options.StatusOverrides });
            stdout.WriteLine($"{report.TargetName}: the API TmsBridge uses does not list statuses; these are the built-in defaults (the TMS may have others: see its settings):");
        }
        foreach (var s in report.Statuses) stdout.WriteLine("  " + s);
        stdout.WriteLine("statusMap in force: " + string.Join(";", report.StatusMap.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
        return 0;
    }
}
