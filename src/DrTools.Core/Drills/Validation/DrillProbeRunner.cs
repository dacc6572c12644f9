using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// Runs one of a plan's drill probes (<see cref="DrillProbeSpec"/>) against the drill environment: fills the
    /// placeholders, then tries an HTTP(S) GET or a TCP connection every <see cref="RetryInterval"/> until it passes or
    /// the probe's <c>within</c> has passed (new servers take time to boot). The result says what was tried, the last
    /// status or error and how long it took.
    /// </summary>
    /// <remarks>
    /// HTTP passes on the probe's expectStatus, else on any 2xx or 3xx; redirects are not followed (a 302 to a login
    /// page is an answer from the server, and following it could leave the drill environment). HTTPS certificates are
    /// validated as usual. Each attempt is bounded by <see cref="AttemptTimeout"/>, so the probe takes at most
    /// <c>within</c> plus one attempt. Cancellation ends it at once with an <see cref="OperationCanceledException"/>.
    /// </remarks>
    public sealed class DrillProbeRunner
    {
        public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(10);
        public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(10);

        static readonly Regex Placeholder = new(@"\{([^{}\s]+)\}", RegexOptions.CultureInvariant);

        /// <summary>Time between attempts (10 s).</summary>
        public TimeSpan RetryInterval { get; init; } = DefaultRetryInterval;

        /// <summary>How long one attempt (connect, and for HTTP the response headers) may take (10 s).</summary>
        public TimeSpan AttemptTimeout { get; init; } = DefaultAttemptTimeout;

        /// <summary>Gets a verbose line per failed attempt; default none.</summary>
        public IOperationReporter? Reporter { get; init; }

        /// <summary>Runs <paramref name="probe"/>; a bad target (unknown placeholder, malformed URL) is a failed result, not an exception.</summary>
        /// <param name="placeholders">Placeholder name (without braces: "web", "web.publicIp", "database", "database.port", "dns") to value.</param>
        /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
        public async Task<DrillValidationResult> RunAsync(DrillProbeSpec probe, IReadOnlyDictionary<string, string> placeholders, CancellationToken ct)
        {
            if (probe == null) throw new ArgumentNullException(nameof(probe));
            placeholders ??= new Dictionary<string, string>();
            ct.ThrowIfCancellationRequested();
            var started = DateTimeOffset.UtcNow;
            var name = string.IsNullOrWhiteSpace(probe.Name) ? probe.Url ?? probe.Tcp ?? "probe" : probe.Name;
            DrillValidationResult Result(bool passed, string message)
            {
                var finished = DateTimeOffset.UtcNow;
                return new(name, passed, message, started, finished, finished - started);
            }

            if ((probe.Url == null) == (probe.Tcp == null))
                return Result(false, $"Probe '{name}' must have exactly one of url and tcp; fix the plan's drill.probes.");
            Func<CancellationToken, Task<(bool Passed, string Detail)>> attempt;
            string what;
            HttpClient? http = null;
            try
            {
                var target = FillPlaceholders(probe.Url ?? probe.Tcp!, placeholders);
                if (probe.Url != null)
                {
                    if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                        return Result(false, $"Probe '{name}': '{target}' is not an http:// or https:// URL; fix the plan's drill.probes.");
                    what = $"GET {uri}";
                    http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
                    var client = http;
                    attempt = t => HttpAttemptAsync(client, uri, probe.ExpectStatus, t);
                }
                else
                {
                    if (!TryParseHostPort(target, out var host, out var port))
                        return Result(false, $"Probe '{name}': '{target}' is not host:port (a port from 1 to 65535); fix the plan's drill.probes.");
                    what = $"TCP connect to {target}";
                    attempt = t => TcpAttemptAsync(host, port, t);
                }
            }
            catch (DrToolsException ex)
            {
                return Result(false, $"Probe '{name}': {ex.Message}");
            }

            using (http)
            {
                var clock = Stopwatch.StartNew();
                var within = probe.Within > TimeSpan.Zero ? probe.Within : TimeSpan.Zero;
                for (int attempts = 1; ; attempts++)
                {
                    var (passed, detail) = await BoundedAttemptAsync(attempt, ct).ConfigureAwait(false);
                    var elapsed = clock.Elapsed;
                    if (passed)
                        return Result(true, $"{what}: {detail} on attempt {attempts} after {Seconds(elapsed)}.");
                    var left = within - elapsed;
                    if (left <= TimeSpan.Zero)
                        return Result(false, $"{what} did not pass within {Seconds(within)}: {attempts} attempt{(attempts == 1 ? "" : "s")} " +
                                             $"over {Seconds(elapsed)}, the last: {detail}.");
                    var wait = left < RetryInterval ? left : RetryInterval;
                    Reporter?.Verbose($"Probe '{name}': {what}: {detail}; trying again in {Seconds(wait)} ({Seconds(left)} left).");
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// <paramref name="template"/> with every {name} replaced from <paramref name="placeholders"/> (exact name first,
        /// then ignoring case). An unknown placeholder, or one without a value in this drill, is DrTools.InvalidParameter
        /// naming it and the known ones.
        /// </summary>
        public static string FillPlaceholders(string template, IReadOnlyDictionary<string, string> placeholders)
        {
            if (template == null) throw new ArgumentNullException(nameof(template));
            placeholders ??= new Dictionary<string, string>();
            var unknown = new List<string>();
            var empty = new List<string>();
            var filled = Placeholder.Replace(template, m =>
            {
                var key = m.Groups[1].Value;
                if (!placeholders.TryGetValue(key, out var value))
                {
                    var match = placeholders.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                    if (match == null) { unknown.Add(m.Value); return m.Value; }
                    value = placeholders[match];
                }
                if (string.IsNullOrWhiteSpace(value)) { empty.Add(m.Value); return m.Value; }
                return value;
            });
            if (unknown.Count == 0 && empty.Count == 0) return filled;
            var known = placeholders.Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key)
                .OrderBy(k => k, StringComparer.Ordinal).Select(k => "{" + k + "}").ToList();
            var knownText = known.Count > 0 ? "known here: " + string.Join(", ", known)
                : "this drill has none (it created no instances, database or DNS record)";
            var problem = unknown.Count > 0
                ? $"unknown placeholder{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Distinct())} in '{template}'"
                : $"placeholder{(empty.Count == 1 ? "" : "s")} {string.Join(", ", empty.Distinct())} in '{template}' {(empty.Count == 1 ? "has" : "have")} no value in this drill";
            throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"{problem}; {knownText}.", template,
                "Use {<app server role>}, {<role>.publicIp}, {database}, {database.port} or {dns} (see docs/plan-schema.md, drill.probes).");
        }

        /// <summary>Runs one attempt bounded by <see cref="AttemptTimeout"/>, even if the attempt ignores its token.</summary>
        async Task<(bool, string)> BoundedAttemptAsync(Func<CancellationToken, Task<(bool Passed, string Detail)>> attempt, CancellationToken ct)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(AttemptTimeout);
            var task = attempt(limit.Token);
            var stop = Task.Delay(Timeout.Infinite, limit.Token);
            if (await Task.WhenAny(task, stop).ConfigureAwait(false) != task)
            {
                _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                ct.ThrowIfCancellationRequested();
                return (false, $"no answer within {Seconds(AttemptTimeout)}");
            }
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
            catch (OperationCanceledException)
            {
                return (false, $"no answer within {Seconds(AttemptTimeout)}");
            }
            catch (Exception ex)
            {
                return (false, Messages(ex));
            }
        }

        static async Task<(bool, string)> HttpAttemptAsync(HttpClient http, Uri uri, int? expectStatus, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var answered = $"HTTP {status.ToString(CultureInfo.InvariantCulture)}" + (string.IsNullOrEmpty(response.ReasonPhrase) ? "" : $" {response.ReasonPhrase}");
            var passed = expectStatus is { } expected ? status == expected : status >= 200 && status < 400;
            return (passed, passed ? answered : $"{answered}, expected {(expectStatus is { } e ? e.ToString(CultureInfo.InvariantCulture) : "2xx or 3xx")}");
        }

        static async Task<(bool, string)> TcpAttemptAsync(string host, int port, CancellationToken ct)
        {
            // Resolve first, so each client is made for its address family (.NET Framework's TcpClient() is IPv4 only).
            var addresses = IPAddress.TryParse(host, out var literal) ? new[] { literal } : await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
            if (addresses.Length == 0) return (false, $"{host} has no address");
            string last = "";
            foreach (var address in addresses)
            {
                ct.ThrowIfCancellationRequested();
                var client = new TcpClient(address.AddressFamily);
                // Closing the client ends a connect that has no token of its own (netstandard2.0).
                using (ct.Register(() => client.Dispose()))
                {
                    try
                    {
                        await client.ConnectAsync(address, port).ConfigureAwait(false);
                        return (true, $"connected to {address}:{port.ToString(CultureInfo.InvariantCulture)}");
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        last = $"{address}:{port.ToString(CultureInfo.InvariantCulture)}: {Messages(ex)}";
                    }
                    finally
                    {
                        client.Dispose();
                    }
                }
            }
            ct.ThrowIfCancellationRequested();
            return (false, last);
        }

        /// <summary>"host:port" or "[IPv6 address]:port".</summary>
        static bool TryParseHostPort(string value, out string host, out int port)
        {
            host = "";
            port = 0;
            value = value.Trim();
            int colon = value.LastIndexOf(':');
            if (colon <= 0 || colon == value.Length - 1) return false;
            host = value.Substring(0, colon);
            if (host.StartsWith("[", StringComparison.Ordinal) && host.EndsWith("]", StringComparison.Ordinal)) host = host.Substring(1, host.Length - 2);
            else if (host.IndexOf(':') >= 0) return false;
            return host.Length > 0 && int.TryParse(value.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
        }

        /// <summary>The distinct messages of an exception and its inner ones ("An error occurred while sending the request: Connection refused").</summary>
        static string Messages(Exception ex)
        {
            var messages = new List<string>();
            for (var e = ex; e != null; e = e.InnerException)
            {
                var m = e.Message.Trim().TrimEnd('.');
                if (m.Length > 0 && !messages.Any(x => x.IndexOf(m, StringComparison.Ordinal) >= 0)) messages.Add(m);
            }
            return messages.Count > 0 ? string.Join(": ", messages) : ex.GetType().Name;
        }

        static string Seconds(TimeSpan t) =>
            t.TotalSeconds < 60 ? $"{t.TotalSeconds.ToString(t.TotalSeconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture)} s"
                : Plans.Readiness.ReadinessChecker.FormatAge(t);
    }
}
