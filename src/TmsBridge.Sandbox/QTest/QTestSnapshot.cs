namespace TmsBridge.Sandbox.QTest;

/// <summary>The <c>qtest</c> section of <c>GET /_sandbox/state</c>.</summary>
/// <param name="Project">The emulated project's id.</param>
/// <param name="TestCases">Every test case; <c>created</c> marks one a submit created (its automation content matched none).</param>
public sealed record QTestSnapshot(string Project, IReadOnlyList<QTestCycleSnapshot> Cycles, IReadOnlyList<QTestCaseSnapshot> TestCases, IReadOnlyList<QTestJobSnapshot> Jobs);

public sealed record QTestCycleSnapshot(string Id, string Pid, string Name, string? Description, string ParentType, string ParentId, bool Created, IReadOnlyList<QTestRunSnapshot> Runs);

/// <param name="TestCase">The PID of the run's test case.</param>
/// <param name="ModulePath">The module_names joined with '/'.</param>
public sealed record QTestRunSnapshot(string Id, string TestCase, string AutomationContent, string ModulePath, IReadOnlyList<QTestLogSnapshot> Logs);

public sealed record QTestLogSnapshot(string Status, string ExeStartDate, string ExeEndDate, string? Note, IReadOnlyList<string> DefectPids,
    string? BuildNumber, string? BuildUrl, IReadOnlyList<QTestAttachmentSnapshot> Attachments, string Job);

/// <summary>An attachment of a log, stored as its digest rather than its bytes.</summary>
public sealed record QTestAttachmentSnapshot(string Name, string ContentType, long Size, string Sha256);

/// <param name="Requirements">PIDs of the requirements linked to the case.</param>
public sealed record QTestCaseSnapshot(string Id, string Pid, string Name, bool Automated, string? AutomationContent, bool Created, IReadOnlyList<string> Requirements);

public sealed record QTestJobSnapshot(string Id, string State, string? Content, int Logs);
