using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;

namespace TmsBridge.Core.Tests;

/// <summary>Defects found in the review of the whole change, pinned so they stay fixed.</summary>
public sealed class ReviewFixesTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Credentials_inside_baseUrl_are_refused_and_never_echoed()
    {
        var o = ConfigurationResolver.ResolveForVsTest(Env(), [_dir.Path], null,
            [new("target", "xray"), new("baseUrl", "https://bob:S3cretPw@jira.example.com/jira")]);

        var error = Assert.Single(o.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains("baseUrl", error.Message);
        Assert.Contains("credentials", error.Message);
        Assert.DoesNotContain("S3cretPw", error.Message);
        Assert.Null(o.BaseUrl);
        Assert.DoesNotContain(o.ToPublicDictionary().Values, v => v.Contains("S3cretPw"));
    }

    [Fact]
    public void An_empty_plain_variable_does_not_hide_the_secret_file()
    {
        var file = _dir.File("token.txt", "tok-from-file\n");
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_TOKEN", ""), ("TMS_TOKEN_FILE", file)), [_dir.Path], null, []);

        Assert.Equal("tok-from-file", o.Token);
        Assert.DoesNotContain(o.Problems, p => p.Severity == ProblemSeverity.Error);
    }

    [Fact]
    public void A_non_empty_plain_variable_still_wins_over_the_file()
    {
        var file = _dir.File("token.txt", "tok-from-file");
        var o = ConfigurationResolver.ResolveForVsTest(Env(("TMS_TOKEN", "tok-from-env"), ("TMS_TOKEN_FILE", file)), [_dir.Path], null, []);
        Assert.Equal("tok-from-env", o.Token);
    }

    [Fact]
    public void Secrets_are_masked_also_as_they_appear_inside_json_strings_and_once_learnt_at_run_time()
    {
        var redactor = new SecretRedactor(["pa\"ss\\word"]);
        Assert.Equal("{\"p\":\"***\"}", redactor.Redact("{\"p\":\"pa\\\"ss\\\\word\"}"));

        redactor.Add("issued-access-token-123");
        Assert.Equal("Bearer ***", redactor.Redact("Bearer issued-access-token-123"));
    }
}
