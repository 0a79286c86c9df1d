using TmsBridge.Configuration;

namespace TmsBridge.Backends.Rtm;

/// <summary>RTM's own option read from the raw target values (<see cref="TmsOptions.TargetValues"/>): rtmMode.</summary>
public static class RtmOptions
{
    public const string PerTce = "tce";
    public const string Import = "import";

    /// <summary>"tce" (the default) or "import"; null when the value is neither.</summary>
    public static string? Mode(TmsOptions options)
    {
        if (!options.TargetValues.TryGetValue(OptionCatalog.RtmMode.Name, out var raw) || raw.Trim().Length == 0) return PerTce;
        var mode = raw.Trim().ToLowerInvariant();
        return mode is PerTce or Import ? mode : null;
    }

    /// <summary>What is wrong with rtmMode for the target, as messages naming the option.</summary>
    public static IEnumerable<string> Validate(TmsOptions options, string target, bool cloud)
    {
        var mode = Mode(options);
        if (mode is null)
            yield return $"target '{target}': rtmMode is '{options.TargetValues[OptionCatalog.RtmMode.Name]}'; expected tce or import ({OptionCatalog.RtmMode.EnvironmentVariable}).";
        else if (mode == Import && !cloud)
            yield return $"target '{target}': rtmMode=import is RTM Cloud's automation import; RTM Server/DC has no import endpoint. Use rtmMode=tce (the default) or target rtm-cloud.";
    }
}
