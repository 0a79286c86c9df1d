using TmsBridge.Configuration;
using TmsBridge.Journal;

namespace TmsBridge.Cli;

/// <summary>
/// Options for `publish`, `validate` and `statuses`, layered alike: the first journal's
/// header (what the run used) &lt; tmsbridge.json &lt; TMS_* environment &lt; --kebab-case options.
/// Secrets only from the environment (the resolver refuses them elsewhere).
/// </summary>
internal static class CliOptions
{
    public static TmsOptions Resolve(JournalContent? firstJournal, Arguments a)
    {
        var environment = ReadEnvironment();
        var layers = new List<ConfigurationLayer>();
        if (firstJournal?.Header is { } header)
        {
            var layer = new ConfigurationLayer($"journal {firstJournal.Path}");
            foreach (var (k, v) in header.Options) layer.Add(k, v);
            layers.Add(layer);
        }
        layers.AddRange(ConfigurationResolver.JsonLayers(environment, [Directory.GetCurrentDirectory()]));
        layers.Add(ConfigurationLayer.FromEnvironment(environment));
        var cli = new ConfigurationLayer("command line");
        foreach (var (k, v) in a.Named) cli.Add(PublishCommand.KebabToCamel(k), v);
        layers.Add(cli);
        return ConfigurationResolver.Resolve(layers);
    }

    /// <summary>
    /// Redacts the secrets of the environment (the only place they may come from): known before any
    /// journal is read, so that a problem naming a test or a path is printed redacted too.
    /// </summary>
    public static Http.SecretRedactor EnvironmentRedactor()
    {
        var environmentOptions = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(ReadEnvironment())]);
        return new Http.SecretRedactor(environmentOptions.SecretValues(), environmentOptions.User);
    }

    public static Dictionary<string, string> ReadEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.OrdinalIgnoreCase);
}
