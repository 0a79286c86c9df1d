using System.Text.Json;
using TmsBridge.Http;

namespace TmsBridge.Backends.Kit;

/// <summary>What a create answered, and whether that answer is the earlier effect found by a lookup.</summary>
internal sealed class CreateOnceAnswer(TmsHttpResponse response, bool recovered)
{
    public TmsHttpResponse Response { get; } = response;
    /// <summary>The create's own answer was lost: <see cref="Response"/> is what the lookup found.</summary>
    public bool Recovered { get; } = recovered;
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
