using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup.Storage
{
    /// <summary>
    /// The body of one download (an object or a range of it) that survives interruptions: when the connection breaks
    /// or the body ends before its announced length, the rest is requested again from the first missing byte, with
    /// backoff, up to <see cref="MaxResumes"/> times per stream; then DrTools.TransferInterrupted names the object.
    /// Every reader of a store gets this once, here, instead of each handling transport faults itself. What the bytes
    /// are is still checked by the readers' hashes.
    /// </summary>
    internal sealed class ResumingReadStream : Stream
    {
        /// <summary>Re-requests per stream. Packs and index files are at most tens of MiB, so a handful is plenty for a flaky link.</summary>
        public const int MaxResumes = 5;

        /// <summary>Opens the body from <c>position</c> bytes into the window to its end: the stream, and how many bytes it announces (-1 unknown).</summary>
        public delegate Task<(Stream Body, long Length)?> Reopen(long position, CancellationToken ct);

        readonly Reopen _reopen;
        readonly string _what;
        readonly Func<int, TimeSpan> _backoff;
        Stream _body;
        long _bodyLength;
        long _bodyRead;
        long _position;
        int _resumes;

        /// <param name="first">The first response: its body and its announced length (-1 when unknown).</param>
        /// <param name="what">The object in the words of the error (s3://bucket/key).</param>
        /// <param name="backoff">Delay before resume n (1-based); 0.2 s doubling by default.</param>
        public ResumingReadStream(Stream first, long length, Reopen reopen, string what, Func<int, TimeSpan>? backoff = null)
        {
            _body = first;
            _bodyLength = length;
            Length = length;
            _reopen = reopen;
            _what = what;
            _backoff = backoff ?? (n => TimeSpan.FromMilliseconds(200 * (1 << Math.Min(n - 1, 5))));
        }

        /// <summary>How many times the body was requested again.</summary>
        public int Resumes => _resumes;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length { get; }
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (count == 0) return 0;
            while (true)
            {
                Exception? cause;
                try
                {
                    var n = await _body.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
                    if (n > 0 || _bodyLength < 0 || _bodyRead >= _bodyLength)
                    {
                        _bodyRead += n;
                        _position += n;
                        return n;
                    }
                    cause = null; // the body ended before the length it announced
                }
                catch (Exception ex) when (ex is not DrToolsException && ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C tore the connection down under the read: that is cancellation, not a network fault.
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (Exception ex) when (ex is not DrToolsException && !AwsErrorMapper.IsCancellation(ex, cancellationToken))
                {
                    if (!IsInterruption(ex)) throw AwsErrorMapper.Map(ex, "S3", "GetObject", _what, _what);
                    cause = ex;
                }
                await ResumeAsync(cause, cancellationToken).ConfigureAwait(false);
            }
        }

        async Task ResumeAsync(Exception? cause, CancellationToken ct)
        {
            var why = cause == null ? "the connection closed early" : cause.Message;
            if (_resumes >= MaxResumes)
                throw new DrToolsException(ErrorIds.TransferInterrupted, DrErrorCategory.ConnectionError,
                    $"Reading {_what} broke off {_resumes + 1} times ({_position} of {(Length >= 0 ? Length.ToString() : "?")} bytes arrived; last: {why}).",
                    _what,
                    "The network path or the endpoint keeps dropping downloads. Check proxies, VPN and the endpoint's health (Test-DrConnection), then re-run; nothing was written in place of good data.",
                    cause);
            _resumes++;
            _body.Dispose();
            await Task.Delay(_backoff(_resumes), ct).ConfigureAwait(false);
            (Stream Body, long Length)? next;
            try
            {
                next = await _reopen(_position, ct).ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (ex.ErrorId is ErrorIds.EndpointUnreachable && _resumes < MaxResumes)
            {
                // The re-request itself failed on the network (after the SDK's own retries): let the next round try again.
                _body = new MemoryStream(Array.Empty<byte>());
                _bodyLength = 1; // reads 0 of 1: counts as cut off
                _bodyRead = 0;
                return;
            }
            if (next == null)
                throw new DrToolsException(ErrorIds.TransferInterrupted, DrErrorCategory.ConnectionError,
                    $"Reading {_what} broke off ({why}) and the object was gone when DrTools asked for the rest.", _what,
                    "Another process removed it meanwhile (a prune?). Re-run when it has finished.", cause);
            _body = next.Value.Body;
            _bodyLength = next.Value.Length;
            _bodyRead = 0;
        }

        /// <summary>Transport faults worth re-requesting; DrTools errors (a final timeout, access denied) are not.</summary>
        static bool IsInterruption(Exception ex) =>
            ex is IOException or HttpRequestException or SocketException or ObjectDisposedException
            || (ex is TimeoutException && ex is not EndpointTimeoutException);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _body.Dispose();
            base.Dispose(disposing);
        }
    }
}
