using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Http;

namespace TmsBridge.Publishing;

/// <summary>
/// The read-only side of a backend, for `tmsbridge validate` and `tmsbridge statuses`: can the TMS
/// be reached, are the credentials accepted, does the project exist, do the keys exist, which
/// statuses does the project define. It only reads (GET, searches, sign-ins that issue a token):
/// nothing it sends creates or changes anything in the TMS. Every implemented target has one
/// (a test checks it).
/// </summary>
internal interface ITmsProbe
{
    /// <summary>True when the API lists the project's statuses (the probe fills <see cref="ProbeContext.ProjectStatuses"/>).</summary>
    bool ListsStatuses { get; }

    /// <summary>Adds one check line per thing it looked at; never throws for server or network problems.</summary>
    Task ProbeAsync(ProbeContext probe, CancellationToken cancellationToken);
}

/// <summary>
/// One probe: the publish machinery (options, HTTP client, redactor) with an empty run, so session
/// code written for publishing can be reused for its reads, and the check lines it produces.
/// </summary>
internal sealed class ProbeContext(PublishContext context, string name, IReadOnlyList<string> keys, IReadOnlyDictionary<string, string> keySources, bool statusesOnly)
{
    public const string Reachability = "reachability";
    public const string Credentials = "credentials";
    public const string Project = "project";
    public const string Keys = "keys";
    public const string Statuses = "statuses";

    /// <summary>Reused session code reports its failures into <see cref="PublishContext.Report"/>'s errors.</summary>
    public PublishContext Context { get; } = context;
    public TmsOptions Options => Context.Options;
    public TmsHttpClient Http => Context.Http;
    public SecretRedactor Redactor => Context.Redactor;
    /// <summary>The target's display name, e.g. "Xray Server/DC".</summary>
    public string Name { get; } = name;
    /// <summary>The keys to look up (valid for the target, distinct); empty when none were given.</summary>
    public IReadOnlyList<string> KeysToCheck { get; } = keys;
    /// <summary>`tmsbridge statuses`: only what reading the statuses needs (no key lookups).</summary>
    public bool StatusesOnly { get; } = statusesOnly;
    public List<TargetCheck> Checks { get; } = [];

    /// <summary>The project's status names, when <see cref="ITmsProbe.ListsStatuses"/> and they were read.</summary>
    public IReadOnlyList<string>? ProjectStatuses { get; set; }
    /// <summary>Where <see cref="ProjectStatuses"/> come from, e.g. "project DEMO".</summary>
    public string StatusesWhere { get; set; } = "the project";
    /// <summary>What a status is called there, e.g. "run status".</summary>
    public string StatusNoun { get; set; } = "status";

    public void Ok(string check, string message) => Add(check, TargetCheck.Ok, message);
    public void Failed(string check, string message) => Add(check, TargetCheck.Failed, message);
    public void Skipped(string check, string message) => Add(check, TargetCheck.Skipped, message);
    public bool HasFailed => Checks.Exists(c => c.State == TargetCheck.Failed);

    private void Add(string check, string state, string message) =>
        Checks.Add(new TargetCheck { Check = check, State = state, Message = Redactor.Redact(message) });

    public string Describe(TmsHttpResponse response, string hint = "") => TmsErrors.Describe(response, Redactor, hint);

    /// <summary>
    /// The first authenticated call: adds the reachability line, then the credentials line (401 and
    /// 403 are answers about the credentials). The answer, or null when either check failed.
    /// </summary>
    public async Task<TmsHttpResponse?> FirstCallAsync(Func<HttpRequestMessage> request, string credentialsHint, CancellationToken ct)
    {
        var response = await ReachAsync(request, ct).ConfigureAwait(false);
        if (response is null) return null;
        if (response.StatusCode is 401 or 403)
        {
            Failed(Credentials, $"{Name} refused the credentials: {Describe(response, credentialsHint)}");
            return null;
        }
        Ok(Credentials, $"{Name} accepted the credentials{CredentialsInWords()}.");
        return response;
    }

    /// <summary>Sends one call and adds the reachability line; null (with a failed line) when no answer came.</summary>
    public async Task<TmsHttpResponse?> ReachAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        Uri? uri = null;
        try
        {
            var response = await Http.SendAsync(new HttpCall(() =>
            {
                var r = request();
                uri = r.RequestUri;
                return r;
            }), ct).ConfigureAwait(false);
            Ok(Reachability, $"{Name} answered at {Host(uri)}.");
            return response;
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Failed(Reachability, $"{Name} could not be reached at {Host(uri)}: {Redactor.Redact(e.Message)} (check baseUrl, {OptionCatalog.BaseUrl.EnvironmentVariable}, and the network).");
            return null;
        }
    }

    /// <summary>A later call (after <see cref="FirstCallAsync"/>): its answer, or null with a failed reachability line.</summary>
    public async Task<TmsHttpResponse?> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        try
        {
            return await Http.SendAsync(new HttpCall(request), ct).ConfigureAwait(false);
        }
        catch (TmsHttpException e) when (e.Kind != HttpFailureKind.Cancelled)
        {
            Failed(Reachability, $"{Name} stopped answering: {Redactor.Redact(e.Message)}");
            return null;
        }
    }

    /// <summary>True (with a skipped keys line) when there is no key to look up: none given, or none of the target's shape.</summary>
    public bool NoKeysToCheck()
    {
        if (KeysToCheck.Count > 0) return false;
        Skipped(Keys, keySources.Count == 0
            ? "no journal, folder or test assembly given: no test case keys to look up."
            : $"none of the given keys has {Name}'s key shape (see above): nothing to look up.");
        return true;
    }

    /// <summary>The keys that do not exist, each with the tests that carry it.</summary>
    /// <param name="looked">How many keys were looked up, when a per-key lookup was capped below <see cref="KeysToCheck"/> (see <see cref="CappedKeys"/>).</param>
    public void MissingKeys(IReadOnlyCollection<string> missing, string where, int? looked = null)
    {
        if (missing.Count == 0)
        {
            var n = looked ?? KeysToCheck.Count;
            Ok(Keys, $"{n} key{(n == 1 ? "" : "s")} exist{(n == 1 ? "s" : "")} in {where}.");
            return;
        }
        var named = missing.Select(k => keySources.TryGetValue(k, out var source) ? $"{k} ({source})" : k);
        Failed(Keys, $"{(missing.Count == 1 ? "key" : "keys")} {string.Join(", ", named)} {(missing.Count == 1 ? "does" : "do")} not exist in {where}: fix the TestCaseKey or create the test case before publishing.");
    }

    /// <summary>
    /// The keys a per-key lookup (one GET a key, where the API has no search by key list) reads: at most
    /// <paramref name="cap"/>, the rest named in a skipped line, so a huge suite's validate stays quick and polite.
    /// </summary>
    public IReadOnlyList<string> CappedKeys(int cap, string why)
    {
        if (KeysToCheck.Count <= cap) return KeysToCheck;
        var rest = KeysToCheck.Count - cap;
        Skipped(Keys, $"{rest} of {KeysToCheck.Count} keys not looked up: {why}, so validate reads at most {cap} (the first {cap}, in the order the inputs give them); a key that does not exist is refused at publish, naming it.");
        return KeysToCheck.Take(cap).ToList();
    }

    private string CredentialsInWords() =>
        Options.Token is not null ? $" ({OptionCatalog.Token.EnvironmentVariable})"
        : Options.User is not null ? $" (user {Options.User})"
        : "";

    private static string Host(Uri? uri) => uri is null ? "(no address)" : uri.GetLeftPart(UriPartial.Authority);
}
