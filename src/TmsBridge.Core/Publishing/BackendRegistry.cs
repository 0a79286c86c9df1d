namespace TmsBridge.Publishing;

/// <summary>Target name → backend, from <see cref="Targets.All"/>. Reserved names give null.</summary>
internal static class BackendRegistry
{
    public static ITmsBackend? Create(string target) => Targets.Find(target)?.Create();
}
