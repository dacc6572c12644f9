using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>
    /// Reads many blobs with few requests: groups them by pack and reads each pack's needed span in one ranged read
    /// (neighbouring blobs less than <see cref="MaxGap"/> apart share a read), then checks every blob against its
    /// name. A blob that is missing or damaged is reported on its own; the others are still delivered.
    /// </summary>
    internal sealed class BlobReader
    {
        /// <summary>Reading up to 1 MiB of unneeded bytes costs less than another request.</summary>
        const int MaxGap = 1 << 20;

        /// <summary>Spans are cut at this size (a pack's, so most packs are one read), so a worker holds at most this much at once.</summary>
        const int MaxSpan = PackWriter.DefaultTargetSize;

        readonly IRepositoryStore _store;
        readonly RepositoryIndex _index;

        public BlobReader(IRepositoryStore store, RepositoryIndex index)
        {
            _store = store;
            _index = index;
        }

        /// <summary>
        /// Delivers each blob in <paramref name="ids"/> once to <paramref name="onBlob"/> (raw bytes, verified, in a
        /// pooled buffer that is reused once the call's task completes: copy what must outlive it), or
        /// reports it to <paramref name="onError"/> (DrTools.ChunkMissing or DrTools.IntegrityError). Calls come from
        /// up to <paramref name="concurrency"/> workers at once. Blobs in <paramref name="checkedByCaller"/> are not
        /// hashed here: the caller checks them another way (a restore hashes the whole file they belong to).
        /// </summary>
        public async Task ReadAsync(IEnumerable<string> ids, int concurrency, Func<string, ArraySegment<byte>, CancellationToken, Task> onBlob,
            Action<string, DrToolsException> onError, CancellationToken ct, ISet<string>? checkedByCaller = null)
        {
            // Packs are read in the order the caller first needs them (a restore: file by file, so a large file's
            // chunks arrive nearly in order and can be hashed as they come).
            var byPack = new Dictionary<string, List<BlobEntry>>(StringComparer.Ordinal);
            var packOrder = new List<string>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (!_index.TryFind(id, out var location))
                {
                    onError(id, BackupErrors.ChunkMissing(id, null));
                    continue;
                }
                if (!byPack.TryGetValue(location.PackId, out var list))
                {
                    byPack[location.PackId] = list = new List<BlobEntry>();
                    packOrder.Add(location.PackId);
                }
                list.Add(location.Entry);
            }
            var spans = new List<(string Pack, List<BlobEntry> Blobs)>();
            foreach (var kv in packOrder.Select(p => new KeyValuePair<string, List<BlobEntry>>(p, byPack[p])))
            {
                var sorted = kv.Value.OrderBy(b => b.Offset).ToList();
                var current = new List<BlobEntry> { sorted[0] };
                for (int i = 1; i < sorted.Count; i++)
                {
                    var start = current[0].Offset;
                    var lastEnd = current[current.Count - 1].Offset + current[current.Count - 1].Length;
                    var b = sorted[i];
                    if (b.Offset - lastEnd <= MaxGap && b.Offset + b.Length - start <= MaxSpan) current.Add(b);
                    else
                    {
                        spans.Add((kv.Key, current));
                        current = new List<BlobEntry> { b };
                    }
                }
                spans.Add((kv.Key, current));
            }
            await ParallelWork.ForEachAsync(spans, concurrency, async (span, token) =>
            {
                var start = span.Blobs[0].Offset;
                var end = span.Blobs[span.Blobs.Count - 1].Offset + span.Blobs[span.Blobs.Count - 1].Length;
                var key = PackWriter.PackKey(span.Pack);
                var (data, filled) = await ReadPooledAsync(key, start, end - start, token).ConfigureAwait(false);
                try
                {
                using var sha = SHA256.Create();
                foreach (var b in span.Blobs)
                {
                    if (data == null)
                    {
                        onError(b.Id, new DrToolsException(BackupErrorIds.ChunkMissing, DrErrorCategory.ObjectNotFound,
                            $"Chunk {b.Id} is missing from the repository: its pack {key} does not exist.", b.Id,
                            "The repository is damaged. Run Test-DrRestore -VerifyOnly to list every affected file; restore those from another backup set or repository copy."));
                        continue;
                    }
                    var raw = Decode(data, filled, b.Offset - start, b, checkedByCaller?.Contains(b.Id) == true ? null : sha, key, out var rented, out var error);
                    try
                    {
                        if (raw == null)
                        {
                            // This copy is damaged: the next backup stores the blob again (RepositoryIndex.Contains).
                            _index.MarkDamaged(span.Pack, b.Id, error!.Message);
                            onError(b.Id, error!);
                        }
                        else await onBlob(b.Id, raw.Value, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        if (rented != null) LargeBuffers.Return(rented);
                    }
                }
                }
                finally
                {
                    if (data != null) LargeBuffers.Return(data);
                }
            }, ct).ConfigureAwait(false);
        }

        /// <summary>One ranged read into a pooled array; (null, 0) when the pack does not exist.</summary>
        async Task<(byte[]? Data, int Filled)> ReadPooledAsync(string key, long offset, int length, CancellationToken ct)
        {
            using var stream = await _store.OpenRangeAsync(key, offset, length, ct).ConfigureAwait(false);
            if (stream == null) return (null, 0);
            var data = LargeBuffers.Rent(Math.Max(1, length));
            try
            {
                return (data, await StreamReads.FillAsync(stream, data, length, ct).ConfigureAwait(false));
            }
            catch
            {
                LargeBuffers.Return(data);
                throw;
            }
        }

        /// <summary>A blob's raw bytes, checked against its name: a slice of the read buffer, or a pooled array when it was compressed.</summary>
        internal static ArraySegment<byte>? Decode(byte[] data, int filled, int offset, BlobEntry b, SHA256? sha, string packKey, out byte[]? rented, out DrToolsException? error)
        {
            error = null;
            rented = null;
            if (offset + b.Length > filled)
            {
                error = BackupErrors.Integrity($"Chunk {b.Id} is corrupt: its pack {packKey} is shorter than the index says.", b.Id);
                return null;
            }
            ArraySegment<byte>? raw;
            if (!b.Compressed) raw = new ArraySegment<byte>(data, offset, b.Length);
            else
            {
                rented = LargeBuffers.Rent(Math.Max(1, b.RawLength));
                raw = BlobCodec.TryDecompress(data, offset, b.Length, rented, b.RawLength) ? new ArraySegment<byte>(rented, 0, b.RawLength) : null;
            }
            if (raw != null && sha == null) return raw;
            var actual = raw is { } r ? Json.Hex(sha!.ComputeHash(r.Array!, r.Offset, r.Count)) : "(does not decompress)";
            if (raw == null || actual != b.Id)
            {
                error = BackupErrors.Integrity($"Chunk {b.Id} in pack {packKey} is corrupt (its content hashes to {actual}).", b.Id);
                return null;
            }
            return raw;
        }
    }
}
