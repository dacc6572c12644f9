using System;
using System.Threading;
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
        static readonly ThreadLocal<Compressor> Compressors = new(() => new Compressor(Level));
        static readonly ThreadLocal<Decompressor> Decompressors = new(() => new Decompressor());

        /// <summary>
        /// The bytes to store for <paramref name="length"/> raw bytes: a new array with the compressed form, or null
        /// when the blob is to be stored raw.
        /// </summary>
        public static ArraySegment<byte>? TryCompress(byte[] raw, int length)
        {
            if (length < 64) return null;
            var bound = Compressor.GetCompressBound(length);
            var output = new byte[bound];
            int written;
            try { written = Compressors.Value!.Wrap(new ReadOnlySpan<byte>(raw, 0, length), output); }
            catch (ZstdException) { return null; }
            if (written > length - length / 32) return null;
            return new ArraySegment<byte>(output, 0, written);
        }

        /// <summary>Expands a compressed blob into exactly <paramref name="rawLength"/> bytes; null when it is damaged.</summary>
        public static byte[]? Decompress(byte[] stored, int offset, int length, int rawLength)
        {
            var output = new byte[rawLength];
            try
            {
                var n = Decompressors.Value!.Unwrap(new ReadOnlySpan<byte>(stored, offset, length), output);
                return n == rawLength ? output : null;
            }
            catch (ZstdException) { return null; }
            catch (ArgumentException) { return null; }
        }
    }
}
