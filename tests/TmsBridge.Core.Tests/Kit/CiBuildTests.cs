using TmsBridge.Backends.Kit;

namespace TmsBridge.Core.Tests.Kit;

public sealed class CiBuildTests
{
    [Fact]
    public void Jenkins_GitHub_Azure_and_GitLab_variables_give_the_build_number_and_url()
    {
        var jenkins = CiBuild.From(n => n switch { "BUILD_NUMBER" => "42", "BUILD_URL" => "https://ci/job/42/", _ => null });
        Assert.Equal(("42", "https://ci/job/42/"), (jenkins.Number, jenkins.Url));
        var gh = CiBuild.From(n => n switch { "GITHUB_RUN_NUMBER" => "7", "GITHUB_SERVER_URL" => "https://github.com", "GITHUB_REPOSITORY" => "acme/app", "GITHUB_RUN_ID" => "99", _ => null });
        Assert.Equal(("7", "https://github.com/acme/app/actions/runs/99"), (gh.Number, gh.Url));
        var azure = CiBuild.From(n => n == "BUILD_BUILDNUMBER" ? "20260506.1" : null);
        Assert.Equal(("20260506.1", null), (azure.Number, azure.Url));
        var gitlab = CiBuild.From(n => n switch { "CI_PIPELINE_IID" => "311", "CI_PIPELINE_URL" => "https://gitlab/p/-/pipelines/9", _ => null });
        Assert.Equal(("311", "https://gitlab/p/-/pipelines/9"), (gitlab.Number, gitlab.Url));
    }

    [Fact]
    public void No_CI_or_empty_variables_give_nothing()
    {
        var none = CiBuild.From(n => n == "BUILD_NUMBER" ? "" : null);
        Assert.Null(none.Number);
        Assert.Null(none.Url);
    }
}
