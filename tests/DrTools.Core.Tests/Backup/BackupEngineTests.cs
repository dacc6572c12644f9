using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Packs;
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
            var chunksAfterFirst = await kit.ChunkCountAsync();
            Assert.Equal(blob.Length, first.NewBytes);
            // Random data does not compress: stored once, plus pack headers, trees and index.
            Assert.InRange(first.UploadedBytes, blob.Length, blob.Length + 10_000);

            // Another source with the same content: nothing new to store.
            var other = Path.Combine(kit.Root, "other");
            Directory.CreateDirectory(other);
            File.WriteAllBytes(Path.Combine(other, "copy.bin"), blob);
            var second = await kit.BackupAsync(options: new BackupOptions { Paths = new[] { other } });
            Assert.Equal(0, second.NewBytes);
            Assert.Equal(chunksAfterFirst, await kit.ChunkCountAsync());
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
            var original = File.ReadAllText(manifestPath);
            Assert.Contains("\"totalBytes\":5", original);
            File.WriteAllText(manifestPath, original.Replace("\"totalBytes\":5", "\"totalBytes\":6"));
            var ex = await Assert.ThrowsAsync<DrToolsException>(async () => await (await kit.OpenAsync()).ReadManifestAsync(set.Id, default));
            Assert.Equal(BackupErrorIds.IntegrityError, ex.ErrorId);

            // The file list is in a tree blob, checked against its name like every chunk.
            File.WriteAllText(manifestPath, original);
            var repo = await kit.OpenAsync();
            var tree = (await repo.ReadManifestHeaderAsync(set.Id, default)).Trees.Single().Tree;
            await kit.CorruptChunkAsync(tree);
            // A damaged tree loses its folder, named with the tree, not the whole set (DamagedRepositoryTests has the rest).
            var salvaged = await (await kit.OpenAsync()).ReadManifestAsync(set.Id, default);
            Assert.Empty(salvaged.Files);
            var lost = Assert.Single(salvaged.DamagedFolders);
            Assert.Equal(BackupErrorIds.IntegrityError, lost.Error.ErrorId);
            Assert.Contains(tree, lost.Error.Message);
        }

        [Fact]
        public async Task Cancelled_backup_leaves_no_set_and_the_rerun_reuses_uploaded_packs()
        {
            using var kit = new BackupTestKit();
            for (int i = 0; i < 12; i++) kit.Write($"f{i:00}.bin", BackupTestKit.Random(250_000, 100 + i));
            using var cts = new CancellationTokenSource();
            // Two chunks a pack: six packs; Ctrl+C once two are stored.
            var store = new CountingStore(kit.Store) { CancelAfterChunkPuts = 2, CancelSource = cts };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.BackupAsync(store, cts.Token, new BackupOptions { ConcurrentRequests = 1, PackTargetSize = 550_000 }));
            Assert.False(Directory.Exists(Path.Combine(kit.RepoPath, "snapshots")) && Directory.GetFiles(Path.Combine(kit.RepoPath, "snapshots")).Length > 0);
            Assert.Empty(Directory.GetFiles(Path.Combine(kit.RepoPath, "locks")));
            Assert.False(Directory.Exists(Path.Combine(kit.RepoPath, "index")));
            // No index was written, but the packs' own headers make their chunks known.
            var before = await kit.IndexAsync();
            Assert.Equal(before.Packs.Count(), before.Unindexed.Count);
            var storedBefore = await kit.ChunkCountAsync();
            Assert.InRange(storedBefore, 4, 11);

            var rerun = new CountingStore(kit.Store);
            var set = await kit.BackupAsync(rerun, default, new BackupOptions { PackTargetSize = 550_000 });
            Assert.Equal(12, set.Files);
            Assert.Equal((12 - storedBefore) * 250_000L, set.NewBytes);
            Assert.Equal(12, await kit.ChunkCountAsync());
            // The re-run indexed the packs the cancelled run left, and the set restores.
            Assert.Empty((await kit.IndexAsync()).Unindexed);
            var repo = await kit.OpenAsync();
            var restored = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(await repo.ReadManifestAsync(set.Id, default), new RestoreOptions { Destination = kit.Restore }, default);
            Assert.Equal(12, restored.FilesRestored);
            Assert.Equal(File.ReadAllBytes(Path.Combine(kit.Source, "f07.bin")), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "f07.bin")));
        }

        [Fact]
        public async Task Small_files_share_packs_and_text_is_stored_compressed()
        {
            using var kit = new BackupTestKit();
            var line = Encoding.UTF8.GetBytes("backup restore region replica snapshot failover runbook outage\n");
            for (int i = 0; i < 200; i++)
            {
                var text = Enumerable.Range(0, 100).SelectMany(n => line).Concat(Encoding.UTF8.GetBytes(i.ToString())).ToArray();
                kit.Write($"d{i % 10}/t{i:000}.txt", text);
            }
            var store = new CountingStore(kit.Store);
            var set = await kit.BackupAsync(store);
            Assert.Equal(200, set.Files);
            // 200 files: one data pack and one tree pack, not 200 objects.
            Assert.Equal(2, store.ChunkPuts);
            Assert.True(set.UploadedBytes < set.NewBytes / 5, $"{set.UploadedBytes} bytes stored for {set.NewBytes}");
            var repo = await kit.OpenAsync();
            var m = await repo.ReadManifestAsync(set.Id, default);
            Assert.Equal(10, m.Trees.Count);
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            Assert.Equal(200, result.FilesRestored);
            Assert.Equal(File.ReadAllBytes(Path.Combine(kit.Source, "d3", "t123.txt")), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "d3", "t123.txt")));
        }

        [Fact]
        public async Task An_unchanged_folder_stores_no_new_tree_and_a_rerun_stores_only_the_manifest_and_little_else()
        {
            using var kit = new BackupTestKit();
            for (int i = 0; i < 50; i++) kit.Write($"d{i % 5}/f{i:00}.bin", BackupTestKit.Random(2_000, i));
            await kit.BackupAsync();
            kit.Write("d2/f02.bin", BackupTestKit.Random(2_000, 999), DateTime.UtcNow);
            var store = new CountingStore(kit.Store);
            var second = await kit.BackupAsync(store);
            // One changed file: one data pack (its chunk) and one tree pack (its folder's tree only).
            Assert.Equal(2_000, second.NewBytes);
            Assert.Equal(2, store.ChunkPuts);
            var index = await kit.IndexAsync();
            Assert.Equal(5 + 1, index.Packs.SelectMany(p => p.Blobs).Count(b => b.Kind == BlobKind.Tree));
        }

        [Fact]
        public async Task A_large_file_spread_over_many_packs_round_trips_and_an_edit_sends_only_chunks_around_it()
        {
            using var kit = new BackupTestKit();
            var data = BackupTestKit.Random(12_000_000, 71);
            var path = kit.Write("disk.img", data);
            // One pack per chunk: the restore gets the file's chunks from many packs, in parallel.
            var first = await kit.BackupAsync(options: new BackupOptions { PackTargetSize = 1 });
            var repo = await kit.OpenAsync();
            var m = await repo.ReadManifestAsync(first.Id, default);
            Assert.True(m.Files.Single().Chunks.Count >= 8);
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data)).ToLowerInvariant(), m.Files.Single().Sha256);
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore, ConcurrentRequests = 4 }, default);
            Assert.True(result.Succeeded);
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "disk.img")));

            // 100 KB overwritten in the middle: a chunk or two change, not the file.
            new Random(72).NextBytes(data.AsSpan(6_000_000, 100_000));
            File.WriteAllBytes(path, data);
            var second = await kit.BackupAsync();
            Assert.InRange(second.NewBytes, 100_000, 4_000_000);
        }

        [Fact]
        public async Task A_damaged_index_file_is_worked_around_from_the_pack_headers()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            kit.Write("b.bin", BackupTestKit.Random(100_000, 73));
            var set = await kit.BackupAsync();
            var indexFile = Assert.Single(Directory.GetFiles(Path.Combine(kit.RepoPath, "index")));
            File.WriteAllText(indexFile, "garbage");
            var repo = await kit.OpenAsync();
            var index = await repo.LoadIndexAsync(kit.Reporter, default);
            Assert.Contains(kit.Reporter.Warnings, w => w.Contains("damaged"));
            Assert.Equal(index.Packs.Count(), index.Unindexed.Count);
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(await repo.ReadManifestAsync(set.Id, default), new RestoreOptions { Destination = kit.Restore }, default);
            Assert.True(result.Succeeded);
            // The next backup indexes the packs again and stores nothing new.
            var again = await kit.BackupAsync();
            Assert.Equal(0, again.NewBytes);
            Assert.Empty((await kit.IndexAsync()).Unindexed);
        }

        [Fact]
        public async Task A_format_1_repository_is_refused_with_what_to_do()
        {
            using var kit = new BackupTestKit();
            Directory.CreateDirectory(kit.RepoPath);
            File.WriteAllText(Path.Combine(kit.RepoPath, "config.json"), "{\"formatVersion\":1,\"id\":\"0123456789abcdef0123456789abcdef\",\"created\":\"2026-11-01T00:00:00Z\"}");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => kit.BackupAsync());
            Assert.Equal(BackupErrorIds.NotARepository, ex.ErrorId);
            Assert.Contains("format 1", ex.Message);
            Assert.Contains("new repository", ex.RecommendedAction);
            Assert.False(Directory.Exists(Path.Combine(kit.RepoPath, "data")));
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
