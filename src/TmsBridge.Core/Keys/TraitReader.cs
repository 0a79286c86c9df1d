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
        foreach (var trait in traits)
        {
            var target = trait.Key switch
            {
                _ when string.Equals(trait.Key, TestCaseKey, StringComparison.OrdinalIgnoreCase) => keys,
                _ when string.Equals(trait.Key, Covers, StringComparison.OrdinalIgnoreCase) => covers,
                _ when string.Equals(trait.Key, Defect, StringComparison.OrdinalIgnoreCase) => defects,
                _ => null,
            };
            if (target is null || trait.Value is null) continue;
            // One key per trait is the usual case: no split (this runs for every result).
            if (trait.Value.IndexOfAny(Separators) < 0)
            {
                Add(target, trait.Value);
                continue;
            }
            foreach (var part in trait.Value.Split(Separators, StringSplitOptions.RemoveEmptyEntries)) Add(target, part);
        }
    }
}
