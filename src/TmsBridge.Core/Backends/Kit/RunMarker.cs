namespace TmsBridge.Backends.Kit;

/// <summary>
/// The run marker: "TmsBridge run &lt;runId&gt;", written into what a run creates (an execution's
/// description, a cycle's objective) so that a create whose answer was lost is found again by it
/// instead of being made twice (design §7).
/// </summary>
internal static class RunMarker
{
    public const string Prefix = "TmsBridge run ";

    public static string Of(string runId) => Prefix + runId;

    /// <summary>The marker of this run, or null without a run id (nothing to find a create by).</summary>
    public static string? For(string runId) => runId.Length > 0 ? Of(runId) : null;

    /// <summary>The marker's own word (the run id): what a word search (Jira's ~) can look for.</summary>
    public static string Word(string marker) => marker.Substring(marker.LastIndexOf(' ') + 1);

    /// <summary>
    /// True when the text carries the marker, exactly (a word search may match more): the marker
    /// followed by a character that cannot be part of a marker id, so that the group "ci-12"
    /// is not found in an execution of the group "ci-123".
    /// </summary>
    public static bool IsIn(string? text, string marker)
    {
        if (text is null) return false;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            var end = at + marker.Length;
            if (end >= text.Length || !IsIdChar(text[end])) return true;
        }
        return false;
    }

    /// <summary>At most this long: a marker id travels in JQL, titles and descriptions.</summary>
    public const int MaxIdLength = 100;

    /// <summary>What a marker id may hold: one word for Jira's word search (~), found exactly by <see cref="IsIn"/>.</summary>
    public static bool IsIdChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';

    /// <summary>Null when <paramref name="id"/> can be a marker id; else why not.</summary>
    public static string? IdProblem(string id) =>
        id.Length == 0 ? "it is empty"
        : id.Length > MaxIdLength ? $"it is longer than {MaxIdLength} characters"
        : id.All(IsIdChar) ? null
        : "it may hold only letters, digits, '-', '_' and '.'";

    /// <summary>
    /// Any text (a CI run id, a Jenkins BUILD_TAG with a job name in it) as a marker id: characters a
    /// marker id cannot hold become '-', and a long text is cut (its hash keeps different texts apart).
    /// </summary>
    public static string IdOf(string text)
    {
        var chars = text.Trim().Select(c => IsIdChar(c) ? c : '-').ToArray();
        var id = new string(chars);
        if (id.Length == 0) id = "-";
        if (id.Length <= MaxIdLength && id == text) return id;
        // A text that had to change gets a short hash of the original, so "a b" and "a/b" stay two groups.
        using var sha = System.Security.Cryptography.SHA256.Create();
        var hash = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(text));
        var suffix = "-" + BitConverter.ToString(hash, 0, 4).Replace("-", "").ToLowerInvariant();
        return (id.Length > MaxIdLength - suffix.Length ? id.Substring(0, MaxIdLength - suffix.Length) : id) + suffix;
    }

    /// <summary>
    /// True when a description field as a server answered it carries the marker: Jira Cloud (and the
    /// apps on it) may answer plain text or ADF (a JSON document whose text nodes hold the words).
    /// </summary>
    public static bool IsInField(System.Text.Json.Nodes.JsonNode? field, string marker) =>
        field is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text) ? IsIn(text, marker)
        : field is not null && IsIn(field.ToJsonString(), marker);

    /// <summary>
    /// The text with the marker appended after a blank line, as <paramref name="shown"/> (the marker
    /// itself, or a TMS's own wrapping of it); <paramref name="alone"/> when there is no text.
    /// </summary>
    public static string Append(string? text, string shown, string alone) =>
        text is null ? alone : text + "\n\n" + shown;
}
