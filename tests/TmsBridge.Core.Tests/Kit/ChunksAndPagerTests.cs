using System.Text.Json;
using TmsBridge.Backends.Kit;

namespace TmsBridge.Core.Tests.Kit;

public sealed class ChunksAndPagerTests
{
    [Fact]
    public void Chunks_keep_the_order_and_the_last_one_holds_the_rest()
    {
        var chunks = Chunks.Of(Enumerable.Range(1, 250).ToList(), 100).ToList();
        Assert.Equal([100, 100, 50], chunks.Select(c => c.Count));
        Assert.Equal(Enumerable.Range(1, 250), chunks.SelectMany(c => c));
        Assert.Empty(Chunks.Of(new List<int>(), 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => Chunks.Of(new List<int> { 1 }, 0).ToList());
    }

    [Fact]
    public async Task The_pager_reads_to_the_last_page_from_the_offsets_it_was_given()
    {
        var starts = new List<int>();
        var read = await BoundedPager.ReadAsync((startAt, _) =>
        {
            starts.Add(startAt);
            return Task.FromResult(new PageRead(startAt < 200 ? 100 : 30, isLast: startAt >= 200));
        }, maxPages: 10, TestContext.Current.CancellationToken);
        Assert.Equal([0, 100, 200], starts);
        Assert.Equal(230, read);
    }

    [Fact]
    public async Task The_pager_stops_at_its_bound_and_at_an_empty_page()
    {
        var calls = 0;
        await BoundedPager.ReadAsync((_, _) => { calls++; return Task.FromResult(new PageRead(100, false)); }, maxPages: 3, TestContext.Current.CancellationToken);
        Assert.Equal(3, calls);

        calls = 0;
        await BoundedPager.ReadAsync((_, _) => { calls++; return Task.FromResult(new PageRead(0, false)); }, maxPages: 3, TestContext.Current.CancellationToken);
        Assert.Equal(1, calls);
    }

    [Theory]
    [InlineData("{\"items\":[1,2],\"isLast\":true}", 0, 2, true)]
    [InlineData("{\"items\":[1,2],\"total\":5}", 0, 2, false)]
    [InlineData("{\"items\":[1,2],\"total\":5}", 3, 2, true)]
    [InlineData("[1,2,3]", 0, 3, true)]
    [InlineData("{\"values\":[1]}", 0, 0, true)]
    public void A_json_page_is_read_Jira_style(string json, int startAt, int count, bool isLast)
    {
        using var doc = JsonDocument.Parse(json);
        var seen = 0;
        var page = BoundedPager.ReadJsonPage(doc.RootElement, startAt, _ => seen++);
        Assert.Equal(count, page.Count);
        Assert.Equal(count, seen);
        Assert.Equal(isLast, page.IsLast);
    }

    [Fact]
    public void The_project_is_the_option_else_the_first_key_that_names_one()
    {
        Assert.Equal("OPT", RunProject.Of("OPT", ["DEMO-1"]));
        Assert.Equal("DEMO", RunProject.Of(null, ["DEMO-1", "OTHER-2"]));
        Assert.Null(RunProject.Of(null, []));
    }
}
