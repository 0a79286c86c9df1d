using System.Globalization;
using System.Security.Cryptography;

namespace TmsBridge.Sandbox.QTest;

/// <summary>The sandbox's qTest project and demo API token (not secrets: they exist only in the emulator).</summary>
public static class QTestSeed
{
    public const long ProjectId = 12345;
    public const string DemoToken = "sandbox-qtest-token";
}

/// <summary>A qTest test case: PID TC-n, and whether it is automated with which Automation Content (the fingerprint of the bulk submit).</summary>
internal sealed class QTestCase
{
    public long Id { get; init; }
    public string Pid { get; init; } = "";
    public string Name { get; set; } = "";
    public bool Automated { get; set; }
    public string? AutomationContent { get; set; }
    /// <summary>Created by a submit whose automation content matched no case.</summary>
    public bool Created { get; init; }
    public List<string> Requirements { get; } = [];
}

internal sealed class QTestCycleRecord
{
    public long Id { get; init; }
    public string Pid { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string ParentType { get; init; } = "root";
    public long ParentId { get; init; }
    public bool Created { get; init; }
    public List<QTestRunRecord> Runs { get; } = [];
}

/// <summary>A test run of a case in a cycle (one per automation content and module path), with its logs.</summary>
internal sealed class QTestRunRecord
{
    public long Id { get; init; }
    public string TestCase { get; init; } = "";
    public string AutomationContent { get; init; } = "";
    public string ModulePath { get; init; } = "";
    public List<QTestLogRecord> Logs { get; } = [];
}

internal sealed record QTestLogRecord(string Status, string Start, string End, string? Note, IReadOnlyList<string> Defects,
    string? BuildNumber, string? BuildUrl, IReadOnlyList<QTestAttachmentSnapshot> Attachments, long JobId);

internal sealed class QTestJob
{
    public long Id { get; init; }
    public string State { get; set; } = "IN_WAITING";
    public string? Content { get; set; }
    public long CycleId { get; init; }
    public List<System.Text.Json.JsonElement> Logs { get; init; } = [];
    public int Polls { get; set; }
}

/// <summary>
/// qTest Manager's in-memory state: one project (<see cref="ProjectId"/>) seeded with automated test
/// cases, a manual one, requirements and a release; the cycles, runs, logs, jobs and links received.
/// Mutated under <c>SandboxState.SyncRoot</c>.
/// </summary>
internal sealed class QTestStore
{
    public const long ProjectId = QTestSeed.ProjectId;
    public const string ApiToken = QTestSeed.DemoToken;
    /// <summary>The automation values of the project's Automation Settings.</summary>
    public static readonly string[] AutomationStatuses = ["PASS", "FAIL", "SKIP"];
    public const long AutomationFieldId = 5001, AutomationContentFieldId = 5002, AutomationYes = 711, AutomationNo = 712;

    private long _nextCase, _nextCycle, _nextRun, _nextJob, _nextPid;
    public List<QTestCase> Cases { get; } = [];
    public List<QTestCycleRecord> Cycles { get; } = [];
    public Dictionary<string, long> Requirements { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, long> Releases { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<QTestJob> Jobs { get; } = [];
    /// <summary>Access tokens issued by POST /oauth/token.</summary>
    public HashSet<string> AccessTokens { get; } = [];
    /// <summary>Largest submit body accepted (bytes); bigger ones get 413.</summary>
    public long MaxSubmitBytes { get; set; } = 50L * 1024 * 1024;

    public QTestStore() => Clear();

    /// <summary>Back to the seed: TC-1..TC-7 automated (Automation Content "Samples.TC-n"), TC-8 manual, RQ-1..RQ-3, release RL-1, cycle CL-1.</summary>
    public void Clear()
    {
        Cases.Clear(); Cycles.Clear(); Requirements.Clear(); Releases.Clear(); Jobs.Clear();
        _nextCase = 1000; _nextCycle = 2000; _nextRun = 3000; _nextJob = 4000; _nextPid = 9;
        for (var n = 1; n <= 7; n++)
            Cases.Add(new QTestCase { Id = 1000 + n, Pid = "TC-" + n, Name = "Sample case " + n, Automated = true, AutomationContent = "Samples.TC-" + n });
        Cases.Add(new QTestCase { Id = 1008, Pid = "TC-8", Name = "Manual checkout review", Automated = false });
        _nextCase = 1009;
        for (var n = 1; n <= 3; n++) Requirements["RQ-" + n] = 500 + n;
        Releases["RL-1"] = 601;
        Cycles.Add(new QTestCycleRecord { Id = 1999, Pid = "CL-1", Name = "Seeded cycle", ParentType = "release", ParentId = 601 });
        _nextCycle = 2;
    }

    public QTestCase AddCase(string name, string content)
    {
        var c = new QTestCase { Id = _nextCase++, Pid = "TC-" + (_nextPid++).ToString(CultureInfo.InvariantCulture), Name = name, Automated = true, AutomationContent = content, Created = true };
        Cases.Add(c);
        return c;
    }

    public QTestCycleRecord AddCycle(string name, string? description, string parentType, long parentId)
    {
        var n = _nextCycle++;
        var c = new QTestCycleRecord { Id = 2000 + n, Pid = "CL-" + n.ToString(CultureInfo.InvariantCulture), Name = name, Description = description, ParentType = parentType, ParentId = parentId, Created = true };
        Cycles.Add(c);
        return c;
    }

    public QTestCycleRecord? FindCycle(string idOrPid) =>
        Cycles.FirstOrDefault(c => string.Equals(c.Pid, idOrPid, StringComparison.OrdinalIgnoreCase) || c.Id.ToString(CultureInfo.InvariantCulture) == idOrPid);

    public QTestJob AddJob(long cycleId, List<System.Text.Json.JsonElement> logs)
    {
        var j = new QTestJob { Id = _nextJob++, CycleId = cycleId, Logs = logs };
        Jobs.Add(j);
        return j;
    }

    public QTestRunRecord RunFor(QTestCycleRecord cycle, QTestCase c, string modulePath)
    {
        var run = cycle.Runs.FirstOrDefault(r => r.AutomationContent == c.AutomationContent && r.ModulePath == modulePath);
        if (run is null)
        {
            run = new QTestRunRecord { Id = _nextRun++, TestCase = c.Pid, AutomationContent = c.AutomationContent ?? "", ModulePath = modulePath };
            cycle.Runs.Add(run);
        }
        return run;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public QTestSnapshot Snapshot() => new(
        ProjectId.ToString(CultureInfo.InvariantCulture),
        Cycles.Select(c => new QTestCycleSnapshot(c.Id.ToString(CultureInfo.InvariantCulture), c.Pid, c.Name, c.Description, c.ParentType, c.ParentId.ToString(CultureInfo.InvariantCulture), c.Created,
            c.Runs.Select(r => new QTestRunSnapshot(r.Id.ToString(CultureInfo.InvariantCulture), r.TestCase, r.AutomationContent, r.ModulePath,
                r.Logs.Select(l => new QTestLogSnapshot(l.Status, l.Start, l.End, l.Note, l.Defects, l.BuildNumber, l.BuildUrl, l.Attachments, l.JobId.ToString(CultureInfo.InvariantCulture))).ToList())).ToList())).ToList(),
        Cases.Select(c => new QTestCaseSnapshot(c.Id.ToString(CultureInfo.InvariantCulture), c.Pid, c.Name, c.Automated, c.AutomationContent, c.Created, c.Requirements.ToList())).ToList(),
        Jobs.Select(j => new QTestJobSnapshot(j.Id.ToString(CultureInfo.InvariantCulture), j.State, j.Content, j.Logs.Count)).ToList());
}
