using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;
using TmsBridge.Journal;
using TmsBridge.Mapping;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests.Kit;

public sealed class KeyLedgerTests : IDisposable
{
    private readonly TmsHttpClient _http = new(TimeSpan.FromSeconds(1), SecretRedactor.None, []);
    private readonly List<PublishMark> _marks = [];
    public void Dispose() => _http.Dispose();

    private PublishContext Context(params string[] keys) =>
        new(new TmsOptions { Target = "aio-cloud" }, new AggregatedRun(), new StatusMap(StatusMap.AioDefaults),
            new PublishReport { Keys = keys.Select(k => new KeyReport { Key = k, State = KeyStates.NotSent }).ToList() }, _http, Path.GetTempPath())
        { Progress = _marks.Add };

    [Fact]
    public void A_key_settles_only_when_its_last_part_went_out()
    {
        var context = Context("DEMO-1", "DEMO-2");
        var ledger = new KeyLedger(context, ["DEMO-1", "DEMO-1", "DEMO-2"]);
        ledger.Stored("DEMO-1");
        ledger.Stored("DEMO-2");
        ledger.PartsDone(["DEMO-1", "DEMO-2"], "CY-1");

        Assert.Equal(["DEMO-2"], _marks.Select(m => m.Key));
        Assert.Equal(KeyStates.Sent, context.Report.FindKey("DEMO-2")!.State);
        Assert.Equal(KeyStates.NotSent, context.Report.FindKey("DEMO-1")!.State);

        ledger.Stored("demo-1");
        ledger.PartsDone(["demo-1"], "CY-1");
        Assert.Equal(KeyStates.Sent, context.Report.FindKey("DEMO-1")!.State);
        Assert.Equal("CY-1", _marks.Last().ExecutionKey);
        Assert.Equal(2, ledger.StoredKeys()["DEMO-1"]);
    }

    [Fact]
    public void Refused_wins_over_not_sent_and_both_keep_their_messages_once()
    {
        var context = Context("DEMO-1", "DEMO-2");
        var ledger = new KeyLedger(context, ["DEMO-1", "DEMO-1", "DEMO-2"]);
        ledger.NotSent("DEMO-1", "not sent: timeout");
        ledger.Refused("DEMO-1", "Invalid status");
        ledger.Refused("DEMO-1", "Invalid status");
        ledger.NotSent("DEMO-2", "not sent: timeout");
        ledger.PartsDone(["DEMO-1", "DEMO-1", "DEMO-2"], null);

        var one = context.Report.FindKey("DEMO-1")!;
        Assert.Equal(KeyStates.Refused, one.State);
        Assert.Equal(["Invalid status", "not sent: timeout"], one.Messages);
        Assert.Equal(KeyStates.NotSent, context.Report.FindKey("DEMO-2")!.State);
        Assert.Empty(ledger.StoredKeys());
    }

    [Fact]
    public void Settle_sets_one_key_and_ignores_a_key_not_in_the_report()
    {
        var context = Context("DEMO-1");
        KeyLedger.Settle(context, "DEMO-1", KeyStates.Refused, ["no such test"], "EX-1");
        KeyLedger.Settle(context, "OTHER-9", KeyStates.Sent, [], "EX-1");

        Assert.Equal(KeyStates.Refused, context.Report.FindKey("DEMO-1")!.State);
        Assert.Equal(["no such test"], context.Report.FindKey("DEMO-1")!.Messages);
        Assert.Equal(["DEMO-1"], _marks.Select(m => m.Key));
    }
}
