namespace TmsBridge.Backends.Xray;

/// <summary>What to check after an Xray error status; the error text itself comes from <see cref="Kit.TmsErrors"/>.</summary>
internal static class XrayErrors
{
    public static string Hint(int status) => status switch
    {
        401 => " (check the credentials: TMS_TOKEN, or user and TMS_PASSWORD; for Xray Cloud TMS_CLIENT_ID and TMS_CLIENT_SECRET)",
        403 => " (the user lacks permission in this project, or the Xray license is not valid)",
        404 => " (is baseUrl right? Server/DC: the Jira base URL including its context path, with Xray installed)",
        413 => " (the request is too large: lower maxRequestBytes)",
        429 => " (rate limited: lower rateLimit, or retry later)",
        _ => "",
    };
}
