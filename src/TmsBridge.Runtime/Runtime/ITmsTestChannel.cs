using System.ComponentModel;

namespace TmsBridge.Runtime;

/// <summary>
/// How runtime records reach the current test's output, for one test framework. Each TmsBridge attribute
/// package provides one (public only so the runtime assembly can create it by name; not meant for tests).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITmsTestChannel
{
    /// <summary>
    /// Writes <paramref name="line"/> as one line of the current test's own output, or returns false
    /// (writing nothing) when this framework is running no test on the calling context.
    /// </summary>
    bool TryWriteLine(string line);

    /// <summary>Why <see cref="TryWriteLine"/> said false: shown once.</summary>
    string Unavailable { get; }
}
