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

    /// <summary>
    /// The CI run a run belongs to, as the default executionGroup: every job, shard and machine of one
    /// pipeline run shares it, and no other run has it. GitHub Actions GITHUB_RUN_ID (not the attempt:
    /// a re-run of failed jobs reports into the run's execution, updating what it re-ran), Azure
    /// Pipelines BUILD_BUILDID, GitLab CI_PIPELINE_ID (instance-wide, unlike CI_PIPELINE_IID), Jenkins
    /// BUILD_TAG (jenkins-job-number). Null outside these CIs.
    /// </summary>
    /// <returns>The id, prefixed by its CI, and the variable it came from (for messages).</returns>
    public static (string Id, string From)? GroupOf(Func<string, string?> env)
    {
        string? V(string name) => env(name) is { Length: > 0 } v ? v.Trim() : null;
        if (V("GITHUB_RUN_ID") is { } gh) return ("gh-" + gh, "GITHUB_RUN_ID");
        if (V("BUILD_BUILDID") is { } ado && V("TF_BUILD") is not null) return ("ado-" + ado, "BUILD_BUILDID");
        if (V("CI_PIPELINE_ID") is { } gl && V("GITLAB_CI") is not null) return ("gl-" + gl, "CI_PIPELINE_ID");
        if (V("BUILD_TAG") is { } jenkins && V("JENKINS_URL") is not null) return (jenkins, "BUILD_TAG");
        return null;
    }
}
