using System.Globalization;
using System.Text;

namespace TmsBridge.Runtime;

/// <summary>
/// A minimal JSON object writer: the runtime assembly takes no dependency (not even System.Text.Json), so
/// it loads into any test project without version conflicts. Everything outside printable ASCII is escaped,
/// so a record line survives any output encoding and never contains a line break.
/// </summary>
internal sealed class RuntimeJson
{
    private readonly StringBuilder _b = new StringBuilder(128);
    private bool _first = true;

    public RuntimeJson() => _b.Append('{');

    public RuntimeJson Add(string name, string? value)
    {
        if (value is null) return this;
        Name(name);
        String(_b, value);
        return this;
    }

    public RuntimeJson Add(string name, DateTimeOffset value) =>
        Add(name, value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

    public override string ToString() => _b.ToString() + "}";

    private void Name(string name)
    {
        if (!_first) _b.Append(',');
        _first = false;
        String(_b, name);
        _b.Append(':');
    }

    private static void String(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7E) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        builder.Append('"');
    }
}
