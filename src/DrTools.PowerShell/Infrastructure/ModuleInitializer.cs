using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// Runs when the module is imported, before PowerShell looks at the cmdlets. The module folder holds only
    /// DrTools.dll (the cmdlets); DrTools.Core.dll and every dependency (the AWS SDK, zstd...) are in its
    /// <c>Dependencies/</c> subfolder, which PowerShell does not probe. This teaches the runtime where they are:
    /// on PowerShell 7 in a load context of DrTools' own (<see cref="DependencyLoadContext"/>), so another module's
    /// AWSSDK.Core (AWS.Tools) can be loaded beside DrTools' in either order; on Windows PowerShell 5.1, which has one
    /// context per AppDomain, through <see cref="FrameworkDependencyResolver"/>, which refuses to import beside
    /// another AWS SDK it cannot coexist with.
    /// </summary>
    /// <remarks>
    /// DrTools.dll itself never names a type of the AWS SDK or of another dependency (nor does any signature of
    /// DrTools.Core it calls), so the default context never needs them; <c>CoexistenceTests</c> and
    /// <c>ModuleTests.Cmdlet_assembly_references_no_dependency_but_DrTools_Core</c> hold that.
    /// </remarks>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        internal static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".";
        internal static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "Dependencies");

        static readonly object Gate = new();
        static bool _registered;

        /// <summary>True on Windows PowerShell 5.1 (.NET Framework), which has no AssemblyLoadContext.</summary>
        internal static bool OnNetFramework { get; } = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public void OnImport()
        {
            // Once per process: every runspace that imports the module shares the one context (or AppDomain handler).
            lock (Gate)
            {
                if (_registered) return;
                if (OnNetFramework) FrameworkDependencyResolver.Register(DependencyDirectory);
                else RegisterLoadContext();
                _registered = true;
            }
        }

        // A method of its own, so Windows PowerShell never compiles a call that names AssemblyLoadContext.
        [MethodImpl(MethodImplOptions.NoInlining)]
        static void RegisterLoadContext() => DependencyLoadContext.Register(DependencyDirectory);
    }
}
