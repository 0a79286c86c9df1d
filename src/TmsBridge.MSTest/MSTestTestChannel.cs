using System.ComponentModel;

namespace TmsBridge.Runtime;

/// <summary>
/// TmsBridge.Tms on MSTest: MSTest has no ambient test context, but its adapter captures Console output per
/// test (also for parallel tests and across await), and both runners receive it as the result's standard
/// output; so records are written to Console. Outside a test they land in the run's general output, where
/// no front-end reads them as records. Created by name by TmsBridge.Runtime.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MSTestTestChannel : ITmsTestChannel
{
    // Only a positive answer is kept: in a project mixing frameworks, another framework's tests may call
    // Tms before MSTest's assembly is loaded (found by the mixed-project rows of FrameworkVersionMatrixTests).
    private static volatile bool _mstestLoaded;

    /// <inheritdoc />
    public bool TryWriteLine(string line)
    {
        // Asked last (see TmsRuntime): only when MSTest itself runs in this process.
        if (!MSTestLoaded()) return false;
        Console.Out.WriteLine(line);
        return true;
    }

    private static bool MSTestLoaded() => _mstestLoaded || (_mstestLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a =>
        a.GetName().Name is "MSTest.TestFramework" or "Microsoft.VisualStudio.TestPlatform.TestFramework"));

    /// <inheritdoc />
    public string Unavailable => "MSTest is not running in this process.";
}
