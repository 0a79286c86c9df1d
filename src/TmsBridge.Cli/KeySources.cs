using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace TmsBridge.Cli;

/// <summary>
/// Where `tmsbridge validate` finds test case keys in built test assemblies (journals are read
/// through <see cref="JournalInputs"/>). An assembly is read as metadata (System.Reflection.Metadata), never loaded: no
/// test code runs, and its dependencies need not be present.
/// </summary>
internal static class KeySources
{
    /// <summary>The trait / property name the attribute packages use (design §2).</summary>
    private const string TestCaseKey = "TestCaseKey";

    /// <summary>A .dll or .exe: read as a test assembly, not as a journal.</summary>
    public static bool IsAssembly(string path) => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".exe", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// (key, test) for every [TestCaseKey("...")] and every [Property] / [Trait] / [TestProperty]
    /// named TestCaseKey on a method of the assembly; nothing for an input that is not an assembly.
    /// </summary>
    public static IEnumerable<(string Key, string Test)> AssemblyKeys(string input)
    {
        if (!File.Exists(input) || !IsAssembly(input)) return [];
        try
        {
            using var stream = File.OpenRead(input);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata) throw new UsageException($"'{input}' is not a .NET assembly.");
            var md = pe.GetMetadataReader();
            var found = new List<(string, string)>();
            foreach (var typeHandle in md.TypeDefinitions)
            {
                var type = md.GetTypeDefinition(typeHandle);
                var typeName = FullName(md, type);
                // On a class, the keys apply to every test in it.
                Read(md, type.GetCustomAttributes(), typeName, found);
                foreach (var methodHandle in type.GetMethods())
                {
                    var method = md.GetMethodDefinition(methodHandle);
                    Read(md, method.GetCustomAttributes(), typeName + "." + md.GetString(method.Name), found);
                }
            }
            return found;
        }
        catch (BadImageFormatException)
        {
            throw new UsageException($"'{input}' is not a .NET assembly.");
        }
    }

    private static void Read(MetadataReader md, CustomAttributeHandleCollection attributes, string test, List<(string, string)> found)
    {
        foreach (var attributeHandle in attributes)
        {
            var attribute = md.GetCustomAttribute(attributeHandle);
            var name = AttributeName(md, attribute);
            if (name is not ("TestCaseKeyAttribute" or "PropertyAttribute" or "TraitAttribute" or "TestPropertyAttribute")) continue;
            CustomAttributeValue<string> value;
            try { value = attribute.DecodeValue(new StringTypes()); }
            catch (BadImageFormatException) { continue; }
            foreach (var key in Keys(name, value.FixedArguments)) found.Add((key, test));
        }
    }

    private static IEnumerable<string> Keys(string attribute, ImmutableArray<CustomAttributeTypedArgument<string>> args)
    {
        IEnumerable<string?> values;
        if (attribute == "TestCaseKeyAttribute")
            values = args.SelectMany(a => a.Value is ImmutableArray<CustomAttributeTypedArgument<string>> items ? items.Select(i => i.Value as string) : [a.Value as string]);
        else if (args.Length == 2 && args[0].Value is string traitName && string.Equals(traitName, TestCaseKey, StringComparison.OrdinalIgnoreCase))
            values = [args[1].Value as string];
        else values = [];
        // One attribute value may list several keys ("DEMO-1, DEMO-2"), as the attribute packages accept.
        return values.Where(v => v is not null).SelectMany(v => v!.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries));
    }

    private static string FullName(MetadataReader md, TypeDefinition type)
    {
        var name = md.GetString(type.Name);
        if (type.GetDeclaringType() is { IsNil: false } outer) return FullName(md, md.GetTypeDefinition(outer)) + "+" + name;
        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static string? AttributeName(MetadataReader md, CustomAttribute attribute)
    {
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                var parent = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                return parent.Kind == HandleKind.TypeReference ? md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name) : null;
            case HandleKind.MethodDefinition:
                // An attribute defined in the test assembly itself (TmsBridge's combined attributes).
                return md.GetString(md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType()).Name);
            default:
                return null;
        }
    }

    /// <summary>Types as names: enough to decode string and string[] arguments.</summary>
    private sealed class StringTypes : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSystemType() => "System.Type";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSerializedName(string name) => name;
        // These attributes take strings; an enum argument elsewhere is read as its usual int.
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(string type) => type == "System.Type";
    }
}
