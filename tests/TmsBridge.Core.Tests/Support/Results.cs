using TmsBridge.Model;

namespace TmsBridge.Core.Tests.Support;

/// <summary>Small builders for neutral result records.</summary>
internal static class Results
{
    private static int _sequence;

    public static TestResultRecord Result(string fqn, TestOutcome outcome = TestOutcome.Passed, string? displayName = null,
        string[]? keys = null, string[]? covers = null, string[]? defects = null, int? sequence = null) => new()
    {
        Sequence = sequence ?? Interlocked.Increment(ref _sequence),
        FullyQualifiedName = fqn,
        DisplayName = displayName ?? fqn,
        Outcome = outcome,
        TestCaseKeys = [.. keys ?? []],
        Covers = [.. covers ?? []],
        Defects = [.. defects ?? []],
    };

    public static TestResultRecord WithParameters(this TestResultRecord r, params (string Name, string Value)[] parameters)
    {
        r.Parameters = parameters.Select(p => new TestParameter(p.Name, p.Value)).ToList();
        return r;
    }
}
