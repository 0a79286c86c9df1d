using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TmsBridge.TestLogger;

/// <summary>
/// What identifies one `dotnet test` invocation, the same for each of its test projects and target
/// frameworks and different for the next invocation (RunStartInfo.InvocationId: one execution per invocation).
/// </summary>
internal static class DotnetTestInvocation
{
    public const string CorrelationArgument = "--testSessionCorrelationId:";
    /// <summary>Set by `dotnet test` in MTP mode for each test application it starts (a different value for each).</summary>
    public const string MtpExecutionIdVariable = "TESTINGPLATFORM_DOTNETTEST_EXECUTIONID";

    /// <summary>
    /// VSTest mode: the logger runs inside vstest.console, which `dotnet test` (SDK 8 and later) starts once
    /// per project and framework with <c>--testSessionCorrelationId:&lt;dotnet test pid&gt;_&lt;guid&gt;</c>, the
    /// same value for all of them (the SDK's VSTestSessionCorrelationId). Null when vstest.console was
    /// started some other way: then its one process is the whole run.
    /// </summary>
    public static string? FromVsTestCommandLine(IEnumerable<string> arguments)
    {
        foreach (var a in arguments)
        {
            if (a.StartsWith(CorrelationArgument, StringComparison.OrdinalIgnoreCase) && a.Length > CorrelationArgument.Length)
                return "vstest:" + a.Substring(CorrelationArgument.Length);
        }
        return null;
    }

    /// <summary>
    /// MTP mode: `dotnet test` starts every test application itself and passes them nothing in common,
    /// so the invocation is that parent process: its id and start time (an id alone may be reused). Only
    /// when `dotnet test` started this process (<see cref="MtpExecutionIdVariable"/> is set): a test
    /// application started from a shell must not join the shell's other runs. Linux (/proc) and Windows;
    /// null elsewhere (macOS), where each test application reports alone unless executionGroup is set.
    /// </summary>
    public static string? FromParentProcess(Func<string, string?> environment)
    {
        if (string.IsNullOrEmpty(environment(MtpExecutionIdVariable))) return null;
        try
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return LinuxParent();
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return WindowsParent();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException
                                   or ArgumentException or System.ComponentModel.Win32Exception or EntryPointNotFoundException or DllNotFoundException)
        {
        }
        return null;
    }

    /// <summary>/proc/self/stat's ppid, then the parent's start time (clock ticks since boot) from its own stat.</summary>
    private static string? LinuxParent()
    {
        var ppid = StatFields(File.ReadAllText("/proc/self/stat"))[1];
        var start = StatFields(File.ReadAllText($"/proc/{ppid}/stat"))[19];
        return $"mtp:{ppid}@{start}";
    }

    /// <summary>The fields after the command name, which is in parentheses and may hold spaces: [0] state, [1] ppid, ... [19] starttime.</summary>
    internal static string[] StatFields(string stat) => stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');

    private static string? WindowsParent()
    {
        using var self = Process.GetCurrentProcess();
        var info = new ProcessBasicInformation();
        if (NtQueryInformationProcess(self.Handle, 0, ref info, Marshal.SizeOf(info), out _) != 0) return null;
        var ppid = info.InheritedFromUniqueProcessId.ToInt64();
        using var parent = Process.GetProcessById((int)ppid);
        return "mtp:" + ppid.ToString(CultureInfo.InvariantCulture) + "@" + parent.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ProcessBasicInformation
    {
        public IntPtr ExitStatus;
        public IntPtr PebBaseAddress;
        public IntPtr AffinityMask;
        public IntPtr BasePriority;
        public IntPtr UniqueProcessId;
        public IntPtr InheritedFromUniqueProcessId;
    }

    [DllImport("ntdll.dll")]
    private static extern int NtQueryInformationProcess(IntPtr process, int informationClass, ref ProcessBasicInformation information, int length, out int returnLength);
}
