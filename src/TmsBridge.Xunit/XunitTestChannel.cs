using System.ComponentModel;
using Xunit;

namespace TmsBridge.Runtime;

/// <summary>
/// TmsBridge.Tms on xUnit v3: records go to the current test's output helper (TestContext.Current, which
/// flows with the execution context). xUnit does not capture Console, so the helper is the channel; both
/// runners receive its text as the result's standard output. Created by name by TmsBridge.Runtime.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class XunitTestChannel : ITmsTestChannel
{
    /// <inheritdoc />
    public bool TryWriteLine(string line)
    {
        var context = TestContext.Current;
        if (context?.Test is null || context.TestOutputHelper is not { } output) return false;
        output.WriteLine(line);
        return true;
    }

    /// <inheritdoc />
    public string Unavailable => "xUnit v3: TestContext.Current has no running test.";
}
