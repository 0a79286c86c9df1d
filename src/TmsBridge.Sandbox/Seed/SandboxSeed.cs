using System.Text.Json;
using System.Text.Json.Serialization;

namespace TmsBridge.Sandbox.Seed;

/// <summary>
/// What the emulated instance "already contains" before any request: users and tokens,
/// Jira projects with their issues and fix versions, and the instance-wide lists Xray checks
/// (Test Run statuses, test types). Shared by every emulated API, because AIO, QMetry and RTM
/// are Jira apps too and will resolve the same projects and issue keys.
/// </summary>
/// <remarks>
/// The JSON form (<c>--seed file.json</c>) uses exactly these property names, camelCase.
/// Issue key lists accept ranges (<c>"DEMO-1..DEMO-50"</c>) so a seed file stays short.
/// </remarks>
public sealed class SandboxSeed
{
    public List<SeedUser> Users { get; set; } = [];

    /// <summary>Test Run statuses known to the instance (Xray DC native ones by default).</summary>
    public List<string> Statuses { get; set; } = [];

    /// <summary>Xray test types a provisioned Test may have.</summary>
    public List<string> TestTypes { get; set; } = ["Manual", "Cucumber", "Generic"];

    /// <summary>Jira id of the "Test Execution" issue type, accepted in the multipart <c>info</c> part.</summary>
    public string TestExecutionIssueTypeId { get; set; } = "10007";

    public List<SeedProject> Projects { get; set; } = [];

    /// <summary>Xray Cloud API keys (client id + secret) accepted by <c>POST /api/v2/authenticate</c>.</summary>
    public List<SeedCloudApiKey> XrayCloudApiKeys { get; set; } = [];

    /// <summary>Test Run statuses known to the Xray Cloud site (Cloud native ones by default, api-notes §3.5).</summary>
    public List<string> XrayCloudStatuses { get; set; } = ["PASSED", "FAILED", "TODO", "EXECUTING", "ABORTED"];

    /// <summary>AIO Tests Cloud API tokens accepted as <c>Authorization: AioAuth &lt;token&gt;</c>.</summary>
    public List<string> AioCloudTokens { get; set; } = [];

    /// <summary>
    /// Whether AIO Tests Server/DC has the run attachment endpoint. False emulates an older AIO
    /// Server: <c>POST .../testrun/{runId}/attachment</c> answers 404.
    /// </summary>
    public bool AioServerAttachments { get; set; } = true;

    /// <summary>
    /// Whether the AIO run listing (<c>GET .../testcycle/{c}/testrun</c>, both flavours) names each run's
    /// case nested, as <c>testCase: {"key"}</c>, instead of a flat <c>testCaseKey</c>. The shape of
    /// that listing is not documented; clients must read both.
    /// </summary>
    public bool AioNestedRunListing { get; set; }

    /// <summary>RTM Cloud API tokens accepted as <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public List<string> RtmCloudTokens { get; set; } = [];

    /// <summary>RTM test case execution results of every project (RTM has no listing endpoint; admins configure them).</summary>
    public List<string> RtmStatuses { get; set; } = ["Pass", "Fail", "Blocked", "To do", "In progress"];

    /// <summary>How many reads of a new Test Execution's status answer <c>Pending</c> (RTM creates TCEs asynchronously).</summary>
    public int RtmPendingReads { get; set; } = 1;

    /// <summary>The sandbox's AIO Tests Cloud API token (default seed only; documented, not a secret).</summary>
    public const string DemoAioToken = "sandbox-aio-token";

    /// <summary>The demo RTM Cloud token.</summary>
    public const string DemoRtmToken = "sandbox-rtm-token";
    /// <summary>QMetry (QTM4J) Automation API keys, each for one project (the key decides where results go).</summary>
    public List<SeedQMetryKey> QMetryApiKeys { get; set; } = [];

    public const string DemoQMetryApiKey = "sandbox-qmetry-key";

    /// <summary>QMetry Cloud Open API keys, each for one project (evidence after an import).</summary>
    public List<SeedQMetryKey> QMetryOpenApiKeys { get; set; } = [];

    public const string DemoQMetryOpenApiKey = "sandbox-qmetry-open-key";

    /// <summary>The sandbox's demo Xray Cloud key pair (default seed only; documented, not a secret).</summary>
    public const string DemoCloudClientId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

    /// <inheritdoc cref="DemoCloudClientId"/>
    public const string DemoCloudClientSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    /// <summary>The built-in seed described in docs/sandbox.md.</summary>
    public static SandboxSeed CreateDefault() => new()
    {
        Users = [new SeedUser { Name = "admin", Password = "admin", Tokens = ["sandbox-pat-token"] }],
        XrayCloudApiKeys = [new SeedCloudApiKey { ClientId = DemoCloudClientId, ClientSecret = DemoCloudClientSecret }],
        AioCloudTokens = [DemoAioToken],
        RtmCloudTokens = [DemoRtmToken],
        QMetryApiKeys = [new SeedQMetryKey { Key = DemoQMetryApiKey, Project = "DEMO" }],
        QMetryOpenApiKeys = [new SeedQMetryKey { Key = DemoQMetryOpenApiKey, Project = "DEMO" }],
        Statuses = ["PASS", "FAIL", "TODO", "EXECUTING", "ABORTED"],
        Projects =
        [
            new SeedProject
            {
                Key = "DEMO",
                Id = "10000",
                Versions = ["v1.0", "v1.1", "v2.0"],
                Tests = ["DEMO-1..DEMO-50"],
                // The runtime steps samples' test (three steps, the second fails): step results land on its steps.
                ManualTests = new() { ["DEMO-8"] = ["Open the cart", "Pay with the declined card", "See the error page"] },
                Requirements = ["DEMO-100..DEMO-120"],
                Defects = ["DEMO-200..DEMO-220"],
                TestPlans = ["DEMO-300..DEMO-305"],
                TestEnvironments = ["ci", "linux", "demo", "windows", "chrome"],
                NextTestExecution = 1000,
                NextTest = 500,
                AioCases = new() { ["Published"] = ["DEMO-TC-1..DEMO-TC-50"], ["Draft"] = ["DEMO-TC-51..DEMO-TC-55"] },
                AioCycles = ["DEMO-CY-1..DEMO-CY-3"],
                // DEMO-301 lacks DEMO-7: a run of the samples against it has one key outside the plan.
                RtmPlans = new() { ["DEMO-301"] = ["DEMO-1..DEMO-6"] },
                // The runtime steps sample's checkout test: three steps, so its TCE takes per-step statuses.
                RtmCaseSteps = new() { ["DEMO-8"] = ["Open the cart", "Pay with the declined card", "See the error page"] },
                QMetryCases = ["DEMO-TC-1..DEMO-TC-50"],
                QMetryCycles = ["DEMO-TR-1..DEMO-TR-3"],
            },
        ],
    };

    private static readonly JsonSerializerOptions FileOptions = new(JsonSerializerDefaults.Web)
    {
        // A typo in a seed file should fail loudly, not silently seed nothing.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads a seed file (format in docs/sandbox.md).</summary>
    /// <exception cref="SeedException">The file is not a valid seed.</exception>
    public static SandboxSeed Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SeedException($"Cannot read seed file '{path}': {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses seed JSON text; <paramref name="source"/> only names it in errors.</summary>
    public static SandboxSeed Parse(string json, string source = "seed")
    {
        SandboxSeed? seed;
        try
        {
            seed = JsonSerializer.Deserialize<SandboxSeed>(json, FileOptions);
        }
        catch (JsonException e)
        {
            throw new SeedException($"Invalid seed '{source}': {e.Message}", e);
        }

        if (seed is null)
            throw new SeedException($"Invalid seed '{source}': the file holds null.");
        return seed;
    }
}

public sealed class SeedUser
{
    public string Name { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>Jira Personal Access Tokens of this user (sent as <c>Authorization: Bearer</c>).</summary>
    public List<string> Tokens { get; set; } = [];
}

/// <summary>An Xray Cloud API key pair (Jira → Apps → Xray → API Keys on a real site).</summary>
public sealed class SeedCloudApiKey
{
    /// <summary>32 hex digits on a real site; any non-empty text here.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>64 hex digits on a real site; any non-empty text here.</summary>
    public string ClientSecret { get; set; } = "";
}

public sealed class SeedProject
{
    public string Key { get; set; } = "";
    public string? Id { get; set; }
    public List<string> Versions { get; set; } = [];

    /// <summary>Issues of type Test.</summary>
    public List<string> Tests { get; set; } = [];

    /// <summary>
    /// Xray Manual tests among <see cref="Tests"/>: key → the actions of their steps, in order. Every other
    /// seeded Test is Generic. Xray (both flavours) takes step results only for these, one per step.
    /// </summary>
    public Dictionary<string, List<string>> ManualTests { get; set; } = [];

    /// <summary>Requirement issues (issue type Story).</summary>
    public List<string> Requirements { get; set; } = [];

    /// <summary>Defect issues (issue type Bug).</summary>
    public List<string> Defects { get; set; } = [];

    public List<string> TestPlans { get; set; } = [];

    /// <summary>Test Executions that already exist (targets for <c>testExecutionKey</c>).</summary>
    public List<string> TestExecutions { get; set; } = [];

    /// <summary>Test Environments that exist in the project. Xray Cloud refuses others; Server/DC does not check.</summary>
    public List<string> TestEnvironments { get; set; } = [];

    /// <summary>
    /// Jira fields required to create a Test Execution in this project, id → display name
    /// (e.g. <c>"customfield_10115": "Story Points"</c>). Only the multipart endpoints can fill them.
    /// </summary>
    public Dictionary<string, string> RequiredExecutionFields { get; set; } = [];

    /// <summary>Number of the first Test Execution key the sandbox creates (DEMO-1000).</summary>
    public int NextTestExecution { get; set; } = 1000;

    /// <summary>Number of the first Test key created by provisioning (DEMO-500).</summary>
    public int NextTest { get; set; } = 500;

    /// <summary>
    /// AIO Tests cases of the project by case status, e.g. <c>"Published": ["DEMO-TC-1..DEMO-TC-50"]</c>.
    /// Only <c>Published</c> cases can be added to a cycle. Keys are <c>KEY-TC-n</c>; ranges allowed.
    /// </summary>
    public Dictionary<string, List<string>> AioCases { get; set; } = [];

    /// <summary>AIO Tests cycles that already exist (empty, titled "Existing cycle n"), keys <c>KEY-CY-n</c>.</summary>
    public List<string> AioCycles { get; set; } = [];

    /// <summary>RTM: the test cases of a test plan (entries like Tests); a plan not listed holds every Test of the project.</summary>
    public Dictionary<string, List<string>> RtmPlans { get; set; } = [];

    /// <summary>RTM: the steps of a test case (their action text, in order); each TCE of it gets these steps, status "To do". A test case not listed has none.</summary>
    public Dictionary<string, List<string>> RtmCaseSteps { get; set; } = [];
    /// <summary>QMetry test cases of the project (summary "Test case n"), keys <c>KEY-TC-n</c>; ranges allowed.</summary>
    public List<string> QMetryCases { get; set; } = [];

    /// <summary>QMetry test cycles that already exist (empty, "Existing cycle n"), keys <c>KEY-TR-n</c>: targets of testCycleToReuse.</summary>
    public List<string> QMetryCycles { get; set; } = [];

    /// <summary>AIO Tests run statuses of the project (AIO's defaults unless the seed says otherwise).</summary>
    public List<SeedAioRunStatus> AioRunStatuses { get; set; } =
    [
        new() { Id = 1, Name = "Not Run", Type = "NOT RUN" },
        new() { Id = 2, Name = "In Progress", Type = "IN PROGRESS" },
        new() { Id = 3, Name = "Passed", Type = "PASSED" },
        new() { Id = 4, Name = "Failed", Type = "FAILED" },
        new() { Id = 5, Name = "Blocked", Type = "BLOCKED" },
    ];
}

/// <summary>An AIO Tests run status: renamable and extensible per project, each of one fixed type.</summary>
public sealed class SeedAioRunStatus
{
    public int Id { get; set; }
    public string Name { get; set; } = "";

    /// <summary><c>NOT RUN</c>, <c>IN PROGRESS</c>, <c>PASSED</c>, <c>FAILED</c> or <c>BLOCKED</c>.</summary>
    public string Type { get; set; } = "";
}

public sealed class SeedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A QMetry Automation API key and the project it imports into.</summary>
public sealed class SeedQMetryKey
{
    public string Key { get; set; } = "";
    public string Project { get; set; } = "";
}
