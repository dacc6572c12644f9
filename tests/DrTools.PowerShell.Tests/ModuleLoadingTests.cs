using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>
    /// The module layout that lets DrTools keep its own AWS SDK (see ModuleInitializer): DrTools.dll alone in the
    /// module folder, everything else in Dependencies/, and nothing in DrTools.dll that makes the default load context
    /// need a dependency. CoexistenceTests show the behaviour in real pwsh; these name the rule that broke.
    /// </summary>
    public class ModuleLoadingTests
    {
        static string CmdletAssembly => Path.Combine(PsHarness.ModuleDir, "DrTools.dll");

        [Fact]
        public void Module_folder_holds_only_the_cmdlet_assembly_and_the_dependencies_sit_in_a_subfolder()
        {
            Assert.Equal(new[] { "DrTools.dll" }, Directory.GetFiles(PsHarness.ModuleDir, "*.dll").Select(Path.GetFileName));
            var dependencies = Path.Combine(PsHarness.ModuleDir, "Dependencies");
            foreach (var name in new[] { "DrTools.Core.dll", "AWSSDK.Core.dll", "AWSSDK.S3.dll", "ZstdSharp.dll", "System.Text.Json.dll" })
                Assert.True(File.Exists(Path.Combine(dependencies, name)), $"{name} is missing from {dependencies}");

            using var zip = ZipFile.OpenRead(Path.Combine(PsHarness.RepoRoot, "out", "DrTools.zip"));
            var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
            Assert.Contains("DrTools/Dependencies/DrTools.Core.dll", entries);
            Assert.Contains("DrTools/Dependencies/AWSSDK.Core.dll", entries);
            Assert.DoesNotContain("DrTools/AWSSDK.Core.dll", entries);
        }

        [Fact]
        public void Cmdlet_assembly_references_no_dependency_but_DrTools_Core()
        {
            // A cmdlet that names an SDK type (a parameter, a field, a call whose signature has one) makes the default
            // context load AWSSDK.Core: another module's, or a second copy that clashes with it.
            using var stream = File.OpenRead(CmdletAssembly);
            using var pe = new PEReader(stream);
            var metadata = pe.GetMetadataReader();
            var references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(new[] { "DrTools.Core", "System.Management.Automation", "System.Runtime.Loader", "netstandard" }, references);
        }

        [Fact]
        public void Cmdlet_types_load_before_the_module_initializer_has_said_where_DrTools_Core_is()
        {
            // PowerShell lists the module's public types before it runs ModuleInitializer.OnImport; a type that needs
            // DrTools.Core to load (a base class, an interface, a field of a DrTools.Core enum or struct) fails the import.
            var context = new NoDependenciesContext();
            try
            {
                var assembly = context.LoadFromAssemblyPath(CmdletAssembly);
                var types = assembly.GetExportedTypes();
                Assert.Contains(types, t => t.Name == "ModuleInitializer");
                Assert.Contains(types, t => t.Name == "GetDrBackupCommand");
            }
            finally
            {
                context.Unload();
            }
        }

        /// <summary>Loads DrTools.dll with PowerShell and .NET from the test host, and no DrTools.Core anywhere.</summary>
        sealed class NoDependenciesContext : AssemblyLoadContext
        {
            public NoDependenciesContext() : base("no DrTools dependencies", isCollectible: true) { }

            protected override Assembly? Load(AssemblyName name) =>
                name.Name == "DrTools.Core" || name.Name!.StartsWith("AWSSDK.", StringComparison.Ordinal)
                    ? throw new FileNotFoundException($"{name.Name} was needed before ModuleInitializer.OnImport could run.", name.Name + ".dll")
                    : null;
        }
    }
}
