using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TmsBridge.Sandbox.Xray;

/// <summary>
/// Structural validation of an Xray Server/DC JSON import, written by hand after
/// shared/specs/xray-server-import-execution.schema.json with the Server/DC corrections the
/// seed docs (shared/seeds/004) require:
/// <list type="bullet">
/// <item>test-level <c>evidences</c> (DC spelling) or <c>evidence</c>, never both;</item>
/// <item><c>testInfo.testType</c> (DC), not Cloud's <c>type</c>;</item>
/// <item>iterations may carry <c>name</c> (DC docs), which the transcription lacks.</item>
/// </list>
/// Everything else is as strict as the schema: <c>additionalProperties: false</c> everywhere
/// (unknown property → 400 naming its path), required <c>status</c> in tests, iterations and
/// steps, <c>steps</c>/<c>examples</c>/<c>iterations</c> mutually exclusive, dates ISO-8601
/// date-time with offset, evidence <c>data</c> valid base64 and <c>filename</c> non-empty.
/// The first violation found is reported, like a schema validator that stops early.
/// With <see cref="XrayFlavor.Cloud"/> the same walk applies the Cloud schema
/// (shared/specs/xray-cloud-import-execution.schema.json) instead: <c>testInfo.type</c>,
/// iteration <c>log</c>, examples in PASSED/FAILED/TODO/EXECUTING. Both schemas agree on the rest.
/// </summary>
internal static partial class XrayJsonParser
{
    // The schema's "format: date-time" (RFC 3339) plus "+0000" without colon, which Xray accepts
    // in practice (api-notes §3.1: pytest-jira-xray sends Python's %z).
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeWithOffset();

    private static readonly string[] ExampleStatuses = ["EXECUTING", "FAIL", "PASS", "TODO"];

    // Cloud schema: examples.items enum [TODO, FAILED, PASSED, EXECUTING] (sorted here for the message).
    private static readonly string[] CloudExampleStatuses = ["EXECUTING", "FAILED", "PASSED", "TODO"];

    /// <summary>Validates an import body; <paramref name="flavor"/> picks the DC or the Cloud rules.</summary>
    public static ImportRequest Parse(JsonElement root, XrayFlavor flavor = XrayFlavor.Server)
    {
        var f = flavor;
        var o = new Obj(f, root, "", "testExecutionKey", "info", "tests");
        var key = o.String("testExecutionKey");
        ExecutionInfo? info = null;
        if (o.Get("info") is { } infoEl)
            info = ParseInfo(new Obj(f, infoEl, "info",
                "project", "summary", "description", "version", "revision", "user",
                "startDate", "finishDate", "testPlanKey", "testEnvironments"));

        var tests = o.Get("tests");
        // Xray's own words, typo included ("where"): shared/seeds/004, 400 BAD_REQUEST.
        if (tests is null || (tests.Value.ValueKind == JsonValueKind.Array && tests.Value.GetArrayLength() == 0))
            throw new XrayRequestException("No execution results where provided.");
        var entries = Array(tests.Value, "tests").Select((t, i) => ParseTest(f, t, $"tests[{i}]", i)).ToArray();
        return new ImportRequest(key, info, entries);
    }

    private static ExecutionInfo ParseInfo(Obj o) => new(
        o.String("project"),
        o.String("summary"),
        o.String("description"),
        o.String("version"),
        o.String("revision"),
        o.String("user"),
        o.Date("startDate"),
        o.Date("finishDate"),
        o.String("testPlanKey"),
        o.Get("testEnvironments") is { } envs ? Strings(envs, "info.testEnvironments") : null);

    private static TestEntry ParseTest(XrayFlavor f, JsonElement el, string path, int index)
    {
        var o = new Obj(f, el, path,
            "testKey", "testInfo", "start", "finish", "comment", "executedBy", "assignee", "status",
            "steps", "examples", "iterations", "defects", "evidence", "evidences", "customFields");
        Exclusive(o, "steps", "examples", "iterations");
        Exclusive(o, "evidence", "evidences");

        var evidenceName = o.Has("evidences") ? "evidences" : "evidence";
        return new TestEntry(
            index,
            o.String("testKey"),
            o.Get("testInfo") is { } ti ? ParseTestInfo(f, ti, path + ".testInfo") : null,
            o.RequiredString("status"),
            o.String("comment"),
            o.Date("start"),
            o.Date("finish"),
            o.String("executedBy"),
            o.String("assignee"),
            StringsOrEmpty(o, "defects"),
            Evidence(f, o, evidenceName),
            o.Get("steps") is { } steps ? Array(steps, path + ".steps").Select((s, i) => ParseStep(f, s, $"{path}.steps[{i}]")).ToArray() : [],
            ParseExamples(f, o, path),
            o.Get("iterations") is { } its ? Array(its, path + ".iterations").Select((s, i) => ParseIteration(f, s, $"{path}.iterations[{i}]")).ToArray() : [],
            o.Get("customFields") is { } cfs ? Array(cfs, path + ".customFields").Select((s, i) => ParseCustomField(f, s, $"{path}.customFields[{i}]")).ToArray() : []);
    }

    private static TestInfoEntry ParseTestInfo(XrayFlavor f, JsonElement el, string path)
    {
        // The one spelling difference in testInfo: DC "testType", Cloud "type" (required on both).
        var typeName = f == XrayFlavor.Cloud ? "type" : "testType";
        var o = new Obj(f, el, path,
            "projectKey", "summary", typeName, "description", "requirementKeys", "labels",
            "steps", "scenario", "scenarioType", "definition");
        Exclusive(o, "steps", "scenario", "definition");
        if (o.Get("steps") is { } steps)
        {
            var i = 0;
            foreach (var s in Array(steps, path + ".steps"))
            {
                var step = new Obj(f, s, $"{path}.steps[{i++}]", "action", "data", "result");
                step.RequiredString("action");
                step.String("data");
                step.String("result");
            }
        }
        o.String("scenario");
        o.String("scenarioType");
        return new TestInfoEntry(
            o.RequiredString("projectKey"),
            o.RequiredString("summary"),
            o.RequiredString(typeName),
            o.String("definition"),
            o.String("description"),
            StringsOrEmpty(o, "requirementKeys"),
            StringsOrEmpty(o, "labels"));
    }

    private static XrayIteration ParseIteration(XrayFlavor f, JsonElement el, string path)
    {
        // Cloud iterations also carry "log" (Cloud schema); DC ones do not.
        var o = f == XrayFlavor.Cloud
            ? new Obj(f, el, path, "name", "parameters", "log", "status", "steps")
            : new Obj(f, el, path, "name", "parameters", "status", "steps");
        var parameters = new List<XrayParameter>();
        if (o.Get("parameters") is { } ps)
        {
            var i = 0;
            foreach (var p in Array(ps, path + ".parameters"))
            {
                var po = new Obj(f, p, $"{path}.parameters[{i++}]", "name", "value");
                // The schema requires neither; a parameter without a name is meaningless in Xray's
                // dataset, so it is refused here (a plausible strictness, see docs/sandbox.md).
                parameters.Add(new XrayParameter(po.RequiredString("name"), po.String("value")));
            }
        }
        return new XrayIteration(
            o.String("name"),
            o.RequiredString("status"),
            parameters,
            o.Get("steps") is { } steps ? Array(steps, path + ".steps").Select((s, i) => ParseStep(f, s, $"{path}.steps[{i}]")).ToArray() : [])
        {
            Log = o.String("log"),
        };
    }

    private static XrayStepResult ParseStep(XrayFlavor f, JsonElement el, string path)
    {
        // Step results use "evidences" on Server/DC (schema and seed docs agree) and in the Cloud schema.
        var o = new Obj(f, el, path, "status", "comment", "actualResult", "defects", "evidences");
        return new XrayStepResult(
            o.RequiredString("status"),
            o.String("comment"),
            o.String("actualResult"),
            StringsOrEmpty(o, "defects"),
            Evidence(f, o, "evidences"));
    }

    private static XrayCustomField ParseCustomField(XrayFlavor f, JsonElement el, string path)
    {
        var o = new Obj(f, el, path, "id", "value");
        var id = o.RequiredString("id");
        var value = o.Get("value") ?? throw new XrayRequestException($"Property '{path}.value' is required.");
        return new XrayCustomField(id, value.Clone());
    }

    private static IReadOnlyList<string> ParseExamples(XrayFlavor f, Obj o, string path)
    {
        if (o.Get("examples") is not { } ex)
            return [];
        var allowed = f == XrayFlavor.Cloud ? CloudExampleStatuses : ExampleStatuses;
        var values = Strings(ex, path + ".examples");
        for (var i = 0; i < values.Count; i++)
        {
            if (!allowed.Contains(values[i], StringComparer.Ordinal))
                throw new XrayRequestException(
                    $"Property '{path}.examples[{i}]' must be one of {string.Join(", ", allowed)}, not '{values[i]}'.");
        }
        return values;
    }

    private static IReadOnlyList<XrayEvidence> Evidence(XrayFlavor f, Obj o, string name)
    {
        if (o.Get(name) is not { } arr)
            return [];
        var path = $"{o.Path}.{name}";
        var result = new List<XrayEvidence>();
        var i = 0;
        foreach (var item in Array(arr, path))
        {
            var itemPath = $"{path}[{i++}]";
            var e = new Obj(f, item, itemPath, "data", "filename", "contentType");
            var filename = e.RequiredString("filename");
            if (filename.Trim().Length == 0)
                throw new XrayRequestException($"Property '{itemPath}.filename' must not be empty.");
            var contentType = e.String("contentType");
            var data = e.RequiredString("data");
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(data);
            }
            catch (FormatException)
            {
                // A whole-request 400 rather than a per-test error: the body is malformed, which Xray's
                // JSON layer rejects before any test is looked at (plausible choice, docs/sandbox.md).
                throw new XrayRequestException($"Property '{itemPath}.data' is not valid base64.");
            }
            result.Add(new XrayEvidence(filename, contentType, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        return result;
    }

    private static void Exclusive(Obj o, params string[] names)
    {
        var present = names.Where(o.Has).ToArray();
        if (present.Length > 1)
            throw new XrayRequestException(
                $"Properties {string.Join(" and ", present.Select(p => $"'{Join(o.Path, p)}'"))} are mutually exclusive.");
    }

    private static IReadOnlyList<string> StringsOrEmpty(Obj o, string name) =>
        o.Get(name) is { } el ? Strings(el, Join(o.Path, name)) : [];

    private static IReadOnlyList<string> Strings(JsonElement el, string path)
    {
        var list = new List<string>();
        var i = 0;
        foreach (var item in Array(el, path))
        {
            if (item.ValueKind != JsonValueKind.String)
                throw new XrayRequestException($"Property '{path}[{i}]' must be a string.");
            list.Add(item.GetString()!);
            i++;
        }
        return list;
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement el, string path) =>
        el.ValueKind == JsonValueKind.Array
            ? el.EnumerateArray()
            : throw new XrayRequestException($"Property '{path}' must be an array.");

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>A JSON object checked against its allowed property names on construction.</summary>
    private readonly struct Obj
    {
        private readonly JsonElement _el;

        public Obj(XrayFlavor flavor, JsonElement el, string path, params string[] allowed)
        {
            Path = path;
            if (el.ValueKind != JsonValueKind.Object)
                throw new XrayRequestException(path.Length == 0
                    ? "The request body must be a JSON object."
                    : $"Property '{path}' must be an object.");
            foreach (var p in el.EnumerateObject())
            {
                if (!allowed.Contains(p.Name, StringComparer.Ordinal))
                    throw new XrayRequestException($"Unknown property '{Join(path, p.Name)}'{Hint(flavor, path, p.Name)}.");
            }
            _el = el;
        }

        public string Path { get; }

        public bool Has(string name) => _el.TryGetProperty(name, out _);

        public JsonElement? Get(string name) => _el.TryGetProperty(name, out var v) ? v : null;

        public string? String(string name)
        {
            if (!_el.TryGetProperty(name, out var v))
                return null;
            return v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : throw new XrayRequestException($"Property '{Join(Path, name)}' must be a string.");
        }

        public string RequiredString(string name) =>
            String(name) ?? throw new XrayRequestException($"Property '{Join(Path, name)}' is required.");

        public string? Date(string name)
        {
            var s = String(name);
            if (s is null)
                return null;
            if (!DateTimeWithOffset().IsMatch(s) || !DateTimeOffset.TryParse(NormalizeOffset(s), CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                throw new XrayRequestException(
                    $"Property '{Join(Path, name)}' must be an ISO-8601 date-time with offset (e.g. 2014-08-30T11:47:35+01:00), not '{s}'.");
            return s;
        }

        private static string NormalizeOffset(string s) =>
            s.Length > 5 && (s[^5] == '+' || s[^5] == '-') && char.IsAsciiDigit(s[^1]) ? s[..^2] + ":" + s[^2..] : s;

        // Helps someone who sent the other flavour's spelling.
        private static string Hint(XrayFlavor flavor, string path, string name) => (flavor, name) switch
        {
            (XrayFlavor.Server, "type") when path.EndsWith(".testInfo", StringComparison.Ordinal) => " (Xray Cloud spelling; Server/DC uses 'testType')",
            (XrayFlavor.Cloud, "testType") when path.EndsWith(".testInfo", StringComparison.Ordinal) => " (Server/DC spelling; Xray Cloud uses 'type')",
            (XrayFlavor.Server, "evidence") when path.Contains(".steps[", StringComparison.Ordinal) => " (step results use 'evidences' on Server/DC)",
            (XrayFlavor.Cloud, "evidence") when path.Contains(".steps[", StringComparison.Ordinal) => " (the Cloud schema names step evidence 'evidences')",
            (XrayFlavor.Cloud, "duration") when path.Contains(".iterations[", StringComparison.Ordinal) => " (not in the Cloud JSON schema)",
            (_, "testVersion") => " (Xray Enterprise test versioning is not emulated)",
            _ => "",
        };
    }
}
