using System.Text.Json;
using System.Text.Json.Serialization;

namespace TmsBridge.Sandbox.Http;

/// <summary>
/// A fault rule as posted to <c>POST /_sandbox/faults</c> and listed by <c>GET /_sandbox/faults</c>.
/// Matches requests by <see cref="Method"/> (any when absent) and <see cref="Path"/> (exact, or a
/// prefix when it ends with <c>*</c>); the first matching rule with count left applies and uses up one.
/// </summary>
public sealed record FaultRule
{
    public int Id { get; init; }

    public string? Method { get; init; }
    public string Path { get; init; } = "";

    /// <summary><c>status</c>, <c>delay</c>, <c>drop</c>, <c>loseResponse</c> or <c>tooLarge</c>.</summary>
    public string Action { get; init; } = "";

    /// <summary>How many matching requests the rule applies to (-1 = unlimited); default 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>What is left of <see cref="Count"/> (-1 = unlimited).</summary>
    public int Remaining { get; init; }

    public int? Status { get; init; }

    /// <summary>Sent as given: seconds (<c>"2"</c>) or an HTTP date.</summary>
    public string? RetryAfter { get; init; }

    public string? Body { get; init; }
    public string? ContentType { get; init; }
    public int? DelayMs { get; init; }
    public long? MaxBytes { get; init; }

    internal bool Matches(string method, string path) =>
        (Method is null || Method.Equals(method, StringComparison.OrdinalIgnoreCase))
        && (Path.EndsWith('*') ? path.StartsWith(Path[..^1], StringComparison.Ordinal) : path == Path);
}

/// <summary>The active fault rules, in order. Thread-safe.</summary>
public sealed class FaultStore
{
    internal static readonly string[] Actions = ["status", "delay", "drop", "loseResponse", "tooLarge"];

    private readonly List<FaultRule> _rules = [];
    private int _nextId = 1;

    public IReadOnlyList<FaultRule> Rules
    {
        get { lock (_rules) return _rules.ToArray(); }
    }

    public IReadOnlyList<FaultRule> Add(IEnumerable<FaultRule> rules)
    {
        lock (_rules)
        {
            foreach (var r in rules)
                _rules.Add(r with { Id = _nextId++, Remaining = r.Count });
            return _rules.ToArray();
        }
    }

    public void Clear()
    {
        lock (_rules)
            _rules.Clear();
    }

    /// <summary>Whether a <c>tooLarge</c> rule could apply, so the body size must be known.</summary>
    internal bool NeedsBodySize(string method, string path)
    {
        lock (_rules)
            return _rules.Exists(r => r.Action == "tooLarge" && r.Matches(method, path));
    }

    /// <summary>The first rule that applies to the request, its count used up by one; null when none.</summary>
    internal FaultRule? Take(string method, string path, long? bodyBytes)
    {
        lock (_rules)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var r = _rules[i];
                if (!r.Matches(method, path))
                    continue;
                // A tooLarge rule only concerns requests over its limit; its count counts rejections.
                if (r.Action == "tooLarge" && !(bodyBytes > r.MaxBytes))
                    continue;
                if (r.Remaining > 0)
                {
                    _rules[i] = r with { Remaining = r.Remaining - 1 };
                    if (r.Remaining == 1)
                        _rules.RemoveAt(i); // used up: no longer active
                }
                return r;
            }
            return null;
        }
    }

    private static readonly JsonSerializerOptions RuleJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Parses one rule or an array of rules; throws <see cref="FormatException"/> with a readable message.</summary>
    internal static IReadOnlyList<FaultRule> Parse(JsonElement root)
    {
        var items = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray().ToArray(),
            JsonValueKind.Object => [root],
            _ => throw new FormatException("Expected a fault rule object or an array of them."),
        };
        var rules = new List<FaultRule>();
        for (var i = 0; i < items.Length; i++)
        {
            var where = items.Length == 1 && root.ValueKind == JsonValueKind.Object ? "rule" : $"rule {i}";
            if (items[i].ValueKind != JsonValueKind.Object)
                throw new FormatException($"{where}: expected an object.");
            // retryAfter may be a number or a string; normalise to the text that will be sent.
            string? retryAfter = null;
            var obj = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in items[i].EnumerateObject())
            {
                if (p.Name is "id" or "remaining")
                    throw new FormatException($"{where}: '{p.Name}' is set by the sandbox.");
                if (p.Name == "retryAfter")
                {
                    retryAfter = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Number => p.Value.GetRawText(),
                        JsonValueKind.Null => null,
                        _ => throw new FormatException($"{where}: 'retryAfter' must be seconds or an HTTP date string."),
                    };
                    continue;
                }
                obj[p.Name] = p.Value;
            }

            FaultRule rule;
            try
            {
                rule = JsonSerializer.Deserialize<FaultRule>(JsonSerializer.Serialize(obj), RuleJson)!;
            }
            catch (JsonException e)
            {
                throw new FormatException($"{where}: {e.Message}");
            }
            rules.Add(Validate(rule with { RetryAfter = retryAfter }, where));
        }
        return rules;
    }

    private static FaultRule Validate(FaultRule r, string where)
    {
        if (!Actions.Contains(r.Action, StringComparer.Ordinal))
            throw new FormatException($"{where}: 'action' must be one of {string.Join(", ", Actions)}, not '{r.Action}'.");
        if (!r.Path.StartsWith('/'))
            throw new FormatException($"{where}: 'path' must start with '/' (exact, or a prefix ending in '*').");
        if (r.Count is 0 or < -1)
            throw new FormatException($"{where}: 'count' must be positive, or -1 for unlimited.");
        switch (r.Action)
        {
            case "status" when r.Status is not (>= 100 and <= 599):
                throw new FormatException($"{where}: action 'status' needs 'status' between 100 and 599.");
            case "delay" when r.DelayMs is not (>= 0 and <= 600_000):
                throw new FormatException($"{where}: action 'delay' needs 'delayMs' between 0 and 600000.");
            case "tooLarge" when r.MaxBytes is not >= 0:
                throw new FormatException($"{where}: action 'tooLarge' needs 'maxBytes' (0 or more).");
        }
        if (r.RetryAfter is { } ra && ra.Any(char.IsControl))
            throw new FormatException($"{where}: 'retryAfter' must be one line.");
        if (r.ContentType is { } ct && ct.Any(char.IsControl))
            throw new FormatException($"{where}: 'contentType' must be one line.");
        return r;
    }
}
