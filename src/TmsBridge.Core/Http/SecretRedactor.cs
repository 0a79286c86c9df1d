using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TmsBridge.Http;

/// <summary>
/// Removes secrets from any text before it is printed or written. A secret is masked in every form
/// it takes in transit, because servers echo requests back and tests print what they were given:
/// the value itself, the Basic-auth encoding of user:secret, and each of those JSON-escaped (as
/// System.Text.Json's default and relaxed encoders write it, plus the minimal \" \\ form and
/// lowercase \u hex as other stacks write it) and URL-encoded (%20 or + for space, upper or lower hex).
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";
    /// <summary>Shorter values are not masked: masking "ab" everywhere would shred every text.</summary>
    public const int MinSecretLength = 3;

    // Source-generated, like every JSON of TmsBridge: the reflection-based serializer costs its own
    // start-up (resolver, metadata, JIT) on the first secret, inside the test run (issue 16).
    private static readonly JsonTypeInfo<string> DefaultJson = RedactorJsonContext.Default.String;
    private static readonly JsonTypeInfo<string> RelaxedJson = new RedactorJsonContext(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).String;

    private readonly List<string> _forms = [];
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);
    private readonly string? _user;

    public SecretRedactor(IEnumerable<string> secrets, string? user = null)
    {
        _user = user;
        foreach (var s in secrets) AddForms(s);
        Sort();
    }

    public static SecretRedactor None { get; } = new([]);

    /// <summary>The longest text a single masked form can span: callers that redact a window of a long text widen it by this much.</summary>
    /// <summary>True once any secret (or a form of one) is known: with none, <see cref="Redact"/> returns its input.</summary>
    public bool HasSecrets { get { lock (_forms) return _forms.Count > 0; } }

    public int LongestForm { get { lock (_forms) return _forms.Count == 0 ? 0 : _forms[0].Length; } }

    /// <summary>Adds a secret learnt during publishing (an access token a service issued).</summary>
    public void Add(string secret)
    {
        lock (_forms)
        {
            if (AddForms(secret)) Sort();
        }
    }

    private bool AddForms(string secret)
    {
        if (secret is null || secret.Length < MinSecretLength || !_secrets.Add(secret)) return false;
        var bases = new List<string> { secret };
        if (!string.IsNullOrEmpty(_user)) bases.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(_user + ":" + secret)));
        foreach (var b in bases)
        {
            foreach (var form in FormsOf(b))
            {
                if (form.Length >= MinSecretLength && !_forms.Contains(form)) _forms.Add(form);
            }
        }
        return true;
    }

    /// <summary>The value as it appears raw, inside JSON strings and inside URLs.</summary>
    internal static IEnumerable<string> FormsOf(string value)
    {
        yield return value;
        // JSON: System.Text.Json's default encoder (\u002B for +, \u0022 for ", \uXXXX beyond ASCII),
        // its relaxed encoder (what our own files use), the minimal form of most other writers, and
        // lowercase hex (TmsEvidence, Python, Java).
        var json = JsonSerializer.Serialize(value, DefaultJson);
        json = json.Substring(1, json.Length - 2);
        yield return json;
        yield return LowerHexEscapes(json);
        var relaxed = JsonSerializer.Serialize(value, RelaxedJson);
        relaxed = relaxed.Substring(1, relaxed.Length - 2);
        yield return relaxed;
        yield return LowerHexEscapes(relaxed);
        yield return value.Replace("\\", "\\\\").Replace("\"", "\\\"");
        // URLs: RFC 3986 style (%20) and form style (+ for a space), with upper and lower hex.
        var data = Uri.EscapeDataString(value);
        yield return data;
        yield return LowerPercentHex(data);
        var form = WebUtility.UrlEncode(value);
        yield return form;
        yield return LowerPercentHex(form);
    }

    private static string LowerHexEscapes(string json)
    {
        if (json.IndexOf("\\u", StringComparison.Ordinal) < 0) return json;
        var sb = new StringBuilder(json.Length);
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == '\\' && i + 5 < json.Length && json[i + 1] == 'u')
            {
                sb.Append("\\u").Append(json.Substring(i + 2, 4).ToLowerInvariant());
                i += 5;
            }
            else if (json[i] == '\\' && i + 1 < json.Length)
            {
                sb.Append(json[i]).Append(json[i + 1]); // \\u of an escaped backslash is not an escape
                i++;
            }
            else sb.Append(json[i]);
        }
        return sb.ToString();
    }

    private static string LowerPercentHex(string encoded)
    {
        if (encoded.IndexOf('%') < 0) return encoded;
        var sb = new StringBuilder(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length)
            {
                sb.Append('%').Append(char.ToLowerInvariant(encoded[i + 1])).Append(char.ToLowerInvariant(encoded[i + 2]));
                i += 2;
            }
            else sb.Append(encoded[i]);
        }
        return sb.ToString();
    }

    // Longest first, so a secret that contains another is masked whole.
    private void Sort() => _forms.Sort((a, b) => b.Length.CompareTo(a.Length));

    /// <summary>
    /// The nearest place at or before <paramref name="index"/> where <paramref name="text"/> can be cut
    /// without splitting a secret form: a text cut there and redacted in parts keeps nothing of a
    /// secret that straddled the cut (masks shorten text, so a cut must be chosen on the raw text).
    /// </summary>
    public int SafeCutAtOrBefore(string text, int index) => SafeCut(text, index, before: true);

    /// <summary>The nearest place at or after <paramref name="index"/> that splits no secret form.</summary>
    public int SafeCutAtOrAfter(string text, int index) => SafeCut(text, index, before: false);

    private int SafeCut(string text, int index, bool before)
    {
        var cut = Math.Max(0, Math.Min(text.Length, index));
        lock (_forms)
        {
            // Moving the cut can make it split another form: repeat until no form straddles it.
            for (var moved = true; moved;)
            {
                moved = false;
                foreach (var form in _forms)
                {
                    var from = Math.Max(0, cut - form.Length + 1);
                    var count = Math.Min(text.Length, cut + form.Length - 1) - from;
                    if (count < form.Length) continue;
                    var at = text.IndexOf(form, from, count, StringComparison.Ordinal);
                    if (at < 0 || at >= cut) continue;
                    cut = before ? at : at + form.Length;
                    moved = true;
                }
            }
        }
        return cut;
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text!;
        lock (_forms)
        {
            foreach (var form in _forms)
            {
                if (result.IndexOf(form, StringComparison.Ordinal) >= 0) result = result.Replace(form, Mask);
            }
        }
        return result;
    }
}

[JsonSerializable(typeof(string))]
internal sealed partial class RedactorJsonContext : JsonSerializerContext;
