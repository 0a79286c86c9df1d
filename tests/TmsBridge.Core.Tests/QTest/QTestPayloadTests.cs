using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;
using TmsBridge.Backends.QTest;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Sandbox.QTest;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests.QTest;

/// <summary>The qTest bodies against the official Swagger's definitions (closed: an unknown field fails), and their formats.</summary>
public sealed class QTestPayloadTests
{
    private static readonly StatusMap Statuses = new(StatusMap.QTestDefaults);
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static KeyedResult Keyed(string key, params TestResultRecord[] results)
    {
        var k = new KeyedResult { Key = key };
        k.Results.AddRange(results);
        return k;
    }

    [Fact]
    public void The_validator_catches_a_misspelt_field_a_wrong_type_and_a_missing_required_field()
    {
        Assert.Empty(QTestSwagger.Problems("AutomationRequest", """{"test_cycle":"CL-1","test_logs":[{"exe_start_date":"2026-05-06T07:08:09.000+00:00","exe_end_date":"2026-05-06T07:08:09.000+00:00"}]}"""));
        Assert.NotEmpty(QTestSwagger.Problems("AutomationRequest", """{"test_cycle":"CL-1","test_logs":[{"exe_start_date":"a","exe_end_date":"b","automation_contents":"x"}]}"""));
        Assert.NotEmpty(QTestSwagger.Problems("AutomationRequest", """{"test_cycle":1,"test_logs":[]}"""));
        Assert.NotEmpty(QTestSwagger.Problems("AutomationRequest", """{"test_cycle":"CL-1"}"""));
        Assert.NotEmpty(QTestSwagger.Problems("AutomationRequest", """{"test_cycle":"CL-1","test_logs":[{"exe_end_date":"b"}]}"""));
    }

    [Fact]
    public void A_keyed_log_carries_every_field_the_operation_requires_and_validates()
    {
        var failed = Result("Acme.Tests.Login+Inner.Fails", TestOutcome.Failed, keys: ["TC-2"], defects: ["DEF-7"]);
        failed.ErrorMessage = "Expected 3 but was 4";
        failed.ErrorStackTrace = "at Acme.Tests.Login.Fails()";
        failed.StartTime = T0;
        failed.EndTime = T0.AddSeconds(2);
        var keyed = Keyed("TC-2", failed);
        keyed.Defects.Add("DEF-7");
        var log = QTestPayload.Log(keyed, "Acme.Tests.Login.Fails", Statuses, [("screen.png", "image/png", [1, 2, 3])], new CiBuild("42", "https://ci/42"), T0, T0);
        var body = QTestPayload.Submit("1234", [log]);

        Assert.Empty(QTestSwagger.Problems("AutomationRequest", body.ToJsonString()));
        var sent = body["test_logs"]![0]!;
        Assert.Equal("FAIL", (string?)sent["status"]);
        Assert.Equal("Acme.Tests.Login.Fails", (string?)sent["automation_content"]);
        Assert.Equal("Fails", (string?)sent["name"]);
        Assert.Equal("2026-05-06T07:08:09.000+00:00", (string?)sent["exe_start_date"]);
        Assert.Equal("2026-05-06T07:08:11.000+00:00", (string?)sent["exe_end_date"]);
        Assert.Equal(["Acme", "Tests", "Login", "Inner"], sent["module_names"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("Expected 3 but was 4\nat Acme.Tests.Login.Fails()", (string?)sent["note"]);
        Assert.Equal(["DEF-7"], sent["defect_pids"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("AQID", (string?)sent["attachments"]![0]!["data"]);
        Assert.Equal("image/png", (string?)sent["attachments"]![0]!["content_type"]);
        Assert.Equal("42", (string?)sent["build_number"]);
        Assert.Equal("https://ci/42", (string?)sent["build_url"]);
        Assert.Equal("1234", (string?)body["test_cycle"]);
        // No version id: the Swagger wants it omitted when the test run does not exist yet, and qTest takes the latest.
        Assert.Null(sent["test_case_version_id"]);
    }

    [Fact]
    public void Runtime_steps_are_test_step_logs_in_order_and_comments_are_in_the_note()
    {
        var r = Result("Ns.C.Checkout", TestOutcome.Failed, keys: ["TC-4"]);
        r.ErrorMessage = "card declined";
        r.Comments.Add("cart had 3 items");
        r.Steps.Add(new TestStep { Name = "Open cart", StartTime = T0, EndTime = T0.AddSeconds(1), Steps = { new TestStep { Name = "Count items" } } });
        r.Steps.Add(new TestStep { Name = "Pay", Outcome = TestOutcome.Failed, Message = "InvalidOperationException: card declined" });
        var log = QTestPayload.Log(Keyed("TC-4", r), "Ns.C.Checkout", Statuses, [], new CiBuild(null, null), T0, T0);

        Assert.Empty(QTestSwagger.Problems("AutomationTestLogResource", log.Body.ToJsonString()));
        var steps = log.Body["test_step_logs"]!.AsArray();
        Assert.Equal(["Open cart", "Count items", "Pay"], steps.Select(s => (string?)s!["description"]));
        Assert.Equal([0, 1, 2], steps.Select(s => (int)s!["order"]!));
        Assert.Equal(["PASS", "PASS", "FAIL"], steps.Select(s => (string?)s!["status"]));
        Assert.Equal("InvalidOperationException: card declined", (string?)steps[2]!["actual_result"]);
        Assert.Equal("2026-05-06T07:08:09.000+00:00", (string?)steps[0]!["exe_date"]);
        Assert.Equal("card declined\ncart had 3 items", (string?)log.Body["note"]);

        var plain = QTestPayload.Log(Keyed("TC-5", Result("Ns.C.Plain", keys: ["TC-5"])), "Ns.C.Plain", Statuses, [], new CiBuild(null, null), T0, T0);
        Assert.Null(plain.Body["test_step_logs"]);
    }

    [Fact]
    public void Data_rows_are_one_log_with_the_worst_status_and_each_row_in_the_note()
    {
        var a = Result("Ns.C.Row", displayName: "Row(1)", keys: ["TC-3"]).WithParameters(("x", "1"));
        var b = Result("Ns.C.Row", TestOutcome.Failed, displayName: "Row(2)", keys: ["TC-3"]).WithParameters(("x", "2"));
        b.ErrorMessage = "boom";
        var log = QTestPayload.Log(Keyed("TC-3", a, b), "Ns.C.Row", Statuses, [], new CiBuild(null, null), T0, T0.AddMinutes(1));

        Assert.Equal("FAIL", (string?)log.Body["status"]);
        Assert.Equal("PASS: Row(1)\nFAIL: Row(2)\nboom", (string?)log.Body["note"]);
        Assert.Empty(QTestSwagger.Problems("AutomationTestLogResource", log.Body.ToJsonString()));
    }

    [Fact]
    public void Module_names_are_never_empty()
    {
        Assert.Equal(["Tests"], QTestPayload.ModuleNames(Result("Bare")));
        var r = Result("Bare");
        r.Source = "My.Tests.dll";
        Assert.Equal(["My.Tests"], QTestPayload.ModuleNames(r));
    }

    [Fact]
    public void Search_cycle_and_adopt_bodies_validate()
    {
        Assert.Empty(QTestSwagger.Problems("ArtifactSearchParams", QTestPayload.Search("test-cases", "pid", ["TC-1", "TC-2"]).ToJsonString()));
        Assert.Equal("'pid' = 'TC-1' or 'pid' = 'TC-2'", (string?)QTestPayload.Search("test-cases", "pid", ["TC-1", "TC-2"])["query"]);
        Assert.Empty(QTestSwagger.Problems("TestCycleResource", QTestPayload.Cycle("Nightly", "TmsBridge run x").ToJsonString()));
        Assert.Empty(QTestSwagger.Problems("TestCaseWithCustomFieldResource", QTestPayload.AdoptCase("Login", 5, "711", 6, "Ns.C.M").ToJsonString()));
    }

    [Fact]
    public void Dates_are_invariant_UTC_with_offset()
    {
        Assert.Equal("2026-05-06T05:08:09.000+00:00", QTestPayload.Date(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void The_same_bytes_under_th_TH_and_de_DE()
    {
        string Build()
        {
            var r = Result("Ns.C.M", TestOutcome.Failed, keys: ["TC-1"], sequence: 1);
            r.StartTime = T0;
            r.EndTime = T0.AddMilliseconds(1234);
            return QTestPayload.Submit("7040", [QTestPayload.Log(Keyed("TC-1", r), "Ns.C.M", Statuses, [], new CiBuild("1", null), T0, T0)]).ToJsonString();
        }
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            var invariant = Build();
            foreach (var culture in new[] { "th-TH", "de-DE", "ar-SA" })
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(culture);
                Assert.Equal(invariant, Build());
            }
            Assert.Equal("2026-05-06T07:08:10.234+00:00", (string?)JsonNode.Parse(invariant)!["test_logs"]![0]!["exe_end_date"]);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }
}
