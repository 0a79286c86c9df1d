using System.Globalization;
using TmsBridge.Journal;

namespace TmsBridge.Publishing;

/// <summary>
/// "publishing to X: 120 of 500 results and 3 of 40 files sent so far (57 requests)": one console line
/// at most every <see cref="Interval"/>, and none before the publish has lasted that long, so a short
/// publish prints nothing. No timer and no spinner: the line is written when something happens (a
/// request ends, a key is settled) and the interval has passed on the publish's own clock, so a CI
/// log gets a steady, readable trickle and tests move a fake clock instead of sleeping.
/// </summary>
internal sealed class PublishProgress
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly IReporterOutput _output;
    private readonly TimeProvider _time;
    private readonly string _target;
    private readonly Dictionary<string, (int Results, int Files)> _sizes = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _settled = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _totalResults;
    private readonly int _totalFiles;
    private readonly DateTimeOffset _started;
    private DateTimeOffset _lastLine;
    private int _results;
    private int _files;
    private int _requests;

    public PublishProgress(PublishReport report, string target, IReporterOutput output, TimeProvider time)
    {
        _output = output;
        _time = time;
        _target = target;
        foreach (var k in report.Keys) _sizes[k.Key] = (k.Results, k.Evidence);
        _totalResults = report.Keys.Sum(k => k.Results);
        _totalFiles = report.Keys.Sum(k => k.Evidence);
        _started = _lastLine = time.GetUtcNow();
    }

    /// <summary>A key's fate is known (the backend's progress mark).</summary>
    public void OnMark(PublishMark mark)
    {
        lock (_gate)
        {
            if (mark.State == KeyStates.Sent && _settled.Add(mark.Key) && _sizes.TryGetValue(mark.Key, out var size))
            {
                _results += size.Results;
                _files += size.Files;
            }
        }
        MaybePrint();
    }

    /// <summary>An HTTP request ended (answered or failed).</summary>
    public void OnRequest()
    {
        Interlocked.Increment(ref _requests);
        MaybePrint();
    }

    private void MaybePrint()
    {
        string line;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _lastLine < Interval) return;
            _lastLine = now;
            line = string.Format(CultureInfo.InvariantCulture, "publishing to {0}: {1} of {2} results and {3} of {4} files sent so far ({5} requests, {6:0} s)",
                _target, _results, _totalResults, _files, _totalFiles, Volatile.Read(ref _requests), (now - _started).TotalSeconds);
        }
        try { _output.Info(line); }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }
}
