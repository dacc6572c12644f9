using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    public sealed class CopyResult
    {
        public string BackupSetId { get; init; } = "";
        public DateTime BackupTime { get; init; }
        public string Source { get; init; } = "";
        public string Destination { get; init; } = "";
        public int ChunksCopied { get; init; }
        public long BytesCopied { get; init; }

        /// <summary>Referenced chunks the destination already held.</summary>
        public int ChunksPresent { get; init; }

        /// <summary>The destination already had this backup set; nothing was copied.</summary>
        public bool AlreadyPresent { get; init; }
    }

    /// <summary>
    /// Copies backup sets to a second repository (e.g. a bucket in the DR region): only blobs (chunks and trees) the
    /// destination lacks, each verified against its name on the way and packed anew there, then the destination's
    /// index, and the manifest last, unchanged (same id, same checksum).
    /// </summary>
    public sealed class CopyEngine
    {
        readonly BackupRepository _source;
        readonly IRepositoryStore _destinationStore;
        readonly IOperationReporter _reporter;

        public CopyEngine(BackupRepository source, IRepositoryStore destination, IOperationReporter reporter)
        {
            _source = source;
            _destinationStore = destination;
            _reporter = reporter;
        }

        /// <summary>Copies the sets with <paramref name="ids"/>, or every set when null or empty.</summary>
        public async Task<List<CopyResult>> CopyAsync(IReadOnlyList<string>? ids, int concurrency, Func<BackupSet, Task<bool>>? confirm, CancellationToken ct)
        {
            // A read lock on the source: no prune there deletes or rewrites a pack while the copy reads it.
            var readLock = await _source.AcquireReadLockAsync(_reporter, ct, reader: "copy").ConfigureAwait(false);
            try { return await CopyUnderLockAsync(ids, concurrency, confirm, ct).ConfigureAwait(false); }
            finally { await readLock.ReleaseAsync().ConfigureAwait(false); }
        }

        async Task<List<CopyResult>> CopyUnderLockAsync(IReadOnlyList<string>? ids, int concurrency, Func<BackupSet, Task<bool>>? confirm, CancellationToken ct)
        {
            if (string.Equals(_source.Location, _destinationStore.Location, StringComparison.OrdinalIgnoreCase))
                throw BackupErrors.InvalidArgument($"The source and destination repositories are the same ({_source.Location}).", _source.Location,
                    "Pass a different -Destination, e.g. a bucket in the DR region.");
            var wanted = ids is { Count: > 0 } ? ids.Distinct().ToList() : (await _source.ListSetIdsAsync(ct).ConfigureAwait(false)).ToList();
            var sourceIndex = await _source.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
            var manifests = new List<(BackupManifest Manifest, byte[] Bytes)>();
            foreach (var id in wanted)
            {
                var m = await _source.ReadManifestHeaderAsync(id, ct).ConfigureAwait(false);
                await _source.LoadFilesAsync(m, sourceIndex, ct).ConfigureAwait(false);
                BackupRepository.ThrowIfDamaged(m); // a copy of part of a set would look complete
                manifests.Add((m, await _source.ReadManifestBytesAsync(id, ct).ConfigureAwait(false)));
            }

            // Decide and confirm before touching the destination: -WhatIf (every set declined) creates nothing there.
            var results = new List<CopyResult>();
            var present = new HashSet<string>(await BackupRepository.ListSetIdsAsync(_destinationStore, ct).ConfigureAwait(false), StringComparer.Ordinal);
            var confirmed = new List<(BackupManifest Manifest, byte[] Bytes)>();
            foreach (var (manifest, bytes) in manifests)
            {
                if (present.Contains(manifest.Id)) results.Add(AlreadyPresent(manifest));
                else if (confirm == null || await confirm(BackupSet.From(manifest, _source.Location)).ConfigureAwait(false)) confirmed.Add((manifest, bytes));
            }
            if (confirmed.Count == 0) return Ordered(results, wanted);

            var dest = await BackupRepository.OpenOrCreateAsync(_destinationStore, _reporter, ct, _source.Config.Chunker).ConfigureAwait(false);
            // Copying adds chunks before their manifest, exactly like a backup: hold a backup lock so prune leaves them.
            var myLock = await dest.AcquireLockAsync("backup", ct).ConfigureAwait(false);
            try
            {
                using var keepAlive = dest.KeepLockAlive(myLock);
                await dest.WaitForPruneAsync(TimeSpan.FromMinutes(10), _reporter, ct).ConfigureAwait(false);
                // Again under the lock: another copy may have landed a set since.
                present = new HashSet<string>(await dest.ListSetIdsAsync(ct).ConfigureAwait(false), StringComparer.Ordinal);
                var known = await dest.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
                await dest.RemoveLeftoverTemporariesAsync(myLock, _reporter, ct).ConfigureAwait(false);
                foreach (var (manifest, bytes) in confirmed)
                {
                    if (present.Contains(manifest.Id))
                    {
                        results.Add(AlreadyPresent(manifest));
                        continue;
                    }
                    var needed = manifest.Files.SelectMany(f => f.Chunks).Distinct(StringComparer.Ordinal).ToList();
                    var missing = needed.Where(c => !known.Contains(c)).ToList();
                    var missingTrees = manifest.Trees.Select(t => t.Tree).Distinct(StringComparer.Ordinal).Where(t => !known.Contains(t)).ToList();
                    long copiedBytes = 0;
                    int copied = 0;
                    var packs = await PackWriter.RepackAsync(_source.Store, sourceIndex, missing.Concat(missingTrees), dest.Store, concurrency, bytes =>
                    {
                        Interlocked.Add(ref copiedBytes, bytes);
                        var n = Interlocked.Increment(ref copied);
                        _reporter.Progress(new ProgressUpdate(44, $"Copying backup set {manifest.Id} to {dest.Location}", $"{n}/{missing.Count} chunks, {Units.Bytes(Interlocked.Read(ref copiedBytes))}")
                        { PercentComplete = n * 100 / Math.Max(1, missing.Count) });
                    }, ct).ConfigureAwait(false);
                    // Index first, manifest last: the copy becomes visible only once everything it names is there.
                    await dest.WriteIndexAsync(packs, ct).ConfigureAwait(false);
                    foreach (var p in packs) known.Add(p);
                    await dest.WriteManifestBytesAsync(manifest.Id, bytes, ct).ConfigureAwait(false);
                    _reporter.Progress(new ProgressUpdate(44, $"Copying backup set {manifest.Id} to {dest.Location}", "Done") { Completed = true });
                    results.Add(new CopyResult
                    {
                        BackupSetId = manifest.Id,
                        BackupTime = manifest.Time,
                        Source = _source.Location,
                        Destination = dest.Location,
                        ChunksCopied = copied,
                        BytesCopied = copiedBytes,
                        ChunksPresent = needed.Count - missing.Count,
                    });
                }
            }
            finally
            {
                await dest.ReleaseLockAsync(myLock).ConfigureAwait(false);
            }
            return Ordered(results, wanted);
        }

        CopyResult AlreadyPresent(BackupManifest manifest)
        {
            _reporter.Verbose($"Backup set {manifest.Id} is already in {_destinationStore.Location}.");
            return new CopyResult { BackupSetId = manifest.Id, BackupTime = manifest.Time, Source = _source.Location, Destination = _destinationStore.Location, AlreadyPresent = true };
        }

        /// <summary>Results in the order the sets were asked for.</summary>
        static List<CopyResult> Ordered(List<CopyResult> results, List<string> wanted) =>
            results.OrderBy(r => wanted.IndexOf(r.BackupSetId)).ToList();
    }
}
