using TmsBridge.Configuration;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// The Microsoft.Testing.Platform layering, the MTP counterpart of
/// <see cref="ConfigurationResolver.ResolveForVsTest"/>: defaults &lt; tmsbridge.json &lt; TMS_*
/// environment &lt; the <c>tmsBridge</c> section of testconfig.json (in place of runsettings) &lt;
/// <c>--tms-*</c> command-line options (in place of logger parameters). No MTP types here, so the
/// rules are testable without a test application.
/// </summary>
public static class MtpConfigurationLayers
{
    /// <summary>Name of TmsBridge's section in testconfig.json.</summary>
    public const string TestConfigSection = "tmsBridge";

    /// <summary>Prefix of the command-line options: <c>--tms-target</c>, <c>--tms-base-url</c>...</summary>
    public const string OptionPrefix = "tms-";

    /// <summary>The options offered on the MTP command line: every non-secret option of the catalog.</summary>
    public static IEnumerable<OptionDefinition> CommandLineOptions => OptionCatalog.All.Where(o => !o.IsSecret);

    /// <summary>baseUrl → tms-base-url (without the leading dashes, as MTP names options).</summary>
    public static string CommandLineName(OptionDefinition option) => OptionPrefix + ToKebab(option.Name);

    public static OptionDefinition? FindByCommandLineName(string name)
    {
        var n = name.TrimStart('-');
        return CommandLineOptions.FirstOrDefault(o => string.Equals(CommandLineName(o), n, StringComparison.OrdinalIgnoreCase));
    }

    public static TmsOptions Resolve(
        IReadOnlyDictionary<string, string> environment,
        IEnumerable<string> searchFrom,
        IEnumerable<KeyValuePair<string, string>> testConfigSection,
        IEnumerable<KeyValuePair<string, string>> commandLine)
    {
        var layers = new List<ConfigurationLayer>();
        layers.AddRange(ConfigurationResolver.JsonLayers(environment, searchFrom));
        layers.Add(ConfigurationLayer.FromEnvironment(environment));
        var section = new ConfigurationLayer($"testconfig.json \"{TestConfigSection}\" section");
        foreach (var pair in testConfigSection) section.Add(pair.Key, pair.Value);
        layers.Add(section);
        var cli = new ConfigurationLayer("--tms-* command-line options");
        foreach (var pair in commandLine) cli.Add(pair.Key, pair.Value);
        layers.Add(cli);
        return ConfigurationResolver.Resolve(layers);
    }

    /// <summary>
    /// The problems one command-line value would cause (unknown value, bad URL, bad number...),
    /// using exactly the resolver's rules, so MTP can refuse the command line before the run starts.
    /// </summary>
    public static IReadOnlyList<string> Validate(OptionDefinition option, string value)
    {
        var layer = new ConfigurationLayer($"--{CommandLineName(option)}");
        layer.Add(option.Name, value);
        return ConfigurationResolver.Resolve([layer]).Problems
            .Where(p => p.Severity == ProblemSeverity.Error)
            .Select(p => p.Message)
            .ToList();
    }

    /// <summary>
    /// Flattens testconfig.json's section as MTP's configuration exposes it ("tmsBridge:environments:0"...)
    /// into option name → text: arrays join with ';', the statusMap object becomes "Outcome=STATUS;...".
    /// Input keys are relative to the section ("project", "environments:0", "statusMap:Skipped").
    /// </summary>
    public static List<KeyValuePair<string, string>> FlattenSection(IEnumerable<KeyValuePair<string, string?>> relativeEntries)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var group in relativeEntries.Where(e => e.Value is not null).GroupBy(e => Head(e.Key), StringComparer.OrdinalIgnoreCase))
        {
            var entries = group.ToList();
            var plain = entries.FirstOrDefault(e => !e.Key.Contains(':'));
            if (plain.Key is not null && entries.Count == 1)
            {
                result.Add(new(group.Key, plain.Value!));
                continue;
            }
            var children = entries.Where(e => e.Key.Contains(':')).ToList();
            var isStatusMap = string.Equals(group.Key, OptionCatalog.StatusMap.Name, StringComparison.OrdinalIgnoreCase);
            var parts = children
                .OrderBy(e => int.TryParse(Tail(e.Key), out var i) ? i : int.MaxValue)
                .ThenBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => isStatusMap ? Tail(e.Key) + "=" + e.Value : e.Value!);
            result.Add(new(group.Key, string.Join(";", parts)));
        }
        return result;
    }

    private static string Head(string key) { var i = key.IndexOf(':'); return i < 0 ? key : key.Substring(0, i); }
    private static string Tail(string key) { var i = key.IndexOf(':'); return i < 0 ? "" : key.Substring(i + 1); }

    private static string ToKebab(string camel)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c)) { sb.Append('-'); sb.Append(char.ToLowerInvariant(c)); }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
