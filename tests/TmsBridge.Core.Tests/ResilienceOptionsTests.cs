using System.Globalization;
using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests;

/// <summary>The options added for resilience and Xray Cloud: parsing, bounds, defaults and secrecy; and RequestRate.TryParse.</summary>
public sealed class ResilienceOptionsTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static TmsOptions One(string name, string value) => ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add(name, value)]);
    private static string Errors(TmsOptions o) => string.Join("\n", o.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Message));

    [Fact]
    public void Defaults_of_the_new_options()
    {
        var o = ConfigurationResolver.Resolve([]);
        Assert.Empty(o.Problems);
        Assert.Equal(TimeSpan.FromSeconds(300), o.PublishTimeout);
        Assert.Equal(20L * 1024 * 1024, o.MaxRequestBytes);
        Assert.Equal(10L * 1024 * 1024, o.MaxEvidenceFileBytes);
        Assert.Equal(1024L * 1024 * 1024, o.MaxEvidenceRunBytes);
        Assert.Equal(4, o.MaxRetries);
        Assert.Null(o.RateLimit); // null: the target's documented budget applies
        Assert.Null(o.Region);
        Assert.Null(o.ClientId);
        Assert.Null(o.ClientSecret);
        Assert.Null(o.ExecutionFields);
    }

    [Theory]
    [InlineData("maxRequestBytes", "20MB", 20L * 1024 * 1024)]
    [InlineData("maxRequestBytes", "512KB", 512L * 1024)]
    [InlineData("maxRequestBytes", "512 kb", 512L * 1024)]
    [InlineData("maxRequestBytes", "1048576", 1048576L)]
    [InlineData("maxRequestBytes", "1.5MB", 1572864L)]
    [InlineData("maxRequestBytes", "2MiB", 2L * 1024 * 1024)]
    [InlineData("maxRequestBytes", "1024", 1024L)]
    [InlineData("maxEvidenceFileBytes", "1", 1L)]
    [InlineData("maxEvidenceFileBytes", "3M", 3L * 1024 * 1024)]
    [InlineData("maxEvidenceRunBytes", "2GB", 2L * 1024 * 1024 * 1024)]
    [InlineData("maxEvidenceRunBytes", "0", 0L)] // no evidence at all is a valid budget
    public void Sizes_are_read_with_binary_units(string name, string value, long expected)
    {
        var o = One(name, value);
        Assert.Empty(o.Problems);
        var actual = name switch
        {
            "maxRequestBytes" => o.MaxRequestBytes,
            "maxEvidenceFileBytes" => o.MaxEvidenceFileBytes,
            _ => o.MaxEvidenceRunBytes,
        };
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("maxRequestBytes", "1023", "at least 1KB")]
    [InlineData("maxRequestBytes", "20 parsecs", "at least 1KB")]
    [InlineData("maxRequestBytes", "-5MB", "at least 1KB")]
    [InlineData("maxRequestBytes", "99999999999GB", "at least 1KB")]
    [InlineData("maxEvidenceFileBytes", "0", "a positive size")]
    [InlineData("maxEvidenceFileBytes", "lots", "a positive size")]
    [InlineData("maxEvidenceRunBytes", "-1", "a size")]
    public void Bad_sizes_are_errors_naming_option_source_and_value(string name, string value, string expected)
    {
        var o = One(name, value);
        var errors = Errors(o);
        Assert.Contains($"option '{name}' from test has the value '{value.Trim()}'", errors);
        Assert.Contains(expected, errors);
        Assert.Equal(new TmsOptions().MaxRequestBytes, o.MaxRequestBytes); // the default stays
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("4", 4)]
    [InlineData("20", 20)]
    public void MaxRetries_from_0_to_20(string value, int expected)
    {
        var o = One("maxRetries", value);
        Assert.Empty(o.Problems);
        Assert.Equal(expected, o.MaxRetries);
    }

    [Theory]
    [InlineData("21")]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("many")]
    public void MaxRetries_outside_0_to_20_is_an_error(string value)
    {
        var o = One("maxRetries", value);
        Assert.Contains("a whole number from 0 to 20", Errors(o));
        Assert.Equal(4, o.MaxRetries);
    }

    [Fact]
    public void MaxRetries_as_a_json_number_is_read()
    {
        var path = _dir.File("tmsbridge.json", """{ "maxRetries": 0, "maxRequestBytes": 2048, "publishTimeout": 60 }""");
        var o = ConfigurationResolver.Resolve([ConfigurationLayer.FromJsonFile(path)]);
        Assert.Empty(o.Problems);
        Assert.Equal(0, o.MaxRetries);
        Assert.Equal(2048, o.MaxRequestBytes);
        Assert.Equal(TimeSpan.FromMinutes(1), o.PublishTimeout);
    }

    [Theory]
    [InlineData("300", 300)]
    [InlineData("10m", 600)]
    [InlineData("90s", 90)]
    [InlineData("00:02:00", 120)]
    public void PublishTimeout_takes_seconds_or_durations(string value, double seconds)
    {
        var o = One("publishTimeout", value);
        Assert.Empty(o.Problems);
        Assert.Equal(TimeSpan.FromSeconds(seconds), o.PublishTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2d")]
    [InlineData("25h")]
    [InlineData("100000")]
    [InlineData("soon")]
    public void PublishTimeout_must_be_positive_and_at_most_a_day(string value)
    {
        var o = One("publishTimeout", value);
        Assert.Contains("option 'publishTimeout'", Errors(o));
        Assert.Equal(TimeSpan.FromMinutes(5), o.PublishTimeout);
    }

    [Theory]
    [InlineData("us", "us")]
    [InlineData("EU", "eu")]
    [InlineData(" au ", "au")]
    public void Region_is_us_eu_or_au(string value, string expected)
    {
        var o = One("region", value);
        Assert.Empty(o.Problems);
        Assert.Equal(expected, o.Region);
    }

    [Theory]
    [InlineData("asia")]
    [InlineData("eu-west-1")]
    public void Other_regions_are_errors(string value)
    {
        var o = One("region", value);
        Assert.Contains("us, eu or au", Errors(o));
        Assert.Null(o.Region);
    }

    [Theory]
    [InlineData("300/5m", 300, 300)]
    [InlineData("none", 0, 0)]
    [InlineData("OFF", 0, 0)]
    [InlineData("10/s", 10, 1)]
    public void RateLimit_option(string value, int requests, double windowSeconds)
    {
        var o = One("rateLimit", value);
        Assert.Empty(o.Problems);
        Assert.NotNull(o.RateLimit);
        Assert.Equal(requests, o.RateLimit!.Requests);
        Assert.Equal(TimeSpan.FromSeconds(windowSeconds), o.RateLimit.Window);
        Assert.Equal(requests == 0, o.RateLimit.IsUnlimited);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0/5m")]
    [InlineData("300")]
    public void Bad_rateLimit_is_an_error(string value)
    {
        var o = One("rateLimit", value);
        Assert.Contains("a budget like 300/5m", Errors(o));
        Assert.Null(o.RateLimit);
    }

    [Fact]
    public void ClientId_and_executionFields_are_plain_text()
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("clientId", "ABC123").Add("executionFields", """{"customfield_1": 3}""")]);
        Assert.Empty(o.Problems);
        Assert.Equal("ABC123", o.ClientId);
        Assert.Equal("""{"customfield_1": 3}""", o.ExecutionFields);
        Assert.Equal("ABC123", o.ToPublicDictionary()["clientId"]);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("parameters")]
    [InlineData("section")]
    public void ClientSecret_outside_the_environment_is_refused_and_never_echoed(string where)
    {
        const string secret = "cs-0123456789abcdef-SECRET";
        TmsOptions o;
        switch (where)
        {
            case "json":
                _dir.File("tmsbridge.json", $$"""{ "clientSecret": "{{secret}}" }""");
                o = ConfigurationResolver.ResolveForVsTest(new Dictionary<string, string>(), [_dir.Path], null, []);
                break;
            case "section":
                o = ConfigurationResolver.ResolveForVsTest(new Dictionary<string, string>(), [_dir.Path],
                    $"<RunSettings><TmsBridge><clientSecret>{secret}</clientSecret></TmsBridge></RunSettings>", []);
                break;
            default:
                o = ConfigurationResolver.ResolveForVsTest(new Dictionary<string, string>(), [_dir.Path], null, [new("clientSecret", secret)]);
                break;
        }
        var errors = Errors(o);
        Assert.Contains("option 'clientSecret' is a secret", errors);
        Assert.Contains("TMS_CLIENT_SECRET", errors);
        Assert.Contains("TMS_CLIENT_SECRET_FILE", errors);
        Assert.DoesNotContain(secret, errors);
        Assert.Null(o.ClientSecret);
    }

    [Fact]
    public void ClientSecret_from_the_environment_or_a_file_is_a_secret_value_and_never_public()
    {
        var env = new Dictionary<string, string> { ["TMS_CLIENT_ID"] = "id-1", ["TMS_CLIENT_SECRET"] = "cs-from-env-XYZ" };
        var o = ConfigurationResolver.ResolveForVsTest(env, [_dir.Path], null, []);
        Assert.Empty(o.Problems);
        Assert.Equal("id-1", o.ClientId);
        Assert.Equal("cs-from-env-XYZ", o.ClientSecret);
        Assert.Contains("cs-from-env-XYZ", o.SecretValues());
        var d = o.ToPublicDictionary();
        Assert.DoesNotContain("clientSecret", d.Keys);
        Assert.DoesNotContain("cs-from-env-XYZ", string.Join("\n", d.Values));
        Assert.Equal("x *** y", new SecretRedactor(o.SecretValues()).Redact("x cs-from-env-XYZ y"));

        var file = _dir.File("secret.txt", "cs-from-file-ABC\n");
        var fromFile = ConfigurationResolver.ResolveForVsTest(new Dictionary<string, string> { ["TMS_CLIENT_SECRET_FILE"] = file }, [_dir.Path], null, []);
        Assert.Empty(fromFile.Problems);
        Assert.Equal("cs-from-file-ABC", fromFile.ClientSecret);
    }

    [Fact]
    public void New_options_are_in_the_catalog_with_their_environment_variables()
    {
        foreach (var (name, variable) in new[]
        {
            ("clientId", "TMS_CLIENT_ID"), ("clientSecret", "TMS_CLIENT_SECRET"), ("region", "TMS_REGION"), ("executionFields", "TMS_EXECUTION_FIELDS"),
            ("publishTimeout", "TMS_PUBLISH_TIMEOUT"), ("maxRequestBytes", "TMS_MAX_REQUEST_BYTES"), ("maxEvidenceFileBytes", "TMS_MAX_EVIDENCE_FILE_BYTES"),
            ("maxEvidenceRunBytes", "TMS_MAX_EVIDENCE_RUN_BYTES"), ("maxRetries", "TMS_MAX_RETRIES"), ("rateLimit", "TMS_RATE_LIMIT"),
        })
        {
            var option = OptionCatalog.Find(name);
            Assert.NotNull(option);
            Assert.Equal(variable, option!.EnvironmentVariable);
            Assert.Equal(name == "clientSecret", option.IsSecret);
        }
    }

    [Fact]
    public void Public_dictionary_lists_the_new_non_secret_options()
    {
        var o = ConfigurationResolver.Resolve([new ConfigurationLayer("test")
            .Add("region", "eu").Add("maxRequestBytes", "1MB").Add("maxRetries", "2").Add("rateLimit", "60/1m").Add("publishTimeout", "2m")]);
        var d = o.ToPublicDictionary();
        Assert.Equal("eu", d["region"]);
        Assert.Equal("1048576", d["maxRequestBytes"]);
        Assert.Equal("2", d["maxRetries"]);
        Assert.Equal("60/60s", d["rateLimit"]);
        Assert.Equal("120", d["publishTimeout"]);
    }

    // ---- RequestRate.TryParse ----

    [Theory]
    [InlineData("300/5m", 300, 300)]
    [InlineData("60/1m", 60, 60)]
    [InlineData("10/s", 10, 1)]
    [InlineData("10/m", 10, 60)]
    [InlineData("100/30s", 100, 30)]
    [InlineData("5/h", 5, 3600)]
    [InlineData("5/1.5h", 5, 5400)]
    [InlineData("4/500ms", 4, 0.5)]
    [InlineData(" 1000/5M ", 1000, 300)]
    public void RequestRate_parses_count_per_window(string text, int requests, double seconds)
    {
        Assert.True(RequestRate.TryParse(text, out var rate));
        Assert.Equal(requests, rate.Requests);
        Assert.Equal(TimeSpan.FromSeconds(seconds), rate.Window);
        Assert.False(rate.IsUnlimited);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("off")]
    [InlineData("Unlimited")]
    public void RequestRate_none_is_unlimited(string text)
    {
        Assert.True(RequestRate.TryParse(text, out var rate));
        Assert.True(rate.IsUnlimited);
        Assert.Equal("none", rate.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("300")]
    [InlineData("/5m")]
    [InlineData("300/")]
    [InlineData("0/5m")]
    [InlineData("-3/5m")]
    [InlineData("x/5m")]
    [InlineData("10/0s")]
    [InlineData("10/-5s")]
    [InlineData("10/2d")]
    [InlineData("10/25h")]
    [InlineData("10/5min")]
    public void RequestRate_rejects_malformed_budgets(string text)
    {
        Assert.False(RequestRate.TryParse(text, out var rate));
        Assert.True(rate.IsUnlimited); // the out value is never a half-parsed budget
    }

    [Fact]
    public void RequestRate_ToString_round_trips()
    {
        Assert.True(RequestRate.TryParse("300/5m", out var rate));
        Assert.Equal("300/300s", rate.ToString());
        Assert.True(RequestRate.TryParse(rate.ToString(), out var again));
        Assert.Equal((rate.Requests, rate.Window), (again.Requests, again.Window));
    }

    [Fact]
    public void RequestRate_with_fractional_hours_does_not_depend_on_the_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.True(RequestRate.TryParse("1/0.01h", out var rate));
            Assert.Equal(TimeSpan.FromSeconds(36), rate.Window);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    // ---- Xray Cloud host choice and default budget ----

    [Theory]
    [InlineData(null, null, "https://xray.cloud.getxray.app/")]
    [InlineData(null, "eu", "https://eu.xray.cloud.getxray.app/")]
    [InlineData(null, "us", "https://us.xray.cloud.getxray.app/")]
    [InlineData(null, "au", "https://au.xray.cloud.getxray.app/")]
    [InlineData("http://127.0.0.1:5000/xray", "eu", "http://127.0.0.1:5000/xray/")] // baseUrl wins over region
    public void Cloud_service_host_from_region_or_baseUrl(string? baseUrl, string? region, string expected)
    {
        var layer = new ConfigurationLayer("test");
        if (baseUrl is not null) layer.Add("baseUrl", baseUrl);
        if (region is not null) layer.Add("region", region);
        var o = ConfigurationResolver.Resolve([layer]);
        Assert.Empty(o.Problems);
        Assert.Equal(new Uri(expected), XrayCloudBackend.ServiceUri(o));
    }

    [Fact]
    public void Cloud_has_the_documented_default_budget_and_DC_has_none()
    {
        var cloud = new XrayCloudBackend().DefaultRateLimit;
        Assert.NotNull(cloud);
        Assert.Equal((300, TimeSpan.FromMinutes(5)), (cloud!.Requests, cloud.Window));
        Assert.Null(new XrayServerBackend().DefaultRateLimit);
    }

    [Fact]
    public void Cloud_validation_names_both_api_key_variables()
    {
        var problems = new XrayCloudBackend().Validate(new TmsOptions { Target = "xray-cloud", ClientId = "id" }).ToList();
        var problem = Assert.Single(problems);
        Assert.Contains("TMS_CLIENT_ID", problem);
        Assert.Contains("TMS_CLIENT_SECRET", problem);
        Assert.Empty(new XrayCloudBackend().Validate(new TmsOptions { Target = "xray-cloud", ClientId = "id", ClientSecret = "s" }));
        Assert.Empty(new XrayCloudBackend().Validate(new TmsOptions { Target = "xray-cloud", DryRun = true }));
    }
}
