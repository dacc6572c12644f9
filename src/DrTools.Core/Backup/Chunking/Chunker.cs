using System;
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
        public int MinSize { get; set; } = 512 * 1024;
        public int AvgSize { get; set; } = 1024 * 1024;
        public int MaxSize { get; set; } = 8 * 1024 * 1024;

        /// <summary>Seeds the gear table (SplitMix64).</summary>
        public ulong Seed { get; set; } = 0x4452_546F_6F6C_7331; // "DRTools1"

        public static ChunkerParameters Default => new();
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

        /// <summary>Reads <paramref name="stream"/> chunk by chunk, holding at most MaxSize bytes plus the chunk handed out.</summary>
        public ChunkReader Read(Stream stream) => new(this, stream);
    }

    /// <summary>Streams chunks out of a file; each chunk is a fresh array the caller owns.</summary>
    public sealed class ChunkReader
    {
        readonly Chunker _chunker;
        readonly Stream _stream;
        readonly byte[] _buffer;
        int _filled;
        bool _eof;

        internal ChunkReader(Chunker chunker, Stream stream)
        {
            _chunker = chunker;
            _stream = stream;
            _buffer = new byte[chunker.Parameters.MaxSize];
        }

        /// <summary>The next chunk, or null at the end of the stream.</summary>
        public async Task<byte[]?> NextAsync(CancellationToken ct)
        {
            while (!_eof && _filled < _buffer.Length)
            {
                var read = await _stream.ReadAsync(_buffer, _filled, _buffer.Length - _filled, ct).ConfigureAwait(false);
                if (read == 0) _eof = true;
                _filled += read;
            }
            if (_filled == 0) return null;
            var cut = _eof && _filled <= _chunker.Parameters.MinSize ? _filled : _chunker.FindCut(new ReadOnlySpan<byte>(_buffer, 0, _filled));
            var chunk = new byte[cut];
            Buffer.BlockCopy(_buffer, 0, chunk, 0, cut);
            Buffer.BlockCopy(_buffer, cut, _buffer, 0, _filled - cut);
            _filled -= cut;
            return chunk;
        }
    }
}
