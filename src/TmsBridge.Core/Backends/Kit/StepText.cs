using System.Globalization;
using System.Text;
using TmsBridge.Model;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// Runtime steps (Tms.Step) as plain text, for a TMS or a test that has no place for step results: one
/// line per step, numbered by nesting ("2.1"), with its status, duration, message and evidence file names.
/// The step's evidence itself travels on the test (see <see cref="EvidencePlan"/>).
/// </summary>
internal static class StepText
{
    /// <summary>The steps of <paramref name="result"/> as lines, or "" when it has none.</summary>
    public static string Format(TestResultRecord result)
    {
        if (result.Steps.Count == 0) return "";
        var text = new StringBuilder();
        Append(text, result.Steps, "");
        return text.ToString().TrimEnd('\n');
    }

    /// <summary><paramref name="steps"/> (e.g. a step's nested ones) as lines numbered after <paramref name="prefix"/> ("2." gives 2.1, 2.2), or "" when there are none.</summary>
    public static string Format(List<TestStep> steps, string prefix)
    {
        if (steps.Count == 0) return "";
        var text = new StringBuilder();
        Append(text, steps, prefix);
        return text.ToString().TrimEnd('\n');
    }

    private static void Append(StringBuilder text, List<TestStep> steps, string prefix)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var number = prefix + (i + 1).ToString(CultureInfo.InvariantCulture);
            text.Append(number).Append(". ").Append(step.Outcome == TestOutcome.Failed ? "FAILED" : "PASSED").Append(' ').Append(step.Name);
            if (step.StartTime is { } start && step.EndTime is { } end)
                text.Append(" (").Append(Math.Max(0, (end - start).TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture)).Append(" s)");
            if (!string.IsNullOrWhiteSpace(step.Message)) text.Append(" — ").Append(step.Message!.Trim().Replace("\r", "").Replace("\n", " "));
            if (step.Evidence.Count > 0) text.Append(" [evidence: ").Append(string.Join(", ", step.Evidence.Select(e => e.FileName))).Append(']');
            text.Append('\n');
            Append(text, step.Steps, number + ".");
        }
    }
}
