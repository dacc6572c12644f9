using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.TestSupport
{
    /// <summary>A request as the fake endpoint saw it: the SigV4 scope tells which service and region it was for.</summary>
    public sealed record FakeRequest(string Method, string Path, string Query, string Body, string Service, string Region, string AccessKey,
        IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>Form (Query protocol) or query-string parameters.</summary>
        public IReadOnlyDictionary<string, string> Form =>
            (Body.Contains('=') && !Body.TrimStart().StartsWith("<", StringComparison.Ordinal) ? Body : Query.TrimStart('?'))
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

        public string? Action => Form.TryGetValue("Action", out var a) ? a : null;
    }

    public sealed record FakeResponse(int Status, string Body, string ContentType = "text/xml")
    {
        public Dictionary<string, string> Headers { get; init; } = new();
        /// <summary>Delay before answering; a very long one makes an endpoint that never answers.</summary>
        public TimeSpan Delay { get; init; }
    }

    /// <summary>
    /// A loopback HTTP endpoint that plays AWS for tests that run in CI (no network, no emulator). Tests supply the
    /// answers; every request is recorded so tests can assert on the wire format DrTools sent.
    /// </summary>
    public sealed class FakeAwsServer : IDisposable
    {
        static readonly Regex Scope = new(@"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", RegexOptions.Compiled);
        readonly HttpListener _listener = new();
        readonly Func<FakeRequest, FakeResponse> _handler;
        readonly CancellationTokenSource _stop = new();

        public FakeAwsServer(Func<FakeRequest, FakeResponse> handler)
        {
            _handler = handler;
            for (int attempt = 0; ; attempt++)
            {
                var port = FreePort();
                try
                {
                    _listener.Prefixes.Clear();
                    _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                    _listener.Start();
                    Url = $"http://127.0.0.1:{port}";
                    break;
                }
                catch (HttpListenerException) when (attempt < 5) { }
            }
            _ = Task.Run(LoopAsync);
        }

        public string Url { get; } = "";
        public ConcurrentQueue<FakeRequest> Requests { get; } = new();

        /// <summary>A loopback port nothing listens on right now (for test servers that need a URL before they start).</summary>
        public static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            var port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync().ConfigureAwait(false); }
                catch (Exception) { return; }
                _ = Task.Run(() => HandleAsync(ctx));
            }
        }

        async Task HandleAsync(HttpListenerContext ctx)
        {
            try
            {
                string body;
                using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync().ConfigureAwait(false);
                var auth = ctx.Request.Headers["Authorization"] ?? "";
                var m = Scope.Match(auth);
                var headers = ctx.Request.Headers.AllKeys.Where(k => k != null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                var request = new FakeRequest(ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath, ctx.Request.Url.Query, body,
                    m.Success ? m.Groups[3].Value : "", m.Success ? m.Groups[2].Value : "", m.Success ? m.Groups[1].Value : "", headers);
                Requests.Enqueue(request);
                var response = _handler(request);
                if (response.Delay > TimeSpan.Zero)
                {
                    try { await Task.Delay(response.Delay, _stop.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                }
                var bytes = Encoding.UTF8.GetBytes(response.Body);
                ctx.Response.StatusCode = response.Status;
                ctx.Response.ContentType = response.ContentType;
                ctx.Response.Headers["x-amzn-RequestId"] = "fake-request-id";
                foreach (var kv in response.Headers) ctx.Response.Headers[kv.Key] = kv.Value;
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                ctx.Response.Close();
            }
            catch (Exception)
            {
                try { ctx.Response.Abort(); } catch (Exception) { }
            }
        }

        /// <summary>A Query-protocol error body, as STS, RDS and Auto Scaling send.</summary>
        public static FakeResponse QueryError(int status, string code, string message, string type = "Sender") =>
            new(status, $"<ErrorResponse><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake-request-id</RequestId></ErrorResponse>");

        /// <summary>An STS GetCallerIdentity answer for account <paramref name="account"/>.</summary>
        public static FakeResponse CallerIdentity(string account = "123456789012", string user = "dr-admin") =>
            new(200, $"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/{user}</Arn><UserId>AIDAFAKE</UserId><Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake-request-id</RequestId></ResponseMetadata></GetCallerIdentityResponse>");

        public void Dispose()
        {
            _stop.Cancel();
            try { _listener.Stop(); _listener.Close(); } catch (Exception) { }
            _stop.Dispose();
        }
    }
}
