using System.Text;
using TmsBridge.Http;
using TmsBridge.Model;

namespace TmsBridge.Core.Tests;

public sealed class SecretRedactorTests
{
    [Fact]
    public void Secrets_are_masked()
    {
        var r = new SecretRedactor(["hunter2-pw", "tok_ABCDEF"]);
        Assert.Equal("pw=*** token=*** ok", r.Redact("pw=hunter2-pw token=tok_ABCDEF ok"));
    }

    [Fact]
    public void The_basic_auth_encoding_of_user_and_secret_is_masked()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:hunter2-pw"));
        var r = new SecretRedactor(["hunter2-pw"], "bob");
        var text = r.Redact($"echo: Authorization: Basic {basic}");
        Assert.Equal("echo: Authorization: Basic ***", text);
        Assert.DoesNotContain(basic, text);
    }

    [Fact]
    public void A_secret_containing_another_is_masked_whole()
    {
        var r = new SecretRedactor(["abc", "abcdef"]);
        Assert.Equal("x *** y", r.Redact("x abcdef y"));
    }

    /// <summary>A secret with every character that an encoder changes: + < > & ' " \\ / = space and non-ASCII.</summary>
    private const string Tricky = "pa+s<s>&'w\"o\\r/d= é";

    public static TheoryData<string, string> TransitForms()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:" + Tricky));
        static string Json(string s, System.Text.Json.JsonSerializerOptions? o = null) { var j = System.Text.Json.JsonSerializer.Serialize(s, o); return j.Substring(1, j.Length - 2); }
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return new TheoryData<string, string>
        {
            { "raw", Tricky },
            { "json (System.Text.Json default encoder)", Json(Tricky) },
            { "json (relaxed encoder)", Json(Tricky, relaxed) },
            { "json (lowercase hex)", Json(Tricky).Replace("\\u00E9", "\\u00e9").Replace("\\u002B", "\\u002b").Replace("\\u003C", "\\u003c").Replace("\\u003E", "\\u003e") },
            { "json (minimal escaping)", Tricky.Replace("\\", "\\\\").Replace("\"", "\\\"") },
            { "url (RFC 3986)", Uri.EscapeDataString(Tricky) },
            { "url (RFC 3986, lowercase hex)", System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(Tricky), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()) },
            { "url (form, + for space)", System.Net.WebUtility.UrlEncode(Tricky) },
            { "basic user:secret", basic },
            { "basic user:secret in json", Json(basic) },
            { "basic user:secret in a url", Uri.EscapeDataString(basic) },
        };
    }

    [Theory]
    [MemberData(nameof(TransitForms))]
    public void Every_form_a_secret_takes_in_transit_is_masked(string form, string text)
    {
        var r = new SecretRedactor([Tricky], "bob");
        var redacted = r.Redact("before " + text + " after");
        Assert.True(redacted == "before *** after", $"{form}: {redacted}");
    }

    [Fact]
    public void Forms_of_a_token_learnt_at_run_time_are_masked_too()
    {
        var r = new SecretRedactor([]);
        r.Add("issued+token/1");
        Assert.Equal("a *** b *** c ***", r.Redact("a issued+token/1 b issued\\u002Btoken/1 c issued%2Btoken%2F1"));
        Assert.True(r.LongestForm >= "issued%2Btoken%2F1".Length);
    }

    [Fact]
    public void Null_and_empty_text_are_fine()
    {
        Assert.Equal("", new SecretRedactor(["secret"]).Redact(null));
        Assert.Equal("", SecretRedactor.None.Redact(""));
        Assert.Equal("unchanged", SecretRedactor.None.Redact("unchanged"));
    }
}

public sealed class OutputMarkersTests
{
    [Fact]
    public void Marker_lines_become_attachments_and_leave_the_output()
    {
        var into = new List<EvidenceFile>();
        var output = "before\n##tmsbridge[attachment]{\"path\":\"/tmp/x/shot.png\",\"description\":\"login\"}\r\nafter\n";

        var kept = OutputMarkers.ExtractAttachments(output, into);

        Assert.Equal("before\nafter\n", kept);
        var a = Assert.Single(into);
        Assert.Equal("/tmp/x/shot.png", a.Path);
        Assert.Equal("/tmp/x/shot.png", a.OriginalPath);
        Assert.Equal("shot.png", a.FileName);
        Assert.Equal("login", a.Description);
    }

    [Theory]
    [InlineData("[out] ##tmsbridge[attachment]{\"path\":\"/etc/passwd\"}")]
    [InlineData(" ##tmsbridge[attachment]{\"path\":\"/etc/passwd\"}")]
    [InlineData("\t##tmsbridge[attachment]{\"path\":\"/etc/passwd\"}")]
    [InlineData("server said: {\"log\":\"##tmsbridge[attachment]{\\\"path\\\":\\\"/etc/passwd\\\"}\"}")]
    public void A_marker_counts_only_at_the_very_start_of_a_line(string line)
    {
        // A test that prints what it received (a log, a server answer) must not attach an arbitrary file.
        var into = new List<EvidenceFile>();
        var kept = OutputMarkers.ExtractAttachments("a\n" + line + "\nb", into);
        Assert.Equal("a\n" + line + "\nb", kept);
        Assert.Empty(into);
    }

    [Theory]
    [InlineData("##tmsbridge[attachment]{not json")]
    [InlineData("##tmsbridge[attachment]{\"description\":\"no path\"}")]
    [InlineData("##tmsbridge[attachment]{\"path\":\"\"}")]
    public void Lines_that_are_not_valid_markers_are_kept(string line)
    {
        var into = new List<EvidenceFile>();
        var kept = OutputMarkers.ExtractAttachments("a\n" + line + "\nb", into);
        Assert.Equal("a\n" + line + "\nb", kept);
        Assert.Empty(into);
    }

    [Theory]
    [InlineData("##tmsbridge[attachment]{\"path\":42}")]
    [InlineData("##tmsbridge[attachment][\"/a/b.txt\"]")]
    [InlineData("##tmsbridge[attachment]\"/a/b.txt\"")]
    public void Well_formed_json_of_the_wrong_shape_is_kept_as_output(string line)
    {
        var into = new List<EvidenceFile>();
        var kept = OutputMarkers.ExtractAttachments("a\n" + line, into);
        Assert.Equal("a\n" + line, kept);
        Assert.Empty(into);
    }

    [Fact]
    public void Output_without_markers_is_returned_as_is()
    {
        var into = new List<EvidenceFile>();
        Assert.Equal("plain\r\ntext", OutputMarkers.ExtractAttachments("plain\r\ntext", into));
        Assert.Null(OutputMarkers.ExtractAttachments(null, into));
        Assert.Empty(into);
    }
}
