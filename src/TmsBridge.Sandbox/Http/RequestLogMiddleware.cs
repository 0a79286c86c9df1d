using Microsoft.AspNetCore.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Http;

/// <summary>
/// Records every API request (method, path without query, status, request body bytes, time)
/// into <see cref="RequestLog"/>. The sandbox's own endpoints (<c>/_sandbox/*</c>, the HTML page)
/// are not recorded, so a test counting API calls is not disturbed by inspecting the state.
/// Headers, query strings and bodies are never recorded: they can hold credentials.
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, SandboxState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsApiRequest(context.Request))
        {
            await next(context);
            return;
        }

        var counting = new CountingStream(context.Request.Body);
        context.Request.Body = counting;
        var note = new RequestNote();
        context.Items[RequestNote.Key] = note;
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            // Content-Length when the client declared it (also for requests refused before the
            // body was read, e.g. 401); otherwise what was actually read.
            var bytes = context.Request.ContentLength ?? counting.BytesRead;
            // A client that gave up (timeout, cancel) before the answer got nothing either.
            if (context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
                note.Dropped = true;
            state.Requests.Add(new RequestRecord(
                context.Request.Method, context.Request.Path.Value ?? "/", note.Status ?? status, bytes, DateTimeOffset.UtcNow,
                note.Dropped, note.Fault));
        }
    }

    /// <summary>What the fault middleware tells the log about a request it shaped.</summary>
    internal sealed class RequestNote
    {
        public const string Key = "TmsBridge.Sandbox.RequestNote";

        public bool Dropped { get; set; }
        public string? Fault { get; set; }

        /// <summary>Overrides the response status in the log (0 for a connection dropped before processing).</summary>
        public int? Status { get; set; }

        public static RequestNote? Of(HttpContext context) => context.Items.TryGetValue(Key, out var n) ? n as RequestNote : null;
    }

    internal static bool IsApiRequest(HttpRequest request)
    {
        var path = request.Path;
        return !(path.StartsWithSegments("/_sandbox") || path == "/" || path == "/favicon.ico");
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        private int Count(int n)
        {
            BytesRead += n;
            return n;
        }
    }
}
