using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.State;
using TmsBridge.Sandbox.Xray;

namespace TmsBridge.Sandbox.XrayCloud;

/// <summary>
/// The Xray Cloud section of the sandbox: a different Jira site from the Server/DC one. It is
/// seeded with the same projects and issues, but has its own issue registry (created Test
/// Executions and Tests, key counters), its own execution store and the issued API tokens.
/// Callers hold <see cref="SandboxState.SyncRoot"/> for every access except the token methods,
/// which lock on their own.
/// </summary>
public sealed class XrayCloudState
{
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly SandboxSeed _seed;

    internal XrayCloudState(SandboxSeed seed, TimeSpan tokenLifetime)
    {
        _seed = seed;
        TokenLifetime = tokenLifetime;
        Jira = new JiraInstance(seed);
        Statuses = new HashSet<string>(seed.XrayCloudStatuses, StringComparer.Ordinal);
        Store.SeedManualTests(seed);
    }

    /// <summary>The Cloud site's Jira: same seed as the DC instance, separate created issues.</summary>
    public JiraInstance Jira { get; }

    /// <summary>Test Run statuses the Cloud site knows (seed <c>xrayCloudStatuses</c>).</summary>
    public IReadOnlySet<string> Statuses { get; }

    public TimeSpan TokenLifetime { get; }

    /// <summary>Executions, Tests and links received through the Cloud API (same shapes as Server/DC).</summary>
    internal XrayServerState Store { get; } = new();

    internal void Clear()
    {
        Jira.Reset();
        Store.Clear();
    }

    public XraySnapshot Snapshot() => Store.Snapshot();

    /// <summary>A token for the key pair, or null when the pair is not in the seed.</summary>
    internal string? Authenticate(string clientId, string clientSecret)
    {
        var known = _seed.XrayCloudApiKeys.Exists(k => FixedEquals(k.ClientId, clientId) && FixedEquals(k.ClientSecret, clientSecret));
        if (!known)
            return null;

        // A JWT-shaped token like the real one (header.payload.signature, base64url), so clients
        // that peek at "exp" work. Only the sandbox can verify it: the key is random per process.
        var now = DateTimeOffset.UtcNow;
        var expires = now + TokenLifetime;
        var header = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new
        {
            tenant = "tmsbridge-sandbox",
            clientId,
            iss = "tmsbridge-sandbox",
            iat = now.ToUnixTimeSeconds(),
            exp = expires.ToUnixTimeSeconds(),
            jti = Guid.NewGuid().ToString("N"),
        }));
        var signature = Base64Url(HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        var token = $"{header}.{payload}.{signature}";
        lock (_tokens)
            _tokens[token] = expires;
        return token;
    }

    /// <summary>Whether a Bearer token is one the sandbox issued, and whether it is still valid.</summary>
    internal TokenStatus Check(string token)
    {
        lock (_tokens)
        {
            if (!_tokens.TryGetValue(token, out var expires))
                return TokenStatus.Unknown;
            return expires > DateTimeOffset.UtcNow ? TokenStatus.Valid : TokenStatus.Expired;
        }
    }

    /// <summary>Expires every token issued so far (<c>POST /_sandbox/xray-cloud/expire-tokens</c>); returns how many were valid.</summary>
    public int ExpireTokens()
    {
        lock (_tokens)
        {
            var now = DateTimeOffset.UtcNow;
            var valid = 0;
            foreach (var token in _tokens.Keys.ToArray())
            {
                if (_tokens[token] > now)
                    valid++;
                _tokens[token] = now.AddTicks(-1);
            }
            return valid;
        }
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool FixedEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}

internal enum TokenStatus
{
    Unknown,
    Valid,
    Expired,
}
