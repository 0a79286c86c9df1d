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

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text!;
        foreach (var s in _secrets) result = result.Replace(s, Mask);
        return result;
    }
}
