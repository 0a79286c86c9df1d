using System.Threading;
using TmsBridge.Runtime;

namespace TmsBridge;

/// <summary>
/// Steps, evidence, comments, keys and parameters recorded from inside a running test. Each call writes one
/// record to the current test's own output (through that framework's channel); the TmsBridge logger and MTP
/// extension read them back and publish them with the test's result. Outside a running test, or without a
/// TmsBridge reporter in the run, calls do their work (steps still run their body) and record nothing; the
/// reason is written once to standard error.
/// </summary>
public static class Tms
{
    /// <summary>Runs <paramref name="body"/> as a step. A step that throws is failed, keeps the exception's
    /// message and rethrows; steps nest; the duration is measured.</summary>
    public static void Step(string name, Action body)
    {
        if (body is null) throw new ArgumentNullException(nameof(body));
        Step<object?>(name, () => { body(); return null; });
    }

    /// <summary>Runs <paramref name="body"/> as a step and returns its value (see <see cref="Step(string, Action)"/>).</summary>
    public static T Step<T>(string name, Func<T> body)
    {
        CheckName(name);
        if (body is null) throw new ArgumentNullException(nameof(body));
        var parent = TmsRuntime.CurrentStep.Value;
        var frame = new StepFrame(NewId(), parent);
        var start = DateTimeOffset.UtcNow;
        TmsRuntime.CurrentStep.Value = frame;
        try
        {
            var value = body();
            EmitStep(frame, name, start, null);
            return value;
        }
        catch (Exception e)
        {
            EmitStep(frame, name, start, e);
            throw;
        }
        finally
        {
            TmsRuntime.CurrentStep.Value = parent;
        }
    }

    /// <summary>Runs the asynchronous <paramref name="body"/> as a step (a distinct name on purpose: C# binds a
    /// lambda that only throws to a Func&lt;Task&gt; overload, and an un-awaited call would lose its exception).</summary>
    public static async Task StepAsync(string name, Func<Task> body)
    {
        if (body is null) throw new ArgumentNullException(nameof(body));
        await StepAsync<object?>(name, async () => { await body().ConfigureAwait(false); return null; }).ConfigureAwait(false);
    }

    /// <summary>Runs the asynchronous <paramref name="body"/> as a step and returns its value.</summary>
    public static async Task<T> StepAsync<T>(string name, Func<Task<T>> body)
    {
        CheckName(name);
        if (body is null) throw new ArgumentNullException(nameof(body));
        // An async method's changes to an AsyncLocal stay inside it: the caller's current step is untouched.
        var frame = new StepFrame(NewId(), TmsRuntime.CurrentStep.Value);
        var start = DateTimeOffset.UtcNow;
        TmsRuntime.CurrentStep.Value = frame;
        try
        {
            var value = await body().ConfigureAwait(false);
            EmitStep(frame, name, start, null);
            return value;
        }
        catch (Exception e)
        {
            EmitStep(frame, name, start, e);
            throw;
        }
    }

    /// <summary>Attaches an existing file: to the current step inside a step, else to the test. The reporter
    /// copies it when the test's result arrives, so it must exist until the test ends.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names its full path).</exception>
    public static void Attach(string path, string? name = null)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The evidence file path is empty.", nameof(path));
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"Tms.Attach: evidence file not found: {full}", full);
        EmitAttachment(full, string.IsNullOrWhiteSpace(name) ? Path.GetFileName(full) : name!, null);
    }

    /// <summary>Attaches <paramref name="content"/> as a file called <paramref name="name"/> (written to a
    /// temporary folder first): to the current step inside a step, else to the test.</summary>
    public static void Attach(byte[] content, string name, string? contentType = null)
    {
        if (content is null) throw new ArgumentNullException(nameof(content));
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Tms.Attach: the attachment needs a file name.", nameof(name));
        var fileName = Path.GetFileName(name.Trim());
        if (fileName.Length == 0 || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"Tms.Attach: '{name}' is not a usable file name.", nameof(name));
        var folder = Path.Combine(Path.GetTempPath(), "tmsbridge-runtime", NewId());
        Directory.CreateDirectory(folder);
        var full = Path.Combine(folder, fileName);
        File.WriteAllBytes(full, content);
        EmitAttachment(full, fileName, contentType);
    }

    /// <summary>Adds a comment to the test's result.</summary>
    public static void Comment(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        TmsRuntime.Emit("comment", new RuntimeJson().Add("text", text));
    }

    /// <summary>Links the test to a test case key: the same meaning as [TestCaseKey] (with both, the union counts).</summary>
    public static void Key(string testCaseKey) => EmitKey("key", nameof(testCaseKey), testCaseKey);

    /// <summary>Records that the test covers a requirement: the same meaning as [Covers].</summary>
    public static void Covers(string requirementKey) => EmitKey("covers", nameof(requirementKey), requirementKey);

    /// <summary>Links a defect to the test's result: the same meaning as [Defect].</summary>
    public static void Defect(string defectKey) => EmitKey("defect", nameof(defectKey), defectKey);

    /// <summary>Records a parameter of this run of the test (shown with the result; a data row's own
    /// arguments are recorded already).</summary>
    public static void Parameter(string name, object? value)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Tms.Parameter: the parameter needs a name.", nameof(name));
        var text = value switch
        {
            null => "null",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        TmsRuntime.Emit("parameter", new RuntimeJson().Add("name", name).Add("value", text));
    }

    private static void EmitKey(string kind, string parameter, string key)
    {
        if (string.IsNullOrWhiteSpace(key)) throw new ArgumentException($"Tms.{char.ToUpperInvariant(kind[0])}{kind.Substring(1)}: the key is empty.", parameter);
        TmsRuntime.Emit(kind, new RuntimeJson().Add("value", key.Trim()));
    }

    private static void EmitAttachment(string fullPath, string name, string? contentType) =>
        TmsRuntime.Emit("attach", new RuntimeJson()
            .Add("path", fullPath).Add("name", name).Add("contentType", contentType)
            .Add("step", TmsRuntime.CurrentStep.Value?.Id));

    private static void EmitStep(StepFrame frame, string name, DateTimeOffset start, Exception? failure) =>
        TmsRuntime.Emit("step", new RuntimeJson()
            .Add("id", frame.Id).Add("parent", frame.Parent?.Id).Add("name", name)
            .Add("status", failure is null ? "passed" : "failed")
            .Add("start", start).Add("end", DateTimeOffset.UtcNow)
            .Add("message", failure is null ? null : failure.GetType().Name + ": " + failure.Message));

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Tms.Step: the step needs a name.", nameof(name));
    }

    private static string NewId() => Guid.NewGuid().ToString("N").Substring(0, 16);
}
