using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox;

/// <summary>How to start a <see cref="SandboxServer"/>.</summary>
public sealed class SandboxOptions
{
    /// <summary>Address to listen on. Port 0 picks a free port; read the result from <see cref="SandboxServer.BaseAddress"/>.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>A seed file replacing the built-in seed (ignored when <see cref="Seed"/> is set).</summary>
    public string? SeedPath { get; set; }

    /// <summary>A seed object replacing the built-in seed.</summary>
    public SandboxSeed? Seed { get; set; }

    /// <summary>ASP.NET Core console logging. Off by default so tests stay quiet.</summary>
    public bool Logging { get; set; }

    /// <summary>Largest request body accepted; bigger ones get 413 like a real Jira behind a proxy would.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long an Xray Cloud token from <c>POST /api/v2/authenticate</c> stays valid (real tokens: 24 h).</summary>
    public TimeSpan XrayCloudTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Xray Cloud's rate limit (Xray Standard: 300 requests per 5 minutes). Changeable at run time via <c>POST /_sandbox/limits</c>.</summary>
    public RateLimit XrayCloudRateLimit { get; set; } = new();

    /// <summary>
    /// AIO Tests' rate limit: 60 requests per minute per client IP, shared by AIO Cloud and Server
    /// paths. Changeable at run time via <c>POST /_sandbox/limits</c> (<c>"aio"</c>).
    /// </summary>
    public RateLimit AioRateLimit { get; set; } = new() { Requests = 60, Window = TimeSpan.FromMinutes(1), RetryAfter = true };
}

/// <summary>A sliding-window request budget: at most <see cref="Requests"/> per <see cref="Window"/>.</summary>
public sealed record RateLimit
{
    public int Requests { get; init; } = 300;
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Send <c>Retry-After</c> (seconds until a slot frees) with the 429. Xray may not (api-notes §7).</summary>
    public bool RetryAfter { get; init; } = true;
}
