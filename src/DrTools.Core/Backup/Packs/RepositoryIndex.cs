using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>Where one blob is stored.</summary>
    public sealed record BlobLocation(string PackId, BlobEntry Entry);

    /// <summary>
    /// Every blob the repository holds and the pack it is in: the index files, plus packs no index lists yet (left
    /// by an interrupted or running backup), read from their own headers. Built once per operation.
    /// </summary>
    public sealed class RepositoryIndex
    {
        readonly Dictionary<string, BlobLocation> _blobs = new(StringComparer.Ordinal);
        readonly Dictionary<string, PackContents> _packs = new(StringComparer.Ordinal);

        /// <summary>The index files this was read from (a prune replaces them).</summary>
        public List<string> IndexKeys { get; } = new();

        /// <summary>Packs as listed in data/ (key, size, time); packs an index names that are not here are missing.</summary>
        public Dictionary<string, StoredObject> StoredPacks { get; } = new(StringComparer.Ordinal);

        /// <summary>Packs found in data/ but in no index file; their blobs are included above.</summary>
        public List<PackContents> Unindexed { get; } = new();

        /// <summary>Objects in data/ that are not readable DrTools packs (never deleted automatically).</summary>
        public List<string> Unreadable { get; } = new();

        public int Count => _blobs.Count;
        public IEnumerable<PackContents> Packs => _packs.Values;

        /// <summary>
        /// The repository holds a usable copy of the blob: one not known to be damaged. A backup stores a blob again
        /// when this is false, so a damaged chunk or tree is replaced by the next backup of the same data.
        /// </summary>
        public bool Contains(string blobId) => _blobs.TryGetValue(blobId, out var at) && !IsDamaged(at.PackId, blobId);

        /// <summary>Where to read the blob: a copy not known to be damaged when there is one.</summary>
        public bool TryFind(string blobId, out BlobLocation location) => _blobs.TryGetValue(blobId, out location!);
        public bool HasPack(string packId) => _packs.ContainsKey(packId);

        // Copies of blobs found damaged (by verify, restore, backup or repair): "pack/blob".
        readonly HashSet<string> _damaged = new(StringComparer.Ordinal);
        readonly List<DamagedBlob> _newlyDamaged = new();

        /// <summary>Damaged copies recorded in the repository (damaged/) or found by this run.</summary>
        public IReadOnlyCollection<string> DamagedCopies { get { lock (_damaged) return _damaged.ToList(); } }

        /// <summary>Damaged copies this run found that the repository has no record of yet.</summary>
        public IReadOnlyList<DamagedBlob> NewlyDamaged { get { lock (_damaged) return _newlyDamaged.ToList(); } }

        public bool IsDamaged(string packId, string blobId)
        {
            lock (_damaged) return _damaged.Contains(packId + "/" + blobId);
        }

        /// <summary>
        /// Notes that the copy of <paramref name="blobId"/> in <paramref name="packId"/> is damaged (safe from reader
        /// threads): <see cref="Contains"/> is false until a good copy is added, and a good copy added later (or read
        /// by the next operation) is preferred to it.
        /// </summary>
        public void MarkDamaged(string packId, string blobId, string reason, bool recorded = false)
        {
            lock (_damaged)
            {
                if (!_damaged.Add(packId + "/" + blobId)) return;
                if (!recorded) _newlyDamaged.Add(new DamagedBlob { Blob = blobId, Pack = packId, Reason = reason });
            }
        }

        /// <summary>
        /// Marks the recorded damaged copies, except in packs stored again since (a backup that re-stores a damaged
        /// blob can write a pack of the same name, now whole), and points each such blob at a good copy when one exists.
        /// </summary>
        void ApplyDamageRecords(IEnumerable<DamagedBlob> records)
        {
            var marked = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in records)
            {
                if (StoredPacks.TryGetValue(d.Pack, out var stored) && stored.LastModifiedUtc > d.Found) continue;
                MarkDamaged(d.Pack, d.Blob, d.Reason, recorded: true);
                marked.Add(d.Blob);
            }
            if (marked.Count == 0) return;
            foreach (var pack in _packs.Values)
                foreach (var b in pack.Blobs)
                    if (marked.Contains(b.Id) && _blobs.TryGetValue(b.Id, out var at) && IsDamaged(at.PackId, b.Id) && !IsDamaged(pack.PackId, b.Id))
                        _blobs[b.Id] = new BlobLocation(pack.PackId, b);
        }

        public void Add(PackContents pack)
        {
            if (!_packs.ContainsKey(pack.PackId)) _packs[pack.PackId] = pack;
            foreach (var b in pack.Blobs)
                // A copy known to be damaged gives way to a good one (the next backup of the same data stores it again).
                if (!_blobs.TryGetValue(b.Id, out var at) || (IsDamaged(at.PackId, b.Id) && !IsDamaged(pack.PackId, b.Id)))
                    _blobs[b.Id] = new BlobLocation(pack.PackId, b);
        }

        internal static string PackIdOf(string key)
        {
            var name = key.Substring(key.LastIndexOf('/') + 1);
            return name.Length == 64 && name.All(Uri.IsHexDigit) ? name.ToLowerInvariant() : "";
        }

        /// <summary>Reads the index files (checking each against its name) and the headers of unindexed packs.</summary>
        public static async Task<RepositoryIndex> LoadAsync(IRepositoryStore store, IOperationReporter reporter, CancellationToken ct)
        {
            var index = new RepositoryIndex();
            var damageRecords = await DamageRecords.ReadAsync(store, reporter, ct).ConfigureAwait(false);
            var indexFiles = await store.ListAsync(BackupRepository.IndexPrefix, ct).ConfigureAwait(false);
            var read = new ConcurrentDictionary<string, List<PackContents>>(StringComparer.Ordinal);
            await ParallelWork.ForEachAsync(indexFiles, 8, async (o, token) =>
            {
                var name = PackIdOf(o.Key);
                if (name.Length == 0) return;
                var bytes = await BackupRepository.ReadAllAsync(store, o.Key, token).ConfigureAwait(false);
                if (bytes == null) return; // deleted by a prune since the listing; its replacement is listed too
                if (Json.Sha256Hex(bytes, bytes.Length) != name)
                {
                    reporter.Warning($"Index file {o.Key} in {store.Location} is damaged (it does not hash to its name); the packs it lists are read from their own headers instead.");
                    return;
                }
                try { read[o.Key] = PackFormat.ParseIndex(bytes); }
                catch (InvalidDataException ex)
                {
                    reporter.Warning($"Index file {o.Key} in {store.Location} cannot be read ({ex.Message}); the packs it lists are read from their own headers instead.");
                }
            }, ct).ConfigureAwait(false);
            foreach (var kv in read.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                index.IndexKeys.Add(kv.Key);
                foreach (var p in kv.Value) index.Add(p);
            }

            foreach (var o in await store.ListAsync(BackupRepository.DataPrefix, ct).ConfigureAwait(false))
            {
                var id = PackIdOf(o.Key);
                if (id.Length == 0 || o.Key != PackWriter.PackKey(id)) continue; // temporary files of a folder store, strays
                index.StoredPacks[id] = o;
            }
            var orphans = index.StoredPacks.Values.Where(o => !index.HasPack(PackIdOf(o.Key))).ToList();
            var adopted = new ConcurrentBag<PackContents>();
            await ParallelWork.ForEachAsync(orphans, 8, async (o, token) =>
            {
                var contents = await ReadPackHeaderAsync(store, o, token).ConfigureAwait(false);
                if (contents == null)
                {
                    lock (index.Unreadable) index.Unreadable.Add(o.Key);
                    reporter.Warning($"{o.Key} in {store.Location} is not a readable DrTools pack; it is left alone.");
                }
                else adopted.Add(contents);
            }, ct).ConfigureAwait(false);
            foreach (var p in adopted.OrderBy(p => p.PackId, StringComparer.Ordinal))
            {
                index.Unindexed.Add(p);
                index.Add(p);
            }
            index.ApplyDamageRecords(damageRecords);
            if (index.Unindexed.Count > 0)
                reporter.Verbose($"{index.Unindexed.Count} pack(s) in {store.Location} are in no index yet (an interrupted or running backup); read their headers.");
            index.PreferStoredCopies();
            return index;
        }

        /// <summary>
        /// A blob listed in several packs is found in one that exists: an index may still name a pack that is gone,
        /// and that entry must not hide a surviving copy (readers would call the blob missing, and prune would count
        /// the copy as unused and delete it).
        /// </summary>
        void PreferStoredCopies()
        {
            var gone = new HashSet<string>(_packs.Keys.Where(id => !StoredPacks.ContainsKey(id)), StringComparer.Ordinal);
            if (gone.Count == 0) return;
            foreach (var pack in _packs.Values.Where(p => !gone.Contains(p.PackId)).OrderBy(p => p.PackId, StringComparer.Ordinal).ToList())
                foreach (var b in pack.Blobs)
                    if (_blobs.TryGetValue(b.Id, out var at) && gone.Contains(at.PackId))
                        _blobs[b.Id] = new BlobLocation(pack.PackId, b);
        }

        /// <summary>A pack's own header: one ranged read of its tail (two when the header is larger than that).</summary>
        static async Task<PackContents?> ReadPackHeaderAsync(IRepositoryStore store, StoredObject pack, CancellationToken ct)
        {
            if (pack.Size < 12) return null;
            var tailLength = (int)Math.Min(pack.Size, 64 * 1024);
            var tail = await ReadRangeAsync(store, pack.Key, pack.Size - tailLength, tailLength, ct).ConfigureAwait(false);
            if (tail == null || tail.Length != tailLength) return null;
            var headerLength = PackFormat.HeaderLength(tail, tail.Length);
            if (headerLength == null || headerLength.Value + 8 > pack.Size) return null;
            byte[] header;
            int offset;
            if (headerLength.Value + 8 <= tail.Length)
            {
                header = tail;
                offset = tail.Length - 8 - headerLength.Value;
            }
            else
            {
                var h = await ReadRangeAsync(store, pack.Key, pack.Size - 8 - headerLength.Value, headerLength.Value, ct).ConfigureAwait(false);
                if (h == null || h.Length != headerLength.Value) return null;
                header = h;
                offset = 0;
            }
            var blobs = PackFormat.ParseHeader(header, offset, headerLength.Value);
            if (blobs == null) return null;
            var end = blobs.Count == 0 ? 0 : blobs[blobs.Count - 1].Offset + blobs[blobs.Count - 1].Length;
            return end + headerLength.Value + 8 == pack.Size ? new PackContents(PackIdOf(pack.Key), blobs) : null;
        }

        /// <summary>A pack's own header: one ranged read of its tail (two when the header is larger than that); null when it is not a readable pack.</summary>
        internal static Task<PackContents?> ReadHeaderAsync(IRepositoryStore store, StoredObject pack, CancellationToken ct) => ReadPackHeaderAsync(store, pack, ct);

        internal static async Task<byte[]?> ReadRangeAsync(IRepositoryStore store, string key, long offset, int length, CancellationToken ct)
        {
            using var stream = await store.OpenRangeAsync(key, offset, length, ct).ConfigureAwait(false);
            if (stream == null) return null;
            var data = new byte[length];
            var filled = await StreamReads.FillAsync(stream, data, length, ct).ConfigureAwait(false);
            return filled == length ? data : BackupRepository.SubArray(data, filled);
        }
    }
}
