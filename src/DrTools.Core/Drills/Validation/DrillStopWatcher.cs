using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// Polls a drill's stop conditions (CloudWatch alarms, a script) until one gives a reason to stop, the idea of AWS
    /// Fault Injection Service's stop conditions. The drill engine runs it beside the recovery and, when it returns,
    /// stops the drill, cleans up and reports the reason.
    /// </summary>
    /// <remarks>
    /// <para>Every condition is polled once at the start and then every interval, all of them in parallel, each check bounded by
    /// a check timeout. Of the reasons one round yields, the first condition's in list order wins.</para>
    /// <para>A check that fails (throws, or gives no answer within the check timeout) is a warning, and the condition is
    /// polled again next round: one throttled or dropped call must not stop a drill. A condition that fails
    /// <see cref="FailuresBeforeStop"/> times in a row stops the drill with "cannot read stop condition ...": a stop
    /// condition that cannot be read no longer protects anything, and a drill that goes on without the protection the
    /// admin asked for is worse than a stopped one. A condition that still has not answered is not asked again until it
    /// does, so a hanging script never piles up.</para>
    /// <para>Cancellation of the token ends the watch at once with an <see cref="OperationCanceledException"/>, even when a
    /// check ignores its token. With no conditions the watch just waits for cancellation.</para>
    /// </remarks>
    public static class DrillStopWatcher
    {
        /// <summary>Failed checks in a row after which a condition stops the drill as unreadable.</summary>
        public const int FailuresBeforeStop = 3;

        /// <summary>How long one check may take (an AWS call with its retries) before it counts as failed.</summary>
        public static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromMinutes(2);

        /// <summary>Polls every <paramref name="interval"/> (first at once) and returns the first reason to stop.</summary>
        public static Task<string> WatchAsync(IReadOnlyList<IDrillStopCondition> conditions, TimeSpan interval, CancellationToken ct) =>
            WatchAsync(conditions, interval, null, ct);

        /// <summary>As <see cref="WatchAsync(IReadOnlyList{IDrillStopCondition}, TimeSpan, CancellationToken)"/>; failed checks are
        /// warnings to <paramref name="reporter"/>.</summary>
        /// <param name="checkTimeout">How long one check may take; default <see cref="DefaultCheckTimeout"/>.</param>
        /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
        public static async Task<string> WatchAsync(IReadOnlyList<IDrillStopCondition> conditions, TimeSpan interval, IOperationReporter? reporter,
            CancellationToken ct, TimeSpan? checkTimeout = null)
        {
            if (conditions == null) throw new ArgumentNullException(nameof(conditions));
            if (conditions.Any(c => c == null)) throw new ArgumentException("A stop condition is null.", nameof(conditions));
            if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "The poll interval must be positive.");
            var timeout = checkTimeout ?? DefaultCheckTimeout;
            if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(checkTimeout), timeout, "The check timeout must be positive.");
            reporter ??= NullReporter.Instance;
            ct.ThrowIfCancellationRequested();

            if (conditions.Count == 0)
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                throw new OperationCanceledException(ct);
            }
            reporter.Verbose($"Stop conditions: polling {string.Join(", ", conditions.Select(c => c.Name))} every {interval.TotalSeconds:0.###} s.");
            var watched = conditions.Select(c => new Watched(c)).ToArray();
            while (true)
            {
                var outcomes = await Task.WhenAll(watched.Select(w => w.PollAsync(timeout, reporter, ct))).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                // A condition's own reason says more than "cannot read", so it wins when both come in one round.
                var reason = outcomes.FirstOrDefault(o => o is { Unreadable: false })?.Reason ?? outcomes.FirstOrDefault(o => o != null)?.Reason;
                if (reason != null) return reason;
                await Task.Delay(interval, ct).ConfigureAwait(false);
            }
        }

        sealed record Outcome(string Reason, bool Unreadable);

        /// <summary>One condition's state across rounds: its check in flight and its failures in a row.</summary>
        sealed class Watched
        {
            readonly IDrillStopCondition _condition;
            Task<string?>? _inFlight;
            int _failures;

            public Watched(IDrillStopCondition condition) => _condition = condition;

            /// <summary>One check: a stop reason, or null to keep going. Throws only for <paramref name="ct"/>.</summary>
            public async Task<Outcome?> PollAsync(TimeSpan timeout, IOperationReporter reporter, CancellationToken ct)
            {
                string? problem;
                if (_inFlight is { IsCompleted: false })
                {
                    problem = "its previous check has still not returned";
                }
                else
                {
                    var check = _inFlight = Start(timeout, ct);
                    // Waits for the check, the timeout or the caller's cancellation, whichever comes first.
                    using (var limit = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        limit.CancelAfter(timeout);
                        var stopWaiting = Task.Delay(Timeout.Infinite, limit.Token);
                        await Task.WhenAny(check, stopWaiting).ConfigureAwait(false);
                        ct.ThrowIfCancellationRequested();
                    }
                    problem = check.IsCompleted ? Problem(check, timeout) : null;
                    if (check.IsCompleted && problem == null)
                    {
                        _failures = 0;
                        var reason = check.Result;
                        return string.IsNullOrWhiteSpace(reason) ? null : new Outcome(reason!.Trim(), false);
                    }
                    problem ??= $"it did not answer within {Seconds(timeout)}";
                }
                _failures++;
                reporter.Warning($"Stop condition '{_condition.Name}' could not be checked ({_failures} of {FailuresBeforeStop} failures in a row " +
                                 $"stop the drill): {problem}.");
                return _failures >= FailuresBeforeStop
                    ? new Outcome($"cannot read stop condition '{_condition.Name}' ({_failures} checks in a row failed): {problem}", true)
                    : null;
            }

            Task<string?> Start(TimeSpan timeout, CancellationToken ct)
            {
                // The check's own token also ends at the timeout, so a check that honours it stops working too.
                var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(timeout);
                var task = Task.Run(() => _condition.CheckAsync(cts.Token), CancellationToken.None);
                _ = task.ContinueWith(t => { _ = t.Exception; cts.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return task;
            }

            /// <summary>Why a finished check failed, or null when it answered.</summary>
            static string? Problem(Task<string?> check, TimeSpan timeout)
            {
                if (check.IsCanceled) return $"it did not answer within {Seconds(timeout)}";
                if (!check.IsFaulted) return null;
                var ex = check.Exception!.InnerExceptions.Count == 1 ? check.Exception.InnerException! : check.Exception;
                return ex switch
                {
                    DrToolsException d => $"{d.ErrorId}: {d.Message}",
                    OperationCanceledException => $"it did not answer within {Seconds(timeout)}",
                    _ => ex.Message,
                };
            }

            static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";
        }
    }
}
