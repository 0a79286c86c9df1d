namespace TmsBridge.Backends.Kit;

/// <summary>Splits a list into consecutive chunks of at most a TMS's bulk limit (AIO: 100 runs a request).</summary>
internal static class Chunks
{
    public static IEnumerable<List<T>> Of<T>(List<T> items, int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a chunk holds at least one item");
        for (var i = 0; i < items.Count; i += size) yield return items.GetRange(i, Math.Min(size, items.Count - i));
    }
}
