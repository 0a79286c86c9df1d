using System.Globalization;
using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Rtm;

/// <summary>RTM's targets and the options only RTM reads (parsed here into <see cref="RtmOptions"/>).</summary>
public static class RtmTargets
{
    public static readonly OptionDefinition Parallelism = new("parallelism", OptionKind.Count, "RTM: how many test case executions are updated at once (1 to 16), inside rateLimit and publishTimeout.", defaultValue: "4",
        reader: (o, v, bad) =>
        {
            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 16) o.For<RtmOptions>().Parallelism = n;
            else bad("a whole number from 1 to 16");
        },
        // RTM-only in the report: other targets' reports stay as they were.
        valueOf: o => o.Target is "rtm" or "rtm-cloud" ? o.For<RtmOptions>().Parallelism.ToString(CultureInfo.InvariantCulture) : null);
    public static readonly OptionDefinition RtmApiVersion = new("rtmApiVersion", OptionKind.Text, "RTM: v2 (default, RTM 6.0+) or v1 for the test case execution result and defect calls of older RTM Server releases.", defaultValue: "v2",
        reader: (o, v, bad) =>
        {
            var version = v.Trim().ToLowerInvariant();
            if (version is "v1" or "v2") o.For<RtmOptions>().RtmApiVersion = version; else bad("v1 or v2");
        },
        valueOf: o => o.Target is "rtm" or "rtm-cloud" ? o.For<RtmOptions>().RtmApiVersion : null);
    // Kept as given: whether import is allowed depends on the flavour, so RtmOptions.Validate checks it naming the target.
    public static readonly OptionDefinition RtmMode = new("rtmMode", OptionKind.Text, "RTM Cloud: tce (each test case execution written, with comments, defects and evidence) or import (one JUnit import for the whole run, no evidence).", defaultValue: "tce",
        reader: (o, v, _) => o.For<RtmOptions>().RtmMode = v.Length == 0 ? null : v, valueOf: o => o.For<RtmOptions>().RtmMode);

    // RTM documents the step status only as V1 "step/{stepIndex}" (index base not stated) and no V2 form: a
    // template lets a site whose RTM differs point it elsewhere without a release.
    public static readonly OptionDefinition RtmStepPath = new("rtmStepPath", OptionKind.Text, "RTM: the path of one test case execution step, relative to the API, for its status (+ /status) and comment (+ /comment); placeholders {tce}, {index} (1-based), {index0} (0-based), {stepId}.", defaultValue: RtmOptions.DefaultStepPath,
        reader: (o, v, bad) =>
        {
            var path = v.Trim().TrimStart('/');
            if (path.Contains("{tce}", StringComparison.Ordinal) && (path.Contains("{index}", StringComparison.Ordinal) || path.Contains("{index0}", StringComparison.Ordinal) || path.Contains("{stepId}", StringComparison.Ordinal)))
                o.For<RtmOptions>().RtmStepPath = path;
            else bad("a path with {tce} and one of {index}, {index0} or {stepId}, e.g. " + RtmOptions.DefaultStepPath);
        },
        valueOf: o => o.Target is "rtm" or "rtm-cloud" ? o.For<RtmOptions>().RtmStepPath : null);

    private static readonly OptionDefinition[] ServerOptions = [Parallelism, RtmApiVersion, RtmMode, RtmStepPath];
    /// <summary>RTM Cloud also reads region (us or eu), which Xray Cloud declares.</summary>
    private static readonly OptionDefinition[] CloudOptions = [.. ServerOptions, XrayTargets.Region];

    /// <summary>RTM documents no request budget; a 429's Retry-After pauses every worker.</summary>
    public static readonly TargetDescriptor Server = new("rtm", "RTM", "Server/DC", KeyRule.JiraIssueKey, StatusMap.RtmDefaults,
        options: ServerOptions, create: () => new RtmServerBackend());

    public static readonly TargetDescriptor Cloud = new("rtm-cloud", "RTM", "Cloud", KeyRule.JiraIssueKey, StatusMap.RtmDefaults,
        options: CloudOptions, create: () => new RtmCloudBackend());
}
