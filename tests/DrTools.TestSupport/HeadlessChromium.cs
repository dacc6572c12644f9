using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace DrTools.TestSupport
{
    /// <summary>
    /// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket on loopback): no driver, no download.
    /// build.ps1 -Task Test installs it (build/chromium.sh) and sets DRTOOLS_TEST_CHROMIUM; tests skip without it.
    /// Records console errors, exceptions and every network request the page makes.
    /// </summary>
    public sealed class HeadlessChromium : IDisposable
    {
        static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

        readonly Process _process;
        readonly string _profile;
        readonly ClientWebSocket _socket = new();
        readonly CancellationTokenSource _stop = new();
        readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _calls = new();
        readonly Task _reader;
        int _nextId;

        /// <summary>The browser to use: DRTOOLS_TEST_CHROMIUM, else /usr/bin/chromium when it exists; null when there is none.</summary>
        public static string? Executable =>
            Environment.GetEnvironmentVariable("DRTOOLS_TEST_CHROMIUM") is { Length: > 0 } p && File.Exists(p) ? p
            : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;

        public static string SkipReason =>
            "Needs Chromium: build.ps1 -Task Test installs it on Linux (build/chromium.sh, Debian's chromium package); or set DRTOOLS_TEST_CHROMIUM to a Chromium or Chrome binary.";

        public List<string> ConsoleErrors { get; } = new();
        public List<string> Requests { get; } = new();

        HeadlessChromium(Process process, string profile, Uri debugger)
        {
            _process = process;
            _profile = profile;
            using (var connect = new CancellationTokenSource(CallTimeout))
                _socket.ConnectAsync(debugger, connect.Token).GetAwaiter().GetResult();
            _reader = Task.Run(ReadAsync);
        }

        /// <summary>Starts the browser with a fresh profile on a page-level target.</summary>
        public static HeadlessChromium Start()
        {
            var exe = Executable ?? throw new InvalidOperationException(SkipReason);
            var profile = Path.Combine(Path.GetTempPath(), "drtools-chromium-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(profile);
            var args = new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
            };
            var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data?.IndexOf("DevTools listening on ", StringComparison.Ordinal) is >= 0 and var i)
                    found.TrySetResult(e.Data.Substring(i + "DevTools listening on ".Length).Trim());
            };
            process.BeginErrorReadLine();
            if (!found.Task.Wait(TimeSpan.FromSeconds(60)))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new TimeoutException("Chromium did not start its DevTools endpoint within 60 s.");
            }
            // One page target: the browser endpoint creates it, then the test talks to the page directly.
            var browserWs = new Uri(found.Task.Result);
            var page = PageTarget(browserWs);
            return new HeadlessChromium(process, profile, page);
        }

        static Uri PageTarget(Uri browserWs)
        {
            using var http = new System.Net.Http.HttpClient { Timeout = CallTimeout };
            var list = JsonNode.Parse(http.GetStringAsync($"http://127.0.0.1:{browserWs.Port}/json/list").GetAwaiter().GetResult())!.AsArray();
            foreach (var t in list)
                if ((string?)t!["type"] == "page") return new Uri((string)t["webSocketDebuggerUrl"]!);
            throw new InvalidOperationException("Chromium has no page target.");
        }

        /// <summary>Sends one DevTools command and waits (at most 30 s) for its answer.</summary>
        public JsonNode Call(string method, object? parameters = null)
        {
            var id = Interlocked.Increment(ref _nextId);
            var tcs = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls[id] = tcs;
            var json = JsonSerializer.Serialize(new { id, method, @params = parameters ?? new { } });
            using (var send = new CancellationTokenSource(CallTimeout))
                _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, send.Token).GetAwaiter().GetResult();
            if (!tcs.Task.Wait(CallTimeout)) throw new TimeoutException($"Chromium did not answer {method} within {CallTimeout.TotalSeconds} s.");
            var answer = tcs.Task.Result;
            if (answer["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return answer["result"]!;
        }

        /// <summary>Evaluates a JavaScript expression in the page and returns its value as JSON.</summary>
        public JsonNode? Evaluate(string expression)
        {
            var r = Call("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
            if (r["exceptionDetails"] is { } ex) throw new InvalidOperationException("Script error: " + ex.ToJsonString());
            return r["result"]!["value"];
        }

        /// <summary>Opens a file and waits until it has loaded (load event), at most 30 s.</summary>
        public void Open(string path)
        {
            Call("Page.enable");
            Call("Runtime.enable");
            Call("Log.enable");
            Call("Network.enable");
            _loaded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Call("Page.navigate", new { url = new Uri(path).AbsoluteUri });
            if (!_loaded.Task.Wait(CallTimeout)) throw new TimeoutException("The page did not finish loading within 30 s.");
        }

        TaskCompletionSource<bool>? _loaded;

        public void SetViewport(int width, int height) =>
            Call("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = false });

        public void EmulateMedia(string media, bool dark = false) =>
            Call("Emulation.setEmulatedMedia", new { media, features = new[] { new { name = "prefers-color-scheme", value = dark ? "dark" : "light" } } });

        /// <summary>A PNG of the whole page (beyond the viewport), or of the viewport only.</summary>
        public void Screenshot(string file, bool wholePage = true)
        {
            var r = Call("Page.captureScreenshot", new { format = "png", captureBeyondViewport = wholePage });
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, Convert.FromBase64String((string)r["data"]!));
        }

        /// <summary>The page printed to PDF (paper in inches), for checking it prints at all.</summary>
        public byte[] PrintToPdf(double paperWidth, double paperHeight) =>
            Convert.FromBase64String((string)Call("Page.printToPDF", new { paperWidth, paperHeight, printBackground = true })["data"]!);

        async Task ReadAsync()
        {
            var buffer = new byte[1 << 16];
            var message = new MemoryStream();
            try
            {
                while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
                {
                    var r = await _socket.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close) break;
                    message.Write(buffer, 0, r.Count);
                    if (!r.EndOfMessage) continue;
                    var node = JsonNode.Parse(message.ToArray())!;
                    message.SetLength(0);
                    if (node["id"] is { } id)
                    {
                        if (_calls.TryRemove((int)id, out var tcs)) tcs.TrySetResult(node);
                        continue;
                    }
                    var method = (string?)node["method"];
                    var p = node["params"];
                    lock (ConsoleErrors)
                    {
                        switch (method)
                        {
                            case "Runtime.consoleAPICalled" when (string?)p!["type"] is "error" or "assert":
                                ConsoleErrors.Add("console: " + p["args"]?.ToJsonString());
                                break;
                            case "Runtime.exceptionThrown":
                                ConsoleErrors.Add("exception: " + p!["exceptionDetails"]?.ToJsonString());
                                break;
                            case "Log.entryAdded" when (string?)p!["entry"]!["level"] == "error":
                                ConsoleErrors.Add("log: " + (string?)p["entry"]!["text"] + " " + (string?)p["entry"]!["url"]);
                                break;
                            case "Network.requestWillBeSent":
                                Requests.Add((string)p!["request"]!["url"]!);
                                break;
                            case "Page.loadEventFired":
                                _loaded?.TrySetResult(true);
                                break;
                        }
                    }
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested || _socket.State != WebSocketState.Open)
            {
                // closing
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try { _socket.Abort(); } catch (Exception) { }
            try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); } catch (Exception) { }
            _process.Dispose();
            try { Directory.Delete(_profile, true); } catch (Exception) { }
        }
    }

    /// <summary>A fact that runs only where Chromium is installed.</summary>
    public sealed class ChromiumFactAttribute : FactAttribute
    {
        public ChromiumFactAttribute()
        {
            if (HeadlessChromium.Executable == null) Skip = HeadlessChromium.SkipReason;
        }
    }
}
