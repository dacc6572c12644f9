using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Tests.Recovery;
using Xunit;

namespace DrTools.Core.Tests.Drills
{
    public class DrillStopWatcherTests
    {
        static readonly TimeSpan Short = TimeSpan.FromMilliseconds(1);
        /// <summary>Only a hang guard: a correct watcher ends long before it.</summary>
        static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

        /// <summary>A condition that answers its calls from a script; the last entry repeats.</summary>
        sealed class Scripted : IDrillStopCondition
        {
            readonly Func<CancellationToken, Task<string?>>[] _steps;
            int _calls;
            public Scripted(string name, params Func<CancellationToken, Task<string?>>[] steps) { Name = name; _steps = steps; }
            public string Name { get; }
            public int Calls => Volatile.Read(ref _calls);
            public Task<string?> CheckAsync(CancellationToken ct)
            {
                var i = Interlocked.Increment(ref _calls) - 1;
                return _steps[Math.Min(i, _steps.Length - 1)](ct);
            }
        }

        static Func<CancellationToken, Task<string?>> Go => _ => Task.FromResult<string?>(null);
        static Func<CancellationToken, Task<string?>> Stop(string reason) => _ => Task.FromResult<string?>(reason);
        static Func<CancellationToken, Task<string?>> Throw(Exception ex) => _ => Task.FromException<string?>(ex);
        static DrToolsException Throttled => new(ErrorIds.Throttled, DrErrorCategory.LimitsExceeded, "CloudWatch refused: Throttling (request id r-1).");

        [Fact]
        public async Task Polls_at_once_and_returns_the_reason_of_the_condition_that_gives_one()
        {
            var alarm = new Scripted("CloudWatch alarm 'orders-5xx'", Stop("CloudWatch alarm 'orders-5xx' is in ALARM: Threshold Crossed"));
            var quiet = new Scripted("script", Go);

            // An hour's interval: only the first poll, at once, can answer.
            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { quiet, alarm }, TimeSpan.FromHours(1), CancellationToken.None).WaitAsync(HangGuard);

            Assert.Equal("CloudWatch alarm 'orders-5xx' is in ALARM: Threshold Crossed", reason);
            Assert.Equal((1, 1), (quiet.Calls, alarm.Calls));
        }

        [Fact]
        public async Task Keeps_polling_every_condition_until_one_gives_a_reason_and_an_empty_answer_is_no_reason()
        {
            var alarm = new Scripted("alarm", Go, Go, _ => Task.FromResult<string?>("  "), Stop("in ALARM"));
            var quiet = new Scripted("script", Go);

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { alarm, quiet }, Short, CancellationToken.None).WaitAsync(HangGuard);

            Assert.Equal("in ALARM", reason);
            Assert.Equal(4, alarm.Calls);
            Assert.Equal(4, quiet.Calls);
        }

        [Fact]
        public async Task Of_two_reasons_in_one_round_the_first_condition_in_list_order_wins()
        {
            var first = new Scripted("first", Go, Stop("first reason"));
            var second = new Scripted("second", Go, Stop("second reason"));

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { first, second }, Short, CancellationToken.None).WaitAsync(HangGuard);

            Assert.Equal("first reason", reason);
        }

        [Fact]
        public async Task A_check_that_throws_is_a_warning_and_the_condition_is_polled_again()
        {
            var reporter = new RecordingReporter();
            var alarm = new Scripted("CloudWatch alarm 'orders-5xx'", Throw(Throttled), Throw(new InvalidOperationException("script failed")), Stop("in ALARM"));

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { alarm }, Short, reporter, CancellationToken.None).WaitAsync(HangGuard);

            Assert.Equal("in ALARM", reason);
            var warnings = reporter.Warnings.ToArray();
            Assert.Equal(2, warnings.Length);
            Assert.Contains("'CloudWatch alarm 'orders-5xx'' could not be checked (1 of 3", warnings[0]);
            Assert.Contains("DrTools.Throttled: CloudWatch refused: Throttling", warnings[0]);
            Assert.Contains("(2 of 3", warnings[1]);
            Assert.Contains("script failed", warnings[1]);
        }

        [Fact]
        public async Task Three_failed_checks_in_a_row_stop_the_drill_because_the_condition_cannot_be_read()
        {
            var reporter = new RecordingReporter();
            var alarm = new Scripted("CloudWatch alarm 'orders-5xx'", Throw(Throttled));
            var quiet = new Scripted("script", Go);

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { quiet, alarm }, Short, reporter, CancellationToken.None).WaitAsync(HangGuard);

            Assert.StartsWith("cannot read stop condition 'CloudWatch alarm 'orders-5xx'' (3 checks in a row failed): DrTools.Throttled", reason);
            Assert.Equal(DrillStopWatcher.FailuresBeforeStop, alarm.Calls);
            Assert.Equal(3, reporter.Warnings.Count);
        }

        [Fact]
        public async Task A_good_check_between_failures_starts_the_count_again()
        {
            var alarm = new Scripted("alarm", Throw(Throttled), Throw(Throttled), Go, Throw(Throttled), Throw(Throttled), Stop("in ALARM"));

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { alarm }, Short, CancellationToken.None).WaitAsync(HangGuard);

            Assert.Equal("in ALARM", reason);
        }

        [Fact]
        public async Task A_real_reason_wins_over_an_unreadable_condition_in_the_same_round()
        {
            var broken = new Scripted("broken", Throw(Throttled));
            var alarm = new Scripted("alarm", Go, Go, Stop("in ALARM"));

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { broken, alarm }, Short, CancellationToken.None).WaitAsync(HangGuard);

            Assert.Equal("in ALARM", reason);
        }

        [Fact]
        public async Task A_check_that_never_answers_times_out_is_not_started_again_while_it_hangs_and_stops_the_drill_after_three_rounds()
        {
            var reporter = new RecordingReporter();
            var never = new TaskCompletionSource<string?>();
            // Ignores its token, as a stuck script might.
            var hung = new Scripted("script", _ => never.Task);

            var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { hung }, Short, reporter, CancellationToken.None,
                checkTimeout: TimeSpan.FromMilliseconds(20)).WaitAsync(HangGuard);

            Assert.StartsWith("cannot read stop condition 'script' (3 checks in a row failed)", reason);
            Assert.Equal(1, hung.Calls);
            var warnings = reporter.Warnings.ToArray();
            Assert.Contains("did not answer within 0.02 s", warnings[0]);
            Assert.Contains("previous check has still not returned", warnings[2]);
        }

        [Fact]
        public async Task Cancellation_ends_the_watch_at_once_even_while_a_check_ignores_its_token_and_cancels_the_checks_token()
        {
            CancellationToken seen = default;
            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var never = new TaskCompletionSource<string?>();
            var hung = new Scripted("script", ct => { seen = ct; started.TrySetResult(true); return never.Task; });
            using var cts = new CancellationTokenSource();

            var watch = DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { hung }, TimeSpan.FromHours(1), cts.Token);
            await started.Task.WaitAsync(HangGuard);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch.WaitAsync(HangGuard));
            Assert.True(seen.IsCancellationRequested);
        }

        [Fact]
        public async Task Cancellation_between_polls_ends_the_watch()
        {
            var polled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var quiet = new Scripted("alarm", _ => { polled.TrySetResult(true); return Task.FromResult<string?>(null); });
            using var cts = new CancellationTokenSource();

            var watch = DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { quiet }, TimeSpan.FromHours(1), cts.Token);
            await polled.Task.WaitAsync(HangGuard);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch.WaitAsync(HangGuard));
            Assert.Equal(1, quiet.Calls);
        }

        [Fact]
        public async Task Without_conditions_the_watch_waits_for_cancellation()
        {
            using var cts = new CancellationTokenSource();
            var watch = DrillStopWatcher.WatchAsync(Array.Empty<IDrillStopCondition>(), Short, cts.Token);
            await Task.Yield();
            Assert.False(watch.IsCompleted);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch.WaitAsync(HangGuard));
        }

        [Fact]
        public async Task A_delegate_condition_passes_its_token_and_answer_through()
        {
            using var cts = new CancellationTokenSource();
            CancellationToken seen = default;
            var condition = new DelegateStopCondition("-StopCondition script", ct => { seen = ct; return Task.FromResult<string?>("error rate 7%"); });

            Assert.Equal("-StopCondition script", condition.Name);
            Assert.Equal("error rate 7%", await condition.CheckAsync(cts.Token));
            Assert.Equal(cts.Token, seen);
            Assert.Throws<ArgumentException>(() => new DelegateStopCondition(" ", _ => Task.FromResult<string?>(null)));
        }
    }
}
