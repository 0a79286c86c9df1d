using System.Runtime.CompilerServices;
using System.Threading;

[assembly: InternalsVisibleTo("TmsBridge.Core.Tests")]

namespace TmsBridge.Runtime;

/// <summary>
/// Delivery of runtime records: one marker line per record in the current test's own output, through the
/// first framework channel that has a current test. The TmsBridge front-ends (VSTest logger, MTP extension)
/// read these lines back and drop them from the output they keep.
/// </summary>
internal static class TmsRuntime
{
    /// <summary>
    /// The per-run nonce, set by the TmsBridge front-end before tests start (the VSTest logger in Initialize:
    /// the testhost inherits it; the MTP extension in its own process). Only lines carrying it count, so a test
    /// that prints text it received cannot forge a step, key or attachment by accident. Keep in step with
    /// TmsBridge.Model.RuntimeMarkers in Core.
    /// </summary>
    public const string NonceVariable = "TMSBRIDGE_RUNTIME_NONCE";
    public const string Prefix = "##tmsbridge[runtime:";

    /// <summary>Channels by type name, in the order they are asked. MSTest last: its channel (Console, captured
    /// per test by the adapter) cannot tell whether a test is running, the others can.</summary>
    private static readonly string[] KnownChannels =
    [
        "TmsBridge.Runtime.NUnitTestChannel, TmsBridge.NUnit",
        "TmsBridge.Runtime.XunitTestChannel, TmsBridge.Xunit",
        "TmsBridge.Runtime.XunitV2TestChannel, TmsBridge.Xunit.V2",
        "TmsBridge.Runtime.MSTestTestChannel, TmsBridge.MSTest",
    ];

    private static ITmsTestChannel[]? _channels;
    private static int _warned;

    /// <summary>Replaces discovery (unit tests of the context).</summary>
    internal static ITmsTestChannel[]? ChannelsOverride { get; set; }

    internal static ITmsTestChannel[] Channels => ChannelsOverride ?? (_channels ??= Discover());

    /// <summary>Current step of the calling test: an immutable chain, so parallel branches of one test
    /// (Task.WhenAll) each see their own parent and never overwrite each other's.</summary>
    internal static readonly AsyncLocal<StepFrame?> CurrentStep = new AsyncLocal<StepFrame?>();

    public static void Emit(string kind, RuntimeJson body)
    {
        var nonce = Environment.GetEnvironmentVariable(NonceVariable);
        if (string.IsNullOrEmpty(nonce))
        {
            SayOnce($"no TmsBridge reporter is active in this run ({NonceVariable} is not set): steps still run, nothing is recorded.");
            return;
        }
        var line = Prefix + nonce + "]" + kind + body;
        var channels = Channels;
        foreach (var channel in channels)
        {
            try
            {
                if (channel.TryWriteLine(line)) return;
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or ObjectDisposedException)
            {
                // A framework context that is being torn down: treat it as "no test here", never fail the test.
            }
        }
        SayOnce(channels.Length == 0
            ? "no TmsBridge attribute package (TmsBridge.NUnit, .Xunit, .Xunit.V2, .MSTest) is loaded: nothing is recorded."
            : "called outside a running test: " + string.Join(" ", channels.Select(c => c.Unavailable)) + " Nothing is recorded.");
    }

    private static void SayOnce(string why)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            try { Console.Error.WriteLine("TmsBridge.Tms: " + why + " (said once)"); }
            catch (IOException) { }
        }
    }

    private static ITmsTestChannel[] Discover()
    {
        var found = new List<ITmsTestChannel>();
        foreach (var name in KnownChannels)
        {
            try
            {
                var type = Type.GetType(name, throwOnError: false);
                if (type is not null && Activator.CreateInstance(type) is ITmsTestChannel channel) found.Add(channel);
            }
            catch (Exception e) when (e is FileLoadException or BadImageFormatException or TypeLoadException or MissingMethodException or System.Reflection.TargetInvocationException)
            {
                // That framework's package (or the framework itself) is not usable in this process: skip it.
            }
        }
        return found.ToArray();
    }
}

internal sealed class StepFrame
{
    public StepFrame(string id, StepFrame? parent) { Id = id; Parent = parent; }
    public string Id { get; }
    public StepFrame? Parent { get; }
}
