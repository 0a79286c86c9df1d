using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox.QMetry;

/// <summary>QMetry (QTM4J), both flavours: Cloud <c>/rest/api/automation/importresult</c> (+ its storage), Server/DC <c>/rest/qtm4j/automation/latest/importresult</c>.</summary>
internal sealed class QMetryModule(QMetryStore cloud, QMetryStore server) : ISandboxModule
{
    public void MapEndpoints(WebApplication app, SandboxState state)
    {
        QMetryEndpoints.Map(app, state);
        QMetryOpenApiEndpoints.Map(app, state);
    }

    public void Reset()
    {
        cloud.Clear();
        server.Clear();
    }

    public void WritePage(StringBuilder page, SandboxSnapshot snapshot)
    {
        QMetryStatePage.Write(page, "QMetry Cloud", snapshot.QMetry);
        QMetryStatePage.Write(page, "QMetry Server/DC", snapshot.QMetryServer);
    }
}
