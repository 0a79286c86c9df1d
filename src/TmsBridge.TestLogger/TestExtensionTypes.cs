// vstest.console finds a logger by loading every *TestLogger.dll beside the tests and, unless the assembly
// names its extensions, reflecting over all of its types. This assembly also holds the Microsoft.Testing.Platform
// extension, whose types do not load inside vstest.console: the full scan costs a ReflectionTypeLoadException
// (and its text) on the test run's startup path (issue 16). Naming the logger skips the scan. vstest matches the
// attribute by its full name and shape, not by a type it ships (docs/RFCs/0032 of microsoft/vstest).
[assembly: Microsoft.VisualStudio.TestPlatform.TestExtensionTypes(typeof(TmsBridge.TestLogger.TmsLogger))]

namespace Microsoft.VisualStudio.TestPlatform
{
    /// <summary>The extension types vstest loads from this assembly (its TypesToLoadUtilities reads <see cref="Types"/>).</summary>
    [AttributeUsage(AttributeTargets.Assembly, Inherited = false, AllowMultiple = false)]
    internal sealed class TestExtensionTypesAttribute : Attribute
    {
        public TestExtensionTypesAttribute(params Type[] types) => Types = types;

        public Type[] Types { get; }
    }
}
