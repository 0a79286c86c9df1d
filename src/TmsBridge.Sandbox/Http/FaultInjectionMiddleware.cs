using System.Globalization;
using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.Aio;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Http;

/// <summary>
/// Applies the fault rules of <c>POST /_sandbox/faults</c>, then Xray Cloud's and AIO Tests' rate limits, to API
/// requests (never to <c>/_sandbox/*</c> or the page). Sits after the request log, so what it does
/// is logged (with the fault's name and, for aborted connections, <c>"dropped"</c>), and before
/// the endpoints, so it can answer for them.
/// </summary>
internal sealed class FaultInjectionMiddleware(RequestDelegate next, SandboxState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!RequestLogMiddleware.IsApiRequest(context.Request))
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        var note = RequestLogMiddleware.RequestNote.Of(context) ?? new RequestLogMiddleware.RequestNote();

        long? size = request.ContentLength;
        if (size is null && state.Faults.NeedsBodySize(method, path))
        {
            // Chunked body and a tooLarge rule in play: measure it, then let the endpoint read it again.
            request.EnableBuffering();
            size = await MeasureAsync(request.Body, context.RequestAborted);
            request.Body.Position = 0;
        }

        var rule = state.Faults.Take(method, path, size);
        if (rule is not null)
        {
            note.Fault = rule.Action;
            switch (rule.Action)
            {
                case "status":
                    await AnswerAsync(context, rule);
                    return;
                case "drop":
                    note.Dropped = true;
                    note.Status = 0;
                    context.Abort();
                    return;
                case "tooLarge":
                    // Read the body away first so the client gets the 413 instead of a reset while still sending.
                    await DrainAsync(request.Body, context.RequestAborted);
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    context.Response.ContentType = "application/json;charset=UTF-8";
                    await context.Response.WriteAsync("{\"error\":\"Request Entity Too Large\"}", context.RequestAborted);
                    return;
                case "delay":
                    await Task.Delay(rule.DelayMs ?? 0, context.RequestAborted);
                    break; // then processed normally
            }
        }

        if (IsXrayCloudPath(path) && !state.XrayCloudLimiter.TryAcquire(DateTimeOffset.UtcNow, out var wait))
        {
            note.Fault = "rateLimit";
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (state.XrayCloudLimiter.Limit.RetryAfter)
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/json;charset=UTF-8";
            await context.Response.WriteAsync("{\"error\":\"Too Many Requests\"}", context.RequestAborted);
            return;
        }

        if (AioEndpoints.IsAioPath(request.Path)
            && !state.AioLimiter.TryAcquire(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", DateTimeOffset.UtcNow, out var aioWait))
        {
            // AIO: 60 requests per minute per IP, on any endpoint (api-notes §1.5); non-200 bodies are plain text.
            note.Fault = "rateLimit";
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (state.AioLimiter.Limit.RetryAfter)
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(aioWait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            context.Response.ContentType = AioEndpoints.PlainText;
            await context.Response.WriteAsync("Too Many Requests", context.RequestAborted);
            return;
        }

        if (rule?.Action == "loseResponse")
        {
            // Process normally into a buffer nobody reads, then abort: the work is done (e.g. the
            // execution exists) but the client never sees the answer.
            var original = context.Response.Body;
            context.Response.Body = new MemoryStream();
            try
            {
                await next(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Nobody would see the error answer either.
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
            finally
            {
                note.Status = context.Response.StatusCode;
                note.Dropped = true;
                context.Response.Body = original;
                context.Abort();
            }
            return;
        }

        await next(context);
    }

    /// <summary>Xray Cloud's API lives under <c>/api/</c> (api-notes §1); the limiter counts only those requests.</summary>
    // Xray Cloud is /api/v1 and /api/v2; qTest's /api/v3 is not under its rate limit.
    internal static bool IsXrayCloudPath(string path) => path.StartsWith("/api/v1/", StringComparison.Ordinal) || path.StartsWith("/api/v2/", StringComparison.Ordinal);

    private static async Task AnswerAsync(HttpContext context, FaultRule rule)
    {
        var response = context.Response;
        response.StatusCode = rule.Status!.Value;
        if (rule.RetryAfter is { } retryAfter)
            response.Headers.RetryAfter = retryAfter;
        if (rule.Body is { } body)
        {
            var trimmed = body.TrimStart();
            response.ContentType = rule.ContentType
                ?? (trimmed.StartsWith('{') || trimmed.StartsWith('[') ? "application/json;charset=UTF-8" : "text/plain;charset=UTF-8");
            await response.WriteAsync(body, context.RequestAborted);
        }
        else if (rule.ContentType is { } ct)
        {
            response.ContentType = ct;
        }
    }

    private static async Task<long> MeasureAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
            total += n;
        return total;
    }

    private static Task DrainAsync(Stream body, CancellationToken ct) => MeasureAsync(body, ct);
}
