using TmsBridge.Keys;

namespace TmsBridge.Backends.Kit;

/// <summary>The project a run goes to: the project option, else the project of the first key that names one.</summary>
internal static class RunProject
{
    public static string? Of(string? configured, IEnumerable<string> keys) =>
        configured ?? keys.Select(KeyRule.ProjectOf).FirstOrDefault(p => p is not null);
}
