using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    public sealed class PruneOptions
    {
        /// <summary>Unreferenced chunks younger than this are kept: they may belong to a backup that is still running.</summary>
        public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Delete unreferenced chunks even if a backup holds a live lock (it may then need a re-run). Never overrides another prune's lock or a reader's.</summary>
        public bool IgnoreLocks { get; set; }

        /// <summary>How long to wait for another prune to finish (planning waits the same for a prune to end) before DrTools.RepositoryLocked.</summary>
        public TimeSpan LockWaitTimeout { get; set; } = BackupRepository.LockWaitDefault;

        /// <summary>
        /// A pack that still holds chunks in use is rewritten without its unused ones once they are at least this
        /// share of it (0.1: up to a tenth of a pack may stay unused, so a prune does not rewrite most of the
        /// repository). Packs under 4 MiB are rewritten whenever they hold an unused chunk.
        /// </summary>
        public double RepackThreshold { get; set; } = 0.1;
    }

    /// <summary>What Remove-DrBackup would do; shown by -WhatIf before anything changes.</summary>
    public sealed class PrunePlan
    {
        public string Repository { get; init; } = "";
        public IReadOnlyList<BackupSet> Remove { get; init; } = Array.Empty<BackupSet>();
        public IReadOnlyList<BackupSet> Keep { get; init; } = Array.Empty<BackupSet>();

        /// <summary>Chunks no kept set references and old enough to delete, if every set in <see cref="Remove"/> goes.</summary>
        public int ChunksToDelete { get; init; }
        public long BytesToDelete { get; init; }

        /// <summary>Unreferenced chunks younger than the grace period, kept this time.</summary>
        public int ChunksInGrace { get; init; }
    }

    public sealed class PruneResult
    {
        public string Repository { get; init; } = "";
        public string[] RemovedSets { get; init; } = Array.Empty<string>();
        public int KeptSets { get; init; }
        public int ChunksDeleted { get; init; }
        public long BytesFreed { get; init; }
        public int ChunksInGrace { get; init; }

        /// <summary>Packs deleted, and packs rewritten without their unused chunks.</summary>
        public int PacksDeleted { get; init; }
        public int PacksRepacked { get; init; }

        /// <summary>Why no chunk was deleted (a backup was running, a manifest is damaged), when that happened.</summary>
        public string? ChunkDeletionSkipped { get; init; }
    }

    /// <summary>
    /// Removes backup sets and deletes chunks no remaining set references: a pack with no chunk in use is deleted, a
    /// pack with enough unused chunks is rewritten without them, and one new index replaces the old ones. The safety
    /// rule (docs/repository-format.md):
    /// one prune at a time (an exclusive prune lock, checked under the lock); a prune deletes no chunk while any live
    /// backup or read lock exists; backups and readers wait while a live prune lock exists; and an unreferenced chunk
    /// younger than the grace period is never deleted. A chunk named by any remaining manifest is never deleted; if any
    /// manifest cannot be read, no chunk is deleted.
    /// </summary>
    public sealed class PruneEngine
    {
        readonly BackupRepository _repo;
        readonly IOperationReporter _reporter;

        public PruneEngine(BackupRepository repo, IOperationReporter reporter)
        {
            _repo = repo;
            _reporter = reporter;
        }

        /// <summary>Plans removal of <paramref name="ids"/>, or of the sets <paramref name="policy"/> does not keep (reads under a read lock).</summary>
        public async Task<PrunePlan> PlanAsync(IReadOnlyList<string>? ids, RetentionPolicy? policy, PruneOptions options, CancellationToken ct)
        {
            var readLock = await _repo.AcquireReadLockAsync(_reporter, ct, options.LockWaitTimeout, "prune plan").ConfigureAwait(false);
            try { return await PlanUnderLockAsync(ids, policy, options, ct).ConfigureAwait(false); }
            finally { await readLock.ReleaseAsync().ConfigureAwait(false); }
        }

        async Task<PrunePlan> PlanUnderLockAsync(IReadOnlyList<string>? ids, RetentionPolicy? policy, PruneOptions options, CancellationToken ct)
        {
            var (all, damaged) = await ReadManifestsAsync(ct).ConfigureAwait(false);
            HashSet<string> remove;
            if (ids is { Count: > 0 })
            {
                foreach (var id in ids)
                    if (all.All(m => m.Id != id)) throw BackupErrors.SetNotFound(id, _repo.Location);
                remove = new HashSet<string>(ids, StringComparer.Ordinal);
            }
            else if (policy != null && !policy.IsEmpty)
            {
                var keep = policy.SelectKeep(all);
                remove = new HashSet<string>(all.Where(m => !keep.Contains(m.Id)).Select(m => m.Id), StringComparer.Ordinal);
            }
            else
            {
                remove = new HashSet<string>(StringComparer.Ordinal);
            }
            var kept = all.Where(m => !remove.Contains(m.Id)).ToList();
            var packs = damaged > 0 ? null : await PlanPacksAsync(kept, await _repo.LoadIndexAsync(_reporter, ct).ConfigureAwait(false), options, ct).ConfigureAwait(false);
            if (packs?.DamagedTrees.Count > 0) packs = null; // which chunks those sets need is unknown: nothing would be deleted
            return new PrunePlan
            {
                Repository = _repo.Location,
                Remove = all.Where(m => remove.Contains(m.Id)).Select(m => BackupSet.From(m, _repo.Location)).ToList(),
                Keep = kept.Select(m => BackupSet.From(m, _repo.Location)).ToList(),
                ChunksToDelete = packs?.BlobsToDelete ?? 0,
                BytesToDelete = packs?.BytesToFree ?? 0,
                ChunksInGrace = packs?.BlobsInGrace ?? 0,
            };
        }

        /// <summary>Removes the confirmed sets, then (when <paramref name="deleteChunks"/>) the chunks nothing references any more.</summary>
        public async Task<PruneResult> ExecuteAsync(IReadOnlyCollection<string> removeIds, bool deleteChunks, PruneOptions options, CancellationToken ct)
        {
            // Exclusive: another prune running now (or starting now) makes this one wait, and nothing changes before.
            var myLock = await _repo.AcquirePruneLockAsync(options.LockWaitTimeout, _reporter, ct).ConfigureAwait(false);
            try
            {
                if (removeIds.Count > 0)
                {
                    await _repo.Store.DeleteAsync(removeIds.Select(BackupRepository.ManifestKey).ToList(), ct).ConfigureAwait(false);
                    foreach (var id in removeIds) _reporter.Verbose($"Removed backup set {id}.");
                }
                var (remaining, damaged) = await ReadManifestsAsync(ct).ConfigureAwait(false);
                string? skipped = null;
                int deleted = 0, grace = 0, packsDeleted = 0, packsRepacked = 0;
                long freed = 0;
                if (!deleteChunks) skipped = "chunk deletion was not confirmed";
                else if (damaged > 0) skipped = $"{damaged} manifest(s) cannot be read, so which chunks they need is unknown";
                else if (await BusyAsync(options, ct).ConfigureAwait(false) is { } busy)
                    skipped = busy;
                else
                {
                    var index = await _repo.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
                    await _repo.RemoveLeftoverTemporariesAsync(myLock.Lock, _reporter, ct).ConfigureAwait(false);
                    var plan = await PlanPacksAsync(remaining, index, options, ct).ConfigureAwait(false);
                    grace = plan.BlobsInGrace;
                    if (plan.DamagedTrees.Count > 0)
                        skipped = $"the file list of {plan.DamagedTrees.Count} folder(s) in kept sets cannot be read ({plan.DamagedTrees[0]}), so which chunks they need is unknown; Repair-DrBackup reports them, and the next backup of the same data stores them again";
                    // Check again right before changing packs: a backup or reader that started since holds its lock by now.
                    else if (await BusyAsync(options, ct).ConfigureAwait(false) is { } late)
                        skipped = late;
                    else if (plan.Delete.Count > 0 || plan.Repack.Count > 0 || index.Unindexed.Count > 0 || plan.MissingPacks > 0)
                    {
                        freed = await RewriteAsync(index, plan, ct).ConfigureAwait(false);
                        deleted = plan.BlobsToDelete;
                        packsDeleted = plan.Delete.Count;
                        packsRepacked = plan.Repack.Count;
                    }
                }
                if (skipped != null && deleteChunks) _reporter.Warning($"No chunks were deleted from {_repo.Location}: {skipped}. Run Remove-DrBackup again later to free the space.");
                if (grace > 0) _reporter.Verbose($"{grace} unreferenced chunk(s) are younger than the grace period ({options.GracePeriod:g}) and were kept.");
                return new PruneResult
                {
                    Repository = _repo.Location,
                    RemovedSets = removeIds.OrderBy(i => i, StringComparer.Ordinal).ToArray(),
                    KeptSets = remaining.Count,
                    ChunksDeleted = deleted,
                    BytesFreed = freed,
                    ChunksInGrace = grace,
                    PacksDeleted = packsDeleted,
                    PacksRepacked = packsRepacked,
                    ChunkDeletionSkipped = skipped,
                };
            }
            finally
            {
                await myLock.ReleaseAsync().ConfigureAwait(false);
            }
        }

        /// <summary>Why packs must not change now (a live backup lock, unless ignored, or a reader's lock), or null.</summary>
        async Task<string?> BusyAsync(PruneOptions options, CancellationToken ct)
        {
            if (!options.IgnoreLocks && (await _repo.LiveLocksAsync(BackupRepository.BackupLockKind, null, _reporter, ct).ConfigureAwait(false)) is { Count: > 0 } backups)
                return $"a backup is running ({backups[0].Id} on {backups[0].Host}); its new chunks are not in any manifest yet";
            if ((await _repo.LiveLocksAsync(BackupRepository.ReadLockKind, null, _reporter, ct).ConfigureAwait(false)) is { Count: > 0 } readers)
                return $"another run is reading the repository (a restore, verify, copy or prune plan: {readers[0].Id} on {readers[0].Host})";
            return null;
        }

        async Task<(List<BackupManifest> Sets, int Damaged)> ReadManifestsAsync(CancellationToken ct)
        {
            var catalog = await _repo.ReadCatalogAsync(ct).ConfigureAwait(false);
            foreach (var d in catalog.Damaged) _reporter.Warning(d.Error.Message);
            return (catalog.Sets, catalog.Damaged.Count);
        }

        /// <summary>What a prune does to the packs, given the sets that stay.</summary>
        sealed class PackPlan
        {
            public List<PackContents> Delete { get; } = new();
            public List<PackContents> Repack { get; } = new();
            public HashSet<string> Referenced { get; } = new(StringComparer.Ordinal);
            public int BlobsToDelete { get; set; }
            public long BytesToFree { get; set; }
            public int BlobsInGrace { get; set; }
            public int MissingPacks { get; set; }

            /// <summary>Kept sets' folders whose tree cannot be read ("set: folder"): no chunk may be deleted.</summary>
            public List<string> DamagedTrees { get; } = new();
        }

        /// <summary>Packs smaller than this (a quarter of a full one) are cheap to rewrite, so any unused chunk in them goes.</summary>
        const long SmallPack = PackWriter.DefaultTargetSize / 4;

        /// <summary>In use: referenced by a kept set, and this pack is where the index finds it (a second copy elsewhere is unused).</summary>
        static bool InUse(PackPlan plan, RepositoryIndex index, PackContents pack, BlobEntry b) =>
            plan.Referenced.Contains(b.Id) && index.TryFind(b.Id, out var at) && at.PackId == pack.PackId;

        async Task<PackPlan> PlanPacksAsync(List<BackupManifest> kept, RepositoryIndex index, PruneOptions options, CancellationToken ct)
        {
            var plan = new PackPlan();
            foreach (var m in kept)
            {
                await _repo.LoadFilesAsync(m, index, ct).ConfigureAwait(false);
                foreach (var d in m.DamagedFolders) plan.DamagedTrees.Add($"set {m.Id}, folder '{d.Path}'");
                foreach (var t in m.Trees) plan.Referenced.Add(t.Tree);
                foreach (var f in m.Files)
                    foreach (var c in f.Chunks) plan.Referenced.Add(c);
            }
            var cutoff = DateTime.UtcNow - options.GracePeriod;
            foreach (var pack in index.Packs)
            {
                if (!index.StoredPacks.TryGetValue(pack.PackId, out var stored))
                {
                    plan.MissingPacks++;
                    continue;
                }
                var unused = pack.Blobs.Where(b => !InUse(plan, index, pack, b)).ToList();
                if (unused.Count == 0) continue;
                // Counted as chunks: file content only (trees are bookkeeping), the bytes are all that is freed.
                var unusedChunks = unused.Count(b => b.Kind == BlobKind.Data);
                if (stored.LastModifiedUtc > cutoff)
                {
                    plan.BlobsInGrace += unusedChunks;
                    continue;
                }
                long unusedBytes = unused.Sum(b => (long)b.Length);
                if (unused.Count == pack.Blobs.Count)
                {
                    plan.Delete.Add(pack);
                    plan.BlobsToDelete += unusedChunks;
                    plan.BytesToFree += stored.Size;
                }
                else if ((unusedBytes >= options.RepackThreshold * pack.StoredBytes || pack.StoredBytes < SmallPack) &&
                         // A damaged blob still in use cannot be copied: such a pack stays as it is.
                         !pack.Blobs.Any(b => InUse(plan, index, pack, b) && index.IsDamaged(pack.PackId, b.Id)))
                {
                    plan.Repack.Add(pack);
                    plan.BlobsToDelete += unusedChunks;
                    plan.BytesToFree += unusedBytes;
                }
            }
            if (plan.MissingPacks > 0)
                _reporter.Warning($"{plan.MissingPacks} pack(s) listed in the index of {_repo.Location} do not exist; Test-DrRestore -VerifyOnly names the files affected.");
            return plan;
        }

        /// <summary>
        /// Rewrites the repository's packs and index: the chunks in use from the packs to repack go into new packs, one
        /// index of every pack that stays replaces the old index files, and only then are the old packs deleted.
        /// </summary>
        async Task<long> RewriteAsync(RepositoryIndex index, PackPlan plan, CancellationToken ct)
        {
            var newPacks = new List<PackContents>();
            if (plan.Repack.Count > 0)
            {
                var keep = plan.Repack.SelectMany(p => p.Blobs.Where(b => InUse(plan, index, p, b))).Select(b => b.Id);
                newPacks.AddRange(await PackWriter.RepackAsync(_repo.Store, index, keep, _repo.Store, 3, null, ct).ConfigureAwait(false));
                _reporter.Verbose($"Rewrote {plan.Repack.Count} pack(s) into {newPacks.Count} without their unused chunks.");
            }
            var gone = new HashSet<string>(plan.Delete.Concat(plan.Repack).Select(p => p.PackId), StringComparer.Ordinal);
            var stays = index.Packs.Where(p => !gone.Contains(p.PackId) && index.StoredPacks.ContainsKey(p.PackId)).Concat(newPacks).ToList();
            var (newIndex, _) = await _repo.WriteIndexAsync(stays, ct).ConfigureAwait(false);
            await _repo.Store.DeleteAsync(index.IndexKeys.Where(k => k != newIndex).ToList(), ct).ConfigureAwait(false);
            var deleteKeys = gone.Select(PackWriter.PackKey).ToList();
            await _repo.Store.DeleteAsync(deleteKeys, ct).ConfigureAwait(false);
            var freed = gone.Sum(id => index.StoredPacks[id].Size);
            foreach (var p in newPacks)
                freed -= p.StoredBytes + PackFormat.Trailer(p.Blobs).Length;
            return freed;
        }
    }
}
