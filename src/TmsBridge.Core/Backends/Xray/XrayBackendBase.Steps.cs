using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Step results for Manual tests: before the import, the keyed tests that recorded runtime steps
/// (Tms.Step) are looked up in chunks (one request per chunk, never per key). A test that is step-based
/// (Manual) with as many steps as a result's top-level runtime steps gets them as step results; every
/// other test keeps them as text in the comment. A lookup that fails costs the step results of its
/// chunk, never the publish: the import goes on with the text and a warning names the keys.
/// </summary>
internal abstract partial class XrayBackendBase
{
    /// <summary>Keys per lookup request.</summary>
    protected abstract int LookupChunkSize { get; }

    /// <summary>
    /// One lookup request for <paramref name="keys"/>: the step-based (Manual) tests among them with their
    /// number of steps; a key that is not such a test (Generic, Cucumber, not a Test, unknown) is absent.
    /// Throws <see cref="TmsHttpException"/>, <see cref="JsonException"/> or <see cref="InvalidDataException"/> when it fails.
    /// </summary>
    protected abstract Task<Dictionary<string, int>> LookUpStepsAsync(IReadOnlyList<string> keys, PublishContext context, CancellationToken cancellationToken);

    /// <summary>Step counts of the Manual tests this run may send step results to (empty when off, in a dry run, or none has steps).</summary>
    private async Task<IReadOnlyDictionary<string, int>> StepCountsAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (!context.Options.For<XrayOptions>().StepResults || context.DryRun) return counts;
        var keys = context.Run.Keyed.Where(k => k.Results.Any(r => r.Steps.Count > 0)).Select(k => k.Key)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var chunk in Chunks.Of(keys, LookupChunkSize))
        {
            try
            {
                foreach (var found in await LookUpStepsAsync(chunk, context, cancellationToken).ConfigureAwait(false))
                    counts[found.Key] = found.Value;
            }
            catch (Exception e) when (e is JsonException or InvalidDataException || (e is TmsHttpException h && h.Kind != HttpFailureKind.Cancelled))
            {
                context.Report.Warnings.Add($"{DisplayName}: the test type and steps of {string.Join(", ", chunk)} could not be looked up ({context.Redactor.Redact(e.Message)}); "
                    + "their runtime steps are sent as text in the Test Run comment instead of as step results.");
            }
        }
        return counts;
    }

    /// <summary>Sends a lookup (retried like any idempotent read; credentials renewed once on 401) and returns the body of a 2xx answer.</summary>
    protected async Task<string> ReadAsync(Func<HttpRequestMessage> build, PublishContext context, CancellationToken cancellationToken)
    {
        var call = new HttpCall(() =>
        {
            var request = build();
            Authorize(request, context);
            return request;
        });
        var response = await context.Http.SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 401 && await RenewCredentialsAsync(context, cancellationToken).ConfigureAwait(false))
            response = await context.Http.SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new InvalidDataException($"HTTP {response.StatusCode} {context.Redactor.Redact(TmsErrors.MessageOf(response.Body))}");
        return response.Body;
    }
}
