using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.Http;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Aio;

/// <summary>AIO Tests, both flavours (Cloud <c>/aio-tcms/api/v1/...</c>, Server/DC <c>/rest/aio-tcms-api/1.0/...</c>) and their shared per-IP limit.</summary>
internal sealed class AioModule(AioStore cloud, AioStore server, PerClientRateLimiter limiter, RateLimit initialLimit) : ISandboxModule
{
    public void MapEndpoints(WebApplication app, SandboxState state) => AioEndpoints.Map(app, state);

    public void Reset()
    {
        cloud.Clear();
        server.Clear();
        limiter.Reset(initialLimit);
    }

    public void WritePage(StringBuilder page, SandboxSnapshot snapshot)
    {
        AioStatePage.Write(page, "AIO Tests Cloud", snapshot.Aio);
        AioStatePage.Write(page, "AIO Tests Server/DC", snapshot.AioServer);
    }

    public void WriteLimits(StringBuilder page, SandboxSnapshot snapshot) => AioStatePage.WriteLimit(page, snapshot);
}
