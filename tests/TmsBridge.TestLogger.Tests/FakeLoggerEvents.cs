using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using ObjectModelResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace TmsBridge.TestLogger.Tests;

/// <summary>
/// What vstest.console hands a logger: TestLoggerEvents is abstract with abstract events, so the
/// tests subclass it and raise the run events themselves (as GitHubActionsTestLogger's tests do).
/// </summary>
internal sealed class FakeLoggerEvents : TestLoggerEvents
{
    public override event EventHandler<TestRunStartEventArgs>? TestRunStart;
    public override event EventHandler<TestResultEventArgs>? TestResult;
    public override event EventHandler<TestRunCompleteEventArgs>? TestRunComplete;

    // Not used by the logger under test.
    public override event EventHandler<TestRunMessageEventArgs>? TestRunMessage { add { } remove { } }
    public override event EventHandler<DiscoveryStartEventArgs>? DiscoveryStart { add { } remove { } }
    public override event EventHandler<TestRunMessageEventArgs>? DiscoveryMessage { add { } remove { } }
    public override event EventHandler<DiscoveredTestsEventArgs>? DiscoveredTests { add { } remove { } }
    public override event EventHandler<DiscoveryCompleteEventArgs>? DiscoveryComplete { add { } remove { } }

    public int Subscribers => (TestRunStart?.GetInvocationList().Length ?? 0) + (TestResult?.GetInvocationList().Length ?? 0) + (TestRunComplete?.GetInvocationList().Length ?? 0);

    public void RaiseStart(IEnumerable<string> sources, string? runSettingsXml = null) =>
        TestRunStart?.Invoke(this, new TestRunStartEventArgs(new TestRunCriteria(sources, 10, false, runSettingsXml ?? "<RunSettings />")));

    public void RaiseResult(ObjectModelResult result) => TestResult?.Invoke(this, new TestResultEventArgs(result));

    public void RaiseComplete(bool aborted = false) =>
        TestRunComplete?.Invoke(this, new TestRunCompleteEventArgs(null, isCanceled: false, isAborted: aborted, error: null, attachmentSets: null, elapsedTime: TimeSpan.FromSeconds(1)));
}
