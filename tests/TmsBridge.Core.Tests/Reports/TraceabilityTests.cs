using System.Globalization;
using TmsBridge.Http;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using TmsBridge.Reports;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests.Reports;

/// <summary>Requirement → tests → latest status over several journals, and its Markdown and HTML.</summary>
public sealed class TraceabilityTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static JournalContent Journal(string runId, DateTimeOffset started, IEnumerable<TestResultRecord> results, params PublishMark[] marks)
    {
        var j = new JournalContent { Path = runId + ".journal.jsonl", Header = new RunHeader { RunId = runId, StartedAt = started, Options = new() { ["target"] = "xray" } } };
        j.Results.AddRange(results);
        j.PublishMarks.AddRange(marks);
        return j;
    }

    private static TraceabilityReport Sample()
    {
        var older = Journal("run-1", T0,
        [
            Result("Ns.Login.Works", TestOutcome.Failed, keys: ["DEMO-1"], covers: ["DEMO-100"]),
            Result("Ns.Old.CoveredOnce", keys: ["DEMO-9"], covers: ["demo-103"]),
        ], new PublishMark { Target = "xray", Key = "DEMO-5", State = KeyStates.Refused, Reason = "was refused once", At = T0 },
           new PublishMark { Target = "xray", Key = "DEMO-9", State = KeyStates.Refused, Reason = "Test DEMO-9 | <i>is not a Test</i>", At = T0 });
        var newer = Journal("run-2", T0.AddHours(1),
        [
            Result("Ns.Login.Works", keys: ["DEMO-1"], covers: ["DEMO-100"]), // the later run wins: passed
            Result("Ns.Pay.Rows(1)", keys: ["DEMO-2"], covers: ["DEMO-100", "DEMO-101"]),
            Result("Ns.Pay.Rows(2)", TestOutcome.Failed, keys: ["DEMO-2"], covers: ["DEMO-101"]), // one failed row fails the test
            Result("Ns.Skipped", TestOutcome.Skipped, keys: ["DEMO-4"], covers: ["DEMO-102"]),
            Result("Ns.Old.CoveredOnce", keys: ["DEMO-9"]), // no longer covers DEMO-103
            Result("Ns.NoKey.<b>|x`", covers: ["DEMO-100", "not a key"]),
        ], new PublishMark { Target = "xray", Key = "DEMO-5", State = KeyStates.Sent, At = T0.AddHours(1) });
        return Traceability.Build([newer, older], ["DEMO-104", "bad key"]);
    }

    [Fact]
    public void Requirements_get_their_coverage_from_the_latest_result_of_each_covering_test()
    {
        var report = Sample();

        Assert.Equal(["DEMO-100", "DEMO-101", "DEMO-102", "DEMO-103", "DEMO-104"], report.Requirements.Select(r => r.Key));
        var state = report.Requirements.ToDictionary(r => r.Key, r => r.State);
        Assert.Equal(CoverageStates.Failed, state["DEMO-100"]); // Ns.Pay.Rows failed (its other row passed)
        Assert.Equal(CoverageStates.Failed, state["DEMO-101"]);
        Assert.Equal(CoverageStates.NotRun, state["DEMO-102"]);
        Assert.Equal(CoverageStates.NotCovered, state["DEMO-103"]); // covered only in the older journal
        Assert.Equal(CoverageStates.NotCovered, state["DEMO-104"]); // named by the caller, covered by nothing
        Assert.Equal(TestOutcome.Passed, report.Tests.Single(t => t.Name == "Ns.Login.Works").Outcome);
        Assert.Equal("run-2", report.Tests.Single(t => t.Name == "Ns.Login.Works").RunId);
        Assert.Equal(["Ns.Login.Works", "Ns.NoKey.<b>|x`", "Ns.Pay.Rows"], report.Requirements[0].Tests.Select(t => t.Name));
    }

    [Fact]
    public void Tests_without_keys_and_keys_whose_latest_mark_is_refused_are_listed()
    {
        var report = Sample();

        Assert.Equal(["Ns.NoKey.<b>|x`"], report.TestsWithoutKeys.Select(t => t.Name));
        var refused = Assert.Single(report.Refused); // DEMO-5 was sent later
        Assert.Equal(("DEMO-9", "xray", "Test DEMO-9 | <i>is not a Test</i>", "run-1"), (refused.Key, refused.Target, refused.Reason, refused.RunId));
    }

    [Fact]
    public void Html_is_self_contained_and_escapes_every_text()
    {
        var html = TraceabilityWriter.Html(Sample(), T0, new SecretRedactor([]));

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("Ns.NoKey.&lt;b&gt;|x`", html);
        Assert.Contains("Test DEMO-9 | &lt;i&gt;is not a Test&lt;/i&gt;", html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("<i>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(src|href)\s*=", html);
        Assert.Contains("<svg", html);
        Assert.Contains("aria-label=\"Requirements by coverage: passed 0, failed 2, not run 1, not covered 2\"", html);
    }

    [Fact]
    public void Html_and_Markdown_carry_no_Azure_logging_command_from_a_test_name_and_redact()
    {
        var secret = "s3cr3t-token-value";
        var journal = Journal("run-3", T0, [Result("Ns.Evil##vso[task.setvariable variable=X]1", keys: ["DEMO-1"], covers: ["DEMO-100"])],
            new PublishMark { Target = "xray", Key = "DEMO-1", State = KeyStates.Refused, Reason = "no ##vso[task.complete result=Failed] " + secret, At = T0 });
        var report = Traceability.Build([journal]);
        foreach (var text in new[] { TraceabilityWriter.Html(report, T0, new SecretRedactor([secret])), TraceabilityWriter.Markdown(report, T0, new SecretRedactor([secret])) })
        {
            Assert.DoesNotContain("##vso[", text);
            Assert.DoesNotContain(secret, text);
        }
        Assert.Contains("Ns.Evil&#35;&#35;vso[task.setvariable", TraceabilityWriter.Html(report, T0, new SecretRedactor([])));
    }

    [Fact]
    public void Markdown_escapes_table_cells_and_redacts()
    {
        var secret = "s3cr3t-token-value";
        var report = Sample();
        report.Refused[0].Reason += " " + secret;
        var md = TraceabilityWriter.Markdown(report, T0, new SecretRedactor([secret]));

        Assert.Contains(@"| Ns.NoKey.&lt;b&gt;\|x\` | passed | DEMO-100 |", md);
        Assert.Contains(@"| DEMO-9 | xray | Test DEMO-9 \| &lt;i&gt;is not a Test&lt;/i&gt; \*\*\* | 2026-05-06 07:08 UTC |", md);
        Assert.Contains("0 passed / 2 failed / 1 not run / 2 not covered", md);
        Assert.DoesNotContain(secret, md);
    }

    [Fact]
    public void Dates_are_culture_invariant()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("th-TH"); // the Buddhist calendar would write 2569
            Assert.Contains("Generated 2026-05-06 07:08 UTC", TraceabilityWriter.Markdown(Sample(), T0, new SecretRedactor([])));
            Assert.Contains("Generated 2026-05-06 07:08 UTC", TraceabilityWriter.Html(Sample(), T0, new SecretRedactor([])));
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void The_publish_coverage_line_counts_requirements_by_state()
    {
        var coverage = Traceability.Coverage(
        [
            Result("A", covers: ["DEMO-1"]), Result("B", TestOutcome.Inconclusive, covers: ["DEMO-1"]),
            Result("C", covers: ["DEMO-2"]), Result("D", TestOutcome.Failed, covers: ["DEMO-3", "DEMO-2"]),
            Result("E"),
        ])!;
        Assert.Equal((3, 0, 2, 1), (coverage.Requirements, coverage.Passed, coverage.Failed, coverage.NotRun));
        Assert.Null(Traceability.Coverage([Result("E")]));
    }
}
