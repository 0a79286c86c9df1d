using System.Runtime.CompilerServices;

namespace TmsBridge;

/// <summary>
/// Marks the code that runs once per result: the front-ends' conversion and the journal's line, which run
/// beside the tests, and the run end's loops over every result (aggregation, plan, report, coverage), which
/// run on the test run's critical path (issue 16). Left to tiered compilation such code runs unoptimised
/// (tier 0) for a long time: the runtime starts counting calls only after 100 ms without new compilation,
/// which a test run or a run end that is still loading code keeps postponing, and a loop over 5,000 results
/// is recompiled mid-loop (on-stack replacement) by the very thread the run waits for. Marked, a method is
/// compiled optimised at its first call: for the run end, in the rehearsal while tests still run.
/// </summary>
internal static class HotPath
{
    /// <summary>
    /// MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name (the value is the same on every
    /// runtime; .NET Core 3.0 and later honour it, a runtime that does not know the bit ignores it).
    /// </summary>
    public const MethodImplOptions Optimized = (MethodImplOptions)512;
}
