using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;

namespace TmsBridge.Core.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

    private static List<KeyValuePair<string, string?>> Params(params (string Key, string? Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)).ToList();

    private static string RunSettings(string tmsSection = "", string loggerConfig = "") => $"""
        <RunSettings>
          <TmsBridge>{tmsSection}</TmsBridge>
          <LoggerRunSettings><Loggers>
            <Logger friendlyName="tms"><Configuration>{loggerConfig}</Configuration></Logger>
            <Logger friendlyName="trx"><Configuration><summary>not ours</summary></Configuration></Logger>
          </Loggers></LoggerRunSettings>
        </RunSettings>
        """;

    private static string Errors(TmsOptions o) => string.Join("\n", o.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Message));
    private static string Warnings(TmsOptions o) => string.Join("\n", o.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(p => p.Message));

    [Fact]
    public void Defaults_apply_when_nothing_is_configured()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], null, []);
        Assert.Empty(o.Problems);
        Assert.Equal("none", o.Target);
        Assert.Equal(TimeSpan.FromSeconds(100), o.Timeout);
        Assert.True(o.LinkRequirements);
        Assert.False(o.FailOnPublishError);
        Assert.False(o.ProvisionUnmapped);
        Assert.False(o.DryRun);
        Assert.Equal("default", o.Sources["target"]);
    }

    [Fact]
    public void Each_layer_overrides_the_one_below_in_the_documented_order()
    {
        // summary is set in all five layers, project in the lower four, ... so each layer wins exactly one option.
        _dir.File("tmsbridge.json", """{ "summary": "json", "project": "JSON", "version": "json", "revision": "json", "description": "json" }""");
        var env = Env(("TMS_SUMMARY", "env"), ("TMS_PROJECT", "ENV"), ("TMS_VERSION", "env"), ("TMS_REVISION", "env"));
        var xml = RunSettings(
            tmsSection: "<summary>section</summary><project>SECTION</project><version>section</version>",
            loggerConfig: "<summary>logger-config</summary><project>LOGGERCONFIG</project>");
        var parameters = Params(("summary", "parameters"));

        var o = ConfigurationResolver.ResolveForVsTest(env, [_dir.Path], xml, parameters);

        Assert.Empty(o.Problems);
        Assert.Equal("parameters", o.Summary);
        Assert.Equal("LOGGERCONFIG", o.Project);
        Assert.Equal("section", o.Version);
        Assert.Equal("env", o.Revision);
        Assert.Equal("json", o.Description);
        Assert.Equal("--logger parameters", o.Sources["summary"]);
        Assert.Contains("Configuration", o.Sources["project"]);
        Assert.Contains("<TmsBridge> section", o.Sources["version"]);
        Assert.Equal("environment", o.Sources["revision"]);
        Assert.StartsWith("tmsbridge.json", o.Sources["description"]);
    }

    [Fact]
    public void Resolve_applies_explicit_layers_in_order()
    {
        var o = ConfigurationResolver.Resolve([
            new ConfigurationLayer("first").Add("project", "A").Add("testPlan", "A-1"),
            new ConfigurationLayer("second").Add("Project", "B"),
        ]);
        Assert.Equal("B", o.Project);
        Assert.Equal("A-1", o.TestPlan);
        Assert.Equal("second", o.Sources["project"]);
    }

    [Fact]
    public void Tmsbridge_json_is_found_upwards_from_the_search_folder()
    {
        _dir.File("tmsbridge.json", """{ "project": "UP", "environments": ["linux", "chrome"], "statusMap": { "Skipped": "ABORTED" } }""");
        var deep = Directory.CreateDirectory(_dir.Combine("a/b/c")).FullName;

        Assert.Equal(Path.Combine(_dir.Path, "tmsbridge.json"), ConfigurationResolver.FindConfigFile([deep]));
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [deep], null, []);

        Assert.Empty(o.Problems);
        Assert.Equal("UP", o.Project);
        Assert.Equal(["linux", "chrome"], o.Environments);
        Assert.Equal("ABORTED", o.StatusOverrides[TestOutcome.Skipped]);
    }

    [Fact]
    public void TMS_CONFIG_overrides_the_search()
    {
        _dir.File("tmsbridge.json", """{ "project": "FOUND" }""");
        var explicitFile = _dir.File("elsewhere/custom.json", """{ "project": "EXPLICIT" }""");
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_CONFIG", explicitFile)), [_dir.Path], null, []);
        Assert.Empty(o.Problems);
        Assert.Equal("EXPLICIT", o.Project);
    }

    [Fact]
    public void A_missing_TMS_CONFIG_file_is_an_error_naming_the_variable_and_the_path()
    {
        _dir.File("tmsbridge.json", """{ "project": "FOUND" }""");
        var missing = _dir.Combine("nope/tmsbridge.json");
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_CONFIG", missing)), [_dir.Path], null, []);
        Assert.True(o.HasErrors);
        Assert.Contains("TMS_CONFIG", Errors(o));
        Assert.Contains(missing, Errors(o));
        Assert.Null(o.Project); // the found file is not used as a silent fallback
    }

    [Fact]
    public void Invalid_json_file_is_an_error_naming_the_file()
    {
        var file = _dir.File("tmsbridge.json", """{ "project": """);
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], null, []);
        Assert.Contains(file, Errors(o));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("section")]
    [InlineData("loggerConfig")]
    [InlineData("parameters")]
    public void Unknown_option_names_are_errors_with_a_did_you_mean_hint(string where)
    {
        var (env, xml, parameters) = Place(where, "projct", "DEMO");
        var o = ConfigurationResolver.ResolveForVsTest(env, [_dir.Path], xml, parameters);
        var errors = Errors(o);
        Assert.Contains("unknown option 'projct'", errors);
        Assert.Contains("did you mean 'project'?", errors);
    }

    [Fact]
    public void Unknown_option_far_from_any_name_has_no_hint()
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("--logger parameters").Add("zzzzzzzzzzzz", "1")]);
        Assert.Contains("unknown option 'zzzzzzzzzzzz' in --logger parameters.", Errors(o));
        Assert.DoesNotContain("did you mean", Errors(o));
    }

    [Fact]
    public void Unknown_TMS_environment_variables_are_warnings_with_a_hint()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_PROJCT", "X"), ("TMS_SOMETHING_ELSE_ENTIRELY", "y"), ("PATH", "/bin")), [_dir.Path], null, []);
        Assert.False(o.HasErrors);
        var warnings = Warnings(o);
        Assert.Contains("TMS_PROJCT is not a TmsBridge option", warnings);
        Assert.Contains("did you mean TMS_PROJECT?", warnings);
        Assert.Contains("TMS_SOMETHING_ELSE_ENTIRELY", warnings);
        Assert.DoesNotContain("PATH", warnings);
    }

    [Theory]
    [InlineData("json", "password", "TMS_PASSWORD")]
    [InlineData("section", "password", "TMS_PASSWORD")]
    [InlineData("loggerConfig", "token", "TMS_TOKEN")]
    [InlineData("parameters", "token", "TMS_TOKEN")]
    [InlineData("parameters", "Password", "TMS_PASSWORD")]
    public void Secrets_are_refused_outside_the_environment_without_echoing_them(string where, string name, string variable)
    {
        const string secret = "s3cr3t-Value-42";
        var (env, xml, parameters) = Place(where, name, secret);
        var o = ConfigurationResolver.ResolveForVsTest(env, [_dir.Path], xml, parameters);

        var errors = Errors(o);
        Assert.Contains(variable, errors);
        Assert.Contains(variable + "_FILE", errors);
        Assert.DoesNotContain(secret, string.Join("\n", o.Problems.Select(p => p.ToString())));
        Assert.Null(o.Password);
        Assert.Null(o.Token);
    }

    [Fact]
    public void Secrets_come_from_the_environment()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_PASSWORD", "pw-from-env"), ("TMS_TOKEN", "tok-from-env"), ("TMS_USER", "bob")), [_dir.Path], null, []);
        Assert.Empty(o.Problems);
        Assert.Equal("pw-from-env", o.Password);
        Assert.Equal("tok-from-env", o.Token);
        Assert.Equal(["tok-from-env", "pw-from-env"], o.SecretValues().OrderByDescending(s => s));
    }

    [Fact]
    public void Secret_files_are_read_and_the_trailing_newline_is_trimmed()
    {
        var file = _dir.File("secrets/password", "pw-in-file\n");
        var tokenFile = _dir.File("secrets/token", "tok-in-file\r\n");
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_PASSWORD_FILE", file), ("TMS_TOKEN_FILE", tokenFile)), [_dir.Path], null, []);
        Assert.Empty(o.Problems);
        Assert.Equal("pw-in-file", o.Password);
        Assert.Equal("tok-in-file", o.Token);
    }

    [Fact]
    public void The_plain_variable_wins_over_the_secret_file()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_PASSWORD", "plain"), ("TMS_PASSWORD_FILE", _dir.Combine("does-not-exist"))), [_dir.Path], null, []);
        Assert.Empty(o.Problems);
        Assert.Equal("plain", o.Password);
    }

    [Fact]
    public void An_unreadable_secret_file_is_an_error_naming_the_variable()
    {
        var missing = _dir.Combine("secrets/missing");
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_PASSWORD_FILE", missing)), [_dir.Path], null, []);
        Assert.Contains("TMS_PASSWORD_FILE", Errors(o));
        Assert.Contains(missing, Errors(o));
        Assert.Null(o.Password);
    }

    [Theory]
    [InlineData("target", "jira", "one of xray")]
    [InlineData("baseUrl", "jira.example.com", "an absolute http:// or https:// URL")]
    [InlineData("baseUrl", "ftp://jira.example.com/", "an absolute http:// or https:// URL")]
    [InlineData("dryRun", "maybe", "true or false")]
    [InlineData("failOnPublishError", "2", "true or false")]
    [InlineData("timeout", "soon", "a positive number of seconds")]
    [InlineData("timeout", "0", "a positive number of seconds")]
    [InlineData("timeout", "-5", "a positive number of seconds")]
    [InlineData("statusMap", "Passed=PASS;Exploded=FAIL", "bad entry 'Exploded=FAIL'")]
    [InlineData("statusMap", "Failed=", "bad entry 'Failed='")]
    [InlineData("statusMap", "Skipped", "bad entry 'Skipped'")]
    public void Bad_values_are_errors_naming_option_value_and_source(string option, string value, string expected)
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], RunSettings(tmsSection: $"<{option}>{value}</{option}>"), []);
        var error = Assert.Single(o.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains($"option '{option}'", error.Message);
        Assert.Contains(".runsettings <TmsBridge> section", error.Message);
        Assert.Contains(value, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Bad_env_value_names_the_environment_as_source()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_TARGET", "jira")), [_dir.Path], null, []);
        Assert.Contains("option 'target' from environment has the value 'jira'", Errors(o));
        Assert.Equal("none", o.Target);
    }

    [Theory]
    [InlineData("https://jira.example.com", "https://jira.example.com/")]
    [InlineData("https://jira.example.com/jira/", "https://jira.example.com/jira/")]
    [InlineData("http://127.0.0.1:8080/ctx?x=1", "http://127.0.0.1:8080/ctx/")]
    public void BaseUrl_is_normalised_to_end_with_a_slash(string value, string expected)
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("baseUrl", value)]);
        Assert.Empty(o.Problems);
        Assert.Equal(expected, o.BaseUrl!.ToString());
    }

    [Theory]
    [InlineData("XRAY", "xray")]
    [InlineData(" none ", "none")]
    public void Target_is_case_insensitive(string value, string expected)
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", value)]);
        Assert.Empty(o.Problems);
        Assert.Equal(expected, o.Target);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("Yes", true)]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("FALSE", false)]
    [InlineData("no", false)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    public void Booleans_accept_the_usual_spellings(string value, bool expected)
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("provisionUnmapped", value).Add("linkRequirements", expected ? "false" : "true")]);
        Assert.Empty(o.Problems);
        Assert.Equal(expected, o.ProvisionUnmapped);
        Assert.Equal(!expected, o.LinkRequirements);
    }

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("90s", 90_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1500ms", 1_500)]
    [InlineData("00:01:30", 90_000)]
    [InlineData("2.5", 2_500)]
    public void Timeout_accepts_seconds_and_durations(string value, int expectedMs)
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("timeout", value)]);
        Assert.Empty(o.Problems);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), o.Timeout);
    }

    [Fact]
    public void An_absurd_timeout_is_a_bad_value_not_an_exception()
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("timeout", "1e12")]);
        Assert.Contains("option 'timeout' from test", Errors(o));
    }

    [Fact]
    public void StatusMap_entries_override_outcomes_case_insensitively()
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("statusMap", " skipped = ABORTED ; Inconclusive=EXECUTING;")]);
        Assert.Empty(o.Problems);
        Assert.Equal(2, o.StatusOverrides.Count);
        Assert.Equal("ABORTED", o.StatusOverrides[TestOutcome.Skipped]);
        Assert.Equal("EXECUTING", o.StatusOverrides[TestOutcome.Inconclusive]);
    }

    [Fact]
    public void Environments_are_split_on_semicolons_and_trimmed()
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("environments", " linux ; chrome;;  x64 ")]);
        Assert.Equal(["linux", "chrome", "x64"], o.Environments);
    }

    [Fact]
    public void Runner_injected_parameters_are_ignored()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], null,
            Params(("TestRunDirectory", "/tmp/results"), ("TargetFramework", ".NETCoreApp,Version=v10.0"), ("project", "DEMO")));
        Assert.Empty(o.Problems);
        Assert.Equal("DEMO", o.Project);
    }

    [Fact]
    public void Unreadable_runsettings_xml_is_a_warning_not_a_crash()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], "<RunSettings><TmsBridge>", Params(("project", "DEMO")));
        Assert.False(o.HasErrors);
        Assert.Contains(".runsettings could not be read as XML", Warnings(o));
        Assert.Equal("DEMO", o.Project);
    }

    [Fact]
    public void Other_loggers_configuration_is_not_read()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], RunSettings(), []);
        Assert.Empty(o.Problems);
        Assert.Null(o.Summary);
    }

    [Fact]
    public void Public_dictionary_never_contains_secrets()
    {
        var o = ConfigurationResolver.Resolve([
            new ConfigurationLayer("environment", allowsSecrets: true).Add("password", "pw-XYZ-123").Add("token", "tok-XYZ-456").Add("user", "bob"),
            new ConfigurationLayer("test").Add("target", "xray").Add("baseUrl", "https://jira.example.com").Add("project", "DEMO").Add("statusMap", "Skipped=ABORTED"),
        ]);
        Assert.Empty(o.Problems);
        var d = o.ToPublicDictionary();
        var text = string.Join("\n", d.Select(p => p.Key + "=" + p.Value));
        Assert.DoesNotContain("pw-XYZ-123", text);
        Assert.DoesNotContain("tok-XYZ-456", text);
        Assert.DoesNotContain("password", d.Keys);
        Assert.DoesNotContain("token", d.Keys);
        Assert.Equal("bob", d["user"]);
        Assert.Equal("xray", d["target"]);
        Assert.Equal("Skipped=ABORTED", d["statusMap"]);
        Assert.Equal("https://jira.example.com/", d["baseUrl"]);
    }

    /// <summary>Puts one option into the named layer and returns the three VSTest inputs.</summary>
    private (Dictionary<string, string> Env, string? Xml, List<KeyValuePair<string, string?>> Parameters) Place(string where, string name, string value)
    {
        switch (where)
        {
            case "json":
                _dir.File("tmsbridge.json", $$"""{ "{{name}}": "{{value}}" }""");
                return (Env(), null, []);
            case "section": return (Env(), RunSettings(tmsSection: $"<{name}>{value}</{name}>"), []);
            case "loggerConfig": return (Env(), RunSettings(loggerConfig: $"<{name}>{value}</{name}>"), []);
            default: return (Env(), null, Params((name, value)));
        }
    }
}
