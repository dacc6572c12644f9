using System;
using System.Buffers;
using System.Collections.Concurrent;
using ZstdSharp;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>
    /// Compresses blobs with zstd (level 1: text-like data shrinks to about a third at a few hundred MB/s, and
    /// incompressible data is recognised at memory speed). A blob is stored compressed only when that saves at
    /// least 1/32 of it, so random data and already-compressed files are stored as they are.
    /// </summary>
    internal static class BlobCodec
    {
        const int Level = 1;
        // Contexts are pooled, not per thread: thread-pool threads come and go, and each context holds a few MB.
        static readonly ConcurrentBag<Compressor> Compressors = new();
        static readonly ConcurrentBag<Decompressor> Decompressors = new();

        /// <summary>
        /// The bytes to store for <paramref name="length"/> raw bytes: the compressed form in an array from
        /// <see cref="LargeBuffers"/> (the caller returns it), or null to store the blob raw.
        /// </summary>
        public static ArraySegment<byte>? TryCompress(byte[] raw, int offset, int length)
        {
            if (length < 64) return null;
            // Room for the raw size only: output that would not fit is not worth storing compressed (zstd then
            // stops with "destination too small"), and the buffer stays in the raw size's pool bucket.
            var output = LargeBuffers.Rent(length);
            if (!Compressors.TryTake(out var compressor)) compressor = new Compressor(Level);
            int written;
            try { written = compressor.Wrap(new ReadOnlySpan<byte>(raw, offset, length), new Span<byte>(output, 0, length)); }
            catch (ZstdException) { written = int.MaxValue; }
            catch (ArgumentException) { written = int.MaxValue; }
            finally { Compressors.Add(compressor); }
            if (written > length - length / 32)
            {
                LargeBuffers.Return(output);
                return null;
            }
            return new ArraySegment<byte>(output, 0, written);
        }

        /// <summary>Expands a compressed blob into exactly <paramref name="rawLength"/> bytes of <paramref name="output"/>; false when it is damaged.</summary>
        public static bool TryDecompress(byte[] stored, int offset, int length, byte[] output, int rawLength)
        {
            if (!Decompressors.TryTake(out var decompressor)) decompressor = new Decompressor();
            try
            {
                var n = decompressor.Unwrap(new ReadOnlySpan<byte>(stored, offset, length), new Span<byte>(output, 0, rawLength));
                return n == rawLength;
            }
            catch (ZstdException) { return false; }
            catch (ArgumentException) { return false; }
            finally { Decompressors.Add(decompressor); }
        }
    }
}
