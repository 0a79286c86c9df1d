namespace TmsBridge.Keys;

/// <summary>
/// The shape of a test-case key a target accepts. Checked before anything is sent, so a typo
/// becomes a warning naming the test and the key rather than an opaque server error.
/// </summary>
/// <remarks>
/// The shapes are checked by hand, not by regular expressions: every journalled key is checked once
/// while the tests run and again at the run end (issue 16), and the interpreter cost about a microsecond
/// a key. The patterns in the comments are the rules; KeysTests checks the code against them.
/// </remarks>
public sealed class KeyRule(string description, string example, Func<string, bool> matches)
{
    /// <summary>Jira issue keys (Xray, RTM): project key, dash, number (<c>^[A-Z][A-Z0-9_]*-[1-9][0-9]*$</c>). Jira's default
    /// project key pattern is upper-case letters; digits and underscores after the first letter are allowed by admins.</summary>
    public static readonly KeyRule JiraIssueKey = new("a Jira issue key", "PROJ-123", IsJiraIssueKey);
    /// <summary>AIO Tests and QMetry case keys: PROJ-TC-12 (<c>^[A-Z][A-Z0-9_]*-TC-[1-9][0-9]*$</c>).</summary>
    public static readonly KeyRule TestCaseKey = new("a test case key", "PROJ-TC-12", IsTestCaseKey);
    /// <summary>qTest test case ids: TC-12 or the numeric id (<c>^(TC-)?[1-9][0-9]*$</c>).</summary>
    public static readonly KeyRule QTestId = new("a qTest test case id", "TC-12", IsQTestId);
    /// <summary>With no target any of the known shapes is accepted.</summary>
    public static readonly KeyRule Any = new("a Jira issue key or test case key", "PROJ-123", IsJiraIssueKeyOrTestCaseKey);

    public string Description { get; } = description;
    public string Example { get; } = example;

    /// <summary>
    /// "a test case key such as DEMO-TC-12": the shape in words, with the example in the user's own
    /// project when one is known (the project of the key that did not fit), so the fix is obvious.
    /// Every message that tells a user which key shape a target expects is worded here.
    /// </summary>
    public string Expected(string? project = null)
    {
        var example = project is { Length: > 0 } && Example.StartsWith("PROJ-", StringComparison.Ordinal)
            ? project + Example.Substring(4)
            : Example;
        return $"{Description} such as {example}";
    }

    /// <summary>Keys are compared upper-case (Jira treats them case-insensitively); spaces around them are dropped.</summary>
    public static string Normalize(string key) => key.Trim().ToUpperInvariant();

    public bool IsValid(string normalizedKey) => matches(normalizedKey);

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static bool IsJiraIssueKey(string k)
    {
        var dash = ProjectKeyEnd(k);
        return dash > 0 && IsNumberFrom(k, dash + 1);
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static bool IsTestCaseKey(string k)
    {
        var dash = ProjectKeyEnd(k);
        return dash > 0 && string.CompareOrdinal(k, dash, "-TC-", 0, 4) == 0 && IsNumberFrom(k, dash + 4);
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static bool IsJiraIssueKeyOrTestCaseKey(string k) => IsJiraIssueKey(k) || IsTestCaseKey(k);

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static bool IsQTestId(string k) => IsNumberFrom(k, k.StartsWith("TC-", StringComparison.Ordinal) ? 3 : 0);

    /// <summary>Where the dash after a leading project key (<c>[A-Z][A-Z0-9_]*</c>) is, or -1.</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static int ProjectKeyEnd(string k)
    {
        if (k.Length == 0 || k[0] is < 'A' or > 'Z') return -1;
        var i = 1;
        while (i < k.Length && k[i] is >= 'A' and <= 'Z' or >= '0' and <= '9' or '_') i++;
        return i < k.Length && k[i] == '-' ? i : -1;
    }

    /// <summary>The text from <paramref name="start"/> to its end is a number without a leading zero (<c>[1-9][0-9]*</c>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    private static bool IsNumberFrom(string k, int start)
    {
        if (start >= k.Length || k[start] is < '1' or > '9') return false;
        for (var i = start + 1; i < k.Length; i++)
            if (k[i] is < '0' or > '9') return false;
        return true;
    }

    /// <summary>True when the key has the shape of some supported TMS (Jira key, test case key or qTest id).</summary>
    public static bool IsAnyKnownShape(string normalizedKey) =>
        JiraIssueKey.IsValid(normalizedKey) || TestCaseKey.IsValid(normalizedKey) || QTestId.IsValid(normalizedKey);

    /// <summary>The project part of a Jira-style key (DEMO-12 → DEMO), or null.</summary>
    public static string? ProjectOf(string key)
    {
        var dash = key.IndexOf('-');
        return dash > 0 ? key.Substring(0, dash) : null;
    }
}
