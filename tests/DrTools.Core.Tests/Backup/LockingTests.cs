using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    /// <summary>Repository locks: prune against prune, readers against prune, dead owners, leftover temporary files.</summary>
    public class LockingTests
    {
        static readonly PruneOptions NoGrace = new() { GracePeriod = TimeSpan.Zero };

        /// <summary>Four sets that share base.bin, each with a file of its own (f1..f4); base.bin and f1 share the first pack.</summary>
        static async Task<List<BackupSet>> FourSetsAsync(BackupTestKit kit)
        {
            kit.Write("base.bin", BackupTestKit.Random(250_000, 1));
            var sets = new List<BackupSet>();
            for (int i = 1; i <= 4; i++)
            {
                if (i > 1) File.Delete(Path.Combine(kit.Source, $"f{i - 1}.bin"));
                kit.Write($"f{i}.bin", BackupTestKit.Random(100_000, 10 + i));
                sets.Add(await kit.BackupAsync());
            }
            return sets;
        }

        static async Task AssertWholeAsync(BackupTestKit kit, IEnumerable<string> ids)
        {
            var repo = await kit.OpenAsync();
            var index = await kit.IndexAsync();
            Assert.All(index.Packs, p => Assert.True(index.StoredPacks.ContainsKey(p.PackId), $"the index lists pack {p.PackId}, which does not exist"));
            foreach (var id in ids)
            {
                var check = await new VerifyEngine(repo, new RecordingReporter()).VerifyAsync(await repo.ReadManifestAsync(id, default), 2, default);
                Assert.True(check.Passed, $"{id}: {string.Join("; ", check.Failures.Select(f => f.Message))}");
            }
        }

        [Fact]
        public async Task Two_overlapping_prunes_never_run_at_once_and_every_kept_set_stays_whole()
        {
            using var kit = new BackupTestKit();
            var sets = await FourSetsAsync(kit);

            // Prune A (KeepLast 3) stops right before it writes its new index: its rewritten pack is stored, not indexed yet.
            var gated = new GatedStore(kit.Store) { PausePutUnder = "index/" };
            var pruneA = new PruneEngine(await BackupRepository.OpenAsync(gated, default), new RecordingReporter());
            var planA = await pruneA.PlanAsync(null, new RetentionPolicy { KeepLast = 3 }, NoGrace, default);
            var runA = Task.Run(() => pruneA.ExecuteAsync(planA.Remove.Select(s => s.Id).ToList(), true, NoGrace, default));
            await Task.WhenAny(gated.Reached, runA);
            Assert.True(gated.Reached.IsCompleted, "prune A did not reach its index write");

            // Prune B (KeepLast 2) starts a moment later, while A is at that point.
            var reporterB = new SignalingReporter();
            var runB = Task.Run(async () =>
            {
                var engine = new PruneEngine(await kit.OpenAsync(), reporterB);
                var plan = await engine.PlanAsync(null, new RetentionPolicy { KeepLast = 2 }, NoGrace, default);
                return await engine.ExecuteAsync(plan.Remove.Select(s => s.Id).ToList(), true, NoGrace, default);
            });
            await Task.WhenAny(reporterB.Waiting, runB);
            Assert.False(runB.IsCompleted && !reporterB.Waiting.IsCompleted, "prune B ran while prune A held the repository");
            gated.Release();
            await runA;
            await runB;

            var repo = await kit.OpenAsync();
            Assert.Equal(new[] { sets[2].Id, sets[3].Id }, await repo.ListSetIdsAsync(default));
            await AssertWholeAsync(kit, new[] { sets[2].Id, sets[3].Id });
            // And the next ordinary prune deletes nothing the kept sets need.
            await new PruneEngine(repo, kit.Reporter).ExecuteAsync(Array.Empty<string>(), true, NoGrace, default);
            await AssertWholeAsync(kit, new[] { sets[2].Id, sets[3].Id });
        }

        [Fact]
        public async Task The_index_prefers_a_copy_whose_pack_exists_and_prune_keeps_that_copy()
        {
            using var kit = new BackupTestKit();
            var a = BackupTestKit.Random(200_000, 5);
            kit.Write("a.bin", a);
            kit.Write("b.bin", BackupTestKit.Random(200_000, 6));
            var first = await kit.BackupAsync();
            File.Delete(Path.Combine(kit.Source, "b.bin"));
            var second = await kit.BackupAsync();
            var aId = Json.Sha256Hex(a, a.Length);

            // A second copy of a.bin's chunk in a pack of its own (no index lists it), then the indexed pack is lost.
            var index = await kit.IndexAsync();
            Assert.True(index.TryFind(aId, out var original));
            var copy = Assert.Single(await PackWriter.RepackAsync(kit.Store, index, new[] { aId }, kit.Store, 1, null, default));
            Assert.NotEqual(original.PackId, copy.PackId);
            File.Delete(kit.PackPath(original.PackId));

            index = await kit.IndexAsync();
            Assert.True(index.TryFind(aId, out var found));
            Assert.Equal(copy.PackId, found.PackId);
            var repo = await kit.OpenAsync();
            var verified = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(await repo.ReadManifestAsync(second.Id, default), 2, default);
            Assert.True(verified.Passed);

            // The first set (its b.bin went with the lost pack) is removed; the surviving copy of a.bin stays in use.
            await new PruneEngine(repo, kit.Reporter).ExecuteAsync(new[] { first.Id }, true, NoGrace, default);
            Assert.True(File.Exists(kit.PackPath(copy.PackId)));
            await AssertWholeAsync(kit, new[] { second.Id });
        }

        [Fact]
        public async Task A_lost_pack_and_a_damaged_copy_never_hide_the_good_copy_and_prune_keeps_it()
        {
            using var kit = new BackupTestKit();
            var a = BackupTestKit.Random(200_000, 7);
            kit.Write("a.bin", a);
            kit.Write("b.bin", BackupTestKit.Random(200_000, 8));
            kit.Write("c.bin", BackupTestKit.Random(200_000, 9));
            var set = await kit.BackupAsync();
            var aId = Json.Sha256Hex(a, a.Length);
            var index = await kit.IndexAsync();
            Assert.True(index.TryFind(aId, out var original));
            var others = index.Packs.SelectMany(p => p.Blobs).Select(b => b.Id).Where(id => id != aId && index.TryFind(id, out var l) && l.Entry.Kind == BlobKind.Data).ToList();

            // Two more copies of a.bin's chunk in packs of their own (each with another chunk, so the packs differ); the one
            // whose id sorts first is recorded damaged, then the indexed pack is lost: three copies, one missing, one damaged.
            var copies = new List<PackContents>();
            foreach (var other in others.Take(2))
                copies.Add(Assert.Single(await PackWriter.RepackAsync(kit.Store, index, new[] { aId, other }, kit.Store, 1, null, default)));
            copies.Sort((x, y) => string.CompareOrdinal(x.PackId, y.PackId));
            var (damaged, good) = (copies[0], copies[1]);
            await DamageRecords.WriteAsync(kit.Store, new[] { new DamagedBlob { Blob = aId, Pack = damaged.PackId, Reason = "test: does not hash to its name", Found = DateTime.UtcNow.AddMinutes(1) } }, default);
            File.Delete(kit.PackPath(original.PackId));

            index = await kit.IndexAsync();
            Assert.True(index.TryFind(aId, out var found));
            Assert.Equal(good.PackId, found.PackId);
            Assert.True(index.Contains(aId));

            // A prune (the index lists a missing pack) keeps the good copy in use; the set stays whole.
            var repo = await kit.OpenAsync();
            await new PruneEngine(repo, kit.Reporter).ExecuteAsync(Array.Empty<string>(), true, NoGrace, default);
            Assert.True(File.Exists(kit.PackPath(good.PackId)));
            await AssertWholeAsync(kit, new[] { set.Id });
        }

        [Fact]
        public async Task A_chunk_whose_only_pack_is_lost_is_stored_again_by_the_next_backup_of_the_same_data()
        {
            using var kit = new BackupTestKit();
            var a = BackupTestKit.Random(200_000, 11);
            kit.Write("a.bin", a);
            await kit.BackupAsync();
            var aId = Json.Sha256Hex(a, a.Length);
            var index = await kit.IndexAsync();
            Assert.True(index.TryFind(aId, out var original));
            File.Delete(kit.PackPath(original.PackId));
            Assert.False((await kit.IndexAsync()).Contains(aId), "a blob whose only pack is gone is not in the repository");

            // The file is unchanged (same size and time): the backup must not reuse the lost chunk.
            var next = await kit.BackupAsync();
            var repo = await kit.OpenAsync();
            var check = await new VerifyEngine(repo, new RecordingReporter()).VerifyAsync(await repo.ReadManifestAsync(next.Id, default), 2, default);
            Assert.True(check.Passed, string.Join("; ", check.Failures.Select(f => f.Message)));
        }

        [Fact]
        public async Task A_verify_running_when_a_prune_starts_reports_no_false_damage()
        {
            using var kit = new BackupTestKit();
            var sets = await FourSetsAsync(kit);
            // The verify of the newest set has read the index and stops at its first read of a pack.
            var gated = new GatedStore(kit.Store) { PauseReadUnder = "data/" };
            var reader = await BackupRepository.OpenAsync(gated, default);
            var manifest = await reader.ReadManifestHeaderAsync(sets[3].Id, default);
            var verify = Task.Run(() => new VerifyEngine(reader, new RecordingReporter()).VerifyAsync(manifest, 2, default));
            await Task.WhenAny(gated.Reached, verify);
            Assert.True(gated.Reached.IsCompleted);

            // A prune of the three older sets now (base.bin's pack would be rewritten, the others deleted).
            var repo = await kit.OpenAsync();
            var prune = await new PruneEngine(repo, kit.Reporter).ExecuteAsync(sets.Take(3).Select(s => s.Id).ToList(), true, NoGrace, default);
            gated.Release();
            var result = await verify;
            Assert.True(result.Passed, string.Join("; ", result.Failures.Select(f => f.Message)));
            Assert.Equal(0, prune.ChunksDeleted);
            Assert.Contains("reading", prune.ChunkDeletionSkipped);

            // Once the reader is done, the next prune frees the space.
            var later = await new PruneEngine(repo, kit.Reporter).ExecuteAsync(Array.Empty<string>(), true, NoGrace, default);
            Assert.Equal(3, later.ChunksDeleted);
            await AssertWholeAsync(kit, new[] { sets[3].Id });
        }

        [Fact]
        public async Task A_restore_started_during_a_prune_waits_for_it_and_restores_everything()
        {
            using var kit = new BackupTestKit();
            var sets = await FourSetsAsync(kit);
            // The prune stops right before it writes its new index (rewritten pack stored, old packs still there).
            var pruneStore = new GatedStore(kit.Store) { PausePutUnder = "index/" };
            var prune = Task.Run(async () => await new PruneEngine(await BackupRepository.OpenAsync(pruneStore, default), new RecordingReporter())
                .ExecuteAsync(sets.Take(3).Select(s => s.Id).ToList(), true, NoGrace, default));
            await Task.WhenAny(pruneStore.Reached, prune);
            Assert.True(pruneStore.Reached.IsCompleted);

            var readStore = new GatedStore(kit.Store) { PauseReadUnder = "data/" };
            var reader = await BackupRepository.OpenAsync(readStore, default);
            var manifest = await reader.ReadManifestHeaderAsync(sets[3].Id, default);
            var reporter = new SignalingReporter();
            var restore = Task.Run(() => new RestoreEngine(reader, reporter).RestoreAsync(manifest, new RestoreOptions { Destination = kit.Restore }, default));
            // Either the restore waits for the prune, or (the fault) it reads the repository while the prune changes it.
            await Task.WhenAny(reporter.Waiting, readStore.Reached, restore);
            pruneStore.Release();
            await prune;
            readStore.Release();
            var result = await restore;
            Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
            Assert.Equal(2, result.FilesRestored);
            Assert.True(reporter.Waiting.IsCompleted);
        }

        [Fact]
        public async Task A_prune_lock_of_a_dead_process_on_this_host_is_taken_over_at_once()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 3));
            await kit.BackupAsync();
            var (pid, started) = DeadProcess();
            var lockId = WriteLock(kit, "prune", BackupRepository.LocalHostId, pid, started);
            // No waiting allowed: a live prune lock would fail the backup with DrTools.RepositoryLocked at once.
            var set = await kit.BackupAsync(options: new BackupOptions { PruneWaitTimeout = TimeSpan.Zero });
            Assert.False(File.Exists(Path.Combine(kit.RepoPath, "locks", lockId + ".json")));
            Assert.Contains(kit.Reporter.Warnings, w => w.Contains(lockId) && w.Contains(pid.ToString()));
            Assert.Equal(1, set.Files);
        }

        [Fact]
        public async Task Locks_of_running_processes_other_hosts_and_older_versions_are_respected()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 4));
            await kit.BackupAsync();
            var me = Process.GetCurrentProcess();
            var myStart = me.StartTime.ToUniversalTime();
            var (deadPid, deadStart) = DeadProcess();
            var options = new BackupOptions { PruneWaitTimeout = TimeSpan.Zero };

            foreach (var (host, pid, start) in new (string?, int, DateTime?)[]
            {
                (BackupRepository.LocalHostId, me.Id, myStart), // a process that runs (this one)
                ("OTHER-HOST-" + Guid.NewGuid().ToString("N").Substring(0, 6), deadPid, deadStart), // another host: only staleness counts
                // Another computer with the same short name (Windows cuts MachineName to 15 characters; clones share names):
                // the lock's host matches ours, its host id does not, so only staleness counts.
                (BackupRepository.LocalHostId + "-clone", deadPid, deadStart),
                (null, deadPid, deadStart), // no host id (written before host ids): only staleness counts
                (BackupRepository.LocalHostId, deadPid, null), // written by an older DrTools (no start time): only staleness counts
            })
            {
                var id = WriteLock(kit, "prune", host, pid, start);
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => kit.BackupAsync(options: options));
                Assert.Equal(BackupErrorIds.RepositoryLocked, ex.ErrorId);
                Assert.Contains(id, ex.Message);
                File.Delete(Path.Combine(kit.RepoPath, "locks", id + ".json"));
            }

            // The same process id with another start time is another process: the lock's owner is gone.
            var reused = WriteLock(kit, "prune", BackupRepository.LocalHostId, me.Id, myStart.AddHours(-1));
            await kit.BackupAsync(options: options);
            Assert.False(File.Exists(Path.Combine(kit.RepoPath, "locks", reused + ".json")));
        }

        [Fact]
        public async Task A_prune_waits_for_another_prune_and_then_refuses_without_changing_anything()
        {
            using var kit = new BackupTestKit();
            var sets = await FourSetsAsync(kit);
            var repo = await kit.OpenAsync();
            var other = await repo.AcquireLockAsync("prune", default);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => new PruneEngine(repo, kit.Reporter)
                .ExecuteAsync(new[] { sets[0].Id }, true, new PruneOptions { GracePeriod = TimeSpan.Zero, LockWaitTimeout = TimeSpan.Zero }, default));
            Assert.Equal(BackupErrorIds.RepositoryLocked, ex.ErrorId);
            Assert.Contains(other.Id, ex.Message);
            Assert.Equal(4, (await repo.ListSetIdsAsync(default)).Count);
            // Its own lock is gone again; the other prune's lock is untouched.
            Assert.Equal(new[] { other.Id + ".json" }, Directory.GetFiles(Path.Combine(kit.RepoPath, "locks")).Select(Path.GetFileName));
            await repo.ReleaseLockAsync(other);
            var done = await new PruneEngine(repo, kit.Reporter).ExecuteAsync(new[] { sets[0].Id }, true, NoGrace, default);
            Assert.Equal(new[] { sets[0].Id }, done.RemovedSets);
        }

        [Fact]
        public async Task The_next_backup_removes_temporary_files_killed_runs_left_in_a_folder_repository()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 7));
            await kit.BackupAsync();
            string Leftover(string folder, TimeSpan age)
            {
                var path = Path.Combine(kit.RepoPath, folder, ".drtmp-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, new byte[100]);
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
                return path;
            }
            var oldPack = Leftover(Path.Combine("data", "ab"), TimeSpan.FromHours(2));
            var recentPack = Leftover(Path.Combine("data", "cd"), TimeSpan.FromMinutes(10));
            var recentIndex = Leftover("index", TimeSpan.FromMinutes(10));
            var inFlight = Leftover(Path.Combine("data", "ef"), TimeSpan.Zero); // as a put that has just begun
            var userFile = Path.Combine(kit.RepoPath, "data", "notes.txt");
            File.WriteAllText(userFile, "not DrTools'");

            // Another backup is running (a live lock of this process): only what is past any run's lifetime goes.
            var repo = await kit.OpenAsync();
            var running = await repo.AcquireLockAsync("backup", default);
            await kit.BackupAsync();
            Assert.False(File.Exists(oldPack));
            Assert.True(File.Exists(recentPack));
            Assert.True(File.Exists(recentIndex));

            // Nobody else runs: every leftover from before goes, but not a put that may be in flight.
            await repo.ReleaseLockAsync(running);
            await kit.BackupAsync();
            Assert.False(File.Exists(recentPack));
            Assert.False(File.Exists(recentIndex));
            Assert.True(File.Exists(inFlight));
            Assert.True(File.Exists(userFile));
        }

        [Fact]
        public async Task A_restore_removes_the_temporary_files_a_killed_restore_left_in_its_folders()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 8));
            kit.Write("sub/b.bin", BackupTestKit.Random(10_000, 9));
            var set = await kit.BackupAsync();
            var data = Path.Combine(kit.Restore, "Data");
            Directory.CreateDirectory(Path.Combine(data, "sub"));
            // Left an hour ago by a killed restore (this build's names and an earlier build's).
            var leftovers = new[] { Path.Combine(data, ".drtmp-0123456789ab-a.bin"), Path.Combine(data, "sub", ".drtmp-ba9876543210-old.bin"), Path.Combine(data, ".drtmp-0a1b2c3d") };
            // Not DrTools' temporaries, outside the folders restored into, or written just now (another restore's).
            var recent = Path.Combine(data, "sub", ".drtmp-4e5f6a7b");
            var others = new[] { Path.Combine(data, ".drtmp-notes.txt"), Path.Combine(data, "keep.txt"), Path.Combine(kit.Restore, ".drtmp-0123456789ab-x"), recent };
            foreach (var f in leftovers.Concat(others))
            {
                File.WriteAllBytes(f, new byte[10]);
                if (f != recent) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddHours(-1));
            }

            var repo = await kit.OpenAsync();
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(await repo.ReadManifestHeaderAsync(set.Id, default), new RestoreOptions { Destination = kit.Restore }, default);
            Assert.True(result.Succeeded);
            Assert.All(leftovers, f => Assert.False(File.Exists(f), f));
            Assert.All(others, f => Assert.True(File.Exists(f), f));
        }

        [Fact]
        public async Task A_restore_from_a_repository_it_cannot_write_to_restores_without_a_lock_and_says_so()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.bin", BackupTestKit.Random(10_000, 12));
            var set = await kit.BackupAsync();
            var readOnly = new ReadOnlyStore(kit.Store);
            var repo = await BackupRepository.OpenAsync(readOnly, default);
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(await repo.ReadManifestHeaderAsync(set.Id, default), new RestoreOptions { Destination = kit.Restore }, default);
            Assert.True(result.Succeeded);
            Assert.Contains(kit.Reporter.Warnings, w => w.Contains("read lock") && w.Contains("Access denied"));
        }

        // ---- helpers

        /// <summary>The id and start time of a process that has exited (and been reaped).</summary>
        static (int Pid, DateTime Started) DeadProcess()
        {
            var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var info = new ProcessStartInfo(windows ? "cmd.exe" : "cat", windows ? "/c set /p x=" : "")
            {
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(info)!;
            var started = p.StartTime.ToUniversalTime();
            p.StandardInput.Close(); // end of input: it exits
            p.WaitForExit();
            return (p.Id, started);
        }

        /// <summary>A lock file as a process on <paramref name="hostId"/> (this computer: BackupRepository.LocalHostId; null: an older build) writes it.</summary>
        static string WriteLock(BackupTestKit kit, string kind, string? hostId, int pid, DateTime? started)
        {
            var now = DateTime.UtcNow;
            var id = $"{kind}-{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N").Substring(0, 8)}";
            var json = $"{{\"id\":\"{id}\",\"kind\":\"{kind}\",\"host\":\"{Environment.MachineName}\",\"processId\":{pid},"
                + (hostId != null ? $"\"hostId\":\"{hostId}\"," : "")
                + (started is { } s ? $"\"processStart\":\"{s:O}\"," : "")
                + $"\"created\":\"{now:O}\",\"refreshed\":\"{now:O}\"}}";
            Directory.CreateDirectory(Path.Combine(kit.RepoPath, "locks"));
            File.WriteAllText(Path.Combine(kit.RepoPath, "locks", id + ".json"), json);
            return id;
        }
    }

    /// <summary>Records like RecordingReporter, and completes <see cref="Waiting"/> when the run reports that it waits for a lock.</summary>
    internal sealed class SignalingReporter : IOperationReporter
    {
        readonly TaskCompletionSource<bool> _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Waiting => _waiting.Task;
        public List<string> Warnings { get; } = new();
        public void Verbose(string message) { }
        public void Warning(string message) { lock (Warnings) Warnings.Add(message); }
        public void Progress(ProgressUpdate update)
        {
            if (update.Status.StartsWith("Waiting for", StringComparison.Ordinal)) _waiting.TrySetResult(true);
        }
    }

    /// <summary>Wraps a store and stops the first put (or ranged read) under a prefix until <see cref="Release"/>.</summary>
    internal sealed class GatedStore : IRepositoryStore
    {
        readonly IRepositoryStore _inner;
        readonly TaskCompletionSource<bool> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource<bool> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int _paused;

        public GatedStore(IRepositoryStore inner) => _inner = inner;
        public string? PausePutUnder { get; init; }
        public string? PauseReadUnder { get; init; }
        public Task Reached => _reached.Task;
        public void Release() => _release.TrySetResult(true);
        public string Location => _inner.Location;

        async Task GateAsync(string? prefix, string key)
        {
            if (prefix == null || !key.StartsWith(prefix, StringComparison.Ordinal) || Interlocked.Exchange(ref _paused, 1) != 0) return;
            _reached.TrySetResult(true);
            await _release.Task;
        }

        public async Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct)
        {
            await GateAsync(PausePutUnder, key);
            await _inner.PutAsync(key, content, length, sha256, ct);
        }

        public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
        {
            await GateAsync(PauseReadUnder, key);
            return await _inner.OpenReadAsync(key, ct);
        }

        public async Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken ct)
        {
            await GateAsync(PauseReadUnder, key);
            return await _inner.OpenRangeAsync(key, offset, length, ct);
        }

        public Task<bool> ExistsAsync(string key, CancellationToken ct) => _inner.ExistsAsync(key, ct);
        public Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct) => _inner.ListAsync(prefix, ct);
        public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct) => _inner.DeleteAsync(keys, ct);
        public Task<bool> LocationExistsAsync(CancellationToken ct) => _inner.LocationExistsAsync(ct);
    }

    /// <summary>A store the caller may read but not write (read-only credentials or share).</summary>
    internal sealed class ReadOnlyStore : IRepositoryStore
    {
        readonly IRepositoryStore _inner;
        public ReadOnlyStore(IRepositoryStore inner) => _inner = inner;
        public string Location => _inner.Location;
        static DrToolsException Denied(string key) => new(ErrorIds.AccessDenied, DrErrorCategory.PermissionDenied, $"Access denied writing {key}.", key, "Use an identity that may write.");
        public Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct) => throw Denied(key);
        public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct) => throw Denied(keys[0]);
        public Task<Stream?> OpenReadAsync(string key, CancellationToken ct) => _inner.OpenReadAsync(key, ct);
        public Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken ct) => _inner.OpenRangeAsync(key, offset, length, ct);
        public Task<bool> ExistsAsync(string key, CancellationToken ct) => _inner.ExistsAsync(key, ct);
        public Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct) => _inner.ListAsync(prefix, ct);
        public Task<bool> LocationExistsAsync(CancellationToken ct) => _inner.LocationExistsAsync(ct);
    }
}
