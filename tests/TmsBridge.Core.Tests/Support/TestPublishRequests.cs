using TmsBridge.Configuration;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// The publish request every end-to-end Publisher test starts from: fixed times (stable payloads),
/// a one-minute deadline, and quick (but real) retries.
/// </summary>
public static class TestPublishRequests
{
    public static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    public static PublishRequest Create(string runFolder, TmsOptions options, IReadOnlyList<TestResultRecord> results,
        string runId = "20260506T070809Z-ab12cd34", string? defaultSummary = null, Action<PublishMark>? progress = null, string? journalPath = null)
    {
        var request = new PublishRequest
        {
            RunId = runId,
            RunFolder = runFolder,
            JournalPath = journalPath,
            Results = results,
            Options = options,
            RunStarted = T0,
            RunFinished = T0.AddMinutes(1),
            Deadline = TimeSpan.FromMinutes(1),
            RetryBaseDelay = TimeSpan.FromMilliseconds(10), // retries stay real, just quick
            Progress = progress,
        };
        if (defaultSummary is not null) request.DefaultSummary = defaultSummary;
        return request;
    }
}
