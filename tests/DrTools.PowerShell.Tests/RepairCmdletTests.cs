using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Repair-DrBackup and damaged backup sets as a user sees them (issue 10 items 4 and 15).</summary>
    public sealed class RepairCmdletTests : FolderRepositoryTest
    {
        public RepairCmdletTests() : base("rpps") { }

        /// <summary>Deletes the pack that holds a.txt's content ("alpha" is one chunk named by its SHA-256).</summary>
        void DeletePackOfAlpha()
        {
            var repo = BackupRepository.OpenAsync(new FolderStore(Repo), CancellationToken.None).GetAwaiter().GetResult();
            var index = repo.LoadIndexAsync(NullReporter.Instance, CancellationToken.None).GetAwaiter().GetResult();
            using var sha = System.Security.Cryptography.SHA256.Create();
            var chunk = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes("alpha")).Select(b => b.ToString("x2")));
            Assert.True(index.TryFind(chunk, out var at));
            File.Delete(Path.Combine(Repo, "data", at.PackId.Substring(0, 2), at.PackId));
        }

        [Fact]
        public void Repair_WhatIf_shows_the_whole_plan_and_changes_nothing_then_the_repair_names_what_is_lost()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            DeletePackOfAlpha();
            var before = Directory.GetFiles(Repo, "*", SearchOption.AllDirectories).OrderBy(f => f).ToList();

            var r = Run($"Repair-DrBackup -Repository {Quote(Repo)} -WhatIf");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Output);
            Assert.Contains("What if", r.HostText);
            Assert.Contains("missing pack", r.HostText);
            Assert.Contains("Data/a.txt", r.HostText);
            Assert.Equal(before, Directory.GetFiles(Repo, "*", SearchOption.AllDirectories).OrderBy(f => f).ToList());

            var done = Run($"Repair-DrBackup -Repository {Quote(Repo)} -ReadData -Confirm:$false");
            Assert.True(done.Terminating == null && done.Errors.Count == 0, done.Describe());
            var result = Assert.IsType<RepairResult>(done.Output.Single().BaseObject);
            Assert.Single(result.MissingPacks);
            Assert.True(result.DataChecked);
            Assert.Contains(result.Losses, l => l.Path == "Data/a.txt" && l.Reason == "missing");
            Assert.Contains(done.Warnings, w => w.Contains("Data/a.txt"));
            Assert.Contains(done.Warnings, w => w.Contains("next Invoke-DrBackup"));
            Assert.Single(Directory.GetFiles(Path.Combine(Repo, "index")));

            // The next backup of the same data stores the lost content again: the old set restores in full.
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var verify = Run($"Get-DrBackup -Repository {Quote(Repo)} | Test-DrRestore -VerifyOnly");
            Ok(verify);
            Assert.All(verify.Output, o => Assert.True(((RestoreTestResult)o.BaseObject).Passed));
            Assert.Equal(2, verify.Output.Count);
        }

        [Fact]
        public void A_damaged_newest_set_is_an_error_naming_it_for_Latest_and_Test_DrRestore_never_a_pass_of_the_older_one()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            File.WriteAllText(Path.Combine(Src, "a.txt"), "alpha v2");
            File.SetLastWriteTimeUtc(Path.Combine(Src, "a.txt"), DateTime.UtcNow.AddMinutes(1));
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var ids = Run($"(Get-DrBackup -Repository {Quote(Repo)}).Id").Output.Select(o => o.ToString()).ToList();
            File.WriteAllText(Path.Combine(Repo, "snapshots", ids[1] + ".json"), "{ damaged");

            var latest = Run($"Get-DrBackup -Repository {Quote(Repo)} -Latest");
            Assert.Null(latest.Terminating);
            Assert.Empty(latest.Output);
            var e = Assert.Single(latest.Errors);
            Assert.StartsWith("DrTools.IntegrityError", e.FullyQualifiedErrorId);
            Assert.Contains(ids[1], e.Exception.Message);
            Assert.Equal(ids[1], e.TargetObject);
            Assert.Contains("-Id", e.ErrorDetails.RecommendedAction);

            // Listing still shows the readable set, with an error for the damaged one.
            var all = Run($"Get-DrBackup -Repository {Quote(Repo)}");
            Assert.Equal(ids[0], ((BackupSet)all.Output.Single().BaseObject).Id);
            Assert.Contains(ids[1], Assert.Single(all.Errors).Exception.Message);

            // Test-DrRestore of the latest fails and names it; it never passes the older set in its place.
            var test = Run($"Test-DrRestore -Repository {Quote(Repo)} -VerifyOnly");
            Assert.Null(test.Terminating);
            var t = Assert.IsType<RestoreTestResult>(test.Output.Single().BaseObject);
            Assert.Equal((ids[1], false), (t.BackupSetId, t.Passed));
            Assert.Contains(ids[1], Assert.Single(test.Errors).Exception.Message);
            var piped = Run($"$t = Get-DrBackup -Repository {Quote(Repo)} -Latest | Test-DrRestore -VerifyOnly; [bool]($t.Passed)");
            Assert.False((bool)piped.Output.Last().BaseObject);
        }
    }
}
