using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>
    /// DrTools beside a module that carries another AWSSDK.Core (as AWS.Tools.Common does), in real pwsh: the hosted
    /// engine of the other tests cannot show this, since the xunit process already has an AWSSDK.Core loaded. Each case
    /// runs tests/Coexistence/Test-Coexistence.ps1 in one pwsh process against a loopback fake AWS endpoint.
    /// </summary>
    public class CoexistenceTests
    {
        static readonly TimeSpan PwshLimit = TimeSpan.FromSeconds(90);
        static readonly Lazy<string> ToolRestore = new(() => RunDotnet(new[] { "tool", "restore" }, TimeSpan.FromMinutes(5)).Output);

        static string Metadata(string key) =>
            typeof(CoexistenceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

        /// <summary>The AWSSDK.Core.dll a .NET (Core) PowerShell loads from a package: its newest .NET lib.</summary>
        static string SdkAssembly(string packageDir)
        {
            foreach (var tfm in new[] { "net8.0", "netcoreapp3.1", "netstandard2.0" })
            {
                var path = Path.Combine(packageDir, "lib", tfm, "AWSSDK.Core.dll");
                if (File.Exists(path)) return path;
            }
            throw new FileNotFoundException("No AWSSDK.Core.dll in " + packageDir + " (restore tests/DrTools.PowerShell.Tests).");
        }

        static string FileVersion(string path) => FileVersionInfo.GetVersionInfo(path).FileVersion!;

        [Theory]
        [InlineData("AwsSdkCore37", "DrToolsFirst")]
        [InlineData("AwsSdkCore37", "OtherFirst")]
        [InlineData("AwsSdkCore40", "DrToolsFirst")]
        [InlineData("AwsSdkCore40", "OtherFirst")]
        public void DrTools_and_a_module_with_another_AWSSDK_Core_work_in_one_session_each_on_its_own_SDK(string otherSdk, string order)
        {
            var otherAssembly = SdkAssembly(Metadata(otherSdk));
            var work = Directory.CreateTempSubdirectory("drtools-coexistence-");
            try
            {
                using var aws = new FakeAwsServer(FakeAws.Healthy);
                var moduleDir = Path.Combine(work.FullName, "FakeAwsTools");
                var script = Path.Combine(PsHarness.RepoRoot, "tests", "Coexistence", "Test-Coexistence.ps1");
                var builder = Path.Combine(PsHarness.RepoRoot, "tests", "Coexistence", "New-FakeAwsModule.ps1");
                var command = $"$m = & {PsHarness.Quote(builder)} -Path {PsHarness.Quote(moduleDir)} -SdkAssembly {PsHarness.Quote(otherAssembly)}; "
                              + $"& {PsHarness.Quote(script)} -DrToolsManifest {PsHarness.Quote(PsHarness.ManifestPath)} -OtherManifest $m -Order {order} -EndpointUrl {aws.Url}";
                var result = RunPwsh(command);
                var steps = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains('=') && !l.StartsWith(' '))
                    .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
                string Step(string name) => steps.TryGetValue(name, out var v) ? v : $"(no {name} line) exit {result.ExitCode}:\n{result.Output}";

                // Both modules import, in either order.
                Assert.Equal("ok", Step("ImportDrTools"));
                Assert.Equal("ok", Step("ImportOther"));

                // A DrTools cmdlet works, with its own keys and with credentials made by the other module's SDK
                // (as -Credential and as $StoredAWSCredentials), and each call was signed with those keys.
                Assert.Equal("True|Parameter:-AccessKey", Step("DrToolsKeys"));
                Assert.Equal("True|Parameter:-Credential", Step("DrToolsForeignCredential"));
                Assert.Equal("True|Session:$StoredAWSCredentials", Step("DrToolsStoredCredential"));
                Assert.Equal("True", Step("DrToolsBackup"));
                var keys = aws.Requests.Select(r => r.AccessKey).Distinct().ToList();
                Assert.Equal(new[] { "AKIDFOREIGN", "AKIDKEYS", "AKIDSTORED" }, keys.OrderBy(k => k, StringComparer.Ordinal));

                // The other module runs on its own SDK before and after DrTools ran.
                var otherVersion = FileVersion(otherAssembly);
                Assert.Equal(otherVersion, Step("OtherSdk"));
                Assert.Equal(otherVersion, Step("OtherSdkAfter"));
                Assert.Equal("us-west-2", Step("OtherRegion"));

                // DrTools runs on the AWSSDK.Core it ships, in its own load context, not on the other module's.
                var shipped = Path.Combine(PsHarness.ModuleDir, "Dependencies", "AWSSDK.Core.dll");
                var drtools = Step("DrToolsSdk").Split('|');
                Assert.True(drtools.Length == 3, Step("DrToolsSdk"));
                Assert.Equal(FileVersion(shipped), drtools[0]);
                Assert.Equal("False", drtools[1]);
                Assert.Equal(Path.GetFullPath(shipped), Path.GetFullPath(drtools[2]));
                Assert.Equal("2", Step("SdkCopies"));

                // Windows PowerShell 5.1's rule (it cannot run here; its decision can): imported after a module that loaded
                // another AWSSDK.Core, or an older build of DrTools' own version, the import stops with DrTools.AwsSdkConflict
                // naming what is loaded and from where, and the order that works. Imported first, nothing to refuse.
                var rule = Step("WindowsPowerShellRule");
                if (order == "DrToolsFirst")
                {
                    Assert.Equal("none", rule);
                }
                else
                {
                    var parts = rule.Split('|');
                    Assert.True(parts.Length == 3, rule);
                    Assert.Equal("DrTools.AwsSdkConflict", parts[0]);
                    var loadedVersion = otherSdk == "AwsSdkCore37" ? "3.3.0.0" : "4.0.0.0";
                    Assert.Contains($"AWSSDK.Core {loadedVersion} (build {otherVersion})", parts[1]);
                    Assert.Contains(Path.Combine(moduleDir, "AWSSDK.Core.dll"), parts[1]);
                    Assert.Contains("Import-Module DrTools before importing any AWS Tools module", parts[2]);
                    Assert.Contains("PowerShell 7", parts[2]);
                }
            }
            finally
            {
                work.Delete(recursive: true);
            }
        }

        [Fact]
        public void A_backup_to_and_restore_from_a_folder_repository_loads_no_AWS_SDK_assembly()
        {
            // Start-up cost (issue 16): a folder repository never needs S3, so the AWS SDK (about 10 MB of assemblies to
            // load and compile) must stay unloaded. Real pwsh, since the test host has the SDK loaded already.
            var work = Directory.CreateTempSubdirectory("drtools-lazy-sdk-");
            try
            {
                var source = Directory.CreateDirectory(Path.Combine(work.FullName, "src"));
                File.WriteAllText(Path.Combine(source.FullName, "a.txt"), "folder repository");
                var repo = Path.Combine(work.FullName, "repo");
                var restored = Path.Combine(work.FullName, "restored");
                var command = "function Sdk { @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK*' }).Count }; "
                              + $"Import-Module {PsHarness.Quote(PsHarness.ManifestPath)}; 'Import=' + (Sdk); "
                              + $"$set = Invoke-DrBackup -Path {PsHarness.Quote(source.FullName)} -Repository {PsHarness.Quote(repo)} -ErrorAction Stop; 'Backup=' + $set.Files + '|' + (Sdk); "
                              + $"$null = Restore-DrBackup -Repository {PsHarness.Quote(repo)} -Destination {PsHarness.Quote(restored)} -ErrorAction Stop; 'Restore=' + (Sdk)";
                var output = RunPwsh(command).Output;
                Assert.Contains("Import=0", output);
                Assert.Contains("Backup=1|0", output);
                Assert.Contains("Restore=0", output);
                Assert.Equal("folder repository", File.ReadAllText(Path.Combine(restored, "src", "a.txt")));
            }
            finally
            {
                work.Delete(recursive: true);
            }
        }

        static (int ExitCode, string Output) RunPwsh(string command)
        {
            var restore = ToolRestore.Value;
            var run = RunDotnet(new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", command }, PwshLimit);
            Assert.True(run.ExitCode == 0, $"pwsh exited {run.ExitCode}:\n{run.Output}\n(dotnet tool restore: {restore})");
            return run;
        }

        /// <summary>Runs dotnet in the repository (where .config/dotnet-tools.json pins pwsh); killed at the limit.</summary>
        static (int ExitCode, string Output) RunDotnet(IEnumerable<string> args, TimeSpan limit)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                WorkingDirectory = PsHarness.RepoRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args) start.ArgumentList.Add(a);
            start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
            start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["NO_COLOR"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s:\n{stdout.Result}\n{stderr.Result}");
            }
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
