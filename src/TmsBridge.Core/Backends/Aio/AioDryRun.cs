using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Kit;

namespace TmsBridge.Backends.Aio;

/// <summary>dryRun: the cycle, each bulk body and the evidence list written as files; nothing is sent.</summary>
internal static class AioDryRun
{
    public static void Write(AioSession session, List<AioRunUpdate> runs, List<PlannedEvidence> evidence)
    {
        var context = session.Context;
        var o = context.Options;
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var cycle = o.TestExecution is not null
            ? new JsonObject { ["testExecution"] = o.TestExecution }
            : new JsonObject
            {
                ["cycleMode"] = o.For<AioOptions>().CycleMode,
                ["folder"] = o.For<AioOptions>().CycleFolder is { } folder ? AioPayload.FolderBody(folder) : null,
                ["create"] = AioPayload.CycleBody(session.Title(), session.Objective(), o.For<AioOptions>().CycleFolder is null ? null : JsonValue.Create("(folder ID)"), session.Tasks()),
            };
        cycle["project"] = session.Project;
        cycle["api"] = session.Api("").ToString();
        context.WriteDryRunFile("aio-cycle.json", Encoding.UTF8.GetBytes(cycle.ToJsonString(indented)));
        var number = 0;
        foreach (var chunk in Chunks.Of(runs, AioBackendBase.MaxRunsPerBulk))
            context.WriteDryRunFile($"aio-bulk-{++number}.json", Encoding.UTF8.GetBytes(AioPayload.BulkBody(chunk).ToJsonString(indented)));
        var files = new JsonArray(evidence.Select(e => (JsonNode?)new JsonObject
        {
            ["testCaseKey"] = e.Keyed.Key, ["file"] = e.FileName, ["contentType"] = e.File.ContentType, ["bytes"] = e.Size,
        }).ToArray());
        context.WriteDryRunFile("aio-attachments.json", Encoding.UTF8.GetBytes(files.ToJsonString(indented)));
    }
}
