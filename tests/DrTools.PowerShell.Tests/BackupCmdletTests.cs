using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>The backup cmdlets in the real engine, on folder repositories (no AWS connection at all).</summary>
    public sealed class BackupCmdletTests : FolderRepositoryTest
    {
        public BackupCmdletTests() : base("bkps") { }

        static ErrorRecord OneError(PsResult r) => Assert.Single(r.AllErrors);

        [Fact]
        public void Readme_runbook_backup_test_restore_on_a_folder_repository_without_any_AWS_setup()
        {
            var r = Run($@"
$backup = Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)} -Tag nightly
$test = Get-DrBackup -Repository {Quote(Repo)} -Latest | Test-DrRestore -RtoTarget 00:05:00
$restore = Get-DrBackup -Repository {Quote(Repo)} -Latest | Restore-DrBackup -Destination {Quote(Dest)}
$backup; $test; $restore");
            Ok(r);
            var set = Assert.IsType<BackupSet>(r.Output[0].BaseObject);
            Assert.Equal((2L, 200_005L), (set.Files, set.Bytes));
            Assert.Equal(new[] { "nightly" }, set.Tags);
            var test = Assert.IsType<RestoreTestResult>(r.Output[1].BaseObject);
            Assert.True(test.Passed);
            Assert.Equal((set.Id, 2L, true), (test.BackupSetId, test.FilesChecked, test.RtoMet == true));
            var restore = Assert.IsType<RestoreResult>(r.Output[2].BaseObject);
            Assert.Equal((set.Id, 2L), (restore.BackupSetId, restore.FilesRestored));
            Assert.Equal("alpha", File.ReadAllText(Path.Combine(Dest, "Data", "a.txt")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(Src, "sub", "b.bin")), File.ReadAllBytes(Path.Combine(Dest, "Data", "sub", "b.bin")));
            Assert.Contains(r.Progress, p => p.Activity == "Invoke-DrBackup");
        }

        [Fact]
        public void Nonexistent_source_path_is_SourceNotFound()
        {
            var missing = Path.Combine(Root, "nope");
            var e = OneError(Run($"Invoke-DrBackup -Path {Quote(missing)} -Repository {Quote(Repo)}"));
            Assert.StartsWith("DrTools.SourceNotFound", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal(missing, e.TargetObject);
            Assert.False(Directory.Exists(Repo));
        }

        [Fact]
        public void Missing_repository_and_a_folder_that_is_not_a_repository_are_clear_errors()
        {
            var e = OneError(Run($"Get-DrBackup -Repository {Quote(Repo)}"));
            Assert.StartsWith("DrTools.RepositoryNotFound", e.FullyQualifiedErrorId);
            Assert.Equal((ErrorCategory.ObjectNotFound, (object)Repo), (e.CategoryInfo.Category, e.TargetObject));

            var e2 = OneError(Run($"Restore-DrBackup -Repository {Quote(Src)} -Destination {Quote(Dest)}"));
            Assert.StartsWith("DrTools.NotARepository", e2.FullyQualifiedErrorId);
            Assert.Equal((ErrorCategory.InvalidData, (object)Src), (e2.CategoryInfo.Category, e2.TargetObject));
            var e3 = OneError(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Src)}"));
            Assert.StartsWith("DrTools.NotARepository", e3.FullyQualifiedErrorId);
        }

        [Fact]
        public async Task Restore_refuses_a_path_traversal_manifest()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var repo = await BackupRepository.OpenAsync(new FolderStore(Repo), default);
            var m = await repo.ReadManifestAsync((await repo.ListSetIdsAsync(default))[0], default);
            m.Files.Add(new ManifestFile { Path = "../../evil.ps1", Size = 5, Sha256 = m.Files[0].Sha256, Chunks = m.Files[0].Chunks });
            m.Id = "evil";
            await repo.WriteManifestAsync(m, default);

            var e = OneError(Run($"Restore-DrBackup -Repository {Quote(Repo)} -Id evil -Destination {Quote(Dest)}"));
            Assert.StartsWith("DrTools.UnsafePath", e.FullyQualifiedErrorId);
            Assert.Equal((ErrorCategory.InvalidData, (object)"../../evil.ps1"), (e.CategoryInfo.Category, e.TargetObject));
            Assert.Contains("'..'", e.Exception.Message);
            Assert.False(File.Exists(Path.Combine(Root, "evil.ps1")));
            Assert.False(Directory.Exists(Dest));
        }

        [Fact]
        public void Restore_never_overwrites_without_Overwrite_and_Force_only_skips_the_prompt()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            Directory.CreateDirectory(Path.Combine(Dest, "Data"));
            var existing = Path.Combine(Dest, "Data", "a.txt");
            File.WriteAllText(existing, "edited after the backup");
            var r = Run($"Restore-DrBackup -Repository {Quote(Repo)} -Destination {Quote(Dest)}");
            Assert.Null(r.Terminating);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DrTools.FileExists", e.FullyQualifiedErrorId);
            Assert.Equal((ErrorCategory.ResourceExists, (object)existing), (e.CategoryInfo.Category, e.TargetObject));
            Assert.Equal("edited after the backup", File.ReadAllText(existing));
            Assert.Equal(1L, ((RestoreResult)r.Output.Single().BaseObject).FilesRestored);

            // -Force (AWS Tools: "do not ask") must not replace the admin's edited file.
            var forced = Run($"Restore-DrBackup -Repository {Quote(Repo)} -Destination {Quote(Dest)} -Force");
            Assert.NotEmpty(forced.AllErrors);
            Assert.All(forced.AllErrors, e => Assert.StartsWith("DrTools.FileExists", e.FullyQualifiedErrorId));
            Assert.Equal("edited after the backup", File.ReadAllText(existing));

            Ok(Run($"Restore-DrBackup -Repository {Quote(Repo)} -Destination {Quote(Dest)} -Overwrite -Confirm:$false"));
            Assert.Equal("alpha", File.ReadAllText(existing));
        }

        [Fact]
        public void Remove_WhatIf_lists_every_set_and_the_chunks_and_changes_nothing()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            File.WriteAllText(Path.Combine(Src, "a.txt"), "alpha v2");
            File.SetLastWriteTimeUtc(Path.Combine(Src, "a.txt"), DateTime.UtcNow.AddMinutes(1));
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            File.WriteAllText(Path.Combine(Src, "a.txt"), "alpha v3");
            File.SetLastWriteTimeUtc(Path.Combine(Src, "a.txt"), DateTime.UtcNow.AddMinutes(2));
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var ids = Run($"(Get-DrBackup -Repository {Quote(Repo)}).Id").Output.Select(o => o.ToString()).ToList();
            Assert.Equal(3, ids.Count);
            var before = Directory.GetFiles(Repo, "*", SearchOption.AllDirectories).OrderBy(f => f).ToList();

            var r = Run($"Remove-DrBackup -Repository {Quote(Repo)} -KeepLast 1 -NoGrace -WhatIf");
            Ok(r);
            Assert.Empty(r.Output);
            Assert.Contains(ids[0], r.HostText);
            Assert.Contains(ids[1], r.HostText);
            Assert.DoesNotContain(ids[2], r.HostText);
            Assert.Contains("2 unreferenced chunk(s)", r.HostText);
            Assert.Equal(before, Directory.GetFiles(Repo, "*", SearchOption.AllDirectories).OrderBy(f => f).ToList());

            var done = Run($"Remove-DrBackup -Repository {Quote(Repo)} -KeepLast 1 -NoGrace -Confirm:$false");
            Ok(done);
            var result = (PruneResult)done.Output.Single().BaseObject;
            Assert.Equal((2, 1, 2), (result.RemovedSets.Length, result.KeptSets, result.ChunksDeleted));
            Ok(Run($"Get-DrBackup -Repository {Quote(Repo)} | Test-DrRestore -VerifyOnly"));
        }

        [Fact]
        public void Each_set_piped_from_Get_DrBackup_is_tested_by_Test_DrRestore()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            File.WriteAllText(Path.Combine(Src, "a.txt"), "alpha v2");
            File.SetLastWriteTimeUtc(Path.Combine(Src, "a.txt"), DateTime.UtcNow.AddMinutes(1));
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var ids = Run($"(Get-DrBackup -Repository {Quote(Repo)}).Id").Output.Select(o => o.ToString()).ToList();
            Assert.Equal(2, ids.Distinct().Count());

            foreach (var mode in new[] { "-VerifyOnly", "" })
            {
                var r = Run($"Get-DrBackup -Repository {Quote(Repo)} | Test-DrRestore {mode}");
                Ok(r);
                Assert.Equal(ids, r.Output.Select(o => ((RestoreTestResult)o.BaseObject).BackupSetId));
            }
            // Without an id (and with -Latest) the newest set is tested, as before.
            var newest = ids.OrderBy(i => i, StringComparer.Ordinal).Last();
            Assert.Equal(newest, ((RestoreTestResult)Run($"Test-DrRestore -Repository {Quote(Repo)} -VerifyOnly").Output.Single().BaseObject).BackupSetId);
            Assert.Equal(newest, ((RestoreTestResult)Run($"Test-DrRestore -Repository {Quote(Repo)} -Latest -VerifyOnly").Output.Single().BaseObject).BackupSetId);
        }

        [Fact]
        public void Copy_WhatIf_names_each_set_and_creates_nothing_at_the_destination()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var copy = Path.Combine(Root, "copy");
            var r = Run($"Get-DrBackup -Repository {Quote(Repo)} | Copy-DrBackup -Destination {Quote(copy)} -WhatIf");
            Ok(r);
            Assert.Empty(r.Output);
            Assert.Contains("Copy backup set", r.HostText);
            Assert.False(Directory.Exists(copy));
        }

        [Fact]
        public void Pipeline_from_Get_DrBackup_removes_and_copies_by_Repository_and_Id()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var copy = Path.Combine(Root, "copy");
            var c = Run($"Get-DrBackup -Repository {Quote(Repo)} -Latest | Copy-DrBackup -Destination {Quote(copy)}");
            Ok(c);
            Assert.Equal(2, ((CopyResult)c.Output.Single().BaseObject).ChunksCopied);
            var t = Run($"Test-DrRestore -Repository {Quote(copy)} -Latest");
            Ok(t);
            Assert.True(((RestoreTestResult)t.Output.Single().BaseObject).Passed);
            Ok(Run($"Get-DrBackup -Repository {Quote(copy)} | Remove-DrBackup -Confirm:$false"));
            Assert.Empty(Run($"Get-DrBackup -Repository {Quote(copy)}").Output);
        }

        [Fact]
        public async Task Ctrl_C_mid_backup_leaves_no_set_and_the_rerun_reuses_uploaded_chunks()
        {
            var big = Path.Combine(Root, "Big");
            Directory.CreateDirectory(big);
            var rnd = new Random(5);
            // 30 files of 600 KB: the first 8 MiB packs fill and is stored before the stop; the rest is in the pack being filled.
            for (int i = 0; i < 30; i++)
            {
                var data = new byte[600_000];
                rnd.NextBytes(data);
                File.WriteAllBytes(Path.Combine(big, $"f{i:00}.bin"), data);
            }
            // The last file holds the backup until Ctrl+C comes (a test hook waits for the cancellation just before it is
            // read; a FIFO did this before, but the backup now skips FIFOs).
            var live = Path.Combine(big, "zz-live.log");
            File.WriteAllText(live, "live");
            BackupEngine.BeforeReadHooks[live] = ct => Task.Delay(Timeout.Infinite, ct);
            PsResult stopped;
            try
            {
                stopped = Run($"Invoke-DrBackup -Path {Quote(big)} -Repository {Quote(Repo)} -ConcurrentRequests 1", stopAfter: TimeSpan.FromSeconds(5));
            }
            finally
            {
                BackupEngine.BeforeReadHooks.TryRemove(live, out _);
            }
            Assert.True(stopped.Terminating is null or PipelineStoppedException, stopped.Describe());
            Assert.Empty(stopped.Output);
            Assert.Empty(Directory.Exists(Path.Combine(Repo, "snapshots")) ? Directory.GetFiles(Path.Combine(Repo, "snapshots")) : Array.Empty<string>());
            Assert.Empty(Directory.GetFiles(Path.Combine(Repo, "locks")));
            var uploaded = Directory.GetFiles(Path.Combine(Repo, "data"), "*", SearchOption.AllDirectories).Length;
            Assert.True(uploaded >= 1, $"{uploaded} pack(s) uploaded before the stop");
            Assert.False(Directory.Exists(Path.Combine(Repo, "index")));

            File.Delete(live);
            var rerun = Run($"Invoke-DrBackup -Path {Quote(big)} -Repository {Quote(Repo)}");
            Ok(rerun);
            var set = (BackupSet)rerun.Output.Single().BaseObject;
            Assert.Equal((30L, 18_000_000L), (set.Files, set.Bytes));
            // The stopped run's stored packs are found by their headers and reused: at most the unfinished pack (8 MiB) is sent again.
            Assert.InRange(set.NewBytes, 0, 8L << 20);
        }
    }
}
