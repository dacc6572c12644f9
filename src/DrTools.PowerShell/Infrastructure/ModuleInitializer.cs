using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework) applies no binding redirects to a module, so the AWS SDK's dependencies
    /// (System.Text.Json, System.Memory...) can ask for versions other than the ones the module ships. This lets the
    /// copy in the module folder satisfy any version. On PowerShell 7 the runtime unifies versions itself and the
    /// handler is not registered.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".";
        static bool _registered;

        public void OnImport()
        {
            if (_registered || !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)) return;
            _registered = true;
            AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleFolder;
        }

        static Assembly? ResolveFromModuleFolder(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name).Name;
            if (string.IsNullOrEmpty(name)) return null;
            var path = Path.Combine(ModuleDirectory, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
