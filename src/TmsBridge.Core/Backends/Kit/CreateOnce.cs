using System.Text.Json;
using TmsBridge.Http;

namespace TmsBridge.Backends.Kit;

/// <summary>What a create answered, and whether that answer is the earlier effect found by a lookup.</summary>
internal sealed class CreateOnceAnswer(TmsHttpResponse response, bool recovered, bool existing = false)
{
    public TmsHttpResponse Response { get; } = response;
    /// <summary>The create's own answer was lost: <see cref="Response"/> is what the lookup found.</summary>
    public bool Recovered { get; } = recovered;
    /// <summary>
    /// Nothing was created: the lookup before creating (<see cref="Publishing.PublishContext.FindBeforeCreate"/>)
    /// found an execution with the marker, and <see cref="Response"/> is what it found.
    /// </summary>
    public bool Existing { get; } = existing;
}

/// <summary>
/// A non-idempotent create (an execution, a cycle) that is never made twice: it is not repeated
/// blindly; before a repeat after a lost answer, and once more after the retries ran out, a lookup
/// (by the run marker) looks for what the lost answer would have named (design §7).
/// </summary>
internal static class CreateOnce
{
    /// <param name="http">The run's HTTP client.</param>
    /// <param name="createRequest">Builds the create request, afresh for every attempt.</param>
    /// <param name="findEarlier">Looks the created thing up; its answer shaped like the create's, or null when absent. Null: nothing to look up by.</param>
    /// <param name="send">How a call is sent (a backend may renew credentials around it); by default <see cref="TmsHttpClient.SendAsync(HttpCall, CancellationToken)"/>.</param>
    /// <exception cref="TmsHttpException">No answer came and the lookup found nothing.</exception>
    public static async Task<CreateOnceAnswer> SendAsync(TmsHttpClient http, Func<HttpRequestMessage> createRequest,
        Func<CancellationToken, Task<TmsHttpResponse?>>? findEarlier, CancellationToken cancellationToken,
        Func<HttpCall, CancellationToken, Task<TmsHttpResponse>>? send = null)
    {
        var recovered = false;
        var call = new HttpCall(createRequest)
        {
            Idempotent = false,
            FindEarlierEffect = findEarlier is null ? null : async token =>
            {
                var found = await findEarlier(token).ConfigureAwait(false);
                recovered |= found is not null;
                return found;
            },
        };
        try
        {
            var response = await (send ?? http.SendAsync)(call, cancellationToken).ConfigureAwait(false);
            return new CreateOnceAnswer(response, recovered);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled && e.OutcomeUnknown && findEarlier is not null)
        {
            // The retries ran out on a create that may have reached the server: one last look, so a
            // create is never reported failed while what it made exists.
            var found = await TryFindAsync(findEarlier, cancellationToken).ConfigureAwait(false);
            if (found is null) throw;
            return new CreateOnceAnswer(found, recovered: true);
        }
    }

    /// <summary>
    /// The create path every backend shares: when the publish asks to look before creating
    /// (<see cref="Publishing.PublishContext.FindBeforeCreate"/>: a group's execution, a replay of a
    /// publish that may have created one), <paramref name="findEarlier"/> is asked first and what it
    /// finds is joined (<see cref="CreateOnceAnswer.Existing"/>); otherwise, or when nothing carries
    /// the marker, the create is sent once (<see cref="SendAsync"/>). A lookup that fails (or a target
    /// with no finder) does not stop the publish: a warning says an execution is created instead, so
    /// results are never held back for a lookup.
    /// </summary>
    /// <param name="displayName">The backend's name, for the warning.</param>
    /// <param name="keyOf">The execution's key in a create's (or finder's) answer body: with it, a create made while looking first is checked against the oldest execution with the marker (<see cref="RecheckAsync"/>).</param>
    public static async Task<CreateOnceAnswer> FindOrCreateAsync(Publishing.PublishContext context, string displayName, Func<HttpRequestMessage> createRequest,
        Func<CancellationToken, Task<TmsHttpResponse?>>? findEarlier, CancellationToken cancellationToken,
        Func<HttpCall, CancellationToken, Task<TmsHttpResponse>>? send = null, Func<string, string?>? keyOf = null)
    {
        if (await FindFirstAsync(context, displayName, findEarlier, cancellationToken).ConfigureAwait(false) is { } found)
            return new CreateOnceAnswer(found, recovered: false, existing: true);
        var created = await SendAsync(context.Http, createRequest, findEarlier, cancellationToken, send).ConfigureAwait(false);
        if (created.Response.IsSuccess && !created.Recovered && keyOf is not null && keyOf(created.Response.Body) is { } mine)
            await RecheckAsync(context, displayName, findEarlier, mine, keyOf, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// After creating a group's execution (nothing carried the marker a moment before): looks again, and
    /// when the oldest execution with the marker is not this one, another run (a shard on another machine)
    /// created one in the same moment. Nothing is moved: this run's results stay in its own execution, and
    /// a warning names both, the oldest being the one every later run joins (finders return the oldest).
    /// </summary>
    /// <returns>The oldest execution's key when it is another's, else null.</returns>
    public static async Task<string?> RecheckAsync(Publishing.PublishContext context, string displayName,
        Func<CancellationToken, Task<TmsHttpResponse?>>? findEarlier, string mine, Func<string, string?> keyOf, CancellationToken cancellationToken)
    {
        if (!context.FindBeforeCreate || context.DryRun || findEarlier is null || context.Marker is not { } marker) return null;
        var again = await TryFindAsync(findEarlier, cancellationToken).ConfigureAwait(false);
        if (again is null || keyOf(again.Body) is not { } oldest || string.Equals(oldest, mine, StringComparison.OrdinalIgnoreCase)) return null;
        context.Report.Warnings.Add($"{displayName}: {oldest} and {mine} both carry the marker '{marker}': another run of the group created {oldest} at the same moment this run created {mine}. This run's results are in {mine}; later runs of the group join {oldest}, the oldest.");
        return oldest;
    }

    /// <summary>
    /// The lookup before a create, for a backend whose create is not one request (Xray's first
    /// import creates the execution): what carries the marker, or null (nothing found, not asked,
    /// or the lookup failed: then with a warning in the report).
    /// </summary>
    public static async Task<TmsHttpResponse?> FindFirstAsync(Publishing.PublishContext context, string displayName,
        Func<CancellationToken, Task<TmsHttpResponse?>>? findEarlier, CancellationToken cancellationToken)
    {
        if (!context.FindBeforeCreate || context.DryRun || context.Marker is not { } marker) return null;
        if (findEarlier is null)
        {
            context.Report.Warnings.Add($"{displayName}: an execution with the marker '{marker}' cannot be looked up on this target, so a new one is created: if an earlier attempt of this publish (or another run of its group) created one, the results are split over two executions.");
            return null;
        }
        try
        {
            return await findEarlier(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
        {
            context.Report.Warnings.Add($"{displayName}: looking up an execution with the marker '{marker}' failed ({context.Redactor.Redact(e.Message)}), so a new one is created: if an earlier attempt of this publish (or another run of its group) created one, the results are split over two executions.");
            return null;
        }
    }

    private static async Task<TmsHttpResponse?> TryFindAsync(Func<CancellationToken, Task<TmsHttpResponse?>> findEarlier, CancellationToken cancellationToken)
    {
        try
        {
            return await findEarlier(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TmsHttpException { Kind: not HttpFailureKind.Cancelled } or JsonException)
        {
            return null;
        }
    }
}
