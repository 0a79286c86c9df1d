using TmsBridge.Model;

namespace TmsBridge.Mapping;

/// <summary>
/// Reads data-row arguments out of a display name: xUnit "M(user: \"bob\", n: 2)",
/// NUnit "M(\"bob\",2)", MSTest "M (bob,2)". Named arguments keep their names; positional ones
/// are called arg1, arg2, ... (VSTest does not carry NUnit's or MSTest's parameter names).
/// </summary>
public static class DataRowParser
{
    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static List<TestParameter> Parse(string displayName)
    {
        var result = new List<TestParameter>();
        if (string.IsNullOrEmpty(displayName)) return result;
        var open = displayName.IndexOf('(');
        if (open < 0 || !displayName.EndsWith(")", StringComparison.Ordinal)) return result;
        var inner = displayName.Substring(open + 1, displayName.Length - open - 2);
        if (inner.Trim().Length == 0) return result;

        var position = 0;
        foreach (var part in SplitTopLevel(inner))
        {
            position++;
            var text = part.Trim();
            var colon = IndexOfTopLevelColon(text);
            string name, value;
            if (colon > 0 && IsIdentifier(text.Substring(0, colon).Trim()))
            {
                name = text.Substring(0, colon).Trim();
                value = text.Substring(colon + 1).Trim();
            }
            else
            {
                name = "arg" + position;
                value = text;
            }
            result.Add(new TestParameter(name, Unquote(value)));
        }
        return result;
    }

    private static IEnumerable<string> SplitTopLevel(string s)
    {
        var depth = 0;
        var quote = '\0';
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != '\0')
            {
                if (c == '\\') { i++; continue; }
                if (c == quote) quote = '\0';
                continue;
            }
            switch (c)
            {
                // A quote opens a literal only at the start of a value: MSTest prints strings
                // unquoted, so "O'Brien" must not open one.
                case '"' or '\'' when OpensLiteral(s, start, i): quote = c; break;
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth--; break;
                case ',' when depth == 0:
                    yield return s.Substring(start, i - start);
                    start = i + 1;
                    break;
            }
        }
        yield return s.Substring(start);
    }

    /// <summary>
    /// A quote opens a literal only where a value starts (segment start, or after "name:" / "name =").
    /// MSTest prints strings unquoted, so the apostrophe in O'Brien must not open one.
    /// </summary>
    private static bool OpensLiteral(string s, int segmentStart, int index)
    {
        for (var j = index - 1; j >= segmentStart; j--)
        {
            if (char.IsWhiteSpace(s[j])) continue;
            return s[j] is ':' or '=';
        }
        return true;
    }

    private static int IndexOfTopLevelColon(string s)
    {
        var quote = '\0';
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '"' or '\'' && OpensLiteral(s, 0, i)) { quote = c; continue; }
            if (c == ':') return i;
        }
        return -1;
    }

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static string Unquote(string v) =>
        v.Length >= 2 && ((v[0] == '"' && v[v.Length - 1] == '"') || (v[0] == '\'' && v[v.Length - 1] == '\''))
            ? v.Substring(1, v.Length - 2).Replace("\\\"", "\"")
            : v;
}
