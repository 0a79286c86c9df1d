using Microsoft.Testing.Platform.Extensions.Messages;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;

namespace TmsBridge.TestLogger.Mtp;

/// <summary>
/// Translates a Microsoft.Testing.Platform test node into Core's neutral record. A test node is
/// updated several times (discovered, in progress, then its result): only an update carrying a
/// final state (passed, failed, error, timeout, skipped, cancelled) is a result.
/// </summary>
public static class MtpResultConverter
{
    /// <summary>Attachment-set names adapters use as the artifact's display name; they say nothing about the file.</summary>
    private static readonly HashSet<string> GenericArtifactNames = new(StringComparer.OrdinalIgnoreCase) { "MSTestAdapterV2", "Attachments", "xUnit.net", "NUnit" };

    /// <summary>
    /// An id that is no name: 32 or more hex digits, or a GUID with dashes. Checked by hand, not by a regular
    /// expression: this runs for every result in the test process (issue 16).
    /// </summary>
    internal static bool IsOpaqueUid(string uid)
    {
        if (uid.Length == 36 && uid[8] == '-' && uid[13] == '-' && uid[18] == '-' && uid[23] == '-')
        {
            for (var i = 0; i < uid.Length; i++)
                if (i is not (8 or 13 or 18 or 23) && !Uri.IsHexDigit(uid[i])) return false;
            return true;
        }
        if (uid.Length < 32) return false;
        foreach (var c in uid)
            if (!Uri.IsHexDigit(c)) return false;
        return true;
    }

    /// <summary>The node's final state, or null while it is only discovered or in progress.</summary>
    public static TestNodeStateProperty? FinalState(TestNode node)
    {
        var state = node.Properties.SingleOrDefault<TestNodeStateProperty>();
        return state is null or DiscoveredTestNodeStateProperty or InProgressTestNodeStateProperty ? null : state;
    }

    /// <summary>The record for a node in a final state, or null for any other update.</summary>
    [System.Runtime.CompilerServices.MethodImpl((System.Runtime.CompilerServices.MethodImplOptions)512)] // AggressiveOptimization: per result (TmsBridge.HotPath)
    public static TestResultRecord? Convert(TestNode node, string? framework, string? source)
    {
        var state = FinalState(node);
        return state is null ? null : Build(node, state, framework, source, withOutputAndFiles: true);
    }

    /// <summary>Identity, outcome, timing, error and keys only: the fallback when a full conversion fails.</summary>
    public static TestResultRecord ConvertMinimal(TestNode node, TestNodeStateProperty state, string? framework, string? source) =>
        Build(node, state, framework, source, withOutputAndFiles: false);

    /// <summary>
    /// One pass over the node's properties. Each <c>PropertyBag.OfType</c> call walks the bag and allocates
    /// an array; in the test process, every allocation per result brings the next collection sooner and
    /// promotes more of the tests' own objects (issue 16: the conversion's cost under MTP was mostly GC).
    /// The first identifier and timing count (the bag's own <c>SingleOrDefault</c> would throw on a second).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl((System.Runtime.CompilerServices.MethodImplOptions)512)] // AggressiveOptimization: per result (TmsBridge.HotPath)
    private static TestResultRecord Build(TestNode node, TestNodeStateProperty state, string? framework, string? source, bool withOutputAndFiles)
    {
        var record = new TestResultRecord
        {
            Source = source,
            Framework = framework,
            Outcome = OutcomeOf(state),
            RunnerOutcome = RunnerOutcomeOf(state),
        };
        TestMethodIdentifierProperty? identifier = null;
        TimingProperty? timing = null;
        string? stdout = null, stderr = null;
        List<FileArtifactProperty>? artifacts = null;
        foreach (var property in node.Properties)
        {
            switch (property)
            {
                case TestMethodIdentifierProperty p:
                    identifier ??= p;
                    break;
                case TimingProperty p:
                    timing ??= p;
                    break;
                // Categories arrive as metadata with an empty value: they are never keys.
                case TestMetadataProperty m when !string.IsNullOrEmpty(m.Value):
                    TraitReader.ReadOne(m.Key, m.Value, record.TestCaseKeys, record.Covers, record.Defects);
                    break;
                // Standard output/error properties are marked experimental (TPEXP) in MTP 2.0 and stable later;
                // they exist with the same shape in every 2.x.
#pragma warning disable TPEXP
                case StandardOutputProperty o when withOutputAndFiles:
                    stdout = Append(stdout, o.StandardOutput);
                    break;
                case StandardErrorProperty e when withOutputAndFiles:
                    stderr = Append(stderr, e.StandardError);
                    break;
#pragma warning restore TPEXP
                case FileArtifactProperty artifact when withOutputAndFiles:
                    (artifacts ??= []).Add(artifact);
                    break;
            }
        }

        var fqn = FullyQualifiedName(node, identifier);
        record.FullyQualifiedName = fqn;
        record.DisplayName = string.IsNullOrWhiteSpace(node.DisplayName) ? fqn : node.DisplayName;
        record.Parameters = DataRowParser.Parse(record.DisplayName);
        if (timing is not null)
        {
            var t = timing.GlobalTiming;
            record.StartTime = t.StartTime == default ? null : t.StartTime;
            record.EndTime = t.EndTime == default ? null : t.EndTime;
            record.DurationMs = t.Duration.TotalMilliseconds;
        }

        var exception = state switch
        {
            FailedTestNodeStateProperty f => f.Exception,
            ErrorTestNodeStateProperty e => e.Exception,
            TimeoutTestNodeStateProperty t => t.Exception,
            _ => null,
        };
        record.ErrorMessage = FirstNonEmpty(state.Explanation, exception?.Message);
        record.ErrorStackTrace = string.IsNullOrWhiteSpace(exception?.StackTrace) ? null : exception!.StackTrace;

        if (withOutputAndFiles)
        {
            record.StandardOutput = OutputMarkers.ExtractAttachments(stdout, record.Attachments);
            // Steps, comments, keys, ... written by TmsBridge.Tms during the test (only this run's nonce counts).
            record.StandardOutput = RuntimeMarkers.ExtractThisRun(record.StandardOutput, record);
            record.StandardError = stderr;
            if (artifacts is not null)
                foreach (var artifact in artifacts) AddArtifact(record, artifact);
        }
        return record;
    }

    private static void AddArtifact(TestResultRecord record, FileArtifactProperty artifact)
    {
        var path = artifact.FileInfo?.FullName;
        if (string.IsNullOrEmpty(path)) return;
        record.Attachments.Add(new EvidenceFile
        {
            Path = path!,
            OriginalPath = path,
            FileName = Path.GetFileName(path),
            Description = DescriptionOf(artifact, path!),
        });
    }

    private static string? Append(string? text, string? part) =>
        string.IsNullOrEmpty(part) ? text : text is null ? part : text + part;

    public static Model.TestOutcome OutcomeOf(TestNodeStateProperty state) => state switch
    {
        PassedTestNodeStateProperty => Model.TestOutcome.Passed,
        // Error (the test could not run properly) and Timeout are failures for a TMS; the runner's
        // own word is kept in RunnerOutcome.
        FailedTestNodeStateProperty or ErrorTestNodeStateProperty or TimeoutTestNodeStateProperty => Model.TestOutcome.Failed,
        SkippedTestNodeStateProperty => Model.TestOutcome.Skipped,
        _ => Model.TestOutcome.NotRun, // Cancelled
    };

    public static string RunnerOutcomeOf(TestNodeStateProperty state)
    {
        // The platform's own states by name (no string built per result); an adapter's own state type by its type name.
        switch (state)
        {
            case PassedTestNodeStateProperty: return "Passed";
            case FailedTestNodeStateProperty: return "Failed";
            case SkippedTestNodeStateProperty: return "Skipped";
            case ErrorTestNodeStateProperty: return "Error";
            case TimeoutTestNodeStateProperty: return "Timeout";
            // Cancelled is left to the type name below: later MTP versions mark its type obsolete.
        }
        var name = state.GetType().Name;
        const string suffix = "TestNodeStateProperty";
        return name.EndsWith(suffix, StringComparison.Ordinal) ? name.Substring(0, name.Length - suffix.Length) : name;
    }

    /// <summary>
    /// Namespace.Type.Method from TestMethodIdentifierProperty (MSTest, xUnit v3); otherwise the
    /// node's Uid when it reads as a name (NUnit through the VSTest bridge uses the FQN as Uid),
    /// else the display name.
    /// </summary>
    public static string FullyQualifiedName(TestNode node)
    {
        // The first identifier, as the conversion reads it (the bag's own SingleOrDefault would throw on a second).
        foreach (var property in node.Properties)
            if (property is TestMethodIdentifierProperty identifier) return FullyQualifiedName(node, identifier);
        return FullyQualifiedName(node, null);
    }

    private static string FullyQualifiedName(TestNode node, TestMethodIdentifierProperty? id)
    {
        if (id is not null && !string.IsNullOrEmpty(id.TypeName) && !string.IsNullOrEmpty(id.MethodName))
        {
            var ns = id.Namespace;
            var qualified = string.IsNullOrEmpty(ns)
                || (id.TypeName.Length > ns.Length && id.TypeName[ns.Length] == '.' && id.TypeName.StartsWith(ns, StringComparison.Ordinal));
            var type = qualified ? id.TypeName : ns + "." + id.TypeName;
            return type + "." + id.MethodName;
        }
        var uid = node.Uid?.Value ?? "";
        if (uid.Length > 0 && !IsOpaqueUid(uid) && uid.Contains('.')) return uid;
        return FirstNonEmpty(node.DisplayName, uid) ?? "";
    }

    private static string? DescriptionOf(FileArtifactProperty artifact, string path)
    {
        if (!string.IsNullOrWhiteSpace(artifact.Description) && artifact.Description != path) return artifact.Description;
        var name = artifact.DisplayName;
        if (string.IsNullOrWhiteSpace(name) || GenericArtifactNames.Contains(name) || name == path || name == Path.GetFileName(path)) return null;
        return name;
    }

    private static string? FirstNonEmpty(string? first, string? second) =>
        !string.IsNullOrWhiteSpace(first) ? first : !string.IsNullOrWhiteSpace(second) ? second : null;
}
