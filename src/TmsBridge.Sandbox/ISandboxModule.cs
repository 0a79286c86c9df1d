using System.Text;
using Microsoft.AspNetCore.Builder;
using TmsBridge.Sandbox.State;

namespace TmsBridge.Sandbox;

/// <summary>
/// One emulated TMS (or flavour) in the sandbox: it maps its API at the real relative paths,
/// forgets what it received on reset, and writes its sections of the state page. Its state
/// section lives in <see cref="SandboxState"/> (the <c>/_sandbox/state</c> JSON is a contract
/// with fixed names, <see cref="SandboxSnapshot"/>). Registered once in <see cref="SandboxModules"/>;
/// <see cref="SandboxServer"/>, <see cref="SandboxState.Reset"/> and the state page go through the list.
/// </summary>
internal interface ISandboxModule
{
    /// <summary>Maps the module's endpoints (called once, after the shared middleware and inspection endpoints).</summary>
    void MapEndpoints(WebApplication app, SandboxState state);

    /// <summary>Forgets everything received and puts its limits back to the start options (under <see cref="SandboxState.SyncRoot"/>).</summary>
    void Reset();

    /// <summary>Its sections of the state page (<c>GET /</c>); every value from a request HTML-encoded.</summary>
    void WritePage(StringBuilder page, SandboxSnapshot snapshot);

    /// <summary>Its line in the page's "Faults and limits" section, when it has a rate limit.</summary>
    void WriteLimits(StringBuilder page, SandboxSnapshot snapshot) { }
}
