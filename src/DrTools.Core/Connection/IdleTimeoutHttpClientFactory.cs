using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// Gives every HTTP client the SDK creates for DrTools an inactivity limit: an attempt fails when the endpoint sends
    /// nothing (no connection, no answer, no next bytes of a body) and accepts nothing (no upload progress) for
    /// <see cref="IdleTimeout"/>. This is the ReadWriteTimeout and connect timeout the SDK has no netstandard2.0
    /// setting for; the SDK's own whole-request Timeout still applies on top. The handler is otherwise built exactly as
    /// the SDK builds its own (redirects, no automatic decompression, proxy, connection limit).
    /// </summary>
    public sealed class IdleTimeoutHttpClientFactory : HttpClientFactory
    {
        public IdleTimeoutHttpClientFactory(TimeSpan idleTimeout) => IdleTimeout = idleTimeout;

        public TimeSpan IdleTimeout { get; }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = clientConfig.AllowAutoRedirect,
                AutomaticDecompression = DecompressionMethods.None,
            };
            if (clientConfig.MaxConnectionsPerServer is { } max) handler.MaxConnectionsPerServer = max;
            var proxy = clientConfig.GetWebProxy();
            if (proxy != null)
            {
                handler.Proxy = proxy;
                if (clientConfig.ProxyCredentials != null) handler.Proxy.Credentials = clientConfig.ProxyCredentials;
            }
            var client = new HttpClient(new IdleTimeoutHandler(handler, IdleTimeout));
            if (clientConfig.Timeout is { } timeout) client.Timeout = timeout;
            return client;
        }
    }

    /// <summary>
    /// An attempt to reach <see cref="Endpoint"/> timed out. A <see cref="TimeoutException"/>, so the SDK retries it
    /// like any transient fault.
    /// </summary>
    public sealed class EndpointIdleException : TimeoutException
    {
        public EndpointIdleException(string endpoint, TimeSpan idle, string waitingFor)
            : base($"{endpoint} sent nothing for {Seconds(idle)} while DrTools was {waitingFor}.")
        {
            Endpoint = endpoint; Idle = idle;
        }

        public string Endpoint { get; }
        public TimeSpan Idle { get; }

        internal static string Seconds(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMilliseconds:0} ms";
    }

    /// <summary>
    /// The endpoint timed out again right after a timed-out attempt: it is not answering. Deliberately neither an
    /// IOException nor a TimeoutException, so the SDK does not spend every remaining retry (each a full timeout) on an
    /// endpoint that is gone; the caller maps it to DrTools.Timeout.
    /// </summary>
    public sealed class EndpointTimeoutException : Exception
    {
        public EndpointTimeoutException(string endpoint, TimeSpan idle, string waitingFor)
            : base($"{endpoint} sent nothing for {EndpointIdleException.Seconds(idle)} while DrTools was {waitingFor}, twice in a row.")
        {
            Endpoint = endpoint; Idle = idle;
        }

        public string Endpoint { get; }
        public TimeSpan Idle { get; }
    }

    /// <summary>The inactivity watchdog around one HttpClient's requests and response bodies.</summary>
    internal sealed class IdleTimeoutHandler : DelegatingHandler
    {
        readonly TimeSpan _idle;

        // Timeouts in a row per call: the SDK retries one call with the same amz-sdk-invocation-id, and one HttpClient
        // serves many calls at once (parallel pack uploads), so a stall across them is not "twice in a row" for any.
        readonly ConcurrentDictionary<string, int> _timeoutsInARow = new(StringComparer.Ordinal);

        static string CallOf(HttpRequestMessage request) =>
            request.Headers.TryGetValues("amz-sdk-invocation-id", out var ids) ? ids.FirstOrDefault() ?? "" : "";

        public IdleTimeoutHandler(HttpMessageHandler inner, TimeSpan idle) : base(inner) => _idle = idle;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var endpoint = request.RequestUri?.Authority ?? "the endpoint";
            var call = CallOf(request);
            var waitingFor = $"waiting for the answer to {request.Method} {request.RequestUri?.AbsolutePath}";
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            watch.CancelAfter(_idle);
            // Upload progress restarts the clock, so a slow link that keeps sending is not cut off.
            if (request.Content != null) request.Content = new ProgressContent(request.Content, () => Restart(watch));
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, watch.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (watch.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(call, endpoint, waitingFor, ex);
            }
            _timeoutsInARow.TryRemove(call, out _);
            if (response.Content != null)
                response.Content = new IdleTimeoutContent(response.Content, this, call, endpoint, $"reading the answer to {request.Method} {request.RequestUri?.AbsolutePath}");
            return response;
        }

        void Restart(CancellationTokenSource watch)
        {
            try { watch.CancelAfter(_idle); }
            catch (ObjectDisposedException) { /* the attempt has ended */ }
        }

        /// <summary>The first timeout of a call is retryable; a second one in a row of the same call (no answer in between) is final.</summary>
        internal Exception TimedOut(string call, string endpoint, string waitingFor, Exception? inner)
        {
            var n = _timeoutsInARow.AddOrUpdate(call, 1, (_, count) => count + 1);
            if (n < 2) return new EndpointIdleException(endpoint, _idle, waitingFor);
            _timeoutsInARow.TryRemove(call, out _);
            return new EndpointTimeoutException(endpoint, _idle, waitingFor);
        }

        internal TimeSpan Idle => _idle;

        /// <summary>Content around another: its headers and length; disposing it disposes the inner content.</summary>
        abstract class WrappedContent : HttpContent
        {
            protected readonly HttpContent Inner;

            protected WrappedContent(HttpContent inner)
            {
                Inner = inner;
                foreach (var h in inner.Headers) Headers.TryAddWithoutValidation(h.Key, h.Value);
            }

            protected override bool TryComputeLength(out long length)
            {
                length = Inner.Headers.ContentLength ?? -1;
                return length >= 0;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) Inner.Dispose();
                base.Dispose(disposing);
            }
        }

        /// <summary>Request content that reports each block the transport takes.</summary>
        sealed class ProgressContent : WrappedContent
        {
            readonly Action _progress;

            public ProgressContent(HttpContent inner, Action progress) : base(inner) => _progress = progress;

            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
                Inner.CopyToAsync(new ProgressWriteStream(stream, _progress));
        }

        sealed class ProgressWriteStream : Stream
        {
            readonly Stream _inner;
            readonly Action _progress;
            public ProgressWriteStream(Stream inner, Action progress) { _inner = inner; _progress = progress; }
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() => _inner.Flush();
            public override Task FlushAsync(CancellationToken ct) => _inner.FlushAsync(ct);
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                _inner.Write(buffer, offset, count);
                _progress();
            }

            public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
            {
                await _inner.WriteAsync(buffer, offset, count, ct).ConfigureAwait(false);
                _progress();
            }
        }

        /// <summary>Response content whose stream fails a read that gets no bytes within the idle limit.</summary>
        sealed class IdleTimeoutContent : WrappedContent
        {
            readonly IdleTimeoutHandler _owner;
            readonly string _call;
            readonly string _endpoint;
            readonly string _waitingFor;

            public IdleTimeoutContent(HttpContent inner, IdleTimeoutHandler owner, string call, string endpoint, string waitingFor) : base(inner)
            {
                _owner = owner; _call = call; _endpoint = endpoint; _waitingFor = waitingFor;
            }

            protected override async Task<Stream> CreateContentReadStreamAsync() =>
                new IdleTimeoutStream(await Inner.ReadAsStreamAsync().ConfigureAwait(false), _owner, _call, _endpoint, _waitingFor);

            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                using var source = await CreateContentReadStreamAsync().ConfigureAwait(false);
                await source.CopyToAsync(stream).ConfigureAwait(false);
            }
        }

        sealed class IdleTimeoutStream : Stream
        {
            readonly Stream _inner;
            readonly IdleTimeoutHandler _owner;
            readonly string _call;
            readonly string _endpoint;
            readonly string _waitingFor;

            public IdleTimeoutStream(Stream inner, IdleTimeoutHandler owner, string call, string endpoint, string waitingFor)
            {
                _inner = inner; _owner = owner; _call = call; _endpoint = endpoint; _waitingFor = waitingFor;
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override int Read(byte[] buffer, int offset, int count)
            {
                var fired = 0;
                // A synchronous read cannot be cancelled: closing the stream under it is what ends it.
                using var timer = new Timer(_ => { Interlocked.Exchange(ref fired, 1); _inner.Dispose(); }, null, _owner.Idle, Timeout.InfiniteTimeSpan);
                try
                {
                    return _inner.Read(buffer, offset, count);
                }
                catch (Exception ex) when (Volatile.Read(ref fired) == 1)
                {
                    throw _owner.TimedOut(_call, _endpoint, _waitingFor, ex);
                }
            }

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                watch.CancelAfter(_owner.Idle);
                // Not every runtime's response stream honours the token once a read is pending; closing it always ends the read.
                using var backstop = watch.Token.Register(() => { if (!cancellationToken.IsCancellationRequested) _inner.Dispose(); });
                try
                {
                    return await _inner.ReadAsync(buffer, offset, count, watch.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (watch.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw _owner.TimedOut(_call, _endpoint, _waitingFor, ex);
                }
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) _inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
