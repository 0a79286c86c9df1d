using TmsBridge.Configuration;
using TmsBridge.Mapping;

namespace TmsBridge.Backends.Kit;

/// <summary>
/// The status map checked against the statuses a project defines (AIO run statuses; QMetry, qTest
/// and RTM have project-defined statuses too): a mapped status the run uses must be one of them,
/// matched without case and sent in the project's own spelling; one the run does not use is only
/// a warning.
/// </summary>
internal sealed class StatusCatalogCheck
{
    /// <summary>Mapped status → the project's spelling of it, for every mapped status the project has.</summary>
    public Dictionary<string, string> Spelling { get; } = new(StringComparer.Ordinal);
    public List<string> Warnings { get; } = [];
    /// <summary>Why the run cannot be sent (used statuses the project lacks, and the valid names), or null.</summary>
    public string? Error { get; private set; }

    /// <param name="valid">The project's status names (not empty).</param>
    /// <param name="statuses">The run's status map.</param>
    /// <param name="used">Whether a result of this run is sent with the status.</param>
    /// <param name="where">The catalogue in words, e.g. "project DEMO".</param>
    /// <param name="noun">What a status is called there, e.g. "run status".</param>
    /// <param name="tms">The TMS's display name, for warnings.</param>
    public static StatusCatalogCheck Run(IReadOnlyList<string> valid, StatusMap statuses, Func<string, bool> used, string where, string noun, string tms)
    {
        var check = new StatusCatalogCheck();
        var wrong = new List<string>();
        foreach (var pair in statuses.Entries.OrderBy(p => p.Key))
        {
            var match = valid.FirstOrDefault(v => string.Equals(v, pair.Value, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                // The project's own spelling is what the TMS compares with.
                check.Spelling[pair.Value] = match;
                continue;
            }
            var text = $"'{pair.Value}' (for {pair.Key})";
            if (used(pair.Value)) wrong.Add(text);
            else check.Warnings.Add($"{tms}: statusMap maps {pair.Key} to '{pair.Value}', which is not a {noun} of {where} (no result of this run needed it).");
        }
        if (wrong.Count > 0)
        {
            var names = string.Join(", ", valid.Select(v => $"'{v}'"));
            check.Error = $"the {noun}{(wrong.Count > 1 ? "es" : "")} {string.Join(", ", wrong)} {(wrong.Count > 1 ? "are" : "is")} not among {where}'s {noun}es: {names}. " +
                          $"Map outcomes to those names with statusMap (e.g. {OptionCatalog.StatusMap.EnvironmentVariable}=\"Skipped={valid[0]}\"), or set checkStatuses=false.";
        }
        return check;
    }
}
