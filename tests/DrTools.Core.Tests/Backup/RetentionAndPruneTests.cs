using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class RetentionAndPruneTests
    {
        static BackupManifest Set(string id, DateTime time) => new() { Id = id, Time = time, Host = "H", SourcePaths = new() { "/data" } };

        [Fact]
        public void Retention_keeps_last_daily_weekly_and_monthly_like_restic()
        {
            // One set every 12 hours for 70 days, newest first at 2024-03-31 12:00.
            var end = new DateTime(2024, 3, 31, 12, 0, 0, DateTimeKind.Utc);
            var sets = Enumerable.Range(0, 140).Select(i => Set($"s{i:000}", end.AddHours(-12 * i))).ToList();
            Assert.Equal(new[] { "s000", "s001", "s002" }, new RetentionPolicy { KeepLast = 3 }.SelectKeep(sets).OrderBy(s => s));
            // Daily: the newest set of each of the 3 newest days.
            Assert.Equal(new[] { "s000", "s002", "s004" }, new RetentionPolicy { KeepDaily = 3 }.SelectKeep(sets).OrderBy(s => s));
            // Monthly: newest of March, February, January.
            var monthly = new RetentionPolicy { KeepMonthly = 3 }.SelectKeep(sets).Select(id => sets.Single(s => s.Id == id).Time).OrderBy(t => t).ToList();
            Assert.Equal(new[] { new DateTime(2024, 1, 31, 12, 0, 0), new DateTime(2024, 2, 29, 12, 0, 0), end }, monthly.Select(t => DateTime.SpecifyKind(t, DateTimeKind.Unspecified)).Select(t => DateTime.SpecifyKind(t, DateTimeKind.Utc)));
            // Weekly: 2024-03-31 is a Sunday, so the newest of ISO weeks 13, 12.
            var weekly = new RetentionPolicy { KeepWeekly = 2 }.SelectKeep(sets).Select(id => sets.Single(s => s.Id == id).Time).OrderBy(t => t).ToList();
            Assert.Equal(new[] { new DateTime(2024, 3, 24, 12, 0, 0, DateTimeKind.Utc), end }, weekly);
            // Rules combine; groups (other sources) are independent.
            var other = Set("x", end.AddDays(-60));
            other.SourcePaths = new() { "/other" };
            var both = new RetentionPolicy { KeepLast = 1, KeepDaily = 2 }.SelectKeep(sets.Append(other));
            Assert.Equal(new[] { "s000", "s002", "x" }, both.OrderBy(s => s));
        }

        [Fact]
        public async Task Prune_deletes_only_unreferenced_chunks_and_respects_grace_and_backup_locks()
        {
            using var kit = new BackupTestKit();
            var shared = BackupTestKit.Random(250_000, 31);
            kit.Write("shared.bin", shared);
            kit.Write("old.bin", BackupTestKit.Random(250_000, 32));
            var first = await kit.BackupAsync();
            File.Delete(Path.Combine(kit.Source, "old.bin"));
            kit.Write("new.bin", BackupTestKit.Random(250_000, 33));
            var second = await kit.BackupAsync();
            Assert.Equal(3, await kit.ChunkCountAsync());
            var repo = await kit.OpenAsync();
            var engine = new PruneEngine(repo, kit.Reporter);

            // Default grace period: the just-written chunk of old.bin is too young to delete.
            var plan = await engine.PlanAsync(new[] { first.Id }, null, new PruneOptions(), default);
            Assert.Equal(first.Id, Assert.Single(plan.Remove).Id);
            Assert.Equal((0, 1), (plan.ChunksToDelete, plan.ChunksInGrace));
            var noGrace = new PruneOptions { GracePeriod = TimeSpan.Zero };
            plan = await engine.PlanAsync(new[] { first.Id }, null, noGrace, default);
            Assert.Equal(1, plan.ChunksToDelete);
            // old.bin's chunk (stored raw: random data) and the first set's tree pack.
            Assert.InRange(plan.BytesToDelete, 250_000L, 252_000L);

            // A running backup (live lock) holds chunk deletion off; the set itself is still removed.
            var running = await repo.AcquireLockAsync("backup", default);
            var held = await engine.ExecuteAsync(new[] { first.Id }, true, noGrace, default);
            Assert.Equal(0, held.ChunksDeleted);
            Assert.NotNull(held.ChunkDeletionSkipped);
            Assert.Equal(3, await kit.ChunkCountAsync());
            await repo.ReleaseLockAsync(running);

            var done = await engine.ExecuteAsync(Array.Empty<string>(), true, noGrace, default);
            Assert.Equal(1, done.ChunksDeleted);
            // shared.bin and old.bin shared a pack: it was rewritten with shared.bin only; one index replaced the others.
            Assert.Equal((1, 1), (done.PacksRepacked, done.PacksDeleted));
            Assert.InRange(done.BytesFreed, 250_000L, 252_000L);
            Assert.Equal(2, await kit.ChunkCountAsync());
            Assert.Single(Directory.GetFiles(Path.Combine(kit.RepoPath, "index")));
            Assert.Empty((await kit.IndexAsync()).Unindexed);
            Assert.Empty(Directory.GetFiles(Path.Combine(kit.RepoPath, "locks")));
            // Everything the kept set needs is still there.
            var check = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(await repo.ReadManifestAsync(second.Id, default), 2, default);
            Assert.True(check.Passed);
        }

        [Fact]
        public async Task Prune_deletes_the_packs_an_interrupted_backup_left_once_past_the_grace_period()
        {
            using var kit = new BackupTestKit();
            for (int i = 0; i < 6; i++) kit.Write($"f{i}.bin", BackupTestKit.Random(200_000, 80 + i));
            using var cts = new System.Threading.CancellationTokenSource();
            var store = new CountingStore(kit.Store) { CancelAfterChunkPuts = 2, CancelSource = cts };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.BackupAsync(store, cts.Token, new BackupOptions { ConcurrentRequests = 1, PackTargetSize = 1 }));
            Assert.NotEmpty(kit.PackFiles());
            var repo = await kit.OpenAsync();
            var engine = new PruneEngine(repo, kit.Reporter);
            // Young: they may belong to a backup still running, so they stay.
            var kept = await engine.ExecuteAsync(Array.Empty<string>(), true, new PruneOptions(), default);
            Assert.Equal(0, kept.PacksDeleted);
            Assert.True(kept.ChunksInGrace >= 2);
            var done = await engine.ExecuteAsync(Array.Empty<string>(), true, new PruneOptions { GracePeriod = TimeSpan.Zero }, default);
            Assert.True(done.ChunksDeleted >= 2);
            Assert.Empty(kit.PackFiles());
        }

        [Fact]
        public async Task Prune_deletes_no_chunk_when_a_manifest_is_damaged()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 41));
            var keep = await kit.BackupAsync();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 42), DateTime.UtcNow);
            var drop = await kit.BackupAsync();
            File.WriteAllText(Path.Combine(kit.RepoPath, "snapshots", keep.Id + ".json"), "{ damaged");
            var repo = await kit.OpenAsync();
            var result = await new PruneEngine(repo, kit.Reporter).ExecuteAsync(new[] { drop.Id }, true, new PruneOptions { GracePeriod = TimeSpan.Zero }, default);
            Assert.Equal(0, result.ChunksDeleted);
            Assert.Equal(2, await kit.ChunkCountAsync());
        }

        [Fact]
        public async Task Copy_sends_only_missing_chunks_and_the_copy_restores()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(250_000, 51));
            var first = await kit.BackupAsync();
            var destStore = new DrTools.Core.Backup.Storage.FolderStore(Path.Combine(kit.Root, "dr"));
            var repo = await kit.OpenAsync();
            var copied = await new CopyEngine(repo, destStore, kit.Reporter).CopyAsync(new[] { first.Id }, 2, null, default);
            Assert.Equal(1, Assert.Single(copied).ChunksCopied);

            kit.Write("b.bin", BackupTestKit.Random(250_000, 52));
            var second = await kit.BackupAsync();
            var all = await new CopyEngine(repo, destStore, kit.Reporter).CopyAsync(null, 2, null, default);
            Assert.True(all.Single(c => c.BackupSetId == first.Id).AlreadyPresent);
            var s = all.Single(c => c.BackupSetId == second.Id);
            Assert.Equal((1, 1, 250_000L), (s.ChunksCopied, s.ChunksPresent, s.BytesCopied));

            var dest = await BackupRepository.OpenAsync(destStore, default);
            var m = await dest.ReadManifestAsync(second.Id, default);
            var restored = await new RestoreEngine(dest, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            Assert.True(restored.Succeeded);
            Assert.Equal(2, restored.FilesRestored);
        }
    }
}
