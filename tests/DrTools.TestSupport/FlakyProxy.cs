using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.TestSupport
{
    /// <summary>
    /// A flaky network on loopback, in front of a real HTTP endpoint (the S3 test server): one request per connection,
    /// forwarded with Connection: close, and faults injected on the way back. Started and stopped by the test; every
    /// socket operation is bounded, and disposing stops it and drops every connection.
    /// </summary>
    public sealed class FlakyProxy : IDisposable
    {
        readonly TcpListener _listener;
        readonly Uri? _upstream;
        readonly CancellationTokenSource _stop = new();
        readonly List<TcpClient> _open = new();
        readonly Task _accepting;
        readonly object _gate = new();
        readonly Random _random;
        int _requests;
        int _connections;
        int _cutsLeft;

        /// <param name="upstream">Where requests go; null for an endpoint that accepts connections and never answers.</param>
        public FlakyProxy(string? upstream, int seed = 7)
        {
            _upstream = upstream == null ? null : new Uri(upstream);
            _random = new Random(seed);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = Task.Run(AcceptLoop);
        }

        /// <summary>A listener that accepts connections and never says a word.</summary>
        public static FlakyProxy Silent() => new(null);

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        public string Authority => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        /// <summary>Answer every n-th request (1-based count) with a 500 or 503 instead of forwarding it.</summary>
        public int FailEvery { get; set; }

        /// <summary>Answer this share of requests (seeded random) with a 500 or 503 instead of forwarding them.</summary>
        public double FailShare { get; set; }

        /// <summary>Cut the body of a GET answer after this many bytes (0: never) and close the connection.</summary>
        public int CutBodyAfter { get; set; }

        /// <summary>How many answers to cut (then forward normally); int.MaxValue: every one.</summary>
        public int Cuts { get => _cutsLeft; set => _cutsLeft = value; }

        /// <summary>Connections accepted so far (the silent listener counts only these).</summary>
        public int Connections => Volatile.Read(ref _connections);

        /// <summary>Requests seen, answered with a fault, and bodies cut so far.</summary>
        public int Requests => Volatile.Read(ref _requests);
        public int Faults { get; private set; }
        public int BodiesCut { get; private set; }

        async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false); }
                catch (Exception) { return; } // stopped
                lock (_gate) _open.Add(client);
                Interlocked.Increment(ref _connections);
                if (_upstream == null) continue; // silent: hold the connection, answer nothing
                _ = Task.Run(async () =>
                {
                    try { await Serve(client).ConfigureAwait(false); }
                    catch (Exception) { /* a client or upstream that went away */ }
                    finally
                    {
                        lock (_gate) _open.Remove(client);
                        client.Dispose();
                    }
                });
            }
        }

        async Task Serve(TcpClient client)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var ct = timeout.Token;
            var down = client.GetStream();
            var head = await ReadHead(down, ct).ConfigureAwait(false);
            if (head == null) return;
            var (requestLine, headers) = Parse(head);
            var method = requestLine.Split(' ')[0];
            if (Header(headers, "Expect")?.Equals("100-continue", StringComparison.OrdinalIgnoreCase) == true)
                await Write(down, "HTTP/1.1 100 Continue\r\n\r\n", ct).ConfigureAwait(false);
            var body = new byte[long.TryParse(Header(headers, "Content-Length"), out var len) ? len : 0];
            await ReadExactly(down, body, ct).ConfigureAwait(false);

            var n = Interlocked.Increment(ref _requests);
            bool fail;
            lock (_gate) fail = FailEvery > 0 && n % FailEvery == 0 || FailShare > 0 && _random.NextDouble() < FailShare;
            if (fail)
            {
                lock (_gate) Faults++;
                var (status, code) = n % 2 == 0 ? ("500 Internal Server Error", "InternalError") : ("503 Service Unavailable", "ServiceUnavailable");
                var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected by FlakyProxy</Message><RequestId>flaky-{n}</RequestId></Error>";
                await Write(down, $"HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(xml)}\r\nConnection: close\r\n\r\n{xml}", ct).ConfigureAwait(false);
                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(_upstream!.Host, _upstream.Port).ConfigureAwait(false);
            var up = upstream.GetStream();
            var forwarded = new StringBuilder(requestLine).Append("\r\n");
            foreach (var (name, value) in headers)
                if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Expect", StringComparison.OrdinalIgnoreCase))
                    forwarded.Append(name).Append(": ").Append(value).Append("\r\n");
            forwarded.Append("Connection: close\r\n\r\n");
            await Write(up, forwarded.ToString(), ct).ConfigureAwait(false);
            await up.WriteAsync(body, 0, body.Length, ct).ConfigureAwait(false);

            // The answer, as it comes, until the server closes (Connection: close); cut when asked to.
            var answerHead = await ReadHead(up, ct).ConfigureAwait(false);
            if (answerHead == null) return;
            var (statusLine, answerHeaders) = Parse(answerHead);
            var cutAt = -1L;
            var bodyLength = long.TryParse(Header(answerHeaders, "Content-Length"), out var bl) ? bl : -1;
            if (method == "GET" && CutBodyAfter > 0 && bodyLength > CutBodyAfter && (statusLine.Contains(" 200 ") || statusLine.Contains(" 206 ")))
            {
                lock (_gate)
                {
                    if (_cutsLeft > 0)
                    {
                        if (_cutsLeft != int.MaxValue) _cutsLeft--;
                        BodiesCut++;
                        cutAt = CutBodyAfter;
                    }
                }
            }
            var back = new StringBuilder(statusLine).Append("\r\n");
            foreach (var (name, value) in answerHeaders)
                if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                    back.Append(name).Append(": ").Append(value).Append("\r\n");
            back.Append("Connection: close\r\n\r\n");
            await Write(down, back.ToString(), ct).ConfigureAwait(false);
            var buffer = new byte[65536];
            long sent = 0;
            int read;
            while ((read = await up.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false)) > 0)
            {
                if (cutAt >= 0 && sent + read >= cutAt)
                {
                    await down.WriteAsync(buffer, 0, (int)(cutAt - sent), ct).ConfigureAwait(false);
                    // An abortive close (RST), as a dropped link looks to the client.
                    client.Client.LingerState = new LingerOption(true, 0);
                    return;
                }
                await down.WriteAsync(buffer, 0, read, ct).ConfigureAwait(false);
                sent += read;
            }
        }

        static async Task<byte[]?> ReadHead(NetworkStream s, CancellationToken ct)
        {
            var head = new MemoryStream();
            var one = new byte[1];
            while (head.Length < 65536)
            {
                if (await s.ReadAsync(one, 0, 1, ct).ConfigureAwait(false) == 0) return null;
                head.WriteByte(one[0]);
                var b = head.GetBuffer();
                var l = (int)head.Length;
                if (l >= 4 && b[l - 4] == '\r' && b[l - 3] == '\n' && b[l - 2] == '\r' && b[l - 1] == '\n') return head.ToArray();
            }
            return null;
        }

        static (string First, List<(string Name, string Value)> Headers) Parse(byte[] head)
        {
            var lines = Encoding.ASCII.GetString(head).Split(new[] { "\r\n" }, StringSplitOptions.None);
            var headers = new List<(string, string)>();
            for (var i = 1; i < lines.Length; i++)
            {
                var colon = lines[i].IndexOf(':');
                if (colon > 0) headers.Add((lines[i].Substring(0, colon).Trim(), lines[i].Substring(colon + 1).Trim()));
            }
            return (lines[0], headers);
        }

        static string? Header(List<(string Name, string Value)> headers, string name)
        {
            foreach (var (n, v) in headers) if (n.Equals(name, StringComparison.OrdinalIgnoreCase)) return v;
            return null;
        }

        static async Task ReadExactly(NetworkStream s, byte[] buffer, CancellationToken ct)
        {
            var filled = 0;
            while (filled < buffer.Length)
            {
                var n = await s.ReadAsync(buffer, filled, buffer.Length - filled, ct).ConfigureAwait(false);
                if (n == 0) throw new EndOfStreamException();
                filled += n;
            }
        }

        static Task Write(NetworkStream s, string text, CancellationToken ct)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return s.WriteAsync(bytes, 0, bytes.Length, ct);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_gate)
            {
                foreach (var c in _open) c.Dispose();
                _open.Clear();
            }
            try { _accepting.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            _stop.Dispose();
        }
    }
}
