using TmsBridge.Publishing;

namespace TmsBridge.AcceptanceTests;

/// <summary>The demo and its help text follow the registration list: a new target cannot be left out silently.</summary>
public sealed class DemoTargetsTests
{
    [Fact]
    public void The_demo_covers_every_implemented_target_and_its_help_lists_them()
    {
        Assert.Equal(Targets.Implemented.Select(t => t.Name).OrderBy(n => n), DemoCommand.Targets.Select(t => t.Name).OrderBy(n => n));
        Assert.Equal("AIO Tests Server/DC", DemoCommand.Targets.Single(t => t.Name == "aio").DisplayName);
        Assert.Contains("--targets " + string.Join(",", DemoCommand.Targets.Select(t => t.Name)), DemoApp.Usage);
    }
}
