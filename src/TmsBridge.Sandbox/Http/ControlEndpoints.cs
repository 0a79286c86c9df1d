using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Http;

/// <summary>
/// Test-control endpoints for faults and limits:
/// <c>POST|GET|DELETE /_sandbox/faults</c> and <c>POST|GET /_sandbox/limits</c>.
/// Errors are 400 <c>{"error": "..."}</c>.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxState state)
    {
        app.MapGet("/_sandbox/faults", () => Results.Json(new { rules = state.Faults.Rules }, SandboxServer.StateJsonOptions));
        app.MapDelete("/_sandbox/faults", () =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });
        app.MapPost("/_sandbox/faults", async (HttpContext http) =>
        {
            IReadOnlyList<FaultRule> rules;
            try
            {
                using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                rules = FaultStore.Parse(doc.RootElement);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                return Results.Json(new { error = e.Message }, statusCode: 400);
            }
            return Results.Json(new { rules = state.Faults.Add(rules) }, SandboxServer.StateJsonOptions);
        });

        app.MapGet("/_sandbox/limits", () => Results.Json(state.Limits(), SandboxServer.StateJsonOptions));
        app.MapPost("/_sandbox/limits", async (HttpContext http) =>
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new FormatException("Expected {\"xrayCloud\"|\"aio\":{\"requests\":N,\"windowSeconds\":S,\"retryAfter\":true|false}}.");
                // Validate everything before changing anything: a bad body sets nothing.
                var xrayCloud = (RateLimit?)null;
                var aio = (RateLimit?)null;
                foreach (var p in root.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "xrayCloud": xrayCloud = ParseLimit(p.Value, state.XrayCloudLimiter.Limit, p.Name); break;
                        case "aio": aio = ParseLimit(p.Value, state.AioLimiter.Limit, p.Name); break;
                        default: throw new FormatException($"Unknown limiter '{p.Name}' (known: xrayCloud, aio).");
                    }
                }
                if (xrayCloud is not null)
                    state.XrayCloudLimiter.Set(xrayCloud);
                if (aio is not null)
                    state.AioLimiter.Set(aio);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                return Results.Json(new { error = e.Message }, statusCode: 400);
            }
            return Results.Json(state.Limits(), SandboxServer.StateJsonOptions);
        });
    }

    /// <summary>Partial update: properties not given keep their current value.</summary>
    private static RateLimit ParseLimit(JsonElement el, RateLimit current, string name)
    {
        if (el.ValueKind != JsonValueKind.Object)
            throw new FormatException($"'{name}' must be an object.");
        var limit = current;
        foreach (var p in el.EnumerateObject())
        {
            limit = p.Name switch
            {
                "requests" when p.Value.TryGetInt32(out var n) && n >= 1 => limit with { Requests = n },
                "windowSeconds" when p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var s) && s > 0 && s <= 86400
                    => limit with { Window = TimeSpan.FromSeconds(s) },
                "retryAfter" when p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False => limit with { RetryAfter = p.Value.GetBoolean() },
                "requests" => throw new FormatException($"'{name}.requests' must be a whole number of at least 1."),
                "windowSeconds" => throw new FormatException($"'{name}.windowSeconds' must be a number of seconds between 0 and 86400."),
                "retryAfter" => throw new FormatException($"'{name}.retryAfter' must be true or false."),
                _ => throw new FormatException($"Unknown property '{name}.{p.Name}' (known: requests, windowSeconds, retryAfter)."),
            };
        }
        return limit;
    }
}
