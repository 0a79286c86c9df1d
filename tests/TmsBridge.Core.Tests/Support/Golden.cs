using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// Approved-payload ("golden file") comparison without Verify. Goldens live in the source tree under
/// Golden/; the JSON is compared after indenting both sides the same way. On a mismatch the actual
/// payload is written beside the golden as NAME.received.json (gitignored) and the test fails with
/// the first differing line and a diff command. Set TMS_UPDATE_GOLDEN=1 to (re)write the goldens.
/// </summary>
internal static class Golden
{
    public const string UpdateVariable = "TMS_UPDATE_GOLDEN";

    public static string ProjectDir { get; } =
        typeof(Golden).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestProjectDir").Value!;

    public static string PathOf(string name) => Path.Combine(ProjectDir, "Golden", name + ".json");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Canonical(string json) => (JsonNode.Parse(json) ?? throw new InvalidOperationException("null JSON")).ToJsonString(Indented).Replace("\r\n", "\n") + "\n";

    public static void AssertMatches(string name, byte[] actualUtf8) => AssertMatches(name, Encoding.UTF8.GetString(actualUtf8));

    public static void AssertMatches(string name, string actualJson)
    {
        var golden = PathOf(name);
        var received = Path.Combine(Path.GetDirectoryName(golden)!, name + ".received.json");
        var actual = Canonical(actualJson);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, actual, new UTF8Encoding(false));
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        var expected = File.Exists(golden) ? Canonical(File.ReadAllText(golden)) : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual, new UTF8Encoding(false));
        Assert.Fail(expected is null
            ? $"golden file {golden} does not exist; the actual payload is in {received}. Review it, then run with {UpdateVariable}=1 to accept it."
            : $"payload differs from {golden}: {FirstDifference(expected, actual)}\n  diff -u \"{golden}\" \"{received}\"\n  (accept with {UpdateVariable}=1 if the change is intended)");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al) return $"first difference at line {i + 1}:\n  expected: {Clip(el)}\n  actual:   {Clip(al)}";
        }
        return "(no line differs?)";
    }

    private static string Clip(string s) => s.Length > 200 ? s.Substring(0, 200) + "…" : s;
}
