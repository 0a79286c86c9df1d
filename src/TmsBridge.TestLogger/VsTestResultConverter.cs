using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using VsOutcome = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestOutcome;

namespace TmsBridge.TestLogger;

/// <summary>Translates a VSTest TestResult into Core's neutral record, handling the adapters' quirks.</summary>
public static class VsTestResultConverter
{
    [System.Runtime.CompilerServices.MethodImpl((System.Runtime.CompilerServices.MethodImplOptions)512)] // AggressiveOptimization: per result (TmsBridge.HotPath)
    public static TestResultRecord Convert(TestResult result)
    {
        var testCase = result.TestCase;
        var record = new TestResultRecord
        {
            FullyQualifiedName = testCase.FullyQualifiedName,
            // MSTest leaves the DisplayName of [Ignore]d results empty: fall back to the test case's.
            DisplayName = FirstNonEmpty(result.DisplayName, testCase.DisplayName, testCase.FullyQualifiedName),
            Source = string.IsNullOrEmpty(testCase.Source) ? null : Path.GetFileName(testCase.Source),
            Framework = FrameworkOf(testCase.ExecutorUri),
            Outcome = OutcomeOf(result),
            RunnerOutcome = result.Outcome.ToString(),
            StartTime = result.StartTime == default ? null : result.StartTime,
            EndTime = result.EndTime == default ? null : result.EndTime,
            DurationMs = result.Duration.TotalMilliseconds,
            ErrorMessage = result.ErrorMessage,
            ErrorStackTrace = result.ErrorStackTrace,
        };
        record.Parameters = DataRowParser.Parse(record.DisplayName);

        ReadTraits(testCase, record);

        var stdout = Join(result.Messages, TestResultMessage.StandardOutCategory);
        record.StandardOutput = OutputMarkers.ExtractAttachments(stdout, record.Attachments);
        // Steps, comments, keys, ... written by TmsBridge.Tms during the test (only this run's nonce counts).
        record.StandardOutput = RuntimeMarkers.ExtractThisRun(record.StandardOutput, record);
        record.StandardError = Join(result.Messages, TestResultMessage.StandardErrorCategory);

        foreach (var set in result.Attachments)
        {
            foreach (var a in set.Attachments)
            {
                if (a.Uri is null) continue;
                // MSTest on Linux delivers relative Uris holding an absolute path: LocalPath would throw.
                var path = a.Uri.IsAbsoluteUri ? a.Uri.LocalPath : a.Uri.OriginalString;
                // MSTest puts the full path into Description; it says nothing more than the file name.
                var description = string.IsNullOrWhiteSpace(a.Description) || a.Description == path ? null : a.Description;
                record.Attachments.Add(new EvidenceFile { Path = path, OriginalPath = path, FileName = Path.GetFileName(path), Description = description });
            }
        }
        return record;
    }

    /// <summary>Identity, outcome, timing, error and keys only: the fallback when a full conversion fails.</summary>
    public static TestResultRecord ConvertMinimal(TestResult result)
    {
        var record = new TestResultRecord
        {
            FullyQualifiedName = result.TestCase.FullyQualifiedName,
            DisplayName = FirstNonEmpty(result.DisplayName, result.TestCase.DisplayName, result.TestCase.FullyQualifiedName),
            Outcome = OutcomeOf(result),
            RunnerOutcome = result.Outcome.ToString(),
            DurationMs = result.Duration.TotalMilliseconds,
            ErrorMessage = result.ErrorMessage,
            ErrorStackTrace = result.ErrorStackTrace,
        };
        ReadTraits(result.TestCase, record);
        return record;
    }

    /// <summary>VSTest's own id of the traits property (ObjectModel's TraitCollection registers it under this name).</summary>
    private const string TraitsPropertyId = "TestObject.Traits";
    private static TestProperty? _traitsProperty;

    /// <summary>
    /// The test case's traits, read from its property store. <see cref="TestObject.Traits"/> costs a scan of every
    /// property and two iterators per call (ObjectModel's TraitCollection), and this runs per result in
    /// vstest.console (issue 16). Should the store hold anything else, or the property not be registered yet,
    /// the collection is read as before.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl((System.Runtime.CompilerServices.MethodImplOptions)512)] // AggressiveOptimization: per result (TmsBridge.HotPath)
    private static void ReadTraits(TestCase testCase, TestResultRecord record)
    {
        var property = _traitsProperty ??= TestProperty.Find(TraitsPropertyId);
        var value = property is null ? null : testCase.GetPropertyValue(property);
        if (value is KeyValuePair<string, string>[] pairs)
        {
            foreach (var pair in pairs) TraitReader.ReadOne(pair.Key, pair.Value, record.TestCaseKeys, record.Covers, record.Defects);
            return;
        }
        if (property is not null && value is null) return; // registered, and this test case has none
        foreach (var trait in testCase.Traits) TraitReader.ReadOne(trait.Name, trait.Value, record.TestCaseKeys, record.Covers, record.Defects);
    }

    /// <summary>
    /// The neutral outcome of one result. NUnit3TestAdapter sends None for two different things:
    /// Assert.Inconclusive, and an [Explicit] test (or a test of an [Explicit] fixture) that the run
    /// did not select. Both arrive with the same shape (ErrorMessage = the message or the explicit
    /// reason, the same text as stdout, no stack, a short duration); only the test case's
    /// NUnit.Explicit property (and its "Explicit" trait) tells them apart. A test that did not run
    /// is Skipped, as NUnit itself records it (result "Skipped", label "Explicit") and as the NUnit
    /// MTP runner reports it; the TRX of the same run says NotExecuted for both.
    /// </summary>
    public static Model.TestOutcome OutcomeOf(TestResult result) =>
        result.Outcome == VsOutcome.None && IsNUnitExplicit(result.TestCase) ? Model.TestOutcome.Skipped : OutcomeOf(result.Outcome);

    public static Model.TestOutcome OutcomeOf(VsOutcome outcome) => outcome switch
    {
        VsOutcome.Passed => Model.TestOutcome.Passed,
        VsOutcome.Failed => Model.TestOutcome.Failed,
        VsOutcome.Skipped => Model.TestOutcome.Skipped,
        // NUnit reports Inconclusive as None under VSTest (and an unselected [Explicit] test: see OutcomeOf(TestResult)).
        VsOutcome.None => Model.TestOutcome.Inconclusive,
        _ => Model.TestOutcome.NotRun,
    };

    /// <summary>
    /// NUnit3TestAdapter sets the test-case property NUnit.Explicit = True, and a trait "Explicit" with
    /// an empty value, on every explicit test. Limitation: an [Explicit] test that was selected, ran and
    /// called Assert.Inconclusive arrives exactly like one that was not selected, so it reads as Skipped too.
    /// </summary>
    internal static bool IsNUnitExplicit(TestCase testCase)
    {
        foreach (var property in testCase.Properties)
        {
            if (property.Id != "NUnit.Explicit") continue;
            return testCase.GetPropertyValue(property) switch
            {
                bool b => b,
                string s => bool.TryParse(s, out var b) && b,
                _ => false,
            };
        }
        return FrameworkOf(testCase.ExecutorUri) == "nunit" && testCase.Traits.Any(t => t.Name == "Explicit" && string.IsNullOrEmpty(t.Value));
    }

    // The executor's original text, not Uri.ToString(): that builds a new string on every call, and this runs per result.
    private static string? FrameworkOf(Uri? executor)
    {
        var s = executor?.OriginalString ?? "";
        if (s.IndexOf("nunit", StringComparison.OrdinalIgnoreCase) >= 0) return "nunit";
        if (s.IndexOf("xunit", StringComparison.OrdinalIgnoreCase) >= 0) return "xunit";
        if (s.IndexOf("mstest", StringComparison.OrdinalIgnoreCase) >= 0) return "mstest";
        return null;
    }

    /// <summary>The texts of one category, concatenated; null when there are none. No allocation for the usual zero or one message.</summary>
    private static string? Join(IEnumerable<TestResultMessage> messages, string category)
    {
        string? first = null;
        System.Text.StringBuilder? more = null;
        foreach (var m in messages)
        {
            if (m.Category != category || string.IsNullOrEmpty(m.Text)) continue;
            if (first is null) first = m.Text;
            else (more ??= new System.Text.StringBuilder(first)).Append(m.Text);
        }
        return more?.ToString() ?? first;
    }

    private static string FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? "";
}
