using System.Globalization;

namespace TmsBridge.Configuration;

/// <summary>A request budget: at most <see cref="Requests"/> requests in any <see cref="Window"/>.</summary>
public sealed class RequestRate(int requests, TimeSpan window)
{
    public int Requests { get; } = requests;
    public TimeSpan Window { get; } = window;
    public bool IsUnlimited => Requests <= 0;

    public static RequestRate Unlimited { get; } = new(0, TimeSpan.Zero);

    /// <summary>"300/5m", "60/1m", "10/s", "100/30s" or "none".</summary>
    public static bool TryParse(string text, out RequestRate rate)
    {
        rate = Unlimited;
        var t = text.Trim().ToLowerInvariant();
        if (t is "none" or "off" or "unlimited") return true;
        var slash = t.IndexOf('/');
        if (slash <= 0 || !int.TryParse(t.Substring(0, slash), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n <= 0) return false;
        var w = t.Substring(slash + 1);
        if (w is "s" or "m" or "h") w = "1" + w;
        if (w.EndsWith("h", StringComparison.Ordinal) && double.TryParse(w.Substring(0, w.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var hours)) w = (hours * 60).ToString(CultureInfo.InvariantCulture) + "m";
        if (!ConfigurationResolver.TryDuration(w, out var window) || window <= TimeSpan.Zero) return false;
        rate = new RequestRate(n, window);
        return true;
    }

    public override string ToString() => IsUnlimited ? "none" : $"{Requests}/{Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
}
