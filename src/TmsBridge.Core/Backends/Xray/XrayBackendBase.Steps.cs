using System.Text.Json;
using TmsBridge.Backends.Kit;
using TmsBridge.Http;
using TmsBridge.Publishing;

namespace TmsBridge.Backends.Xray;

/// <summary>
/// Step results for Manual tests: before the import, the keyed tests that recorded runtime steps
/// (Tms.Step) or carry [Covers] links are looked up in chunks (one request per chunk, never per key). A test that is step-based
/// (Manual) with as many steps as a result's top-level runtime steps gets them as step results; every
/// other test keeps them as text in the comment. A lookup that fails costs the step results of its
/// chunk, never the publish: the import goes on with the text and a warning names the keys.
/// A Manual test with [Covers] links gets no testInfo (it would make the test Generic): a warning instead.
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

    /// <summary>
    /// Looks up the keyed tests whose type matters to this run, in chunks: those with runtime steps (for
    /// step results, unless stepResults is false) and those with [Covers] links (unless linkRequirements is
    /// false), whose testInfo would make a Manual test Generic. Sets <see cref="XrayPayload.Input.StepCounts"/>
    /// and <see cref="XrayPayload.Input.ManualTests"/>; nothing is asked in a dry run.
    /// </summary>
    private async Task LookUpTestTypesAsync(XrayPayload.Input input, PublishContext context, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var stepResults = context.Options.For<XrayOptions>().StepResults;
        var links = context.Options.LinkRequirements;
        if (context.DryRun || (!stepResults && !links)) return;
        var keys = context.Run.Keyed.Where(k => (stepResults && k.Results.Any(r => r.Steps.Count > 0)) || (links && k.Requirements.Count > 0)).Select(k => k.Key)
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
                    + "their runtime steps are sent as text in the Test Run comment instead of as step results, and their [Covers] links in a testInfo (which makes a Manual test Generic).");
            }
        }
        input.ManualTests = new HashSet<string>(counts.Keys, StringComparer.OrdinalIgnoreCase);
        input.StepCounts = stepResults ? counts : new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (!links) return;
        // Xray links requirements only through testInfo, which would turn a Manual test into a Generic one
        // (its steps gone): such a test is sent without testInfo, and its links are left to Jira.
        foreach (var k in context.Run.Keyed.Where(k => k.Requirements.Count > 0 && input.ManualTests.Contains(k.Key)))
            context.Report.Warnings.Add($"{DisplayName}: {k.Key} is a Manual test: its [Covers] links ({string.Join(", ", k.Requirements)}) are not sent, because Xray links requirements only "
                + "through a testInfo, which would make it a Generic test and drop its steps. Link them in Jira.");
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
