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
        if (state is null) return null;
        var record = ConvertMinimal(node, state, framework, source);

        // Standard output/error properties are marked experimental (TPEXP) in MTP 2.0 and stable later;
        // they exist with the same shape in every 2.x.
#pragma warning disable TPEXP
        var stdout = Join(node.Properties.OfType<StandardOutputProperty>().Select(p => p.StandardOutput));
        record.StandardOutput = OutputMarkers.ExtractAttachments(stdout, record.Attachments);
        // Steps, comments, keys, ... written by TmsBridge.Tms during the test (only this run's nonce counts).
        record.StandardOutput = RuntimeMarkers.ExtractThisRun(record.StandardOutput, record);
        record.StandardError = Join(node.Properties.OfType<StandardErrorProperty>().Select(p => p.StandardError));
#pragma warning restore TPEXP

        foreach (var artifact in node.Properties.OfType<FileArtifactProperty>())
        {
            var path = artifact.FileInfo?.FullName;
            if (string.IsNullOrEmpty(path)) continue;
            record.Attachments.Add(new EvidenceFile
            {
                Path = path!,
                OriginalPath = path,
                FileName = Path.GetFileName(path),
                Description = DescriptionOf(artifact, path!),
            });
        }
        return record;
    }

    /// <summary>Identity, outcome, timing, error and keys only: the fallback when a full conversion fails.</summary>
    [System.Runtime.CompilerServices.MethodImpl((System.Runtime.CompilerServices.MethodImplOptions)512)] // AggressiveOptimization: per result (TmsBridge.HotPath)
    public static TestResultRecord ConvertMinimal(TestNode node, TestNodeStateProperty state, string? framework, string? source)
    {
        var fqn = FullyQualifiedName(node);
        var record = new TestResultRecord
        {
            FullyQualifiedName = fqn,
            DisplayName = string.IsNullOrWhiteSpace(node.DisplayName) ? fqn : node.DisplayName,
            Source = source,
            Framework = framework,
            Outcome = OutcomeOf(state),
            RunnerOutcome = RunnerOutcomeOf(state),
        };
        record.Parameters = DataRowParser.Parse(record.DisplayName);

        var timing = node.Properties.SingleOrDefault<TimingProperty>();
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

        // Categories arrive as metadata with an empty value: they are never keys.
        var traits = node.Properties.OfType<TestMetadataProperty>()
            .Where(m => !string.IsNullOrEmpty(m.Value))
            .Select(m => new KeyValuePair<string, string?>(m.Key, m.Value));
        TraitReader.Read(traits, record.TestCaseKeys, record.Covers, record.Defects);
        return record;
    }

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
        var id = node.Properties.SingleOrDefault<TestMethodIdentifierProperty>();
        if (id is not null && !string.IsNullOrEmpty(id.TypeName) && !string.IsNullOrEmpty(id.MethodName))
        {
            var type = string.IsNullOrEmpty(id.Namespace) || id.TypeName.StartsWith(id.Namespace + ".", StringComparison.Ordinal)
                ? id.TypeName
                : id.Namespace + "." + id.TypeName;
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

    private static string? Join(IEnumerable<string?> parts)
    {
        var list = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return list.Count == 0 ? null : string.Concat(list);
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
