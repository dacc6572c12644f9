using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class BackupEngineTests
    {
        [Fact]
        public async Task Backup_then_restore_round_trips_content_paths_and_timestamps()
        {
            using var kit = new BackupTestKit();
            var mtime = new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
            kit.Write("a.txt", Encoding.UTF8.GetBytes("hello"), mtime);
            kit.Write("sub/deep/b.bin", BackupTestKit.Random(3_000_000, 5));
            kit.Write("empty.txt", Array.Empty<byte>());
            var set = await kit.BackupAsync();
            Assert.Equal(3, set.Files);
            Assert.Equal(3_000_005, set.Bytes);
            Assert.Equal(kit.RepoPath, set.Repository);

            var repo = await kit.OpenAsync();
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(await repo.ReadManifestAsync(set.Id, default), new RestoreOptions { Destination = kit.Restore }, default);
            Assert.True(result.Succeeded);
            Assert.Equal(3, result.FilesRestored);
            Assert.Equal("hello", File.ReadAllText(Path.Combine(kit.Restore, "Data", "a.txt")));
            Assert.Equal(mtime, File.GetLastWriteTimeUtc(Path.Combine(kit.Restore, "Data", "a.txt")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(kit.Source, "sub", "deep", "b.bin")), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "sub", "deep", "b.bin")));
            Assert.Empty(File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "empty.txt")));
            Assert.Empty(Directory.GetFiles(kit.Restore, "*drtmp*", SearchOption.AllDirectories));
        }

        [Fact]
        public async Task Identical_content_is_stored_once_across_files_and_sets()
        {
            using var kit = new BackupTestKit();
            var blob = BackupTestKit.Random(3_000_000, 7);
            kit.Write("one.bin", blob);
            kit.Write("two.bin", blob);
            var first = await kit.BackupAsync();
            var chunksAfterFirst = kit.ChunkFiles().Length;
            Assert.Equal(blob.Length, first.NewBytes);

            // Another source with the same content: nothing new to store.
            var other = Path.Combine(kit.Root, "other");
            Directory.CreateDirectory(other);
            File.WriteAllBytes(Path.Combine(other, "copy.bin"), blob);
            var second = await kit.BackupAsync(options: new BackupOptions { Paths = new[] { other } });
            Assert.Equal(0, second.NewBytes);
            Assert.Equal(chunksAfterFirst, kit.ChunkFiles().Length);
        }

        [Fact]
        public async Task Incremental_run_does_not_read_files_whose_size_and_mtime_are_unchanged()
        {
            using var kit = new BackupTestKit();
            var original = BackupTestKit.Random(2_000_000, 8);
            var path = kit.Write("same.bin", original);
            kit.Write("changed.txt", Encoding.UTF8.GetBytes("v1"));
            await kit.BackupAsync();

            // Same size and mtime but different bytes: only a backup that skips reading keeps the old content.
            var mtime = File.GetLastWriteTimeUtc(path);
            File.WriteAllBytes(path, BackupTestKit.Random(2_000_000, 9));
            File.SetLastWriteTimeUtc(path, mtime);
            kit.Write("changed.txt", Encoding.UTF8.GetBytes("v2"), DateTime.UtcNow);
            var second = await kit.BackupAsync();
            Assert.Equal(2, second.NewBytes);

            var repo = await kit.OpenAsync();
            var m = await repo.ReadManifestAsync(second.Id, default);
            await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            Assert.Equal(original, File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "same.bin")));
            Assert.Equal("v2", File.ReadAllText(Path.Combine(kit.Restore, "Data", "changed.txt")));
        }

        [Fact]
        public async Task Excludes_skip_matching_files_and_folders()
        {
            using var kit = new BackupTestKit();
            kit.Write("keep.txt", new byte[] { 1 });
            kit.Write("skip.tmp", new byte[] { 2 });
            kit.Write("cache/x.txt", new byte[] { 3 });
            kit.Write("sub/also.tmp", new byte[] { 4 });
            var set = await kit.BackupAsync(options: new BackupOptions { Exclude = new[] { "*.tmp", "cache" } });
            var m = await (await kit.OpenAsync()).ReadManifestAsync(set.Id, default);
            Assert.Equal(new[] { "Data/keep.txt" }, m.Files.Select(f => f.Path));
        }

        [Fact]
        public async Task Manifest_tampering_is_detected_on_read()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("hello"));
            var set = await kit.BackupAsync();
            var manifestPath = Path.Combine(kit.RepoPath, "snapshots", set.Id + ".json");
            File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"size\":5", "\"size\":6"));
            var ex = await Assert.ThrowsAsync<DrToolsException>(async () => await (await kit.OpenAsync()).ReadManifestAsync(set.Id, default));
            Assert.Equal(BackupErrorIds.IntegrityError, ex.ErrorId);
        }

        [Fact]
        public async Task Cancelled_backup_leaves_no_set_and_the_rerun_reuses_uploaded_chunks()
        {
            using var kit = new BackupTestKit();
            for (int i = 0; i < 12; i++) kit.Write($"f{i:00}.bin", BackupTestKit.Random(500_000, 100 + i));
            using var cts = new CancellationTokenSource();
            var store = new CountingStore(kit.Store) { CancelAfterChunkPuts = 5, CancelSource = cts };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.BackupAsync(store, cts.Token, new BackupOptions { ConcurrentRequests = 2 }));
            Assert.False(Directory.Exists(Path.Combine(kit.RepoPath, "snapshots")) && Directory.GetFiles(Path.Combine(kit.RepoPath, "snapshots")).Length > 0);
            Assert.Empty(Directory.GetFiles(Path.Combine(kit.RepoPath, "locks")));
            var uploadedBefore = kit.ChunkFiles().Length;
            Assert.InRange(uploadedBefore, 5, 11);

            var rerun = new CountingStore(kit.Store);
            var set = await kit.BackupAsync(rerun);
            Assert.Equal(12, set.Files);
            Assert.Equal(12 - uploadedBefore, rerun.ChunkPuts);
            Assert.Equal(12, kit.ChunkFiles().Length);
        }

        [Fact]
        public async Task Missing_source_path_is_a_clear_error_and_creates_no_repository()
        {
            using var kit = new BackupTestKit();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => kit.BackupAsync(options: new BackupOptions { Paths = new[] { Path.Combine(kit.Root, "nope") } }));
            Assert.Equal(BackupErrorIds.SourceNotFound, ex.ErrorId);
            Assert.Equal(DrErrorCategory.ObjectNotFound, ex.Category);
            Assert.False(Directory.Exists(kit.RepoPath));
        }

        [Fact]
        public async Task A_folder_with_other_content_is_not_a_repository()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", new byte[] { 1 });
            Directory.CreateDirectory(kit.RepoPath);
            File.WriteAllText(Path.Combine(kit.RepoPath, "unrelated.txt"), "x");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => kit.BackupAsync());
            Assert.Equal(BackupErrorIds.NotARepository, ex.ErrorId);
            var missing = await Assert.ThrowsAsync<DrToolsException>(() => BackupRepository.OpenAsync(new DrTools.Core.Backup.Storage.FolderStore(Path.Combine(kit.Root, "none")), default));
            Assert.Equal(BackupErrorIds.RepositoryNotFound, missing.ErrorId);
        }

        [Fact]
        public async Task Progress_reports_files_bytes_and_rate()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(1_500_000, 11));
            await kit.BackupAsync();
            var p = kit.Reporter.Progresses.Where(u => !u.Completed).Last();
            Assert.Contains("1/1 files", p.Status);
            Assert.Contains("/s", p.Status);
            Assert.Equal(100, p.PercentComplete);
            Assert.Contains(kit.Reporter.Progresses, u => u.Completed);
        }
    }
}
