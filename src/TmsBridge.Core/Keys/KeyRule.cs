using System.Text.RegularExpressions;

namespace TmsBridge.Keys;

/// <summary>
/// The shape of a test-case key a target accepts. Checked before anything is sent, so a typo
/// becomes a warning naming the test and the key rather than an opaque server error.
/// </summary>
public sealed class KeyRule(string description, string example, params Regex[] patterns)
{
    /// <summary>Jira issue keys (Xray, RTM): project key, dash, number. Jira's default project
    /// key pattern is upper-case letters; digits and underscores after the first letter are allowed by admins.</summary>
    public static readonly KeyRule JiraIssueKey = new("a Jira issue key", "PROJ-123", new Regex(@"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$", RegexOptions.CultureInvariant));
    /// <summary>AIO Tests and QMetry case keys: PROJ-TC-12.</summary>
    public static readonly KeyRule TestCaseKey = new("a test case key", "PROJ-TC-12", new Regex(@"^[A-Z][A-Z0-9_]*-TC-[1-9][0-9]*$", RegexOptions.CultureInvariant));
    /// <summary>qTest test case ids (TC-12 or the numeric id).</summary>
    public static readonly KeyRule QTestId = new("a qTest test case id", "TC-12", new Regex(@"^(TC-)?[1-9][0-9]*$", RegexOptions.CultureInvariant));
    /// <summary>With no target any of the known shapes is accepted.</summary>
    public static readonly KeyRule Any = new("a Jira issue key or test case key", "PROJ-123", [.. JiraIssueKey.Patterns, .. TestCaseKey.Patterns]);

    public string Description { get; } = description;
    public string Example { get; } = example;
    public IReadOnlyList<Regex> Patterns { get; } = patterns;

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

    public bool IsValid(string normalizedKey)
    {
        // A loop, not Any(lambda): every journalled key is checked (issue 16).
        for (var i = 0; i < Patterns.Count; i++)
            if (Patterns[i].IsMatch(normalizedKey)) return true;
        return false;
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
