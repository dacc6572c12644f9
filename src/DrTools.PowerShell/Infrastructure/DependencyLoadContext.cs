using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// PowerShell 7: DrTools' private load context. The default context asks it for DrTools.Core only (the one
    /// assembly DrTools.dll references); everything DrTools.Core needs then binds here, from <c>Dependencies/</c>,
    /// even when the default context already holds another module's AWSSDK.Core. The exception is the platform's
    /// own assemblies (System.Text.Json, System.Memory...): those come from .NET and PowerShell when they are at
    /// least the version asked for, since the netstandard2.0 copies shipped for Windows PowerShell would redefine
    /// types such as Span&lt;T&gt;.
    /// </summary>
    /// <remarks>Never touched on Windows PowerShell 5.1, whose runtime has no AssemblyLoadContext.</remarks>
    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        const string CoreAssembly = "DrTools.Core";

        static DependencyLoadContext? _instance;

        readonly string _directory;
        readonly object _gate = new();
        readonly Dictionary<string, Assembly> _loaded = new(StringComparer.OrdinalIgnoreCase);
        readonly Lazy<Dictionary<string, string>> _platform = new(ReadPlatformAssemblies);

        DependencyLoadContext(string directory) => _directory = directory;

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static void Register(string directory)
        {
            _instance = new DependencyLoadContext(directory);
            // Resolving runs only when the default context cannot find an assembly itself: a host that already has
            // DrTools.Core (the hosted-engine tests) keeps using its own.
            Default.Resolving += ResolveCore;
        }

        static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
            _instance != null && string.Equals(name.Name, CoreAssembly, StringComparison.OrdinalIgnoreCase)
                ? _instance.LoadFromAssemblyName(name)
                : null;

        protected override Assembly? Load(AssemblyName name)
        {
            if (string.IsNullOrEmpty(name.Name)) return null;
            var path = Path.Combine(_directory, name.Name + ".dll");
            if (!File.Exists(path) || IsProvidedByPlatform(name)) return null;
            lock (_gate)
            {
                if (!_loaded.TryGetValue(name.Name!, out var assembly))
                    _loaded[name.Name!] = assembly = LoadFromAssemblyPath(path);
                return assembly;
            }
        }

        /// <summary>A System.* or Microsoft.* assembly that .NET or PowerShell itself ships at the version asked for, or later.</summary>
        bool IsProvidedByPlatform(AssemblyName name)
        {
            var simple = name.Name!;
            if (!simple.StartsWith("System.", StringComparison.Ordinal) && !simple.StartsWith("Microsoft.", StringComparison.Ordinal)) return false;
            if (!_platform.Value.TryGetValue(simple, out var path)) return false;
            try
            {
                return name.Version == null || AssemblyName.GetAssemblyName(path).Version >= name.Version;
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>The runtime's trusted platform assemblies (.NET and, for pwsh, PowerShell's own), by simple name.</summary>
        static Dictionary<string, string> ReadPlatformAssemblies()
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
                foreach (var path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
                {
                    var simple = Path.GetFileNameWithoutExtension(path);
                    if (!map.ContainsKey(simple)) map[simple] = path;
                }
            return map;
        }
    }
}
