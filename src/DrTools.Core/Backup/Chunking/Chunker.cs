using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Backup.Chunking
{
    /// <summary>Content-defined chunking parameters; fixed per repository in config.json so every run cuts alike.</summary>
    public sealed class ChunkerParameters
    {
        public const string FastCdc = "fastcdc-gear64";

        public string Algorithm { get; set; } = FastCdc;
        public int MinSize { get; set; } = 256 * 1024;
        public int AvgSize { get; set; } = 512 * 1024;
        public int MaxSize { get; set; } = 4 * 1024 * 1024;

        /// <summary>Seeds the gear table (SplitMix64).</summary>
        public ulong Seed { get; set; } = 0x4452_546F_6F6C_7331; // "DRTools1"

        public static ChunkerParameters Default => new();

        /// <summary>The largest MaxSize a repository may name (a chunk is held in memory whole).</summary>
        public const int MaxMaxSize = 64 << 20;
    }

    /// <summary>
    /// FastCDC (Xia et al., 2016) with a 64-bit gear rolling hash and normalized chunking: no cut before MinSize, a
    /// strict mask up to AvgSize and a loose one after it, a forced cut at MaxSize. Cut points depend only on the
    /// bytes just before them, so an edit in the middle of a file changes only the chunks around the edit.
    /// </summary>
    public sealed class Chunker
    {
        readonly ulong[] _gear = new ulong[256];
        readonly ulong _maskS, _maskL;

        public Chunker(ChunkerParameters p)
        {
            if (p.Algorithm != ChunkerParameters.FastCdc)
                throw new NotSupportedException($"Chunking algorithm '{p.Algorithm}' is not supported by this DrTools version.");
            if (p.MinSize < 64 || p.AvgSize <= p.MinSize || p.MaxSize <= p.AvgSize || (p.AvgSize & (p.AvgSize - 1)) != 0)
                throw new ArgumentException("Chunker sizes must satisfy 64 <= Min < Avg < Max with Avg a power of two.");
            Parameters = p;
            var state = p.Seed;
            for (int i = 0; i < 256; i++) _gear[i] = SplitMix64(ref state);
            int bits = 0;
            while ((1 << bits) < p.AvgSize) bits++;
            // Top bits of the gear hash depend on the last 64 bytes (the rolling window); use them for the masks.
            _maskS = TopBits(bits + 2);
            _maskL = TopBits(bits - 2);
        }

        public ChunkerParameters Parameters { get; }

        static ulong TopBits(int n) => n >= 64 ? ulong.MaxValue : ((1UL << n) - 1) << (64 - n);

        static ulong SplitMix64(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>The length of the first chunk of <paramref name="data"/> (all of it when <paramref name="final"/> and shorter than Max).</summary>
        public int FindCut(ReadOnlySpan<byte> data)
        {
            int n = data.Length;
            if (n <= Parameters.MinSize) return n;
            int normal = Math.Min(Parameters.AvgSize, n);
            int end = Math.Min(Parameters.MaxSize, n);
            ulong h = 0;
            int i = Parameters.MinSize;
            var gear = _gear;
            for (; i < normal; i++)
            {
                h = (h << 1) + gear[data[i]];
                if ((h & _maskS) == 0) return i + 1;
            }
            for (; i < end; i++)
            {
                h = (h << 1) + gear[data[i]];
                if ((h & _maskL) == 0) return i + 1;
            }
            return end;
        }

        /// <summary>Reads <paramref name="stream"/> chunk by chunk, holding at most MaxSize bytes (less for a shorter stream) plus the chunk handed out.</summary>
        public ChunkReader Read(Stream stream) => new(this, stream);
    }

    /// <summary>Streams chunks out of a file; each chunk is a fresh array the caller owns.</summary>
    public sealed class ChunkReader : IDisposable
    {
        readonly Chunker _chunker;
        readonly Stream _stream;
        byte[] _buffer;
        int _filled;
        bool _eof;

        internal ChunkReader(Chunker chunker, Stream stream)
        {
            _chunker = chunker;
            _stream = stream;
            // A MaxSize (8 MiB) buffer for every 10 KB file made each small file cost a zeroed large-object-heap
            // array: size it to the stream when its length is known (+1 to see the end without growing).
            var max = chunker.Parameters.MaxSize;
            long left = -1;
            try { if (stream.CanSeek) left = stream.Length - stream.Position; }
            catch (NotSupportedException) { }
            // Rented, and given back on Dispose: a new buffer per small file was a large share of a backup's allocations.
            _buffer = LargeBuffers.Rent(left < 0 || left >= max ? max : (int)left + 1);
        }

        public void Dispose()
        {
            var b = _buffer;
            _buffer = System.Array.Empty<byte>();
            if (b.Length > 0) LargeBuffers.Return(b);
        }

        /// <summary>The next chunk, or null at the end of the stream.</summary>
        public async Task<byte[]?> NextAsync(CancellationToken ct)
        {
            var cut = await FillAndCutAsync(ct).ConfigureAwait(false);
            if (cut == 0) return null;
            var chunk = new byte[cut];
            Take(chunk, cut);
            return chunk;
        }

        /// <summary>
        /// The next chunk in an array rented from <see cref="LargeBuffers"/> (the caller returns it when done
        /// with it), or null at the end of the stream. A backup of gigabytes otherwise leaves a large-object-heap
        /// array of garbage per chunk for the GC to catch up with.
        /// </summary>
        public async Task<PooledChunk?> NextPooledAsync(CancellationToken ct)
        {
            var cut = await FillAndCutAsync(ct).ConfigureAwait(false);
            if (cut == 0) return null;
            var chunk = new PooledChunk(LargeBuffers.Rent(cut), cut);
            Take(chunk.Array, cut);
            return chunk;
        }

        /// <summary>Copies the first <paramref name="cut"/> buffered bytes out and keeps the rest.</summary>
        void Take(byte[] destination, int cut)
        {
            Buffer.BlockCopy(_buffer, 0, destination, 0, cut);
            Buffer.BlockCopy(_buffer, cut, _buffer, 0, _filled - cut);
            _filled -= cut;
        }

        /// <summary>Fills the buffer (up to MaxSize or the end) and returns the next chunk's length; 0 at the end.</summary>
        async Task<int> FillAndCutAsync(CancellationToken ct)
        {
            while (!_eof)
            {
                if (_filled == _buffer.Length)
                {
                    if (_buffer.Length >= _chunker.Parameters.MaxSize) break;
                    // The stream is longer than it said (a file still being written): grow to MaxSize so the cut
                    // points are exactly those of any other read of the same bytes.
                    Array.Resize(ref _buffer, _chunker.Parameters.MaxSize);
                }
                var read = await _stream.ReadAsync(_buffer, _filled, _buffer.Length - _filled, ct).ConfigureAwait(false);
                if (read == 0) _eof = true;
                _filled += read;
            }
            if (_filled == 0) return 0;
            return _eof && _filled <= _chunker.Parameters.MinSize ? _filled : _chunker.FindCut(new ReadOnlySpan<byte>(_buffer, 0, _filled));
        }
    }

    /// <summary>A chunk in a pooled array: the first <see cref="Length"/> bytes of <see cref="Array"/>.</summary>
    public sealed class PooledChunk
    {
        int _returned;

        internal PooledChunk(byte[] array, int length)
        {
            Array = array;
            Length = length;
        }

        public byte[] Array { get; }
        public int Length { get; }

        /// <summary>Gives the array back to the pool; once only, and only when nothing reads it any more.</summary>
        public void Return()
        {
            if (System.Threading.Interlocked.Exchange(ref _returned, 1) == 0) LargeBuffers.Return(Array);
        }
    }
}
