using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.Backends.Aio;

/// <summary>One entry of a bulk run update: one case, one status, the results it stands for.</summary>
internal sealed class AioRunUpdate
{
    public KeyedResult Keyed { get; init; } = null!;
    public string CaseKey => Keyed.Key;
    public string Status { get; set; } = "";
    /// <summary>Seconds (AIO's unit), with millisecond precision.</summary>
    public double Effort { get; init; }
    public List<string> Comments { get; init; } = [];
    /// <summary>The results this run reports: one data row (createNewRun=true) or every result of the key.</summary>
    public IReadOnlyList<TestResultRecord> Results { get; init; } = [];
    /// <summary>0-based position among the runs of the same case in this publish.</summary>
    public int Index { get; init; }
}
