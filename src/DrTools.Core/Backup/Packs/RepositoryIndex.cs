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
        /// <summary>Where a blob's chosen copy is: the pack's ordinal in <see cref="_packList"/> and the blob's position in it.</summary>
        readonly struct Slot
        {
            public Slot(int pack, int entry)
            {
                Pack = pack;
                Entry = entry;
            }

            public readonly int Pack;
            public readonly int Entry;
        }

        // Binary keys and struct values, no object per blob: about 50 bytes a blob here plus 48 in the pack's
        // CompactBlobList (a string-keyed dictionary of BlobLocation records was about 250; issue 16).
        readonly Dictionary<BlobKey, Slot> _blobs = new();
        readonly Dictionary<string, PackContents> _packs = new(StringComparer.Ordinal);
        readonly Dictionary<string, int> _packOrdinals = new(StringComparer.Ordinal);
        readonly List<PackContents> _packList = new();

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
        /// The repository holds a usable copy of the blob: in a pack that exists, not known to be damaged. A backup stores
        /// a blob again when this is false, so a damaged or lost chunk or tree is replaced by the next backup of the same data.
        /// </summary>
        public bool Contains(string blobId) =>
            BlobKey.TryParse(blobId, out var key) && _blobs.TryGetValue(key, out var at) && Rank(_packList[at.Pack].PackId, blobId) == 0;

        /// <summary>Where to read the blob: the best copy by <see cref="Rank"/> (a good copy in a pack that exists when there is one).</summary>
        public bool TryFind(string blobId, out BlobLocation location)
        {
            if (BlobKey.TryParse(blobId, out var key) && _blobs.TryGetValue(key, out var at))
            {
                var pack = _packList[at.Pack];
                location = new BlobLocation(pack.PackId, pack.Blobs[at.Entry]);
                return true;
            }
            location = null!;
            return false;
        }

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
            // No string built on the common path: a backup asks this for every chunk of every unchanged file.
            lock (_damaged) return _damaged.Count > 0 && _damaged.Contains(packId + "/" + blobId);
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
        /// blob can write a pack of the same name, now whole).
        /// </summary>
        void ApplyDamageRecords(IEnumerable<DamagedBlob> records)
        {
            foreach (var d in records)
            {
                if (StoredPacks.TryGetValue(d.Pack, out var stored) && stored.LastModifiedUtc > d.Found) continue;
                MarkDamaged(d.Pack, d.Blob, d.Reason, recorded: true);
            }
        }

        // True once StoredPacks holds the listing of data/: from then on a pack not in it is missing, unless this run
        // wrote it (added since).
        bool _listed;
        readonly HashSet<string> _addedSinceListing = new(StringComparer.Ordinal);

        bool PackPresent(string packId) => !_listed || StoredPacks.ContainsKey(packId) || _addedSinceListing.Contains(packId);

        /// <summary>
        /// How good a copy is, lower is better: 0 a copy in a pack that exists and is not known to be damaged, 1 a damaged
        /// copy in a pack that exists, 2 a copy in a pack that is gone (3 if also damaged). One rule for every reader, the
        /// backup (<see cref="Contains"/>) and prune's in-use test, so an entry of a missing pack or a damaged copy never
        /// hides a good copy elsewhere (prune would count that good copy as unused and delete it).
        /// </summary>
        int Rank(string packId, string blobId) => (PackPresent(packId) ? 0 : 2) + (IsDamaged(packId, blobId) ? 1 : 0);

        public void Add(PackContents pack)
        {
            if (!_packs.ContainsKey(pack.PackId)) _packs[pack.PackId] = pack;
            if (_listed) _addedSinceListing.Add(pack.PackId);
            // A slot names the very contents its entry came from (a pack listed twice has one ordinal per listing).
            var ordinal = _packList.Count;
            _packList.Add(pack);
            if (!_packOrdinals.ContainsKey(pack.PackId)) _packOrdinals[pack.PackId] = ordinal;
            OfferAll(pack, ordinal);
        }

        /// <summary>Offers every blob of the pack (<see cref="Offer"/>).</summary>
        void OfferAll(PackContents pack, int ordinal)
        {
            if (pack.Blobs is CompactBlobList compact)
            {
                for (int i = 0; i < compact.Count; i++) Offer(ordinal, i, compact.KeyAt(i), null);
                return;
            }
            for (int i = 0; i < pack.Blobs.Count; i++)
                if (BlobKey.TryParse(pack.Blobs[i].Id, out var key)) Offer(ordinal, i, key, pack.Blobs[i].Id);
        }

        /// <summary>Keeps the better of the blob's current copy and this one (the first of equals).</summary>
        void Offer(int pack, int entry, BlobKey key, string? id)
        {
            if (!_blobs.TryGetValue(key, out var at)) { _blobs[key] = new Slot(pack, entry); return; }
            if (at.Pack == pack) return;
            id ??= key.ToString();
            if (Rank(_packList[pack].PackId, id) < Rank(_packList[at.Pack].PackId, id)) _blobs[key] = new Slot(pack, entry);
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
                var contents = await ReadHeaderAsync(store, o, token).ConfigureAwait(false);
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
            // Now that data/ is listed and the damage known, choose every blob's copy again by the one rule.
            index._listed = true;
            foreach (var pack in index._packs.Values.OrderBy(p => p.PackId, StringComparer.Ordinal).ToList())
                index.OfferAll(pack, index._packOrdinals[pack.PackId]);
            return index;
        }

        /// <summary>A pack's own header: one ranged read of its tail (two when the header is larger than that); null when it is not a readable pack.</summary>
        internal static async Task<PackContents?> ReadHeaderAsync(IRepositoryStore store, StoredObject pack, CancellationToken ct)
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
