using TmsBridge.Backends.Aio;
using TmsBridge.Backends.QMetry;
using TmsBridge.Backends.QTest;
using TmsBridge.Backends.Rtm;
using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Keys;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>The registration list is the one source of target names, key rules, backends and TMS options.</summary>
public sealed class TargetDescriptorTests
{
    private static TmsOptions Resolve(params (string Key, string Value)[] pairs) =>
        ConfigurationResolver.Resolve([ConfigurationLayer.FromParameters("--logger parameters", pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)))]);

    [Fact]
    public void Known_names_key_rules_and_backends_come_from_the_descriptors()
    {
        Assert.Equal(["xray", "xray-cloud", "aio", "aio-cloud", "qmetry", "qmetry-cloud", "qtest", "rtm", "rtm-cloud", "none"], Targets.Known);
        Assert.Equal(Targets.All.Count, Targets.All.Select(t => t.Name).Distinct().Count());
        Assert.Equal(["xray", "xray-cloud", "aio", "aio-cloud", "qmetry", "qmetry-cloud", "qtest", "rtm", "rtm-cloud"], Targets.Implemented.Select(t => t.Name));
        foreach (var t in Targets.All)
        {
            Assert.Equal(t.KeyRule, Targets.KeyRuleFor(t.Name));
            var backend = BackendRegistry.Create(t.Name);
            Assert.Equal(t.IsImplemented, backend is not null);
            if (backend is null) continue;
            Assert.Equal(t.DisplayName, backend.DisplayName);
            Assert.Same(t.DefaultStatuses, backend.DefaultStatuses);
            Assert.Equal(t.DefaultRateLimit?.ToString(), backend.DefaultRateLimit?.ToString());
        }
        Assert.Equal(KeyRule.QTestId, Targets.KeyRuleFor("qtest"));
        Assert.All(Targets.All, t => Assert.True(t.IsImplemented, t.Name));
        Assert.Null(BackendRegistry.Create("testrail"));
    }

    [Fact]
    public void The_catalogue_is_the_shared_options_plus_each_tms_own_and_the_target_help_lists_every_target()
    {
        Assert.Equal(OptionCatalog.Shared.Count + 23, OptionCatalog.All.Count);
        Assert.Equal(["xray", "xray-cloud"], Targets.OwnersOf(XrayTargets.StepResults));
        Assert.Contains(AioTargets.CycleMode, OptionCatalog.All);
        Assert.Same(XrayTargets.ClientId, OptionCatalog.ClientId);
        Assert.Equal(["aio", "aio-cloud"], Targets.OwnersOf(OptionCatalog.CycleMode));
        Assert.Equal(["xray-cloud", "qmetry-cloud", "rtm-cloud"], Targets.OwnersOf(OptionCatalog.Region));
        Assert.Empty(Targets.OwnersOf(OptionCatalog.TestPlan));
        foreach (var t in Targets.Known) Assert.Contains(t, OptionCatalog.Target.Description);
    }

    [Fact]
    public void QTest_is_one_descriptor_whose_own_options_land_in_QTestOptions()
    {
        var qtest = Targets.Find("qtest")!;
        Assert.Same(QTestTargets.Manager, qtest);
        Assert.Equal("qTest Manager", qtest.DisplayName);
        Assert.Equal("PASS", qtest.DefaultStatuses[Model.TestOutcome.Passed]);
        Assert.Null(qtest.DefaultRateLimit);
        Assert.Equal(["qtest"], Targets.OwnersOf(QTestTargets.TestCycleParent));
        Assert.Equal(["qtest"], Targets.OwnersOf(QTestTargets.AdoptManualCases));

        var o = Resolve(("target", "qtest"), ("testCycleParent", "RL-3"), ("adoptManualCases", "yes"));
        Assert.Empty(o.Problems);
        Assert.Equal("RL-3", o.For<QTestOptions>().TestCycleParent);
        Assert.True(o.For<QTestOptions>().AdoptManualCases);
        Assert.Equal("RL-3", o.ToPublicDictionary()["testCycleParent"]);

        var bad = Resolve(("target", "qtest"), ("adoptManualCases", "maybe"));
        Assert.Contains(bad.Problems, p => p.Message.Contains("adoptManualCases", StringComparison.Ordinal) && p.Message.Contains("true or false", StringComparison.Ordinal));
    }

    [Fact]
    public void QMetry_and_RTM_options_land_in_their_own_typed_options_and_their_secrets_are_redacted()
    {
        Assert.Equal(["qmetry", "qmetry-cloud"], Targets.OwnersOf(QMetryTargets.AutomationHierarchy));
        Assert.Equal(["rtm", "rtm-cloud"], Targets.OwnersOf(RtmTargets.Parallelism));
        Assert.Equal("QMetry Cloud", Targets.Find("qmetry-cloud")!.DisplayName);
        Assert.Equal("Pass", Targets.Find("rtm")!.DefaultStatuses[Model.TestOutcome.Passed]);

        var q = ConfigurationResolver.Resolve([
            ConfigurationLayer.FromEnvironment(new Dictionary<string, string> { ["TMS_API_KEY"] = "qm-secret-1", ["TMS_QMETRY_OPEN_API_KEY"] = "qm-secret-2" }),
            ConfigurationLayer.FromParameters("--logger parameters", [new("target", "qmetry-cloud"), new("automationHierarchy", "2"), new("keyPlacement", "attribute")])]);
        Assert.Empty(q.Problems);
        Assert.Equal("qm-secret-1", q.For<QMetryOptions>().ApiKey);
        Assert.Equal("2", q.For<QMetryOptions>().AutomationHierarchy);
        Assert.Equal(["qm-secret-1", "qm-secret-2"], q.SecretValues());
        Assert.DoesNotContain("qm-secret", string.Join("|", q.ToPublicDictionary().Values), StringComparison.Ordinal);
        Assert.Equal("attribute", q.ToPublicDictionary()["keyPlacement"]);

        var r = Resolve(("target", "rtm-cloud"), ("parallelism", "8"), ("rtmApiVersion", "V1"), ("rtmMode", "import"));
        Assert.Empty(r.Problems);
        Assert.Equal(8, r.For<RtmOptions>().Parallelism);
        Assert.Equal("v1", r.For<RtmOptions>().RtmApiVersion);
        Assert.Equal(RtmOptions.Import, RtmOptions.Mode(r));
        Assert.Equal("8", r.ToPublicDictionary()["parallelism"]);
        Assert.False(Resolve(("target", "xray")).ToPublicDictionary().ContainsKey("parallelism"));

        var bad = Resolve(("target", "rtm"), ("parallelism", "40"), ("rtmApiVersion", "v3"));
        Assert.Contains("option 'parallelism' from --logger parameters has the value '40'; expected a whole number from 1 to 16.", bad.Problems.Select(p => p.Message));
        Assert.Contains("option 'rtmApiVersion' from --logger parameters has the value 'v3'; expected v1 or v2.", bad.Problems.Select(p => p.Message));
    }

    [Fact]
    public void A_tms_option_is_parsed_by_its_owner_into_its_typed_options()
    {
        var o = Resolve(("target", "aio-cloud"), ("cycleMode", "create-if-absent"), ("cycleFolder", "/Nightly/Linux/"), ("tasks", "DEMO-1; DEMO-2"), ("checkStatuses", "no"));
        Assert.Empty(o.Problems);
        var aio = o.For<AioOptions>();
        Assert.Equal("createIfAbsent", aio.CycleMode);
        Assert.Equal("Nightly/Linux", aio.CycleFolder);
        Assert.Equal(["DEMO-1", "DEMO-2"], aio.Tasks);
        Assert.False(aio.CheckStatuses);
        Assert.True(aio.AddCaseToCycle);
        Assert.Equal("createIfAbsent", o.CycleMode);

        var bad = Resolve(("target", "xray-cloud"), ("region", "mars"));
        Assert.Contains("option 'region' from --logger parameters has the value 'mars'; expected us, eu or au.", bad.Problems.Select(p => p.Message));
    }

    [Fact]
    public void A_tms_option_given_for_another_target_is_a_warning_naming_the_targets_it_belongs_to()
    {
        var o = Resolve(("target", "xray"), ("cycleMode", "reuse"), ("region", "eu"), ("testPlan", "DEMO-5"));
        Assert.False(o.HasErrors);
        var warnings = o.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(p => p.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("option 'cycleMode' from --logger parameters belongs to aio, aio-cloud; target is xray, which ignores it.", warnings);
        Assert.Contains("option 'region' from --logger parameters belongs to xray-cloud, qmetry-cloud, rtm-cloud; target is xray, which ignores it.", warnings);

        // With no target nothing is published, so nothing is misplaced; defaults never warn.
        Assert.Empty(Resolve(("cycleMode", "reuse")).Problems);
        Assert.Empty(Resolve(("target", "xray")).Problems);
        // A CI environment exporting every TMS's credentials is normal, not misplaced.
        var env = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(new Dictionary<string, string> { ["TMS_TARGET"] = "aio", ["TMS_CLIENT_ID"] = "id" })]);
        Assert.Empty(env.Problems);
    }

    [Fact]
    public void Unknown_options_still_get_did_you_mean_including_tms_options()
    {
        var o = Resolve(("target", "aio"), ("cycleMod", "new"));
        Assert.Contains("unknown option 'cycleMod' in --logger parameters; did you mean 'cycleMode'?", o.Problems.Select(p => p.Message));
    }

    [Fact]
    public void The_public_dictionary_shows_each_tms_option_as_before_and_never_a_secret()
    {
        var o = new TmsOptions { Target = "xray-cloud", ClientId = "id", ClientSecret = "s3cret", Region = "eu", Tasks = ["DEMO-1", "DEMO-2"], CycleFolder = "Nightly" };
        var d = o.ToPublicDictionary();
        Assert.Equal("id", d["clientId"]);
        Assert.Equal("eu", d["region"]);
        Assert.False(d.ContainsKey("clientSecret"));
        Assert.False(d.ContainsKey("executionFields"));
        Assert.Equal("new", d["cycleMode"]);
        Assert.Equal("Nightly", d["cycleFolder"]);
        Assert.Equal("DEMO-1;DEMO-2", d["tasks"]);
        Assert.Equal("false", d["createNewRun"]);
        Assert.Equal("true", d["addCaseToCycle"]);
        Assert.Equal("true", d["checkStatuses"]);
        Assert.DoesNotContain("s3cret", string.Join(" ", d.Values));
        Assert.Contains("s3cret", o.SecretValues());
    }
}
