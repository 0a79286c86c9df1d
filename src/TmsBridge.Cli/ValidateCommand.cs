using TmsBridge.Journal;
using TmsBridge.Publishing;

namespace TmsBridge.Cli;

/// <summary>
/// `tmsbridge validate [journals | folders | test assemblies] [--option value]...`: the configuration,
/// then reachability, credentials, project, the keys the inputs carry and the mapped statuses, through
/// the target's read-only probe. One line per check; exit 0 all passed, 1 a check failed, 2 usage.
/// Nothing is written to the TMS.
/// </summary>
public static class ValidateCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse(args);
        var redactor = CliOptions.EnvironmentRedactor();

        // Keys to look up, each with the first test that carries it (named in a failure).
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        JournalContent? first = null;
        foreach (var input in a.Positional)
        {
            if (KeySources.IsAssembly(input) && File.Exists(input))
            {
                foreach (var (key, test) in KeySources.AssemblyKeys(input)) keys.TryAdd(Keys.KeyRule.Normalize(key), $"test {test} in {input}");
                continue;
            }
            foreach (var journal in JournalInputs.Paths([input], p => $"'{p}' does not exist (give run journals, folders holding them, or built test assemblies)."))
            {
                var content = JournalInputs.Read(journal, stderr, redactor);
                first ??= content;
                foreach (var r in content.Results)
                    foreach (var k in r.TestCaseKeys)
                        keys.TryAdd(Keys.KeyRule.Normalize(k), $"test {r.TestName} in {journal}");
            }
        }

        var options = CliOptions.Resolve(first, a);
        var report = await TargetChecker.ValidateAsync(options, keys);
        foreach (var check in report.Checks) stdout.WriteLine(redactor.Redact(check.ToString()));
        var failed = report.Checks.Count(c => c.State == TargetCheck.Failed);
        var writes = report.Requests.Where(r => r.Method is not ("GET" or "HEAD")).Select(r => r.Method + " " + new Uri(r.Url).AbsolutePath).Distinct().ToList();
        stdout.WriteLine(failed == 0
            ? $"tmsbridge validate: every check passed ({report.Requests.Count} read-only request{(report.Requests.Count == 1 ? "" : "s")}; nothing was written to {report.TargetName})."
            : $"tmsbridge validate: {failed} check{(failed == 1 ? "" : "s")} failed; nothing was written to {report.TargetName}.");
        if (writes.Count > 0) stdout.WriteLine($"tmsbridge validate: reads sent as POST (sign-in, search): {string.Join(", ", writes)}.");
        return failed == 0 ? 0 : 1;
    }
}
