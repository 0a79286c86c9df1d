using System.Globalization;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Configuration;

/// <summary>
/// Merges the configuration layers (defaults &lt; tmsbridge.json &lt; TMS_* environment &lt;
/// .runsettings &lt; logger parameters) into one <see cref="TmsOptions"/>, and reports every
/// unknown name, misplaced secret and bad value with the source that carried it.
/// </summary>
public static class ConfigurationResolver
{
    public const string ConfigFileName = "tmsbridge.json";
    /// <summary>Names an explicit json file instead of searching for tmsbridge.json.</summary>
    public const string ConfigFileVariable = "TMS_CONFIG";

    /// <summary>The standard VSTest layering. <paramref name="searchFrom"/> are folders (usually the test assemblies' folders) searched upwards for tmsbridge.json.</summary>
    public static TmsOptions ResolveForVsTest(
        IReadOnlyDictionary<string, string> environment,
        IEnumerable<string> searchFrom,
        string? runSettingsXml,
        IEnumerable<KeyValuePair<string, string?>> loggerParameters,
        string loggerFriendlyName = "tms")
    {
        var layers = new List<ConfigurationLayer>();
        layers.AddRange(JsonLayers(environment, searchFrom));
        layers.Add(ConfigurationLayer.FromEnvironment(environment));
        var runSettings = ConfigurationLayer.FromRunSettings(runSettingsXml, loggerFriendlyName);
        var parameters = ConfigurationLayer.FromParameters("--logger parameters", loggerParameters);
        layers.Add(runSettings[0]);
        // vstest copies the --logger parameters into the runsettings logger Configuration; reading
        // both would report every problem twice. Keep that layer only when it says something else.
        if (!SameValues(runSettings[1], parameters)) layers.Add(runSettings[1]);
        layers.Add(parameters);
        return Resolve(layers);
    }

    private static bool SameValues(ConfigurationLayer a, ConfigurationLayer b) =>
        a.Values.Count == b.Values.Count &&
        a.Values.All(p => b.Values.Any(q => string.Equals(p.Key, q.Key, StringComparison.OrdinalIgnoreCase) && p.Value == q.Value));

    /// <summary>The tmsbridge.json layer: TMS_CONFIG if set, else the nearest tmsbridge.json above one of the folders.</summary>
    public static IEnumerable<ConfigurationLayer> JsonLayers(IReadOnlyDictionary<string, string> environment, IEnumerable<string> searchFrom)
    {
        var explicitPath = environment.FirstOrDefault(p => string.Equals(p.Key, ConfigFileVariable, StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            if (!File.Exists(explicitPath))
            {
                var missing = new ConfigurationLayer($"{ConfigFileVariable} ({explicitPath})");
                missing.Problems.Add(new(ProblemSeverity.Error, $"{ConfigFileVariable} names '{explicitPath}', which does not exist."));
                yield return missing;
                yield break;
            }
            yield return ConfigurationLayer.FromJsonFile(Path.GetFullPath(explicitPath));
            yield break;
        }
        var found = FindConfigFile(searchFrom);
        if (found is not null) yield return ConfigurationLayer.FromJsonFile(found);
    }

    public static string? FindConfigFile(IEnumerable<string> searchFrom)
    {
        foreach (var start in searchFrom.Where(s => !string.IsNullOrWhiteSpace(s)))
        {
            DirectoryInfo? dir;
            try { dir = new DirectoryInfo(Path.GetFullPath(start)); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { continue; }
            for (; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ConfigFileName);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    public static TmsOptions Resolve(IEnumerable<ConfigurationLayer> layers)
    {
        var options = new TmsOptions();
        var raw = new Dictionary<string, (string Value, string Source)>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in OptionCatalog.All)
        {
            if (o.DefaultValue is not null) raw[o.Name] = (o.DefaultValue, "default");
        }

        foreach (var layer in layers)
        {
            options.Problems.AddRange(layer.Problems);
            foreach (var pair in layer.Values)
            {
                // An empty value means "not set" (CI templates often export empty variables);
                // it neither overrides a lower layer nor counts as a bad value.
                if (string.IsNullOrWhiteSpace(pair.Value) && OptionCatalog.Find(pair.Key) is not null) continue;
                var option = OptionCatalog.Find(pair.Key);
                if (option is null)
                {
                    var hint = OptionCatalog.Suggest(pair.Key);
                    options.Problems.Add(new(ProblemSeverity.Error, $"unknown option '{pair.Key}' in {layer.Source}" + (hint is null ? "." : $"; did you mean '{hint}'?")));
                    continue;
                }
                if (option.IsSecret && !layer.AllowsSecrets)
                {
                    // The value is dropped, never echoed: it may already be in a shell history or a committed file.
                    options.Problems.Add(new(ProblemSeverity.Error, $"option '{option.Name}' is a secret and is not read from {layer.Source}; set the environment variable {option.EnvironmentVariable} or {option.SecretFileVariable} (a file holding it) instead."));
                    continue;
                }
                raw[option.Name] = (pair.Value, layer.Source);
            }
        }

        foreach (var pair in raw)
        {
            var option = OptionCatalog.Find(pair.Key)!;
            options.Sources[option.Name] = pair.Value.Source;
            Apply(options, option, pair.Value.Value.Trim(), pair.Value.Source);
        }
        WarnMisplaced(options, raw);
        return options;
    }

    /// <summary>
    /// A TMS's own option set for another target is ignored by it: said once, naming the targets it
    /// belongs to (a warning, not an error: one tmsbridge.json often serves several targets). Environment
    /// variables are left out: a CI environment commonly exports every TMS's credentials for every job.
    /// </summary>
    private static void WarnMisplaced(TmsOptions options, Dictionary<string, (string Value, string Source)> raw)
    {
        if (options.Target == Targets.None) return;
        foreach (var pair in raw)
        {
            if (pair.Value.Source is "default" or "environment") continue;
            var owners = Targets.OwnersOf(OptionCatalog.Find(pair.Key)!);
            if (owners.Count == 0 || owners.Contains(options.Target)) continue;
            options.Problems.Add(new(ProblemSeverity.Warning, $"option '{OptionCatalog.Find(pair.Key)!.Name}' from {pair.Value.Source} belongs to {string.Join(", ", owners)}; target is {options.Target}, which ignores it."));
        }
    }

    private static void Apply(TmsOptions o, OptionDefinition option, string value, string source)
    {
        void Bad(string expected) => o.Problems.Add(new(ProblemSeverity.Error, $"option '{option.Name}' from {source} has the value '{(option.IsSecret || value.Contains('@') ? "***" : value)}'; expected {expected}."));
        string? Text() => value.Length == 0 ? null : value;

        if (option.Reader is not null)
        {
            // A TMS-owned option: its owner parses it into its typed options.
            option.Reader(o, value, Bad);
            return;
        }
        switch (option.Name)
        {
            case "target":
                var t = value.ToLowerInvariant();
                if (!Targets.Known.Contains(t))
                {
                    // Kept so the summary names the target the user asked for, not the "none" it fell back to.
                    o.RejectedTarget = value;
                    var near = OptionCatalog.Suggest(t, Targets.Known);
                    Bad("one of " + string.Join(", ", Targets.Known) + (near is null ? "" : $"; did you mean '{near}'?"));
                }
                else o.Target = t;
                break;
            case "baseUrl":
                if (value.Length == 0) break;
                if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    if (uri.UserInfo.Length > 0)
                    {
                        // Credentials in a URL would end up in logs and reports: refused, and never echoed.
                        o.Problems.Add(new(ProblemSeverity.Error, $"option 'baseUrl' from {source} contains credentials (user:password@); remove them and set {OptionCatalog.User.EnvironmentVariable} with {OptionCatalog.Password.EnvironmentVariable}, or {OptionCatalog.Token.EnvironmentVariable}."));
                        break;
                    }
                    o.BaseUrl = new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
                }
                else Bad("an absolute http:// or https:// URL");
                break;
            case "project": o.Project = Text(); break;
            case "testExecution": o.TestExecution = Text(); break;
            case "executionGroup": o.ExecutionGroup = Text(); break;
            case "testPlan": o.TestPlan = Text(); break;
            case "environments": o.Environments = SplitList(value); break;
            case "version": o.Version = Text(); break;
            case "revision": o.Revision = Text(); break;
            case "summary": o.Summary = Text(); break;
            case "description": o.Description = Text(); break;
            case "user": o.User = Text(); break;
            case "password": o.Password = Text(); break;
            case "token": o.Token = Text(); break;
            case "statusMap":
                o.StatusOverrides.Clear();
                foreach (var entry in SplitStatusMap(value))
                {
                    // Outcome:STATUS is the form a --logger parameter can carry (vstest refuses a
                    // logger whose parameter value holds '='); Outcome=STATUS stays valid everywhere else.
                    // Outcome names hold neither ':' nor '=', so the first of them ends the outcome.
                    var sep = entry.IndexOfAny(StatusMapSeparators);
                    if (sep <= 0 || sep == entry.Length - 1 || !TestOutcomes.TryParse(entry.Substring(0, sep).Trim(), out var outcome))
                    {
                        Bad("entries like Skipped:ABORTED,Failed:FAIL (or Skipped=ABORTED;Failed=FAIL outside --logger) with outcomes " + string.Join(", ", Enum.GetNames(typeof(TestOutcome))) + $" (bad entry '{entry}')");
                        continue;
                    }
                    o.StatusOverrides[outcome] = entry.Substring(sep + 1).Trim();
                }
                break;
            case "failOnPublishError": if (TryBool(value, out var b1)) o.FailOnPublishError = b1; else Bad("true or false"); break;
            case "provisionUnmapped": if (TryBool(value, out var b2)) o.ProvisionUnmapped = b2; else Bad("true or false"); break;
            case "linkRequirements": if (TryBool(value, out var b3)) o.LinkRequirements = b3; else Bad("true or false"); break;
            case "dryRun": if (TryBool(value, out var b4)) o.DryRun = b4; else Bad("true or false"); break;
            case "timeout":
                if (TryDuration(value, out var ts) && ts > TimeSpan.Zero) o.Timeout = ts;
                else Bad("a positive number of seconds up to one day, or a duration such as 90s, 2m or 00:01:30");
                break;
            case "publishTimeout":
                if (TryDuration(value, out var pt) && pt > TimeSpan.Zero) o.PublishTimeout = pt;
                else Bad("a positive number of seconds up to one day, or a duration such as 300s or 10m");
                break;
            case "maxRequestBytes": if (TryBytes(value, out var mr) && mr >= 1024) o.MaxRequestBytes = mr; else Bad("a size of at least 1KB, e.g. 20MB, 512KB or 1048576"); break;
            case "maxEvidenceFileBytes": if (TryBytes(value, out var mf) && mf > 0) o.MaxEvidenceFileBytes = mf; else Bad("a positive size, e.g. 10MB"); break;
            case "maxEvidenceRunBytes": if (TryBytes(value, out var mrun) && mrun >= 0) o.MaxEvidenceRunBytes = mrun; else Bad("a size, e.g. 1GB"); break;
            case "maxRetries":
                if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var retries) && retries is >= 0 and <= 20) o.MaxRetries = retries;
                else Bad("a whole number from 0 to 20");
                break;
            case "rateLimit":
                if (RequestRate.TryParse(value, out var rate)) o.RateLimit = rate;
                else Bad("a budget like 300/5m, 60/1m or 10/s, or 'none'");
                break;
            case "publishMode":
                if (PublishModes.TryParse(value, out var mode)) o.PublishMode = mode;
                else Bad("atEnd (publish at the end of the test run) or deferred (journal only; publish later with `tmsbridge publish`)");
                break;
            case "attempts":
                if (Mapping.AttemptPolicies.TryParse(value, out var attempts)) o.Attempts = attempts;
                else Bad("last (the latest attempt of a retried test counts) or worst (its worst attempt counts)");
                break;
            case "maxOutputChars":
                // Characters, not bytes, but the same suffixes read naturally: 64K, 1M.
                if (TryBytes(value, out var mo) && (mo == 0 || mo is >= 1024 and <= int.MaxValue / 4)) o.MaxOutputChars = (int)mo;
                else Bad("0 (no cap) or a number of characters from 1024, e.g. 65536, 64K or 1M");
                break;
            default:
                throw new InvalidOperationException($"option '{option.Name}' has no reader"); // a catalog entry without a case is a programming error
        }
    }

    /// <summary>Sizes: a number of bytes, or with KB/MB/GB (binary multiples, as file sizes are usually meant).</summary>
    public static bool TryBytes(string value, out long bytes)
    {
        var v = value.Trim().ToUpperInvariant().Replace(" ", "");
        long factor = 1;
        foreach (var (suffix, f) in new[] { ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30), ("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30), ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1L) })
        {
            if (v.EndsWith(suffix, StringComparison.Ordinal)) { v = v.Substring(0, v.Length - suffix.Length); factor = f; break; }
        }
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n * factor < long.MaxValue / 2)
        {
            bytes = (long)(n * factor);
            return true;
        }
        bytes = 0;
        return false;
    }

    private static readonly char[] StatusMapSeparators = [':', '='];

    /// <summary>statusMap entries are separated by ';' or ',' (',' because ';' separates --logger parameters).</summary>
    public static List<string> SplitStatusMap(string value) =>
        value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

    public static List<string> SplitList(string value) =>
        value.Split([';'], StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

    internal static bool TryBool(string value, out bool result)
    {
        switch (value.ToLowerInvariant())
        {
            case "true" or "yes" or "1" or "on": result = true; return true;
            case "false" or "no" or "0" or "off": result = false; return true;
            default: result = false; return false;
        }
    }

    /// <summary>Longest duration accepted: a day. Longer values are almost certainly typos and would overflow timers.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public static bool TryDuration(string value, out TimeSpan result)
    {
        var v = value.Trim().ToLowerInvariant();
        double seconds;
        if (v.EndsWith("ms", StringComparison.Ordinal) && TryNumber(v.Substring(0, v.Length - 2), out var n)) seconds = n / 1000;
        else if (v.EndsWith("s", StringComparison.Ordinal) && TryNumber(v.Substring(0, v.Length - 1), out n)) seconds = n;
        else if (v.EndsWith("m", StringComparison.Ordinal) && TryNumber(v.Substring(0, v.Length - 1), out n)) seconds = n * 60;
        else if (TryNumber(v, out n)) seconds = n;
        else if (TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out result)) return result <= MaxDuration;
        else { result = default; return false; }
        // NaN, infinities and huge numbers would make TimeSpan throw: they are bad values, not crashes.
        if (double.IsNaN(seconds) || seconds > MaxDuration.TotalSeconds || seconds < -MaxDuration.TotalSeconds) { result = default; return false; }
        result = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value) && !double.IsInfinity(value);
}
