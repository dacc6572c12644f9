using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    public sealed class PruneOptions
    {
        /// <summary>Unreferenced chunks younger than this are kept: they may belong to a backup that is still running.</summary>
        public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Delete unreferenced chunks even if a backup holds a live lock (it may then need a re-run).</summary>
        public bool IgnoreLocks { get; set; }
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

        /// <summary>Why no chunk was deleted (a backup was running, a manifest is damaged), when that happened.</summary>
        public string? ChunkDeletionSkipped { get; init; }
    }

    /// <summary>
    /// Removes backup sets and deletes chunks no remaining set references. The safety rule (docs/repository-format.md):
    /// prune writes its own lock, then deletes no chunk while any live backup lock exists; backups wait while a live
    /// prune lock exists; and an unreferenced chunk younger than the grace period is never deleted. A chunk named by
    /// any remaining manifest is never deleted; if any manifest cannot be read, no chunk is deleted.
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

        /// <summary>Plans removal of <paramref name="ids"/>, or of the sets <paramref name="policy"/> does not keep.</summary>
        public async Task<PrunePlan> PlanAsync(IReadOnlyList<string>? ids, RetentionPolicy? policy, PruneOptions options, CancellationToken ct)
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
            var (delete, grace) = damaged > 0 ? (new List<Storage.StoredObject>(), 0) : await UnreferencedAsync(kept, options, ct).ConfigureAwait(false);
            return new PrunePlan
            {
                Repository = _repo.Location,
                Remove = all.Where(m => remove.Contains(m.Id)).Select(m => BackupSet.From(m, _repo.Location)).ToList(),
                Keep = kept.Select(m => BackupSet.From(m, _repo.Location)).ToList(),
                ChunksToDelete = delete.Count,
                BytesToDelete = delete.Sum(o => o.Size),
                ChunksInGrace = grace,
            };
        }

        /// <summary>Removes the confirmed sets, then (when <paramref name="deleteChunks"/>) the chunks nothing references any more.</summary>
        public async Task<PruneResult> ExecuteAsync(IReadOnlyCollection<string> removeIds, bool deleteChunks, PruneOptions options, CancellationToken ct)
        {
            var myLock = await _repo.AcquireLockAsync("prune", ct).ConfigureAwait(false);
            try
            {
                if (removeIds.Count > 0)
                {
                    await _repo.Store.DeleteAsync(removeIds.Select(BackupRepository.ManifestKey).ToList(), ct).ConfigureAwait(false);
                    foreach (var id in removeIds) _reporter.Verbose($"Removed backup set {id}.");
                }
                var (remaining, damaged) = await ReadManifestsAsync(ct).ConfigureAwait(false);
                string? skipped = null;
                int deleted = 0, grace = 0;
                long freed = 0;
                if (!deleteChunks) skipped = "chunk deletion was not confirmed";
                else if (damaged > 0) skipped = $"{damaged} manifest(s) cannot be read, so which chunks they need is unknown";
                else if (!options.IgnoreLocks && (await _repo.LiveLocksAsync("backup", null, _reporter, ct).ConfigureAwait(false)) is { Count: > 0 } running)
                    skipped = $"a backup is running ({running[0].Id} on {running[0].Host}); its new chunks are not in any manifest yet";
                else
                {
                    var (delete, inGrace) = await UnreferencedAsync(remaining, options, ct).ConfigureAwait(false);
                    grace = inGrace;
                    // Check again right before deleting: a backup that started since the first check holds its lock by now.
                    if (!options.IgnoreLocks && (await _repo.LiveLocksAsync("backup", null, _reporter, ct).ConfigureAwait(false)) is { Count: > 0 } late)
                        skipped = $"a backup started ({late[0].Id} on {late[0].Host})";
                    else
                    {
                        await _repo.Store.DeleteAsync(delete.Select(o => o.Key).ToList(), ct).ConfigureAwait(false);
                        deleted = delete.Count;
                        freed = delete.Sum(o => o.Size);
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
                    ChunkDeletionSkipped = skipped,
                };
            }
            finally
            {
                await _repo.ReleaseLockAsync(myLock).ConfigureAwait(false);
            }
        }

        async Task<(List<BackupManifest> Sets, int Damaged)> ReadManifestsAsync(CancellationToken ct)
        {
            var sets = new List<BackupManifest>();
            int damaged = 0;
            foreach (var id in await _repo.ListSetIdsAsync(ct).ConfigureAwait(false))
            {
                try { sets.Add(await _repo.ReadManifestAsync(id, ct).ConfigureAwait(false)); }
                catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError)
                {
                    damaged++;
                    _reporter.Warning(ex.Message);
                }
            }
            return (sets, damaged);
        }

        async Task<(List<Storage.StoredObject> Delete, int InGrace)> UnreferencedAsync(List<BackupManifest> kept, PruneOptions options, CancellationToken ct)
        {
            var referenced = new HashSet<string>(kept.SelectMany(m => m.Files).SelectMany(f => f.Chunks), StringComparer.OrdinalIgnoreCase);
            var chunks = await _repo.ListChunksAsync(ct).ConfigureAwait(false);
            var cutoff = DateTime.UtcNow - options.GracePeriod;
            var unreferenced = chunks.Where(kv => !referenced.Contains(kv.Key)).Select(kv => kv.Value).ToList();
            var delete = unreferenced.Where(o => o.LastModifiedUtc <= cutoff).ToList();
            return (delete, unreferenced.Count - delete.Count);
        }
    }
}
