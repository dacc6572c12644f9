using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Storage;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>
    /// Collects blobs into packs of about <see cref="TargetSize"/> bytes and uploads each full pack, with a bounded
    /// number in flight (so memory stays bounded). Safe for concurrent <see cref="AddAsync"/> calls. A pack is only
    /// listed by <see cref="FinishAsync"/> once its upload was verified; nothing is indexed before that.
    /// </summary>
    internal sealed class PackWriter
    {
        /// <summary>
        /// 8 MiB: a few hundred requests per 2 GB instead of one per file, while the packs in flight stay small (16 MiB
        /// packs, restic's size, took a backup's peak memory past 300 MB with 4 in flight).
        /// </summary>
        public const int DefaultTargetSize = 8 << 20;

        readonly IRepositoryStore _store;
        readonly BlobKind _kind;
        readonly SemaphoreSlim _slots;
        readonly int _maxInFlight;
        readonly CancellationToken _ct;
        readonly object _gate = new();
        readonly List<Task> _uploads = new();
        readonly ConcurrentQueue<PackContents> _stored = new();
        readonly ConcurrentBag<byte[]> _buffers = new();
        PackBuilder? _current;
        ExceptionDispatchInfo? _failure;
        long _uploadedBytes, _rawBytes, _blobs;

        public PackWriter(IRepositoryStore store, BlobKind kind, int maxInFlight, CancellationToken ct, int targetSize = DefaultTargetSize)
        {
            _store = store;
            _kind = kind;
            _maxInFlight = Math.Max(1, maxInFlight);
            _slots = new SemaphoreSlim(_maxInFlight);
            _ct = ct;
            TargetSize = targetSize;
        }

        public int TargetSize { get; }

        /// <summary>Bytes of packs stored so far (what went over the wire).</summary>
        public long UploadedBytes => Interlocked.Read(ref _uploadedBytes);

        /// <summary>Raw (uncompressed) bytes and count of the blobs added.</summary>
        public long RawBytes => Interlocked.Read(ref _rawBytes);
        public long Blobs => Interlocked.Read(ref _blobs);

        public static string PackKey(string packId) => BackupRepository.DataPrefix + packId.Substring(0, 2) + "/" + packId;

        /// <summary>
        /// Adds a blob (compressed here when that pays). The caller has made sure the repository and this run do not
        /// already hold <paramref name="id"/>; the bytes are copied, so the caller may reuse its array on return.
        /// </summary>
        public Task AddAsync(string id, byte[] raw, int length, CancellationToken ct) => AddAsync(id, new ArraySegment<byte>(raw, 0, length), ct);

        public async Task AddAsync(string id, ArraySegment<byte> blob, CancellationToken ct)
        {
            ThrowIfFailed();
            byte[] raw = blob.Array!;
            int length = blob.Count;
            var compressed = BlobCodec.TryCompress(raw, blob.Offset, length);
            PackBuilder? full = null;
            try
            {
                var stored = compressed?.Count ?? length;
                lock (_gate)
                {
                    // Seal before a blob would take the pack past its size: packs stay within one fixed buffer.
                    if (_current != null && _current.Length > 0 && _current.Length + stored > TargetSize)
                    {
                        full = _current;
                        _current = null;
                    }
                    _current ??= new PackBuilder(RentBuffer());
                    if (compressed is { } c) _current.Add(id, _kind, true, c.Array!, c.Offset, c.Count, length);
                    else _current.Add(id, _kind, false, raw, blob.Offset, length, length);
                }
            }
            finally
            {
                if (compressed is { } c) LargeBuffers.Return(c.Array!);
            }
            Interlocked.Add(ref _rawBytes, length);
            Interlocked.Increment(ref _blobs);
            if (full != null) await UploadAsync(full, ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Reads <paramref name="ids"/> from their packs (checked against their names) and packs them anew in
        /// <paramref name="destination"/>, chunks and trees apart: a copy to another repository, or a prune rewriting
        /// packs without their unused chunks. A missing or damaged blob stops it. Returns the packs stored.
        /// </summary>
        public static async Task<List<PackContents>> RepackAsync(IRepositoryStore source, RepositoryIndex sourceIndex, IEnumerable<string> ids,
            IRepositoryStore destination, int concurrency, Action<int>? onChunk, CancellationToken ct)
        {
            var data = new PackWriter(destination, BlobKind.Data, concurrency, ct);
            var trees = new PackWriter(destination, BlobKind.Tree, 1, ct);
            try
            {
                await new BlobReader(source, sourceIndex).ReadAsync(ids, concurrency, async (id, raw, token) =>
                {
                    sourceIndex.TryFind(id, out var at);
                    await (at.Entry.Kind == BlobKind.Tree ? trees : data).AddAsync(id, raw, token).ConfigureAwait(false);
                    if (at.Entry.Kind == BlobKind.Data) onChunk?.Invoke(raw.Count);
                }, (_, error) => throw error, ct).ConfigureAwait(false);
                var packs = await data.FinishAsync(ct).ConfigureAwait(false);
                packs.AddRange(await trees.FinishAsync(ct).ConfigureAwait(false));
                return packs;
            }
            finally
            {
                await data.DrainAsync().ConfigureAwait(false);
                await trees.DrainAsync().ConfigureAwait(false);
            }
        }

        /// <summary>Uploads the last, partly filled pack, waits for every upload, and lists the stored packs.</summary>
        public async Task<List<PackContents>> FinishAsync(CancellationToken ct)
        {
            PackBuilder? last;
            lock (_gate)
            {
                last = _current;
                _current = null;
            }
            if (last != null && last.Count > 0) await UploadAsync(last, ct).ConfigureAwait(false);
            await DrainAsync().ConfigureAwait(false);
            ThrowIfFailed();
            return _stored.ToList();
        }

        /// <summary>Waits until no upload is in flight (after a failure or cancellation, before the run's lock goes).</summary>
        public async Task DrainAsync()
        {
            Task[] all;
            lock (_gate) all = _uploads.ToArray();
            await Task.WhenAll(all).ConfigureAwait(false);
        }

        void ThrowIfFailed() => _failure?.Throw();

        async Task UploadAsync(PackBuilder pack, CancellationToken ct)
        {
            // Wait for a slot before sealing: this is what bounds the packs held in memory.
            await _slots.WaitAsync(ct).ConfigureAwait(false);
            var task = Task.Run(async () =>
            {
                try
                {
                    var (packId, sha, length) = pack.Seal();
                    await _store.PutAsync(PackKey(packId), pack.Buffer, length, sha, _ct).ConfigureAwait(false);
                    _stored.Enqueue(new PackContents(packId, CompactBlobList.From(pack.Entries)));
                    Interlocked.Add(ref _uploadedBytes, length);
                }
                catch (Exception ex)
                {
                    lock (_gate) _failure ??= ExceptionDispatchInfo.Capture(ex);
                }
                finally
                {
                    if (_buffers.Count <= _maxInFlight && pack.Buffer.Length <= TargetSize + (1 << 18)) _buffers.Add(pack.Buffer);
                    _slots.Release();
                }
            });
            lock (_gate) _uploads.Add(task);
        }

        // Room for the blobs and the header (41 bytes a blob: 256 KiB covers 6 000 blobs; more grow the buffer once).
        byte[] RentBuffer() => _buffers.TryTake(out var b) ? b : new byte[TargetSize + (1 << 18)];

        /// <summary>One pack being filled: blob bytes back to back, then (on seal) the header and trailer.</summary>
        sealed class PackBuilder
        {
            public PackBuilder(byte[] buffer) => Buffer = buffer;

            public byte[] Buffer { get; private set; }
            public int Length { get; private set; }
            public List<BlobEntry> Entries { get; } = new();
            public int Count => Entries.Count;

            public void Add(string id, BlobKind kind, bool compressed, byte[] data, int offset, int count, int rawLength)
            {
                Ensure(Length + count);
                System.Buffer.BlockCopy(data, offset, Buffer, Length, count);
                Entries.Add(new BlobEntry(id, kind, compressed, Length, count, rawLength));
                Length += count;
            }

            public (string PackId, byte[] Sha256, int Length) Seal()
            {
                var trailer = PackFormat.Trailer(Entries);
                Ensure(Length + trailer.Length);
                System.Buffer.BlockCopy(trailer, 0, Buffer, Length, trailer.Length);
                var total = Length + trailer.Length;
                using var sha = SHA256.Create();
                var digest = sha.ComputeHash(Buffer, 0, total);
                return (Json.Hex(digest), digest, total);
            }

            void Ensure(int size)
            {
                if (size <= Buffer.Length) return;
                var bigger = new byte[Math.Max(size, Buffer.Length + Buffer.Length / 2)];
                System.Buffer.BlockCopy(Buffer, 0, bigger, 0, Length);
                Buffer = bigger;
            }
        }
    }
}
