using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Aws.S3
{
    /// <summary>
    /// A seekable, read-only window of [start, start+length) over a seekable stream, so a PUT sends exactly the bytes
    /// that were hashed even when the caller's stream is longer.
    /// </summary>
    internal sealed class StreamSlice : Stream
    {
        readonly Stream _inner;
        readonly long _start;
        readonly long _length;
        long _position;

        public StreamSlice(Stream inner, long start, long length)
        {
            _inner = inner; _start = start; _length = length;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => _length;

        public override long Position
        {
            get => _position;
            set
            {
                if (value < 0 || value > _length) throw new ArgumentOutOfRangeException(nameof(value));
                _position = value;
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Clamp(count);
            if (n == 0) return 0;
            _inner.Position = _start + _position;
            var read = _inner.Read(buffer, offset, n);
            _position += read;
            return read;
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var n = Clamp(count);
            if (n == 0) return 0;
            _inner.Position = _start + _position;
            var read = await _inner.ReadAsync(buffer, offset, n, cancellationToken).ConfigureAwait(false);
            _position += read;
            return read;
        }

        int Clamp(int count) => (int)Math.Max(0, Math.Min(count, _length - _position));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
