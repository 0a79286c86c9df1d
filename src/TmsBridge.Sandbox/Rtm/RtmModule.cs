using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Rtm;

/// <summary>RTM, both flavours (Server/DC <c>/rest/rtm/1.0/api/...</c>, Cloud <c>/rtm-cloud/api/...</c>).</summary>
internal sealed class RtmModule(RtmStore server, RtmStore cloud) : ISandboxModule
{
    public void MapEndpoints(WebApplication app, SandboxState state) => RtmEndpoints.Map(app, state);

    public void Reset()
    {
        server.Clear();
        cloud.Clear();
    }

    public void WritePage(StringBuilder page, SandboxSnapshot snapshot)
    {
        RtmStatePage.Write(page, "RTM Server/DC", snapshot.Rtm);
        RtmStatePage.Write(page, "RTM Cloud", snapshot.RtmCloud);
    }
}
