using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.Pages;
using TmsBridge.Sandbox.Seed;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox;

/// <summary>
/// The sandbox as an in-process HTTP server: every emulated API at its real relative path on
/// one loopback port, plus the inspection endpoints (<c>GET /</c>, <c>GET /_sandbox/state</c>,
/// <c>POST /_sandbox/reset</c>, faults and limits). Used by Program.cs, by tests and by the CLI.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    /// <summary>Serializer for <c>/_sandbox/state</c>: camelCase names, nulls kept (the shape is a contract).</summary>
    public static readonly JsonSerializerOptions StateJsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, SandboxState state, Uri baseAddress)
    {
        _app = app;
        State = state;
        BaseAddress = baseAddress;
    }

    /// <summary>The bound address with a trailing slash, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The live state, for in-process inspection (<see cref="SandboxState.Snapshot"/>).</summary>
    public SandboxState State { get; }

    /// <exception cref="SeedException">The seed is invalid.</exception>
    public static async Task<SandboxServer> StartAsync(SandboxOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();
        var seed = options.Seed ?? (options.SeedPath is { } path ? SandboxSeed.Load(path) : SandboxSeed.CreateDefault());
        var state = new SandboxState(seed, options);

        // Empty args and the app's own folder as content root: a test's working directory or an
        // appsettings.json lying around must not change how the sandbox behaves.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (options.Logging)
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.WebHost.UseUrls(options.Url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxRequestBodyBytes);
        builder.Services.AddSingleton(state);

        var app = builder.Build();
        Configure(app, state);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxServer(app, state, new Uri(address.TrimEnd('/') + "/"));
    }

    private static void Configure(WebApplication app, SandboxState state)
    {
        // Pipeline order matters:
        // 1. request log, outermost, so it records the status the client really got (or "dropped")
        // 2. errors → JSON (413 for oversized bodies, Xray's 500 text otherwise)
        // 3. fault injection (POST /_sandbox/faults), Xray Cloud's and AIO's rate limits: after the log, so
        //    injected faults are recorded like real answers, and before the endpoints, so they can
        //    short-circuit them (or, for loseResponse, let them run and swallow the answer).
        // 4. endpoints: shared inspection/control ones, then each emulated API's module (SandboxModules).
        app.UseMiddleware<RequestLogMiddleware>(state);
        app.Use(HandleErrorsAsync);
        app.UseMiddleware<FaultInjectionMiddleware>(state);

        app.MapGet("/_sandbox/state", () => Results.Json(state.Snapshot(), StateJsonOptions));
        app.MapPost("/_sandbox/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
        app.MapGet("/", () => Results.Content(StatePage.Render(state.Snapshot(), state.Modules), "text/html; charset=utf-8"));
        ControlEndpoints.Map(app, state);

        foreach (var module in state.Modules) module.MapEndpoints(app, state);
    }

    private static async Task HandleErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's body-size limit and malformed HTTP: 413 keeps the text real clients see
            // (api-notes §7, "Request Entity Too Large").
            context.Response.StatusCode = e.StatusCode;
            context.Response.ContentType = "application/json;charset=UTF-8";
            var message = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request Entity Too Large" : e.Message;
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }));
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            // Xray DC's documented 500 text; the exception goes to the log (when enabled), not the client.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<SandboxServer>()
                .LogError(e, "Unhandled error for {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "application/json;charset=UTF-8";
            await context.Response.WriteAsync("{\"error\":\"An internal error occurred when importing execution results.\"}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
