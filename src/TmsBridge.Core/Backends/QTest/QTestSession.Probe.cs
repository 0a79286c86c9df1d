using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.QTest;

/// <summary>`tmsbridge validate`: the login (or the API token), the project, the test cases, reading only.</summary>
internal sealed partial class QTestSession
{
    public async Task ProbeAsync(ProbeContext probe, CancellationToken ct)
    {
        var hint = Hint(401);
        if (O.Token is null)
        {
            // The login issues a token for this session; it creates nothing in the project.
            var login = await probe.ReachAsync(LoginRequest, ct).ConfigureAwait(false);
            if (login is null) return;
            if (!login.IsSuccess || !AcceptLogin(login))
            {
                probe.Failed(ProbeContext.Credentials, $"the login of user '{O.User}' (POST /oauth/token) was refused: {probe.Describe(login, hint)}");
                return;
            }
            probe.Ok(ProbeContext.Credentials, $"qTest accepted the login of user '{O.User}'.");
        }

        // The project's root test cycles: a GET that needs the project and the permission to read it.
        var cycles = O.Token is null
            ? await probe.SendAsync(() => Request(HttpMethod.Get, Api("test-cycles?parentId=0&parentType=root")), ct).ConfigureAwait(false)
            : await probe.FirstCallAsync(() => Request(HttpMethod.Get, Api("test-cycles?parentId=0&parentType=root")), hint, ct).ConfigureAwait(false);
        if (cycles is null) return;
        if (cycles.StatusCode == 404)
        {
            probe.Failed(ProbeContext.Project, $"project {Project} does not exist in qTest, or the user cannot see it (option project, {OptionCatalog.Project.EnvironmentVariable}): {probe.Describe(cycles)}");
            return;
        }
        if (!cycles.IsSuccess)
        {
            probe.Failed(cycles.StatusCode is 401 or 403 ? ProbeContext.Credentials : ProbeContext.Project, $"reading project {Project} was refused: {probe.Describe(cycles, Hint(cycles.StatusCode))}");
            return;
        }
        probe.Ok(ProbeContext.Project, $"project {Project} exists and can be read.");
        if (probe.StatusesOnly) return;

        if (probe.NoKeysToCheck()) return;
        // As the publish resolves them: TC-12 is a PID, a bare number a test case id.
        string? failure = null;
        void OnFailure(string message) => failure = message;
        var pids = probe.KeysToCheck.Where(k => !char.IsDigit(k[0])).ToList();
        var ids = probe.KeysToCheck.Where(k => char.IsDigit(k[0])).ToList();
        var byPid = pids.Count == 0 ? [] : await SearchAsync("test-cases", "pid", pids, ct, OnFailure).ConfigureAwait(false);
        var byId = ids.Count == 0 || byPid is null ? [] : await SearchAsync("test-cases", "id", ids, ct, OnFailure).ConfigureAwait(false);
        if (byPid is null || byId is null)
        {
            probe.Failed(ProbeContext.Keys, failure ?? "the test case search failed.");
            return;
        }
        probe.MissingKeys(probe.KeysToCheck.Where(k => !byPid.ContainsKey(k) && !byId.ContainsKey(k)).ToList(), $"qTest project {Project}");
    }
}
