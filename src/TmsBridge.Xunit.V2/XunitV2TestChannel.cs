using System.ComponentModel;
using System.Threading;
using Xunit.Abstractions;

namespace TmsBridge.Runtime;

/// <summary>
/// TmsBridge.Tms on xUnit v2: xUnit v2 has no ambient test context and does not capture Console, and its
/// official extension points give no per-test hook without replacing the test framework. So the test hands
/// its ITestOutputHelper once with <see cref="TmsOutput.Use"/> (in the constructor or at the start of the
/// test), kept in an AsyncLocal: it flows to the test method, across await, Task.Run and started threads.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class XunitV2TestChannel : ITmsTestChannel
{
    internal static readonly AsyncLocal<ITestOutputHelper?> Output = new AsyncLocal<ITestOutputHelper?>();

    /// <inheritdoc />
    public bool TryWriteLine(string line)
    {
        if (Output.Value is not { } output) return false;
        output.WriteLine(line);
        return true;
    }

    /// <inheritdoc />
    public string Unavailable => "xUnit v2: the test did not call TmsOutput.Use(output) with its ITestOutputHelper.";
}
