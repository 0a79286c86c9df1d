using Microsoft.Testing.Platform.CommandLine;
using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Extensions.CommandLine;
using TmsBridge.Configuration;
using TmsBridge.Publishing;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// <c>--tms-target</c>, <c>--tms-base-url</c>, <c>--tms-project</c>... one option per non-secret
/// option of <see cref="OptionCatalog"/> (generated from it, so new options appear by themselves),
/// shown in <c>--help</c> and validated with the resolver's own rules before the run starts.
/// Secrets have no command-line option: they come only from the environment.
/// </summary>
internal sealed class TmsCommandLineOptions : ICommandLineOptionsProvider
{
    public string Uid => TmsMtpReporter.ExtensionUid + ".CommandLine";
    public string Version => TmsMtpReporter.ExtensionVersion;
    public string DisplayName => "TmsBridge";
    public string Description => $"Publishes test results to a test-management system ({string.Join(", ", Targets.Products)}).";
    public Task<bool> IsEnabledAsync() => Task.FromResult(true);

    public IReadOnlyCollection<CommandLineOption> GetCommandLineOptions() =>
        MtpConfigurationLayers.CommandLineOptions
            .Select(o => new CommandLineOption(MtpConfigurationLayers.CommandLineName(o), HelpText(o), ArgumentArity.ExactlyOne, isHidden: false))
            .ToList();

    private static string HelpText(OptionDefinition o) =>
        o.Description + Owners(o) + (o.DefaultValue is null ? "" : $" Default: {o.DefaultValue}.") + $" Also {o.EnvironmentVariable}, tmsbridge.json or testconfig.json \"{MtpConfigurationLayers.TestConfigSection}\": {{ \"{o.Name}\": ... }}.";

    /// <summary>" Targets: aio, aio-cloud." for a TMS's own option, from the descriptors.</summary>
    private static string Owners(OptionDefinition o)
    {
        var owners = Targets.OwnersOf(o);
        return owners.Count == 0 ? "" : $" Targets: {string.Join(", ", owners)}.";
    }

    public Task<ValidationResult> ValidateOptionArgumentsAsync(CommandLineOption commandOption, string[] arguments)
    {
        var option = MtpConfigurationLayers.FindByCommandLineName(commandOption.Name);
        if (option is null || arguments.Length == 0) return ValidationResult.ValidTask;
        var problems = MtpConfigurationLayers.Validate(option, arguments[0]);
        return problems.Count == 0 ? ValidationResult.ValidTask : ValidationResult.InvalidTask("TmsBridge: " + string.Join(" ", problems));
    }

    public Task<ValidationResult> ValidateCommandLineOptionsAsync(ICommandLineOptions commandLineOptions) => ValidationResult.ValidTask;

    /// <summary>The values given on the command line, as option name → value.</summary>
    public static List<KeyValuePair<string, string>> Read(ICommandLineOptions commandLine)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var option in MtpConfigurationLayers.CommandLineOptions)
        {
            if (commandLine.TryGetOptionArgumentList(MtpConfigurationLayers.CommandLineName(option), out var values) && values is { Length: > 0 })
                result.Add(new(option.Name, values[values.Length - 1]));
        }
        return result;
    }
}
