using TmsBridge.TestLogger.Mtp;

namespace TmsBridge.TestLogger.Tests;

/// <summary>The MTP help is derived from the target descriptors: a TMS's own option names its targets.</summary>
public sealed class MtpTargetHelpTests
{
    [Fact]
    public void A_tms_option_names_its_targets_and_the_extension_names_every_tms()
    {
        var provider = new TmsCommandLineOptions();
        var options = provider.GetCommandLineOptions();
        Assert.Contains("Targets: aio, aio-cloud.", options.Single(o => o.Name == "tms-cycle-mode").Description);
        Assert.Contains("Targets: xray-cloud, qmetry-cloud, rtm-cloud.", options.Single(o => o.Name == "tms-region").Description);
        Assert.DoesNotContain("Targets:", options.Single(o => o.Name == "tms-project").Description);
        Assert.Equal("Publishes test results to a test-management system (Xray, AIO Tests, QMetry, qTest, RTM).", provider.Description);
    }
}
