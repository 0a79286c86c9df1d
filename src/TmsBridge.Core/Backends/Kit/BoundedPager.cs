using System.Text.Json;

namespace TmsBridge.Backends.Kit;

/// <summary>What one page held: how many items, and whether the server said it was the last.</summary>
internal readonly struct PageRead(int count, bool isLast)
{
    public int Count { get; } = count;
    public bool IsLast { get; } = isLast;
}

/// <summary>
/// Reads a paged listing (startAt/maxResults) to its end, but never more than a bound of pages: a
/// listing that never ends, or a very large one, costs a known number of requests.
/// </summary>
internal static class BoundedPager
{
    /// <param name="readPage">Reads the page starting at the given offset.</param>
    /// <param name="maxPages">The bound.</param>
    /// <returns>How many items were read.</returns>
    public static async Task<int> ReadAsync(Func<int, CancellationToken, Task<PageRead>> readPage, int maxPages, CancellationToken cancellationToken)
    {
        var startAt = 0;
        for (var page = 0; page < maxPages; page++)
        {
            var read = await readPage(startAt, cancellationToken).ConfigureAwait(false);
            startAt += read.Count;
            if (read.IsLast || read.Count == 0) break;
        }
        return startAt;
    }

    /// <summary>
    /// A Jira-style page: a bare array (the whole listing), or {"items": [...], "isLast", "total"}.
    /// Calls <paramref name="onItem"/> per item; the page is the last when the server says so, when it
    /// is a bare array, or when <paramref name="startAt"/> plus its items reach the total.
    /// </summary>
    public static PageRead ReadJsonPage(JsonElement root, int startAt, Action<JsonElement> onItem)
    {
        var items = root.ValueKind == JsonValueKind.Array ? root : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var i) ? i : default;
        if (items.ValueKind != JsonValueKind.Array) return new PageRead(0, isLast: true);
        var count = 0;
        foreach (var item in items.EnumerateArray())
        {
            count++;
            onItem(item);
        }
        var isLast = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("isLast", out var last) && last.ValueKind == JsonValueKind.True;
        var total = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("total", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n) ? n : -1;
        return new PageRead(count, isLast || root.ValueKind == JsonValueKind.Array || (total >= 0 && startAt + count >= total));
    }
}
