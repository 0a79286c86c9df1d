using System.Text.Json;
using System.Xml.Linq;

namespace TmsBridge.Configuration;

/// <summary>
/// One source of option values (a json file, the environment, a runsettings section, logger
/// parameters, MTP command-line options...). Layers are applied in order; later ones win.
/// </summary>
public sealed class ConfigurationLayer(string source, bool allowsSecrets = false)
{
    /// <summary>Human-readable origin used in messages, e.g. "tmsbridge.json (/repo/tmsbridge.json)".</summary>
    public string Source { get; } = source;
    /// <summary>Only the environment layer may carry secrets.</summary>
    public bool AllowsSecrets { get; } = allowsSecrets;
    /// <summary>Raw values by the name used in that source (checked against the catalog when resolved).</summary>
    public List<KeyValuePair<string, string>> Values { get; } = [];
    /// <summary>Problems found while reading the source itself (bad JSON, unreadable file...).</summary>
    public List<ConfigurationProblem> Problems { get; } = [];

    public ConfigurationLayer Add(string name, string value) { Values.Add(new(name, value)); return this; }

    /// <summary>Names vstest injects into every logger's parameters; they are not TmsBridge options.</summary>
    private static readonly HashSet<string> RunnerInjectedNames = new(StringComparer.OrdinalIgnoreCase) { "TestRunDirectory", "TargetFramework" };

    public static ConfigurationLayer FromParameters(string source, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        var layer = new ConfigurationLayer(source);
        foreach (var p in parameters)
        {
            if (RunnerInjectedNames.Contains(p.Key)) continue;
            layer.Add(p.Key, p.Value ?? "");
        }
        return layer;
    }

    /// <summary>
    /// TMS_* variables. Secrets may also come from a file named by TMS_NAME_FILE (as Docker and
    /// Kubernetes secrets are mounted). Unknown TMS_* variables are warnings, not errors:
    /// other tools may use the same prefix.
    /// </summary>
    public static ConfigurationLayer FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var layer = new ConfigurationLayer("environment", allowsSecrets: true);
        foreach (var pair in environment.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var name = pair.Key;
            if (!name.StartsWith("TMS_", StringComparison.OrdinalIgnoreCase)) continue;
            if (string.Equals(name, ConfigurationResolver.ConfigFileVariable, StringComparison.OrdinalIgnoreCase)) continue;
            var option = OptionCatalog.FindByEnvironmentVariable(name);
            if (option is not null)
            {
                layer.Add(option.Name, pair.Value);
                continue;
            }
            if (name.EndsWith("_FILE", StringComparison.OrdinalIgnoreCase))
            {
                var fileOption = OptionCatalog.FindByEnvironmentVariable(name.Substring(0, name.Length - "_FILE".Length));
                if (fileOption is not null)
                {
                    if (environment.Any(p => string.Equals(p.Key, fileOption.EnvironmentVariable, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(p.Value)))
                        continue; // a non-empty plain variable wins; an empty one (CI templates) does not hide the file
                    try
                    {
                        // Secret files usually end with a newline; it is never part of the secret.
                        layer.Add(fileOption.Name, File.ReadAllText(pair.Value).TrimEnd('\r', '\n'));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                    {
                        layer.Problems.Add(new(ProblemSeverity.Error, $"{name} names the file '{pair.Value}', which cannot be read ({e.GetType().Name}); option '{fileOption.Name}' is not set."));
                    }
                    continue;
                }
            }
            var hint = OptionCatalog.Suggest(name.Substring(4).Replace("_", ""));
            layer.Problems.Add(new(ProblemSeverity.Warning, $"environment variable {name} is not a TmsBridge option and is ignored" + (hint is null ? "." : $"; did you mean {OptionCatalog.Find(hint)!.EnvironmentVariable}?")));
        }
        return layer;
    }

    public static ConfigurationLayer FromJsonFile(string path)
    {
        var layer = new ConfigurationLayer($"tmsbridge.json ({path})");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                layer.Problems.Add(new(ProblemSeverity.Error, $"{path}: the file must contain a JSON object of option names to values."));
                return layer;
            }
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "$schema") continue;
                var value = property.Value;
                switch (value.ValueKind)
                {
                    case JsonValueKind.String: layer.Add(property.Name, value.GetString()!); break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False: layer.Add(property.Name, value.GetRawText()); break;
                    case JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                        layer.Add(property.Name, string.Join(";", value.EnumerateArray().Select(e => e.GetString())));
                        break;
                    case JsonValueKind.Object when string.Equals(property.Name, OptionCatalog.StatusMap.Name, StringComparison.OrdinalIgnoreCase):
                        layer.Add(property.Name, string.Join(";", value.EnumerateObject().Select(e => e.Name + "=" + e.Value.ToString())));
                        break;
                    case JsonValueKind.Null: break;
                    default:
                        layer.Problems.Add(new(ProblemSeverity.Error, $"{path}: option '{property.Name}' has a value of type {value.ValueKind}; expected a string, number, boolean or list of strings."));
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            layer.Problems.Add(new(ProblemSeverity.Error, $"{path} is not valid JSON: {e.Message}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            layer.Problems.Add(new(ProblemSeverity.Error, $"{path} cannot be read: {e.Message}"));
        }
        return layer;
    }

    /// <summary>
    /// The two runsettings layers: the &lt;TmsBridge&gt; section, then the tms logger's
    /// &lt;Configuration&gt;. Note that when `--logger "tms;..."` is given, vstest rewrites the
    /// runsettings it hands over so that the logger's Configuration holds exactly the CLI
    /// parameters: the file's own Configuration entries are lost (verified; docs/configuration.md).
    /// The &lt;TmsBridge&gt; section always survives, which is why it is the recommended place.
    /// </summary>
    public static IReadOnlyList<ConfigurationLayer> FromRunSettings(string? runSettingsXml, string loggerFriendlyName)
    {
        var section = new ConfigurationLayer(".runsettings <TmsBridge> section");
        var logger = new ConfigurationLayer($".runsettings logger '{loggerFriendlyName}' <Configuration>");
        if (string.IsNullOrWhiteSpace(runSettingsXml)) return [section, logger];
        XDocument doc;
        try { doc = XDocument.Parse(runSettingsXml); }
        catch (System.Xml.XmlException e)
        {
            section.Problems.Add(new(ProblemSeverity.Warning, $".runsettings could not be read as XML ({e.Message}); its TmsBridge settings are ignored."));
            return [section, logger];
        }
        var root = doc.Root;
        if (root is null) return [section, logger];
        foreach (var tms in root.Elements().Where(e => string.Equals(e.Name.LocalName, "TmsBridge", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var e in tms.Elements()) section.Add(e.Name.LocalName, e.Value.Trim());
        }
        var loggers = root.Elements().Where(e => e.Name.LocalName == "LoggerRunSettings").Elements().Where(e => e.Name.LocalName == "Loggers").Elements();
        foreach (var l in loggers)
        {
            var friendly = (string?)l.Attribute("friendlyName");
            if (!string.Equals(friendly, loggerFriendlyName, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var configuration in l.Elements().Where(e => e.Name.LocalName == "Configuration"))
            {
                foreach (var e in configuration.Elements()) logger.Add(e.Name.LocalName, e.Value.Trim());
            }
        }
        return [section, logger];
    }
}
