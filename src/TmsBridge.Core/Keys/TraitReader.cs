namespace TmsBridge.Keys;

/// <summary>
/// Reads TmsBridge's trait names from whatever name/value pairs a runner delivers
/// (VSTest traits, MTP metadata). Values may hold several keys separated by ',' or ';'
/// (MSTest's TestProperty carries one value per attribute instance).
/// </summary>
public static class TraitReader
{
    public const string TestCaseKey = "TestCaseKey";
    public const string Covers = "Covers";
    public const string Defect = "Defect";

    private static readonly char[] Separators = [',', ';'];

    private static void Add(List<string> target, string part)
    {
        var value = part.Trim();
        if (value.Length > 0 && !target.Contains(value)) target.Add(value);
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static void Read(IEnumerable<KeyValuePair<string, string?>> traits, List<string> keys, List<string> covers, List<string> defects)
    {
        foreach (var trait in traits) ReadOne(trait.Key, trait.Value, keys, covers, defects);
    }

    /// <summary>One trait: for a front-end that meets them one by one (no list of pairs built per result).</summary>
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static void ReadOne(string name, string? value, List<string> keys, List<string> covers, List<string> defects)
    {
        var target = string.Equals(name, TestCaseKey, StringComparison.OrdinalIgnoreCase) ? keys
            : string.Equals(name, Covers, StringComparison.OrdinalIgnoreCase) ? covers
            : string.Equals(name, Defect, StringComparison.OrdinalIgnoreCase) ? defects
            : null;
        if (target is null || value is null) return;
        // One key per trait is the usual case: no split (this runs for every result).
        if (value.IndexOfAny(Separators) < 0)
        {
            Add(target, value);
            return;
        }
        foreach (var part in value.Split(Separators, StringSplitOptions.RemoveEmptyEntries)) Add(target, part);
    }
}
