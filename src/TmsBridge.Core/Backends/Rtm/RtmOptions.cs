using TmsBridge.Configuration;

namespace TmsBridge.Backends.Rtm;

/// <summary>The options only RTM reads, typed; <c>options.For&lt;RtmOptions&gt;()</c>.</summary>
public sealed class RtmOptions
{
    public const string PerTce = "tce";
    public const string Import = "import";

    /// <summary>Test case executions updated at once.</summary>
    public int Parallelism { get; set; } = 4;
    /// <summary>"v2" or "v1" for the per-TCE result and defect calls.</summary>
    public string RtmApiVersion { get; set; } = "v2";
    /// <summary>
    /// Where one TCE step is written, relative to the API root; "/status" and "/comment" are appended.
    /// Placeholders {tce}, {index} (1-based position), {index0} (0-based), {stepId} (the execution step's id).
    /// The default is RTM's documented V1 path; no V2 step status endpoint is documented.
    /// </summary>
    public string RtmStepPath { get; set; } = DefaultStepPath;
    public const string DefaultStepPath = "test-case-execution/{tce}/step/{index}";

    /// <summary>rtmMode as given (checked by <see cref="Validate"/>, which knows the flavour).</summary>
    public string? RtmMode { get; set; }

    /// <summary>"tce" (the default) or "import"; null when the value is neither.</summary>
    public static string? Mode(TmsOptions options)
    {
        if (options.For<RtmOptions>().RtmMode is not { } raw || raw.Trim().Length == 0) return PerTce;
        var mode = raw.Trim().ToLowerInvariant();
        return mode is PerTce or Import ? mode : null;
    }

    /// <summary>What is wrong with rtmMode for the target, as messages naming the option.</summary>
    public static IEnumerable<string> Validate(TmsOptions options, string target, bool cloud)
    {
        var mode = Mode(options);
        if (mode is null)
            yield return $"target '{target}': rtmMode is '{options.For<RtmOptions>().RtmMode}'; expected tce or import ({RtmTargets.RtmMode.EnvironmentVariable}).";
        else if (mode == Import && !cloud)
            yield return $"target '{target}': rtmMode=import is RTM Cloud's automation import; RTM Server/DC has no import endpoint. Use rtmMode=tce (the default) or target rtm-cloud.";
    }
}
