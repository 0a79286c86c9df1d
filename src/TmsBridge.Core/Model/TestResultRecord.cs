using System.Text.Json.Serialization;

namespace TmsBridge.Model;

/// <summary>
/// One test result as TmsBridge keeps it: independent of VSTest and Microsoft.Testing.Platform.
/// This is also the shape of a "result" line in the run journal, so keep it serialisable
/// and add fields only in a backward-compatible way.
/// </summary>
public sealed class TestResultRecord
{
    /// <summary>Order of arrival in the run (1-based); results are identified by it, because
    /// several runners give data rows the same test id.</summary>
    public int Sequence { get; set; }

    public string FullyQualifiedName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    /// <summary>Data-row arguments as parsed from the display name (empty for plain tests).</summary>
    public List<TestParameter> Parameters { get; set; } = [];
    /// <summary>File name of the test assembly.</summary>
    public string? Source { get; set; }
    /// <summary>The target framework the test ran under (net8.0), when known: two target frameworks' results of
    /// one test are two results, not two attempts. Added later: an older journal's results take the header's.</summary>
    public string? TargetFramework { get; set; }
    /// <summary>"nunit", "xunit", "mstest" or null: decides small framework-specific readings.</summary>
    public string? Framework { get; set; }

    public TestOutcome Outcome { get; set; }
    /// <summary>The runner's own word for the outcome (e.g. NUnit's "None" for inconclusive).</summary>
    public string? RunnerOutcome { get; set; }

    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public double DurationMs { get; set; }

    public string? ErrorMessage { get; set; }
    public string? ErrorStackTrace { get; set; }
    public string? StandardOutput { get; set; }
    public string? StandardError { get; set; }

    public List<EvidenceFile> Attachments { get; set; } = [];

    /// <summary>Raw values as found in the TestCaseKey / Covers / Defect traits (already split on , and ;).</summary>
    public List<string> TestCaseKeys { get; set; } = [];
    public List<string> Covers { get; set; } = [];
    public List<string> Defects { get; set; } = [];

    /// <summary>Steps recorded at run time with Tms.Step (top level; each holds its nested steps).
    /// Added after the first journal format: an old journal reads as no steps.</summary>
    public List<TestStep> Steps { get; set; } = [];
    /// <summary>Comments recorded at run time with Tms.Comment, in order.</summary>
    public List<string> Comments { get; set; } = [];

    /// <summary>Every file of the result: its own attachments, then its runtime steps' evidence (depth first).</summary>
    public IEnumerable<EvidenceFile> AllEvidence() =>
        Attachments.Concat(Steps.SelectMany(s => s.SelfAndDescendants()).SelectMany(s => s.Evidence));

    /// <summary>How many files <see cref="AllEvidence"/> holds, without enumerating them for a result without steps.</summary>
    public int EvidenceCount() => Steps.Count == 0 ? Attachments.Count : AllEvidence().Count();

    /// <summary>A name for messages: the display name, or the FQN when a runner leaves it empty.</summary>
    [JsonIgnore]
    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? FullyQualifiedName : DisplayName;

    /// <summary>
    /// The test method's full name without data-row arguments: NUnit puts the arguments into the
    /// fully qualified name ("Ns.C.M(\"bob\")"), the other frameworks do not.
    /// </summary>
    [JsonIgnore]
    public string TestName => StripArguments(FullyQualifiedName);

    /// <summary>The last segment of <see cref="TestName"/>: the method name.</summary>
    [JsonIgnore]
    public string MethodName
    {
        get
        {
            var name = TestName;
            var dot = name.LastIndexOf('.');
            return dot >= 0 ? name.Substring(dot + 1) : name;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
    public static string StripArguments(string name)
    {
        var paren = name.IndexOf('(');
        return paren > 0 ? name.Substring(0, paren).TrimEnd() : name;
    }
}

/// <summary>A step recorded at run time (Tms.Step / Tms.StepAsync).</summary>
public sealed class TestStep
{
    public string Name { get; set; } = "";
    /// <summary>Passed or Failed (a step that threw).</summary>
    public TestOutcome Outcome { get; set; } = TestOutcome.Passed;
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    /// <summary>The exception's type and message for a failed step.</summary>
    public string? Message { get; set; }
    /// <summary>Files attached with Tms.Attach while this step was the innermost one running.</summary>
    public List<EvidenceFile> Evidence { get; set; } = [];
    public List<TestStep> Steps { get; set; } = [];

    /// <summary>This step and all nested ones, depth first in order of start.</summary>
    public IEnumerable<TestStep> SelfAndDescendants()
    {
        yield return this;
        foreach (var s in Steps)
            foreach (var d in s.SelfAndDescendants()) yield return d;
    }
}

public sealed class TestParameter
{
    public TestParameter() { }
    public TestParameter(string name, string value) { Name = name; Value = value; }
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>
/// An evidence file. Front-ends copy the file into the run folder as the result arrives
/// (tests often delete or overwrite their files later), so <see cref="Path"/> points at the copy.
/// </summary>
public sealed class EvidenceFile
{
    public string Path { get; set; } = "";
    /// <summary>The file name sent to the TMS.</summary>
    public string FileName { get; set; } = "";
    public string? Description { get; set; }
    public string ContentType { get; set; } = "application/octet-stream";
    public long Size { get; set; }
    /// <summary>Where the runner said the file was (before the copy).</summary>
    public string? OriginalPath { get; set; }
}
