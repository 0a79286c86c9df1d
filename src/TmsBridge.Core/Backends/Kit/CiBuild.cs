namespace TmsBridge.Backends.Kit;

/// <summary>
/// The CI build a run belongs to, from the common CI variables: Jenkins (BUILD_NUMBER, BUILD_URL),
/// GitHub Actions (GITHUB_RUN_NUMBER, GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID),
/// Azure Pipelines (BUILD_BUILDNUMBER) and GitLab (CI_PIPELINE_IID, CI_PIPELINE_URL). A TMS that
/// records a build with a result (qTest's build_number/build_url) takes it from here.
/// </summary>
internal sealed class CiBuild(string? number, string? url)
{
    public string? Number { get; } = number;
    public string? Url { get; } = url;

    /// <param name="env">Reads an environment variable (null or empty: unset).</param>
    public static CiBuild From(Func<string, string?> env)
    {
        string? V(string name) => env(name) is { Length: > 0 } v ? v : null;
        var number = V("BUILD_NUMBER") ?? V("GITHUB_RUN_NUMBER") ?? V("BUILD_BUILDNUMBER") ?? V("CI_PIPELINE_IID");
        var url = V("BUILD_URL") ?? V("CI_PIPELINE_URL")
                  ?? (V("GITHUB_SERVER_URL") is { } gh && V("GITHUB_REPOSITORY") is { } repo && V("GITHUB_RUN_ID") is { } id ? $"{gh}/{repo}/actions/runs/{id}" : null);
        return new CiBuild(number, url);
    }
}
