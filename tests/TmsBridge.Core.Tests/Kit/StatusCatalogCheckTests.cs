using TmsBridge.Backends.Kit;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Core.Tests.Kit;

public sealed class StatusCatalogCheckTests
{
    // Inconclusive and NotRun share "Failed" and "passed" so that three names are in play.
    private static readonly StatusMap Map = new(new Dictionary<TestOutcome, string>
    {
        [TestOutcome.Passed] = "passed",
        [TestOutcome.Failed] = "Failed",
        [TestOutcome.Skipped] = "Skipped",
        [TestOutcome.Inconclusive] = "Failed",
        [TestOutcome.NotRun] = "passed",
    });

    [Fact]
    public void Matching_ignores_case_and_gives_the_projects_own_spelling()
    {
        var check = StatusCatalogCheck.Run(["Passed", "Failed", "Skipped"], Map, _ => true, "project DEMO", "run status", "AIO Tests Cloud");
        Assert.Null(check.Error);
        Assert.Empty(check.Warnings);
        Assert.Equal("Passed", check.Spelling["passed"]);
        Assert.Equal("Failed", check.Spelling["Failed"]);
    }

    [Fact]
    public void A_used_status_the_project_lacks_stops_the_run_naming_the_valid_ones()
    {
        var check = StatusCatalogCheck.Run(["Passed", "Failed", "Blocked"], Map, status => status == "Skipped", "project DEMO", "run status", "AIO Tests Cloud");
        Assert.Equal("the run status 'Skipped' (for Skipped) is not among project DEMO's run statuses: 'Passed', 'Failed', 'Blocked'. " +
                     "Map outcomes to those names with statusMap (e.g. TMS_STATUS_MAP=\"Skipped=Passed\"), or set checkStatuses=false.", check.Error);
        Assert.Empty(check.Warnings);
    }

    [Fact]
    public void An_unused_status_the_project_lacks_is_only_a_warning()
    {
        var check = StatusCatalogCheck.Run(["Passed", "Failed"], Map, status => status != "Skipped", "project DEMO", "run status", "AIO Tests Cloud");
        Assert.Null(check.Error);
        var warning = Assert.Single(check.Warnings);
        Assert.Equal("AIO Tests Cloud: statusMap maps Skipped to 'Skipped', which is not a run status of project DEMO (no result of this run needed it).", warning);
    }

    [Fact]
    public void Several_missing_statuses_are_named_together()
    {
        var check = StatusCatalogCheck.Run(["Passed"], Map, _ => true, "project DEMO", "run status", "AIO Tests Cloud");
        Assert.StartsWith("the run statuses 'Failed' (for Failed), 'Skipped' (for Skipped), 'Failed' (for Inconclusive) are not among", check.Error);
    }
}
