using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.Jira;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.Xray;

/// <summary>Xray Server/DC: <c>/rest/raven/...</c> imports and the Jira search that finds an execution by its run marker.</summary>
internal sealed class XrayServerModule(XrayServerState xray) : ISandboxModule
{
    public void MapEndpoints(WebApplication app, SandboxState state)
    {
        XrayServerEndpoints.Map(app, state);
        JiraSearchEndpoints.Map(app, state);
    }

    public void Reset() => xray.Clear();

    public void WritePage(StringBuilder page, SandboxSnapshot snapshot) => XrayStatePage.Write(page, "Xray Server/DC", snapshot.Xray);
}
