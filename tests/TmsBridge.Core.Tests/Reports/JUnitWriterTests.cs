using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Reports;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests.Reports;

public class JUnitWriterTests
{
    private static AggregatedRun SampleRun()
    {
        var results = new List<TestResultRecord>
        {
            Result("Demo.LoginTests.Valid_user_logs_in", keys: ["DEMO-TC-1"], covers: ["DEMO-100", "DEMO-101"]),
            Result("Demo.LoginTests.Locked_user_is_refused", displayName: "Locked_user_is_refused(\"bob\")", keys: ["DEMO-TC-2"]).WithParameters(("user", "bob")),
            Result("Demo.LoginTests.Locked_user_is_refused", displayName: "Locked_user_is_refused(\"eve\")", outcome: TestOutcome.Failed, keys: ["DEMO-TC-2"]).WithParameters(("user", "eve")),
            Result("Demo.LoginTests.Password_reset_sends_mail", keys: ["DEMO-TC-5", "DEMO-TC-6"]),
            Result("Demo.CheckoutTests.Checkout_total_includes_tax", TestOutcome.Failed, keys: ["DEMO-TC-3"]),
            Result("Demo.CheckoutTests.Gift_cards_are_accepted", TestOutcome.Skipped, keys: ["DEMO-TC-4"]),
            Result("Demo.CheckoutTests.Helper_formats_dates"),
        };
        results[0].DurationMs = 1234.5;
        results[2].ErrorMessage = "eve is not locked";
        results[4].ErrorMessage = "expected total 107.00\nbut was 100.00";
        results[4].ErrorStackTrace = "at Demo.CheckoutTests.Checkout_total_includes_tax() in CheckoutTests.cs:line 12";
        results[4].StandardOutput = "computing total for cart 42";
        results[5].ErrorMessage = "gift cards not launched yet";
        return Aggregator.Aggregate(results, KeyRule.TestCaseKey);
    }

    private static XDocument Parse(byte[] xml) => XDocument.Parse(Encoding.UTF8.GetString(xml));

    private static void AssertValid(byte[] xml)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(Golden.ProjectDir, "Specs", "junit.xsd"));
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception.LineNumber}: {e.Message}");
        using (var reader = XmlReader.Create(new MemoryStream(xml), settings))
            while (reader.Read()) { }
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + Encoding.UTF8.GetString(xml));
    }

    [Theory]
    [InlineData(JUnitKeyPlacement.Property, JUnitGrouping.PerKey)]
    [InlineData(JUnitKeyPlacement.Attribute, JUnitGrouping.PerKey)]
    [InlineData(JUnitKeyPlacement.SystemOut, JUnitGrouping.PerResult)]
    public void Every_placement_and_grouping_is_valid_against_the_junit_schema(JUnitKeyPlacement placement, JUnitGrouping grouping)
    {
        var xml = JUnitWriter.Write(SampleRun(), new JUnitOptions
        {
            KeyPlacement = placement, Grouping = grouping, IncludeUnmapped = true,
            Timestamp = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero),
        });
        AssertValid(xml);
    }

    [Fact]
    public void The_schema_check_catches_a_wrong_shape()
    {
        // The check is not vacuous: an unknown child and a non-numeric time fail.
        var bad = Encoding.UTF8.GetBytes("<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase name=\"a\" time=\"1,5\"><oops/></testcase></testsuite></testsuites>");
        Assert.Throws<Xunit.Sdk.TrueException>(() => AssertValid(bad));
    }

    [Fact]
    public void Per_key_one_testcase_per_key_with_the_worst_status_and_the_key_as_property()
    {
        var doc = Parse(JUnitWriter.Write(SampleRun(), new JUnitOptions()));
        var cases = doc.Descendants("testcase").ToList();
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-5", "DEMO-TC-6", "DEMO-TC-3", "DEMO-TC-4"],
            cases.Select(c => c.Element("properties")!.Elements("property").Single(p => (string)p.Attribute("name")! == "testcasekey").Attribute("value")!.Value));

        var first = cases[0];
        Assert.Equal("Valid_user_logs_in", (string)first.Attribute("name")!);
        Assert.Equal("Demo.LoginTests", (string)first.Attribute("classname")!);
        Assert.Equal("1.235", (string)first.Attribute("time")!);
        Assert.Equal(["DEMO-100", "DEMO-101"], first.Descendants("property").Where(p => (string)p.Attribute("name")! == "storykey").Select(p => (string)p.Attribute("value")!));

        // Data rows: the worst (Failed) row decides; each row's own outcome is in system-out.
        var rows = cases[1];
        Assert.Equal("eve is not locked", (string)rows.Element("failure")!.Attribute("message")!);
        Assert.Contains("Passed: Locked_user_is_refused(\"bob\")", rows.Element("system-out")!.Value);
        Assert.Contains("Failed: Locked_user_is_refused(\"eve\")", rows.Element("system-out")!.Value);

        // One test with two keys: one testcase per key.
        Assert.Equal((string)cases[2].Attribute("name")!, (string)cases[3].Attribute("name")!);

        var failed = cases[4];
        Assert.Equal("expected total 107.00\nbut was 100.00", (string)failed.Element("failure")!.Attribute("message")!);
        Assert.Contains("line 12", failed.Element("failure")!.Value);
        Assert.Equal("computing total for cart 42", failed.Element("system-out")!.Value);

        Assert.Equal("gift cards not launched yet", (string)cases[5].Element("skipped")!.Attribute("message")!);
        var suite = doc.Root!.Element("testsuite")!;
        Assert.Equal(("6", "2", "1"), ((string)suite.Attribute("tests")!, (string)suite.Attribute("failures")!, (string)suite.Attribute("skipped")!));
    }

    [Fact]
    public void Unkeyed_tests_only_with_IncludeUnmapped()
    {
        Assert.DoesNotContain("Helper_formats_dates", Encoding.UTF8.GetString(JUnitWriter.Write(SampleRun(), new JUnitOptions())));
        var doc = Parse(JUnitWriter.Write(SampleRun(), new JUnitOptions { IncludeUnmapped = true }));
        var unkeyed = doc.Descendants("testcase").Single(c => (string)c.Attribute("name")! == "Helper_formats_dates");
        Assert.Null(unkeyed.Element("properties"));
    }

    [Fact]
    public void Per_result_data_rows_are_told_apart_by_name()
    {
        var doc = Parse(JUnitWriter.Write(SampleRun(), new JUnitOptions { Grouping = JUnitGrouping.PerResult }));
        var rows = doc.Descendants("testcase").Where(c => c.Descendants("property").Any(p => (string)p.Attribute("value")! == "DEMO-TC-2")).ToList();
        Assert.Equal(["Locked_user_is_refused(\"bob\")", "Locked_user_is_refused(\"eve\")"], rows.Select(r => (string)r.Attribute("name")!));
        Assert.Null(rows[0].Element("failure"));
        Assert.NotNull(rows[1].Element("failure"));
    }

    [Fact]
    public void Attribute_placement_puts_the_key_on_the_testcase()
    {
        var doc = Parse(JUnitWriter.Write(SampleRun(), new JUnitOptions { KeyPlacement = JUnitKeyPlacement.Attribute }));
        var first = doc.Descendants("testcase").First();
        Assert.Equal("DEMO-TC-1", (string)first.Attribute("testcasekey")!);
        Assert.Equal("DEMO-100,DEMO-101", (string)first.Attribute("storykey")!);
        Assert.Empty(doc.Descendants("properties"));
    }

    [Fact]
    public void SystemOut_placement_writes_key_lines_first_as_RTM_reads_them()
    {
        var doc = Parse(JUnitWriter.Write(SampleRun(), new JUnitOptions { KeyPlacement = JUnitKeyPlacement.SystemOut, KeyName = "TC_KEY", RequirementName = null }));
        var failed = doc.Descendants("testcase").Single(c => (string)c.Attribute("name")! == "Checkout_total_includes_tax");
        Assert.Equal("TC_KEY=DEMO-TC-3\ncomputing total for cart 42", failed.Element("system-out")!.Value);
        Assert.Equal("TC_KEY=DEMO-TC-1", doc.Descendants("testcase").First().Element("system-out")!.Value);
    }

    [Fact]
    public void Xml_invalid_characters_are_removed_and_valid_ones_kept()
    {
        var r = Result("Demo.C.M", TestOutcome.Failed, keys: ["DEMO-TC-1"]);
        r.ErrorMessage = "bad\u0001byte \u0007bell \uD83D\uDE00 ok";
        r.StandardOutput = "lone \uD800 surrogate\u000B and \uFFFE";
        var xml = JUnitWriter.Write(Aggregator.Aggregate([r], KeyRule.TestCaseKey), new JUnitOptions());
        AssertValid(xml);
        var c = Parse(xml).Descendants("testcase").Single();
        Assert.Equal("badbyte bell \uD83D\uDE00 ok", (string)c.Element("failure")!.Attribute("message")!);
        Assert.Equal("lone  surrogate and ", c.Element("system-out")!.Value);
    }

    [Fact]
    public void Names_over_255_characters_are_shortened_the_same_way_every_time()
    {
        var longA = new string('a', 300);
        var longB = new string('a', 299) + "b";
        var a = JUnitWriter.ShortName(longA);
        Assert.Equal(255, a.Length);
        Assert.Equal(a, JUnitWriter.ShortName(longA));
        Assert.NotEqual(a, JUnitWriter.ShortName(longB));
        Assert.StartsWith(new string('a', 246) + "~", a);
        Assert.Equal("short", JUnitWriter.ShortName("short"));

        var r = Result("Demo.C." + longA, keys: ["DEMO-TC-1"]);
        var c = Parse(JUnitWriter.Write(Aggregator.Aggregate([r], KeyRule.TestCaseKey), new JUnitOptions())).Descendants("testcase").Single();
        Assert.Equal(JUnitWriter.ShortName(longA), (string)c.Attribute("name")!);
    }

    [Fact]
    public void Output_is_capped()
    {
        var r = Result("Demo.C.M", keys: ["DEMO-TC-1"]);
        r.StandardOutput = new string('x', 500);
        var c = Parse(JUnitWriter.Write(Aggregator.Aggregate([r], KeyRule.TestCaseKey), new JUnitOptions { MaxOutputChars = 100 })).Descendants("testcase").Single();
        Assert.Equal(new string('x', 100) + "\n… (truncated)", c.Element("system-out")!.Value);
    }

    [Fact]
    public void The_bytes_do_not_depend_on_the_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
            var en = JUnitWriter.Write(SampleRun(), new JUnitOptions { Timestamp = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero) });
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("th-TH");
            var th = JUnitWriter.Write(SampleRun(), new JUnitOptions { Timestamp = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero) });
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var de = JUnitWriter.Write(SampleRun(), new JUnitOptions { Timestamp = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero) });
            Assert.Equal(Encoding.UTF8.GetString(en), Encoding.UTF8.GetString(th));
            Assert.Equal(Encoding.UTF8.GetString(en), Encoding.UTF8.GetString(de));
            Assert.Contains("timestamp=\"2026-11-29T07:00:00\"", Encoding.UTF8.GetString(de));
        }
        finally { CultureInfo.CurrentCulture = previous; }
    }

    [Fact]
    public void Runtime_comments_and_steps_are_listed_in_system_out_before_the_output()
    {
        var r = Result("Demo.CheckoutTests.Pay", TestOutcome.Failed, keys: ["DEMO-TC-7"]);
        r.ErrorMessage = "card declined";
        r.StandardOutput = "paying";
        r.Comments.Add("cart had 3 items");
        r.Steps.Add(new TestStep { Name = "Open cart", Steps = { new TestStep { Name = "Count items" } } });
        r.Steps.Add(new TestStep { Name = "Pay", Outcome = TestOutcome.Failed, Message = "InvalidOperationException: card declined" });
        var xml = JUnitWriter.Write(Aggregator.Aggregate([r], KeyRule.TestCaseKey), new JUnitOptions());

        AssertValid(xml);
        var output = Parse(xml).Descendants("testcase").Single().Element("system-out")!.Value;
        Assert.Equal("Comment: cart had 3 items\nSteps:\n1. PASSED Open cart\n1.1. PASSED Count items\n2. FAILED Pay — InvalidOperationException: card declined\npaying", output);
    }
}
