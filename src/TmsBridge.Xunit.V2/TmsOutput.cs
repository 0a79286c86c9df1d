using TmsBridge.Runtime;
using Xunit.Abstractions;

namespace TmsBridge;

/// <summary>
/// Connects TmsBridge.Tms to an xUnit v2 test. xUnit v2 offers no way to find the running test from
/// library code, so a test using Tms hands its output helper once:
/// <code>public LoginTests(ITestOutputHelper output) => TmsOutput.Use(output);</code>
/// Records then go to that test's output, which the TmsBridge logger reads back.
/// </summary>
public static class TmsOutput
{
    /// <summary>Sends this test's TmsBridge.Tms records to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public static void Use(ITestOutputHelper output) =>
        XunitV2TestChannel.Output.Value = output ?? throw new ArgumentNullException(nameof(output));
}
