namespace TmsBridge;

/// <summary>
/// Normalises the keys given to a TmsBridge attribute. Throwing from an attribute constructor
/// turns into confusing discovery errors in every framework, so null, empty and whitespace-only
/// keys are silently dropped and the others are trimmed. Whether a key is well formed
/// (e.g. <c>DEMO-1</c>) is checked later by the logger, which can warn with context.
/// </summary>
internal static class TmsKeyList
{
    public static string[] Normalize(string[]? keys)
    {
        if (keys is null || keys.Length == 0)
        {
            return [];
        }

        var result = new List<string>(keys.Length);
        foreach (var key in keys)
        {
            if (!string.IsNullOrWhiteSpace(key))
            {
                result.Add(key.Trim());
            }
        }

        return [.. result];
    }
}
