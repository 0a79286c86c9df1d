using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Auth;

/// <summary>
/// Jira Server/DC authentication as Xray DC clients use it (api-notes §2): HTTP Basic with a
/// seeded user's password, or a Jira Personal Access Token as <c>Authorization: Bearer</c>.
/// Shared by every Jira-hosted API (Xray DC now; AIO/QMetry/RTM Server later).
/// </summary>
public static class JiraAuth
{
    /// <summary>Jira's 401 body. It never repeats what was sent: no user name, no token.</summary>
    public const string NotAuthenticatedJson =
        "{\"errorMessages\":[\"You are not authenticated. Authentication required to perform this operation.\"],\"errors\":{}}";

    /// <summary>The authenticated user name, or null.</summary>
    public static string? Authenticate(HttpRequest request, JiraInstance jira)
    {
        var header = request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ');
        if (space <= 0)
            return null;
        var scheme = header[..space];
        var value = header[(space + 1)..].Trim();

        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            }
            catch (FormatException)
            {
                return null;
            }
            var colon = decoded.IndexOf(':');
            if (colon < 0)
                return null;
            var name = decoded[..colon];
            var password = decoded[(colon + 1)..];
            return jira.Users.FirstOrDefault(u => u.Name == name && FixedEquals(u.Password, password))?.Name;
        }

        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
            return jira.Users.FirstOrDefault(u => u.Tokens.Exists(t => FixedEquals(t, value)))?.Name;

        return null;
    }

    /// <summary>Route-group filter: 401 in Jira's shape unless the request is authenticated.</summary>
    public static async ValueTask<object?> RequireAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, SandboxState state)
    {
        var http = context.HttpContext;
        if (Authenticate(http.Request, state.Jira) is null)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.ContentType = "application/json;charset=UTF-8";
            await http.Response.WriteAsync(NotAuthenticatedJson, http.RequestAborted);
            return Results.Empty;
        }
        return await next(context);
    }

    // Constant-time comparison: cheap, and keeps the emulator from teaching timing-leaky habits.
    internal static bool FixedEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
