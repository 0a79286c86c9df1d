using TmsBridge.Backends.Kit;
using TmsBridge.Core.Tests.Support;

namespace TmsBridge.Core.Tests.Kit;

public sealed class JsonObjectOptionTests
{
    private const string Expected = "an object of fields";

    [Fact]
    public void Inline_json_with_comments_and_trailing_commas_is_read()
    {
        var o = JsonObjectOption.Read("{ /* why */ \"a\": 1, }", "qmetryFields", Expected, out var problem);
        Assert.Equal("", problem);
        Assert.Equal(1, (int)o!["a"]!);
    }

    [Fact]
    public void A_file_is_read_and_named_in_its_problems()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "fields.json");
        File.WriteAllText(path, "{\"testCycle\": {\"labels\": [\"x\"]}}");
        Assert.NotNull(JsonObjectOption.Read(path, "qmetryFields", Expected, out _));

        File.WriteAllText(path, "[1]");
        Assert.Null(JsonObjectOption.Read(path, "qmetryFields", Expected, out var problem));
        Assert.Equal($"the qmetryFields file '{path}' must hold {Expected}.", problem);
    }

    [Fact]
    public void Neither_json_nor_a_file_names_the_option()
    {
        Assert.Null(JsonObjectOption.Read("nope.json", "qmetryFields", Expected, out var problem));
        Assert.Equal("qmetryFields is neither a JSON object nor an existing file: 'nope.json'.", problem);
        Assert.Null(JsonObjectOption.Read("{ bad", "qmetryFields", Expected, out problem));
        Assert.StartsWith("the qmetryFields option is not valid JSON: ", problem);
    }
}
