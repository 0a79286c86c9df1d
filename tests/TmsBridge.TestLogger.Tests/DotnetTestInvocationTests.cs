using TmsBridge.TestLogger;

namespace TmsBridge.TestLogger.Tests;

/// <summary>Issue 15 item 1: what tells one `dotnet test` invocation from the next, in each mode.</summary>
public sealed class DotnetTestInvocationTests
{
    [Fact]
    public void VSTest_mode_reads_the_session_correlation_id_dotnet_test_gives_vstest_console()
    {
        // The command line `dotnet test` (SDK 10.0.401) gave vstest.console for each project of a solution.
        string[] args = ["/usr/share/dotnet/sdk/10.0.401/vstest.console.dll", "--framework:.NETCoreApp,Version=v10.0", "--resultsDirectory:/r", "/s/A/bin/A.dll",
            "--logger:Console;Verbosity=quiet", "--nologo", "--artifactsProcessingMode-collect", "--testSessionCorrelationId:14476_b9f12d3d-31f0-4f23-b4b9-3a10d70c0877"];
        Assert.Equal("vstest:14476_b9f12d3d-31f0-4f23-b4b9-3a10d70c0877", DotnetTestInvocation.FromVsTestCommandLine(args));
        Assert.Null(DotnetTestInvocation.FromVsTestCommandLine(["vstest.console.dll", "A.dll"]));
    }

    [Fact]
    public void MTP_mode_uses_the_parent_process_only_when_dotnet_test_started_this_one()
    {
        Assert.Null(DotnetTestInvocation.FromParentProcess(_ => null));
        if (!OperatingSystem.IsLinux()) return;
        var id = DotnetTestInvocation.FromParentProcess(n => n == DotnetTestInvocation.MtpExecutionIdVariable ? "dbabc870" : null);
        Assert.NotNull(id);
        Assert.Matches(@"^mtp:\d+@\d+$", id);
        // The same parent gives the same id to each test application it starts.
        Assert.Equal(id, DotnetTestInvocation.FromParentProcess(n => n == DotnetTestInvocation.MtpExecutionIdVariable ? "71286c65" : null));
    }

    [Fact]
    public void A_command_name_with_spaces_and_parentheses_does_not_shift_the_stat_fields()
    {
        var fields = DotnetTestInvocation.StatFields("4242 (my (test) app) S 4000 4242 4000 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 100 200");
        Assert.Equal("S", fields[0]);
        Assert.Equal("4000", fields[1]);
        Assert.Equal("987654", fields[19]);
    }
}
