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

    /// <summary>True when the text carries the marker, exactly (a word search may match more).</summary>
    public static bool IsIn(string? text, string marker) => text is not null && text.IndexOf(marker, StringComparison.Ordinal) >= 0;

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
