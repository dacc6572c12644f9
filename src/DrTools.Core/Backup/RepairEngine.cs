using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    public sealed class RepairOptions
    {
        /// <summary>Read every pack in full and check every blob against its name (finds damaged blobs; reads all data).</summary>
        public bool ReadData { get; set; }

        /// <summary>Packs read at once (headers, or whole packs with <see cref="ReadData"/>).</summary>
        public int ConcurrentRequests { get; set; } = 4;

        /// <summary>How long to wait for a running prune or repair to finish before DrTools.RepositoryLocked.</summary>
        public TimeSpan LockWaitTimeout { get; set; } = BackupRepository.LockWaitDefault;
    }

    /// <summary>A file (or a whole folder, when its file list is lost) of a backup set that cannot be restored, and why.</summary>
    public sealed class RepairLoss
    {
        public string BackupSetId { get; init; } = "";
        public string Path { get; init; } = "";

        /// <summary>The blob (chunk or tree) that has no usable copy.</summary>
        public string Blob { get; init; } = "";

        /// <summary>Missing (its pack is gone, or no pack holds it) or Damaged (every stored copy fails its check).</summary>
        public string Reason { get; init; } = "";
        public override string ToString() => $"{BackupSetId}: {Path} ({Reason} blob {Blob})";
    }

    /// <summary>What Repair-DrBackup found and would do (shown by -WhatIf before anything changes).</summary>
    public sealed class RepairPlan
    {
        public string Repository { get; init; } = "";

        /// <summary>Packs the new index lists (read from their headers, or from the old index when a header is unreadable).</summary>
        public IReadOnlyList<PackContents> Packs { get; init; } = Array.Empty<PackContents>();
        public IReadOnlyList<string> IndexFiles { get; init; } = Array.Empty<string>();

        /// <summary>Packs an index file lists that do not exist: their entries are dropped.</summary>
        public IReadOnlyList<string> MissingPacks { get; init; } = Array.Empty<string>();

        /// <summary>Objects in data/ that are no readable pack and that no index lists (left alone, never deleted).</summary>
        public IReadOnlyList<string> UnreadablePacks { get; init; } = Array.Empty<string>();

        /// <summary>Packs whose own header is unreadable; their old index entries are kept.</summary>
        public IReadOnlyList<string> HeaderlessPacks { get; init; } = Array.Empty<string>();

        /// <summary>Every damaged blob copy in a pack that exists (recorded earlier, or found now).</summary>
        public IReadOnlyList<DamagedBlob> Damaged { get; init; } = Array.Empty<DamagedBlob>();

        /// <summary>Damaged copies found by this run's reads (-ReadData, or the file lists read to find losses).</summary>
        public IReadOnlyList<DamagedBlob> NewlyDamaged { get; init; } = Array.Empty<DamagedBlob>();
        public IReadOnlyList<string> DamageRecordFiles { get; init; } = Array.Empty<string>();

        /// <summary>Blobs the sets need that have no usable copy, and the files they take with them.</summary>
        public IReadOnlyList<string> LostBlobs { get; init; } = Array.Empty<string>();
        public IReadOnlyList<RepairLoss> Losses { get; init; } = Array.Empty<RepairLoss>();

        /// <summary>Sets whose manifest cannot be read (not repaired; Get-DrBackup names them).</summary>
        public IReadOnlyList<string> DamagedSets { get; init; } = Array.Empty<string>();
        public bool DataRead { get; init; }
        public long BytesRead { get; init; }

        /// <summary>The repository's index and damage record already say what this repair would write.</summary>
        public bool NothingToChange { get; init; }

        /// <summary>The plan in words, for -WhatIf and -Confirm.</summary>
        public string Describe()
        {
            if (NothingToChange) return $"The index of {Repository} already lists the {Packs.Count} pack(s) it holds; nothing to rewrite.";
            var parts = new List<string>
            {
                $"write one new index of {Packs.Count} pack(s) (from their headers) and delete the {IndexFiles.Count} index file(s) it replaces",
            };
            if (MissingPacks.Count > 0) parts.Add($"drop the entries of {MissingPacks.Count} missing pack(s) ({Sample(MissingPacks)})");
            if (HeaderlessPacks.Count > 0) parts.Add($"keep the old entries of {HeaderlessPacks.Count} pack(s) whose header is unreadable ({Sample(HeaderlessPacks)})");
            if (Damaged.Count > 0 || DamageRecordFiles.Count > 0)
                parts.Add($"record {Damaged.Count} damaged blob cop(ies) in one damage record (replacing {DamageRecordFiles.Count}), so the next backup stores them again");
            if (UnreadablePacks.Count > 0) parts.Add($"leave {UnreadablePacks.Count} unreadable object(s) in data/ alone ({Sample(UnreadablePacks)})");
            var lost = LostBlobs.Count == 0 ? "Every blob the backup sets need has a usable copy."
                : $"{LostBlobs.Count} blob(s) have no usable copy; they affect {Losses.Count} file(s) or folder(s) in {Losses.Select(l => l.BackupSetId).Distinct().Count()} set(s) ({Sample(Losses.Select(l => l.ToString()).ToList())}).";
            return $"Repair {Repository}: {string.Join("; ", parts)}. {lost}";
        }

        static string Sample(IReadOnlyList<string> items) => items.Count <= 3 ? string.Join(", ", items) : string.Join(", ", items.Take(3)) + $" and {items.Count - 3} more";
    }

    /// <summary>What Repair-DrBackup did.</summary>
    public sealed class RepairResult
    {
        public string Repository { get; init; } = "";
        public int PacksIndexed { get; init; }
        public int IndexFilesReplaced { get; init; }
        public string[] MissingPacks { get; init; } = Array.Empty<string>();
        public string[] UnreadablePacks { get; init; } = Array.Empty<string>();

        /// <summary>Damaged blob copies now recorded (the next backup of the same data stores those blobs again).</summary>
        public int DamagedBlobs { get; init; }

        /// <summary>Blobs the sets need that have no usable copy: what could not be saved.</summary>
        public string[] LostBlobs { get; init; } = Array.Empty<string>();

        /// <summary>Sets with files that cannot be restored, and those files ("set: path (reason blob)").</summary>
        public string[] AffectedSets { get; init; } = Array.Empty<string>();
        public RepairLoss[] Losses { get; init; } = Array.Empty<RepairLoss>();
        public string[] DamagedSets { get; init; } = Array.Empty<string>();

        /// <summary>Every blob was read and checked (-ReadData); otherwise only headers, file lists and recorded damage.</summary>
        public bool DataChecked { get; init; }
        public long BytesRead { get; init; }

        /// <summary>What to do next, in words.</summary>
        public string Summary { get; init; } = "";
    }

    /// <summary>
    /// Repair-DrBackup (docs/repository-format.md, "Damaged blobs and repair"): rebuilds the index from the packs' own
    /// headers, drops entries of packs that are gone, optionally reads every blob to find damaged ones, records the
    /// damage so the next backup of the same data stores those blobs again (and readers prefer the new copies), and
    /// names what cannot be saved. It never deletes a pack or a manifest; it replaces index files and damage records
    /// (new one first, then the old ones), under the exclusive prune lock.
    /// </summary>
    public sealed class RepairEngine
    {
        readonly BackupRepository _repo;
        readonly IOperationReporter _reporter;

        public RepairEngine(BackupRepository repo, IOperationReporter reporter)
        {
            _repo = repo;
            _reporter = reporter;
        }

        /// <summary>Reads what repair needs and decides what it would do; changes nothing.</summary>
        public Task<RepairPlan> PlanAsync(RepairOptions options, CancellationToken ct) => BuildAsync(options.ReadData, options.ConcurrentRequests, Array.Empty<DamagedBlob>(), ct);

        /// <summary>
        /// Takes the prune lock, rebuilds the plan from the headers again (a backup may have added packs since the plan),
        /// keeps the damage <paramref name="plan"/> found by reading data, and writes the new index and damage record.
        /// </summary>
        public async Task<RepairResult> ExecuteAsync(RepairPlan plan, RepairOptions options, CancellationToken ct)
        {
            // The prune lock, exclusive: one prune or repair at a time (a second one waits, then DrTools.RepositoryLocked).
            var myLock = await _repo.AcquirePruneLockAsync(options.LockWaitTimeout, _reporter, ct).ConfigureAwait(false);
            try
            {
                var now = await BuildAsync(false, options.ConcurrentRequests, plan.NewlyDamaged, ct).ConfigureAwait(false);
                int replaced = 0;
                if (!now.NothingToChange)
                {
                    // New index first, then the old ones: a crash in between leaves both, and readers merge them.
                    var (newIndex, _) = await _repo.WriteIndexAsync(now.Packs, ct).ConfigureAwait(false);
                    var oldIndexes = now.IndexFiles.Where(k => k != newIndex).ToList();
                    await _repo.Store.DeleteAsync(oldIndexes, ct).ConfigureAwait(false);
                    replaced = oldIndexes.Count;
                    var newRecord = await DamageRecords.WriteAsync(_repo.Store, now.Damaged, ct).ConfigureAwait(false);
                    await _repo.Store.DeleteAsync(now.DamageRecordFiles.Where(k => k != newRecord).ToList(), ct).ConfigureAwait(false);
                    _reporter.Verbose($"Wrote index {newIndex} ({now.Packs.Count} pack(s)) and removed {replaced} old index file(s).");
                }
                var affected = now.Losses.Select(l => l.BackupSetId).Distinct(StringComparer.Ordinal).OrderBy(i => i, StringComparer.Ordinal).ToArray();
                var summary = now.LostBlobs.Count == 0
                    ? (now.Damaged.Count == 0 ? "Every backup set's blobs have a usable copy." : $"{now.Damaged.Count} damaged blob cop(ies) are recorded; every one has a good copy or is not needed by any set.")
                    : $"{now.LostBlobs.Count} blob(s) cannot be saved from this repository; they affect {now.Losses.Count} file(s) or folder(s) in {affected.Length} set(s). " +
                      "The next Invoke-DrBackup of the same data stores them again while the source still has that content (then those sets restore in full); restore the rest from a copy of the repository (Copy-DrBackup) or another set.";
                if (!options.ReadData && !plan.DataRead) summary += " Only pack headers and file lists were read: add -ReadData to check every blob.";
                return new RepairResult
                {
                    Repository = _repo.Location,
                    PacksIndexed = now.Packs.Count,
                    IndexFilesReplaced = replaced,
                    MissingPacks = now.MissingPacks.ToArray(),
                    UnreadablePacks = now.UnreadablePacks.ToArray(),
                    DamagedBlobs = now.Damaged.Count,
                    LostBlobs = now.LostBlobs.ToArray(),
                    AffectedSets = affected,
                    Losses = now.Losses.ToArray(),
                    DamagedSets = now.DamagedSets.ToArray(),
                    DataChecked = plan.DataRead,
                    BytesRead = plan.BytesRead,
                    Summary = summary,
                };
            }
            finally
            {
                await myLock.ReleaseAsync().ConfigureAwait(false);
            }
        }

        async Task<RepairPlan> BuildAsync(bool readData, int concurrency, IReadOnlyList<DamagedBlob> carried, CancellationToken ct)
        {
            var store = _repo.Store;
            var old = await _repo.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
            var oldPacks = old.Packs.ToDictionary(p => p.PackId, StringComparer.Ordinal);
            var damageFiles = (await store.ListAsync(BackupRepository.DamagedPrefix, ct).ConfigureAwait(false))
                .Select(o => o.Key).Where(k => RepositoryIndex.PackIdOf(k).Length > 0).ToList();

            // 1. Every pack's own header (one ranged read each); the old index only where a header is unreadable.
            var rebuilt = new ConcurrentDictionary<string, PackContents>(StringComparer.Ordinal);
            var headerless = new ConcurrentBag<string>();
            var unreadable = new ConcurrentBag<string>();
            await ParallelWork.ForEachAsync(old.StoredPacks.Values.ToList(), Math.Max(1, concurrency * 2), async (o, token) =>
            {
                var id = RepositoryIndex.PackIdOf(o.Key);
                var header = await RepositoryIndex.ReadHeaderAsync(store, o, token).ConfigureAwait(false);
                if (header != null) rebuilt[id] = header;
                else if (oldPacks.TryGetValue(id, out var listed))
                {
                    rebuilt[id] = listed;
                    headerless.Add(id);
                    _reporter.Warning($"The header of pack {o.Key} in {store.Location} is unreadable; its entries are taken from the old index (each blob is still checked when read).");
                }
                else unreadable.Add(o.Key);
            }, ct).ConfigureAwait(false);
            var missing = oldPacks.Keys.Where(id => !old.StoredPacks.ContainsKey(id)).OrderBy(i => i, StringComparer.Ordinal).ToList();
            foreach (var id in missing) _reporter.Warning($"Pack {PackWriter.PackKey(id)} is listed in the index of {store.Location} but does not exist; its entries are dropped.");

            // 2. With -ReadData: every pack in full; a pack that hashes to its name holds no damaged blob.
            var found = new ConcurrentBag<DamagedBlob>(carried);
            long bytesRead = 0;
            if (readData)
            {
                var packs = rebuilt.Values.OrderBy(p => p.PackId, StringComparer.Ordinal).ToList();
                int done = 0;
                await ParallelWork.ForEachAsync(packs, Math.Max(1, concurrency), async (pack, token) =>
                {
                    var key = PackWriter.PackKey(pack.PackId);
                    var data = await BackupRepository.ReadAllAsync(store, key, token).ConfigureAwait(false);
                    var n = Interlocked.Increment(ref done);
                    _reporter.Progress(new ProgressUpdate(45, $"Repair-DrBackup: reading {store.Location}", $"{n}/{packs.Count} packs, {Units.Bytes(Interlocked.Read(ref bytesRead))}")
                    { PercentComplete = n * 100 / packs.Count });
                    if (data == null) return; // deleted since the listing: the locked pass sees that
                    Interlocked.Add(ref bytesRead, data.Length);
                    if (Json.Sha256Hex(data, data.Length) == pack.PackId) return;
                    using var sha = System.Security.Cryptography.SHA256.Create();
                    foreach (var b in pack.Blobs)
                    {
                        var raw = BlobReader.Decode(data, data.Length, b.Offset, b, sha, key, out var rented, out var error);
                        if (rented != null) LargeBuffers.Return(rented);
                        if (raw == null) found.Add(new DamagedBlob { Blob = b.Id, Pack = pack.PackId, Reason = error!.Message, Found = DateTime.UtcNow });
                    }
                }, ct).ConfigureAwait(false);
                _reporter.Progress(new ProgressUpdate(45, $"Repair-DrBackup: reading {store.Location}", "Done") { Completed = true });
            }

            // 3. The index as it will be: known damage first, so a good copy is preferred to a damaged one.
            var index = new RepositoryIndex();
            var present = new HashSet<string>(rebuilt.Keys, StringComparer.Ordinal);
            foreach (var copy in old.DamagedCopies)
            {
                var slash = copy.IndexOf('/');
                if (present.Contains(copy.Substring(0, slash))) index.MarkDamaged(copy.Substring(0, slash), copy.Substring(slash + 1), "recorded earlier");
            }
            // Findings of the plan still hold unless a backup has stored that pack again since (see ApplyDamageRecords).
            foreach (var d in found.Where(d => present.Contains(d.Pack) && !(old.StoredPacks[d.Pack].LastModifiedUtc > d.Found)))
                index.MarkDamaged(d.Pack, d.Blob, d.Reason);
            foreach (var p in rebuilt.Values.OrderBy(p => p.PackId, StringComparer.Ordinal)) index.Add(p);

            // 4. What the sets lose: every set's file list, read through the new index (which also checks the trees).
            var catalog = await _repo.ReadCatalogAsync(ct).ConfigureAwait(false);
            foreach (var d in catalog.Damaged) _reporter.Warning(d.Error.Message);
            var losses = new List<RepairLoss>();
            var lost = new SortedSet<string>(StringComparer.Ordinal);
            string Why(string blob) => index.TryFind(blob, out _) ? "damaged" : "missing";
            foreach (var m in catalog.Sets)
            {
                await _repo.LoadFilesAsync(m, index, ct).ConfigureAwait(false);
                foreach (var folder in m.DamagedFolders)
                {
                    lost.Add(folder.Tree);
                    losses.Add(new RepairLoss { BackupSetId = m.Id, Path = folder.Path.Length == 0 ? "(single files)" : folder.Path + "/", Blob = folder.Tree, Reason = Why(folder.Tree) });
                }
                foreach (var f in m.Files)
                {
                    var bad = f.Chunks.FirstOrDefault(c => !index.Contains(c));
                    if (bad == null) continue;
                    foreach (var c in f.Chunks.Where(c => !index.Contains(c))) lost.Add(c);
                    losses.Add(new RepairLoss { BackupSetId = m.Id, Path = f.Path, Blob = bad, Reason = Why(bad) });
                }
            }
            foreach (var l in losses) _reporter.Warning($"Backup set {l.BackupSetId}: '{l.Path}' cannot be restored ({l.Reason} blob {l.Blob}).");

            var damaged = index.DamagedCopies.Select(c => new DamagedBlob { Pack = c.Substring(0, c.IndexOf('/')), Blob = c.Substring(c.IndexOf('/') + 1) })
                .OrderBy(d => d.Pack, StringComparer.Ordinal).ThenBy(d => d.Blob, StringComparer.Ordinal).ToList();
            var reasons = found.Concat(index.NewlyDamaged).GroupBy(d => d.Pack + "/" + d.Blob).ToDictionary(g => g.Key, g => g.First());
            var checkedAt = DateTime.UtcNow;
            foreach (var d in damaged)
            {
                var known = reasons.TryGetValue(d.Pack + "/" + d.Blob, out var r) ? r : null;
                d.Reason = known?.Reason ?? "recorded earlier";
                // Still damaged as of this check (records whose pack was stored again since were left out above).
                d.Found = known != null && known.Found != default ? known.Found : checkedAt;
            }
            var recordedBefore = new HashSet<string>(old.DamagedCopies, StringComparer.Ordinal);
            var newly = damaged.Where(d => !recordedBefore.Contains(d.Pack + "/" + d.Blob)).ToList();
            var packList = rebuilt.Values.OrderBy(p => p.PackId, StringComparer.Ordinal).ToList();

            // Nothing to write when one index file already lists exactly these packs and the damage record is current.
            var indexBytes = PackFormat.SerializeIndex(packList);
            var sameIndex = old.IndexKeys.Count == 1 && old.IndexKeys[0] == BackupRepository.IndexPrefix + Json.Sha256Hex(indexBytes, indexBytes.Length)
                            || old.IndexKeys.Count == 0 && packList.Count == 0;
            var sameDamage = newly.Count == 0 && damageFiles.Count == (damaged.Count == 0 ? 0 : 1) && damaged.Count == old.DamagedCopies.Count;
            return new RepairPlan
            {
                Repository = _repo.Location,
                Packs = packList,
                IndexFiles = old.IndexKeys.ToList(),
                MissingPacks = missing,
                UnreadablePacks = unreadable.OrderBy(k => k, StringComparer.Ordinal).ToList(),
                HeaderlessPacks = headerless.OrderBy(k => k, StringComparer.Ordinal).ToList(),
                Damaged = damaged,
                NewlyDamaged = newly,
                DamageRecordFiles = damageFiles,
                LostBlobs = lost.ToList(),
                Losses = losses,
                DamagedSets = catalog.Damaged.Select(d => d.Id).ToList(),
                DataRead = readData,
                BytesRead = bytesRead,
                NothingToChange = sameIndex && sameDamage,
            };
        }
    }
}
