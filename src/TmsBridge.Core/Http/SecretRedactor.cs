using System.Text;

namespace TmsBridge.Http;

/// <summary>
/// Removes secrets from any text before it is printed or written: the secrets themselves and
/// their Basic-auth encoding (servers sometimes echo the Authorization header back).
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";
    private readonly List<string> _secrets = [];

    public SecretRedactor(IEnumerable<string> secrets, string? user = null)
    {
        foreach (var s in secrets.Where(s => s.Length >= 3))
        {
            _secrets.Add(s);
            if (user is not null) _secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + s)));
        }
        // Longest first, so a secret that contains another is masked whole.
        _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
    }

    public static SecretRedactor None { get; } = new([]);

    /// <summary>Adds a secret learnt during publishing (an access token a service issued).</summary>
    public void Add(string secret)
    {
        if (secret.Length < 3) return;
        lock (_secrets)
        {
            if (_secrets.Contains(secret)) return;
            _secrets.Add(secret);
            _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text!;
        lock (_secrets)
        {
            foreach (var s in _secrets)
            {
                result = result.Replace(s, Mask);
                // As it appears inside JSON strings, where quotes and backslashes are escaped.
                var escaped = s.Replace("\\", "\\\\").Replace("\"", "\\\"");
                if (escaped != s) result = result.Replace(escaped, Mask);
            }
        }
        return result;
    }
}
