using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>The module as a whole: manifest, exports, verbs, output types, format views, ShouldProcess, help.</summary>
    public class ModuleTests
    {
        /// <summary>Verbs that change state: their cmdlets must support -WhatIf/-Confirm.</summary>
        static readonly HashSet<string> StateChangingVerbs = new(StringComparer.OrdinalIgnoreCase)
        {
            "New", "Set", "Remove", "Start", "Stop", "Invoke", "Restore", "Copy", "Add", "Clear", "Update", "Enable", "Disable",
            "Register", "Unregister", "Move", "Rename", "Reset", "Resume", "Suspend", "Publish", "Sync", "Approve",
        };

        /// <summary>Cmdlets whose verb suggests a change but that only read or write local files the user named.</summary>
        static readonly HashSet<string> ReadOnlyExceptions = new(StringComparer.OrdinalIgnoreCase) { "New-DrPlan" };

        static IReadOnlyList<PSObject> ExportedCommands()
        {
            var r = PsHarness.Run("(Get-Module DrTools).ExportedCmdlets.Values");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            return r.Output;
        }

        [Fact]
        public void Manifest_imports_as_binary_module_with_required_metadata()
        {
            var r = PsHarness.Run("Get-Module DrTools");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var module = (PSModuleInfo)r.Output.Single().BaseObject;
            Assert.Equal(ModuleType.Binary, module.ModuleType);
            Assert.NotEqual(Guid.Empty, module.Guid);
            Assert.False(string.IsNullOrWhiteSpace(module.Author));
            Assert.False(string.IsNullOrWhiteSpace(module.Description));
            Assert.Equal(new Version(5, 1), module.PowerShellVersion);
            Assert.Contains("Desktop", module.CompatiblePSEditions);
            Assert.Contains("Core", module.CompatiblePSEditions);
            Assert.NotNull(module.ProjectUri);
            Assert.NotNull(module.LicenseUri);
            Assert.NotEmpty(module.Tags);
            Assert.Contains(module.ExportedFormatFiles, f => f.EndsWith("DrTools.format.ps1xml", StringComparison.Ordinal));
            // The module folder is versioned by the manifest's own version.
            Assert.Equal(module.Version.ToString(3), new DirectoryInfo(PsHarness.ModuleDir.TrimEnd('/', '\\')).Name);
        }

        [Fact]
        public void Manifest_exports_exactly_the_cmdlets_the_assembly_defines_and_no_wildcards()
        {
            var manifest = File.ReadAllText(PsHarness.ManifestPath);
            Assert.DoesNotContain("CmdletsToExport      = '*'", manifest);
            Assert.DoesNotContain("'*'", manifest);
            var exported = ExportedCommands().Select(c => ((CmdletInfo)c.BaseObject).ImplementingType).ToHashSet();
            var assembly = exported.First().Assembly;
            var defined = assembly.GetExportedTypes().Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() != null).ToHashSet();
            Assert.Equal(defined.Select(t => t.Name).OrderBy(n => n), exported.Select(t => t.Name).OrderBy(n => n));
        }

        [Fact]
        public void Every_cmdlet_uses_an_approved_verb_and_the_Dr_noun_prefix()
        {
            var approved = typeof(VerbsCommon).Assembly.GetTypes()
                .Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.IsAbstract && t.IsSealed)
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToHashSet();
            foreach (var c in ExportedCommands().Select(o => (CmdletInfo)o.BaseObject))
            {
                Assert.Contains(c.Verb, approved);
                Assert.StartsWith("Dr", c.Noun, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Every_cmdlet_declares_an_output_type_that_has_a_default_table_view()
        {
            var format = XDocument.Load(Path.Combine(PsHarness.ModuleDir, "DrTools.format.ps1xml"));
            var viewed = format.Descendants("TypeName").Select(e => e.Value.Trim()).ToHashSet();
            foreach (var c in ExportedCommands().Select(o => (CmdletInfo)o.BaseObject))
            {
                Assert.True(c.OutputType.Count > 0, $"{c.Name} declares no [OutputType].");
                foreach (var t in c.OutputType.Where(t => t.Type != null && t.Type.Namespace?.StartsWith("DrTools", StringComparison.Ordinal) == true))
                    Assert.True(viewed.Contains(t.Type.FullName!), $"{c.Name} outputs {t.Type.FullName}, which has no view in DrTools.format.ps1xml.");
            }
        }

        [Fact]
        public void State_changing_cmdlets_support_ShouldProcess()
        {
            foreach (var c in ExportedCommands().Select(o => (CmdletInfo)o.BaseObject))
            {
                if (!StateChangingVerbs.Contains(c.Verb) || ReadOnlyExceptions.Contains(c.Name)) continue;
                Assert.True(c.Parameters.ContainsKey("WhatIf") && c.Parameters.ContainsKey("Confirm"), $"{c.Name} changes state but has no -WhatIf/-Confirm.");
            }
        }

        [Fact]
        public void Every_cmdlet_has_complete_help_in_GetHelp_Full()
        {
            var commands = ExportedCommands().Select(o => (CmdletInfo)o.BaseObject).ToList();
            Assert.NotEmpty(commands);
            foreach (var c in commands)
            {
                // Read Get-Help -Full as a user sees it; flatten it in PowerShell so the test compares plain strings.
                var r = PsHarness.Run($@"
$h = Get-Help {c.Name} -Full
$h.Synopsis
'DESCRIPTION=' + (($h.description | ForEach-Object {{ $_.Text }}) -join ' ')
$h.parameters.parameter | ForEach-Object {{ 'PARAM=' + $_.name + '=' + (($_.description | ForEach-Object {{ $_.Text }}) -join ' ') }}
$h.examples.example | ForEach-Object {{ 'EXAMPLE=' + $_.code }}");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
                var lines = r.Output.Select(o => o.ToString()).ToList();
                var synopsis = lines[0].Trim();
                Assert.False(string.IsNullOrWhiteSpace(synopsis), $"{c.Name}: no synopsis");
                Assert.DoesNotContain(c.Name + " [", synopsis); // PowerShell puts the syntax there when no help exists
                Assert.True(lines.Single(l => l.StartsWith("DESCRIPTION=", StringComparison.Ordinal)).Length > 40, $"{c.Name}: no description");

                var documented = lines.Where(l => l.StartsWith("PARAM=", StringComparison.Ordinal)).Select(l => l.Substring(6).Split('=', 2))
                    .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                foreach (var name in c.Parameters.Keys.Where(n => !IsCommonParameter(n)))
                    Assert.True(documented.TryGetValue(name, out var text) && text.Length > 10, $"{c.Name}: parameter -{name} has no help text.");

                var examples = lines.Where(l => l.StartsWith("EXAMPLE=", StringComparison.Ordinal)).ToList();
                Assert.True(examples.Count > 0, $"{c.Name}: no examples");
                foreach (var e in examples) Assert.Contains(c.Name, e);
            }
        }

        [Fact]
        public void About_topic_is_shipped()
        {
            var r = PsHarness.Run("Get-Help about_DrTools");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("pilot light", string.Join("\n", r.Output.Select(o => o.ToString())), StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void Zip_for_automation_accounts_holds_the_module_folder_at_its_root()
        {
            var zip = Path.Combine(PsHarness.RepoRoot, "out", "DrTools.zip");
            using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
            var names = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
            Assert.Contains("DrTools/DrTools.psd1", names);
            Assert.Contains("DrTools/DrTools.dll", names);
            Assert.Contains("DrTools/DrTools.dll-Help.xml", names);
            Assert.DoesNotContain(names, n => n.EndsWith("System.Management.Automation.dll", StringComparison.Ordinal));
        }

        static readonly HashSet<string> CommonParameters = new(
            typeof(System.Management.Automation.Internal.CommonParameters).GetProperties().Select(p => p.Name)
                .Concat(typeof(System.Management.Automation.Internal.ShouldProcessParameters).GetProperties().Select(p => p.Name)),
            StringComparer.OrdinalIgnoreCase);

        static bool IsCommonParameter(string name) => CommonParameters.Contains(name);
    }
}
