using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TmsBridge.Core.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 (free port) answering every request with one handler, for
/// unit-level publishing tests without network mocks. Requests are recorded. Disposed by the test.
/// </summary>
internal sealed class TinyHttpServer : IDisposable
{
    /// <param name="Headers">Every request header as received (names case-insensitive).</param>
    /// <param name="RawBody">The body's bytes exactly as received (multipart part headers, byte for byte).</param>
    public sealed record Request(string Method, string Path, string? Authorization, string Body, string? ContentType = null, string Query = "",
        IReadOnlyDictionary<string, string>? Headers = null, byte[]? RawBody = null)
    {
        public string? Header(string name) => Headers is not null && Headers.TryGetValue(name, out var v) ? v : null;
    }

    /// <param name="Headers">Extra response headers (e.g. Retry-After).</param>
    public sealed record Reply(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null)
    {
        /// <summary>
        /// Read the request, then break the connection so no complete answer arrives (a lost response).
        /// The managed HttpListener writes a status line on any close, so this promises a 1 MB body,
        /// sends one byte and aborts: the client sees "the response ended prematurely".
        /// </summary>
        public static Reply Drop { get; } = new(-1, "");
    }

    private readonly HttpListener _listener = new();
    private readonly Func<Request, Task<Reply?>> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<Request> _requests = [];

    /// <param name="handler">Returns the reply, or null to never answer (the connection stays open until dispose).</param>
    public TinyHttpServer(Func<Request, Task<Reply?>> handler)
    {
        _handler = handler;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { _listener.Start(); BaseUrl = new Uri($"http://127.0.0.1:{port}/"); break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _loop = Task.Run(LoopAsync);
    }

    public TinyHttpServer(Func<Request, Reply?> handler) : this(r => Task.FromResult(handler(r))) { }

    public Uri BaseUrl { get; private set; } = null!;
    public IReadOnlyList<Request> Requests { get { lock (_requests) return _requests.ToList(); } }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) { return; } // listener stopped
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            byte[] raw;
            using (var buffer = new MemoryStream())
            {
                await context.Request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
                raw = buffer.ToArray();
            }
            var body = Encoding.UTF8.GetString(raw);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in context.Request.Headers.AllKeys) if (name is not null) headers[name] = context.Request.Headers[name] ?? "";
            var request = new Request(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], body,
                context.Request.ContentType, context.Request.Url.Query, headers, raw);
            lock (_requests) _requests.Add(request);
            var reply = await _handler(request).ConfigureAwait(false);
            if (reply is null)
            {
                // Never answer: hold the connection until the server is disposed.
                try { await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
                context.Response.Abort();
                return;
            }
            if (ReferenceEquals(reply, Reply.Drop))
            {
                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = 1 << 20;
                await context.Response.OutputStream.WriteAsync("{"u8.ToArray()).ConfigureAwait(false);
                await context.Response.OutputStream.FlushAsync().ConfigureAwait(false);
                context.Response.Abort();
                return;
            }
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.StatusCode = reply.Status;
            foreach (var header in reply.Headers ?? new Dictionary<string, string>()) context.Response.Headers[header.Key] = header.Value;
            context.Response.ContentType = reply.ContentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (HttpListenerException) { }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
