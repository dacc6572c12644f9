using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Tests.Recovery;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Drills
{
    /// <summary>Probes against servers the tests start on 127.0.0.1: FakeAwsServer answers HTTP, FlakyProxy.Silent() never answers.</summary>
    public class DrillProbeRunnerTests
    {
        /// <summary>Only a hang guard: a correct runner ends long before it.</summary>
        static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

        /// <summary>Retries at once, so a test never waits for the 10 s interval.</summary>
        static readonly DrillProbeRunner Runner = new() { RetryInterval = TimeSpan.FromMilliseconds(1) };

        static readonly Dictionary<string, string> Drill = new()
        {
            ["web"] = "127.0.0.1", ["web.publicIp"] = "", ["database"] = "127.0.0.1", ["database.port"] = "5432",
        };

        static int Port(string url) => new Uri(url).Port;

        /// <summary>A loopback port nothing listens on (connections are refused).</summary>
        static int ClosedPort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            var port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        static DrillProbeSpec Http(string url, int? expect = null, TimeSpan? within = null) =>
            new() { Name = "web-health", Url = url, ExpectStatus = expect, Within = within ?? TimeSpan.FromMinutes(5) };

        [Fact]
        public async Task An_HTTP_probe_fills_placeholders_and_passes_on_2xx()
        {
            using var server = new FakeAwsServer(_ => new FakeResponse(200, "ok", "text/plain"));
            var before = DateTimeOffset.UtcNow;

            var result = await Runner.RunAsync(Http($"http://{{web}}:{Port(server.Url)}/health"), Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.True(result.Passed, result.Message);
            Assert.Equal("web-health", result.Name);
            Assert.StartsWith($"GET http://127.0.0.1:{Port(server.Url)}/health: HTTP 200 OK on attempt 1 after ", result.Message);
            Assert.Equal(("GET", "/health"), (server.Requests.Single().Method, server.Requests.Single().Path));
            Assert.True(result.Started >= before && result.Finished >= result.Started);
            Assert.Equal(result.Finished - result.Started, result.Duration);
        }

        [Fact]
        public async Task A_probe_is_retried_until_the_server_answers_as_expected()
        {
            int calls = 0;
            using var server = new FakeAwsServer(_ => Interlocked.Increment(ref calls) < 3 ? new FakeResponse(503, "booting") : new FakeResponse(204, ""));
            var reporter = new RecordingReporter();
            var runner = new DrillProbeRunner { RetryInterval = TimeSpan.FromMilliseconds(1), Reporter = reporter };

            var result = await runner.RunAsync(Http(server.Url + "/health"), Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.True(result.Passed, result.Message);
            Assert.Contains("HTTP 204 No Content on attempt 3", result.Message);
            Assert.Equal(2, reporter.Verbose.Count(v => v.StartsWith("Probe 'web-health': GET ") && v.Contains("HTTP 503 Service Unavailable, expected 2xx or 3xx; trying again")));
        }

        [Fact]
        public async Task A_wrong_status_fails_when_within_has_passed_and_says_what_was_tried_and_the_last_status()
        {
            using var server = new FakeAwsServer(_ => new FakeResponse(200, "ok"));

            var result = await Runner.RunAsync(Http(server.Url + "/health", expect: 204, within: TimeSpan.Zero), Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.False(result.Passed);
            Assert.StartsWith($"GET {server.Url}/health did not pass within 0.0 s: 1 attempt over ", result.Message);
            Assert.EndsWith("the last: HTTP 200 OK, expected 204.", result.Message);
        }

        [Fact]
        public async Task A_redirect_is_an_answer_and_is_not_followed()
        {
            using var server = new FakeAwsServer(r => r.Path == "/health"
                ? new FakeResponse(302, "") { Headers = { ["Location"] = "/login" } }
                : new FakeResponse(500, "login page broken"));

            var passes = await Runner.RunAsync(Http(server.Url + "/health"), Drill, CancellationToken.None).WaitAsync(HangGuard);
            var wants200 = await Runner.RunAsync(Http(server.Url + "/health", expect: 200, within: TimeSpan.Zero), Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.True(passes.Passed, passes.Message);
            Assert.Contains("HTTP 302 Found", passes.Message);
            Assert.False(wants200.Passed);
            Assert.Contains("HTTP 302 Found, expected 200", wants200.Message);
            Assert.All(server.Requests, r => Assert.Equal("/health", r.Path));
        }

        [Fact]
        public async Task A_refused_port_fails_HTTP_and_TCP_probes_with_the_connection_error()
        {
            var port = ClosedPort();

            var http = await Runner.RunAsync(Http($"http://{{web}}:{port}/", within: TimeSpan.Zero), Drill, CancellationToken.None).WaitAsync(HangGuard);
            var tcp = await Runner.RunAsync(new DrillProbeSpec { Name = "db", Tcp = $"{{database}}:{port}", Within = TimeSpan.Zero }, Drill, CancellationToken.None)
                .WaitAsync(HangGuard);

            Assert.False(http.Passed);
            Assert.Contains("refused", http.Message, StringComparison.OrdinalIgnoreCase);
            Assert.False(tcp.Passed);
            Assert.StartsWith($"TCP connect to 127.0.0.1:{port} did not pass within 0.0 s: 1 attempt", tcp.Message);
            Assert.Contains("refused", tcp.Message, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public async Task A_TCP_probe_passes_when_the_port_accepts()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                var result = await Runner.RunAsync(new DrillProbeSpec { Name = "db", Tcp = $"{{database}}:{port}" }, Drill, CancellationToken.None).WaitAsync(HangGuard);

                Assert.True(result.Passed, result.Message);
                Assert.StartsWith($"TCP connect to 127.0.0.1:{port}: connected to 127.0.0.1:{port} on attempt 1", result.Message);
            }
            finally
            {
                listener.Stop();
            }
        }

        [Fact]
        public async Task A_server_that_accepts_but_never_answers_fails_each_attempt_at_the_attempt_timeout()
        {
            using var silent = FlakyProxy.Silent();
            var runner = new DrillProbeRunner { RetryInterval = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromMilliseconds(200) };

            var result = await runner.RunAsync(Http(silent.Url + "/health", within: TimeSpan.Zero), Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.False(result.Passed);
            Assert.Contains(": 1 attempt over ", result.Message);
            Assert.EndsWith(", the last: no answer within 0.2 s.", result.Message);
        }

        [Theory]
        [InlineData("http://{webb}/health", "unknown placeholder {webb} in 'http://{webb}/health'; known here: {database}, {database.port}, {web}.")]
        [InlineData("http://{web.publicIp}/", "placeholder {web.publicIp} in 'http://{web.publicIp}/' has no value in this drill; known here: {database}, {database.port}, {web}.")]
        [InlineData("http://{dns}:{port}/", "unknown placeholders {dns}, {port} in 'http://{dns}:{port}/'; known here: {database}, {database.port}, {web}.")]
        public async Task A_placeholder_the_drill_cannot_fill_fails_the_probe_naming_it_and_the_known_ones(string url, string message)
        {
            var result = await Runner.RunAsync(Http(url), Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.False(result.Passed);
            Assert.Equal("Probe 'web-health': " + message, result.Message);
        }

        [Fact]
        public void Placeholders_match_exactly_first_then_ignoring_case_and_nothing_known_is_said_so()
        {
            Assert.Equal("http://127.0.0.1:5432/", DrillProbeRunner.FillPlaceholders("http://{Web}:{database.PORT}/", Drill));
            var ex = Assert.Throws<DrToolsException>(() => DrillProbeRunner.FillPlaceholders("{web}:80", new Dictionary<string, string>()));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains("this drill has none", ex.Message);
        }

        [Theory]
        [InlineData("ftp://{web}/x", null, "'ftp://127.0.0.1/x' is not an http:// or https:// URL")]
        [InlineData(null, "{web}", "'127.0.0.1' is not host:port")]
        [InlineData(null, "{web}:70000", "'127.0.0.1:70000' is not host:port")]
        [InlineData("http://{web}/", "{web}:80", "must have exactly one of url and tcp")]
        [InlineData(null, null, "must have exactly one of url and tcp")]
        public async Task A_malformed_probe_fails_without_trying(string? url, string? tcp, string message)
        {
            var result = await Runner.RunAsync(new DrillProbeSpec { Name = "p", Url = url, Tcp = tcp }, Drill, CancellationToken.None).WaitAsync(HangGuard);

            Assert.False(result.Passed);
            Assert.Contains(message, result.Message);
        }

        [Fact]
        public async Task Cancellation_during_an_attempt_that_gets_no_answer_ends_the_probe_at_once()
        {
            using var silent = FlakyProxy.Silent();
            var runner = new DrillProbeRunner { AttemptTimeout = TimeSpan.FromHours(1) };
            using var cts = new CancellationTokenSource();

            var probe = runner.RunAsync(Http(silent.Url + "/health", within: TimeSpan.FromHours(1)), Drill, cts.Token);
            while (silent.Connections == 0 && !probe.IsCompleted) await Task.Delay(5);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.WaitAsync(HangGuard));
        }

        [Fact]
        public async Task Cancellation_while_waiting_to_retry_ends_the_probe_at_once()
        {
            using var server = new FakeAwsServer(_ => new FakeResponse(503, "booting"));
            using var cts = new CancellationTokenSource();
            var reporter = new RecordingReporter { OnVerbose = _ => cts.Cancel() };
            var runner = new DrillProbeRunner { RetryInterval = TimeSpan.FromHours(1), Reporter = reporter };

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                runner.RunAsync(Http(server.Url + "/", within: TimeSpan.FromHours(2)), Drill, cts.Token).WaitAsync(HangGuard));
            Assert.Single(server.Requests);
        }
    }
}
