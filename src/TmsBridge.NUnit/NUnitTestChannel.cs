using System.ComponentModel;
using NUnit.Framework.Internal;

namespace TmsBridge.Runtime;

/// <summary>
/// TmsBridge.Tms on NUnit: records go to the current test's own output (TestContext.Out), which NUnit keeps
/// per test, flows across await/Task.Run/threads with the execution context, and hands to both runners as
/// the result's standard output. Created by name by TmsBridge.Runtime; not for use in tests.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NUnitTestChannel : ITmsTestChannel
{
    /// <inheritdoc />
    public bool TryWriteLine(string line)
    {
        var context = TestExecutionContext.CurrentContext;
        // A fixture's one-time setup runs with the fixture (a suite) as current test: no test to own the record.
        if (context?.CurrentTest is not { IsSuite: false }) return false;
        var writer = context.OutWriter;
        if (writer is null) return false;
        writer.WriteLine(line);
        return true;
    }

    /// <inheritdoc />
    public string Unavailable => "NUnit: no test method is running on this context (a one-time setup, or a thread not started by the test).";
}
