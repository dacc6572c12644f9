using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using DrTools.Core.Diagnostics;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework): one load context per AppDomain, so DrTools cannot keep an AWS SDK of
    /// its own beside another module's the way PowerShell 7 does. The rule:
    /// <list type="bullet">
    /// <item>Imported first, DrTools binds its core and its AWS SDK (AWSSDK.Core 4.0.0.0) at once from
    /// <c>Dependencies/</c>; a module imported later with another SDK major version (AWSSDK.Core 3.3.0.0) loads
    /// beside it, since the .NET Framework keeps strong-named assemblies of different versions apart.</item>
    /// <item>Imported after a module that already loaded an AWSSDK.* assembly DrTools ships in another assembly
    /// version, or an older build of the same version, the import stops with <c>DrTools.AwsSdkConflict</c> naming what
    /// is loaded and from where, instead of a "method not found" in the middle of a backup.</item>
    /// <item>The same assembly version at the same or a newer build (AWS.Tools 5.x, SDK v4) is shared.</item>
    /// </list>
    /// It also stands in for the binding redirects Windows PowerShell does not apply to modules: a dependency asking
    /// for another version of System.Text.Json, System.Memory... gets the copy in <c>Dependencies/</c>.
    /// </summary>
    internal static class FrameworkDependencyResolver
    {
        const string AwsSdkPrefix = "AWSSDK.";
        static string _directory = "";

        internal static void Register(string directory)
        {
            _directory = directory;
            var conflict = FindConflict(AppDomain.CurrentDomain.GetAssemblies(), directory);
            if (conflict != null) throw new RuntimeException(conflict.ErrorDetails.Message, null, conflict);
            AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            // Bind now, so a module imported after DrTools finds DrTools' SDK in place rather than the other way round.
            Assembly.LoadFrom(Path.Combine(directory, "DrTools.Core.dll"));
            foreach (var sdk in Directory.GetFiles(directory, AwsSdkPrefix + "*.dll"))
                Assembly.LoadFrom(sdk);
        }

        static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            if (string.IsNullOrEmpty(requested.Name)) return null;
            var path = Path.Combine(_directory, requested.Name + ".dll");
            if (!File.Exists(path)) return null;
            // Another module's AWS SDK of another version is that module's to find, never DrTools' copy.
            if (requested.Name!.StartsWith(AwsSdkPrefix, StringComparison.OrdinalIgnoreCase) && requested.Version != null
                && requested.Version != AssemblyName.GetAssemblyName(path).Version)
                return null;
            return Assembly.LoadFrom(path);
        }

        /// <summary>
        /// The error that stops the import when <paramref name="loaded"/> holds an AWSSDK.* assembly that DrTools ships
        /// in <paramref name="directory"/>, loaded from elsewhere in another assembly version or an older build; else null.
        /// </summary>
        internal static ErrorRecord? FindConflict(IEnumerable<Assembly> loaded, string directory)
        {
            foreach (var assembly in loaded)
            {
                if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location)) continue;
                var theirs = assembly.GetName();
                if (theirs.Name == null || !theirs.Name.StartsWith(AwsSdkPrefix, StringComparison.OrdinalIgnoreCase)) continue;
                var oursPath = Path.Combine(directory, theirs.Name + ".dll");
                if (!File.Exists(oursPath) || SamePath(assembly.Location, oursPath)) continue;
                var ours = AssemblyName.GetAssemblyName(oursPath);
                var theirBuild = FileVersion(assembly.Location);
                var ourBuild = FileVersion(oursPath);
                if (theirs.Version == ours.Version && theirBuild >= ourBuild) continue;

                var message = $"DrTools cannot be imported in this session: {theirs.Name} {theirs.Version} (build {theirBuild}) is already loaded "
                              + $"from '{assembly.Location}', by another module such as AWS.Tools or AWSPowerShell. DrTools needs {theirs.Name} "
                              + $"{ours.Version} (build {ourBuild} or later), and Windows PowerShell 5.1 cannot load DrTools' own copy beside that one.";
                var record = new ErrorRecord(new InvalidOperationException(message), ErrorIds.AwsSdkConflict, ErrorCategory.ResourceUnavailable, assembly.Location)
                {
                    ErrorDetails = new ErrorDetails(message)
                    {
                        RecommendedAction = "Start a new Windows PowerShell session and run Import-Module DrTools before importing any AWS Tools module "
                                            + "(AWS.Tools.*, AWSPowerShell), or update AWS.Tools to version 5 (AWS SDK v4), or use PowerShell 7, "
                                            + "where DrTools keeps its own AWS SDK and either order works.",
                    },
                };
                return record;
            }
            return null;
        }

        static Version FileVersion(string path) =>
            Version.TryParse(FileVersionInfo.GetVersionInfo(path).FileVersion, out var v) ? v : new Version(0, 0);

        static bool SamePath(string a, string b) =>
            string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.OrdinalIgnoreCase);
    }
}
