using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Aws
{
    public class WaiterTests
    {
        sealed class Recorder : IOperationReporter
        {
            public readonly List<ProgressUpdate> Updates = new();
            public void Verbose(string message) { }
            public void Warning(string message) { }
            public void Progress(ProgressUpdate update) { lock (Updates) Updates.Add(update); }
        }

        [Fact]
        public async Task Returns_the_value_once_the_state_is_reached_and_reports_progress_until_then()
        {
            var states = new Queue<string>(new[] { "pending", "pending", "completed" });
            var reporter = new Recorder();
            var result = await Waiter.UntilAsync("snapshot snap-1 to complete", _ => Task.FromResult(states.Dequeue()),
                s => s == "completed" ? WaitCheck.Ready(s) : WaitCheck.Pending(s), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5), reporter, CancellationToken.None);
            Assert.Equal("completed", result);
            Assert.Empty(states);
            Assert.Contains(reporter.Updates, u => u.Status.StartsWith("pending", StringComparison.Ordinal) && !u.Completed);
            Assert.True(reporter.Updates[^1].Completed);
        }

        [Fact]
        public async Task Times_out_with_DrTools_Timeout_naming_the_resource_and_last_state()
        {
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Waiter.UntilAsync("instance i-1 to run", _ => Task.FromResult("pending"),
                s => WaitCheck.Pending(s), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(10), null, CancellationToken.None));
            Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
            Assert.Equal(DrErrorCategory.OperationTimeout, ex.Category);
            Assert.Contains("instance i-1 to run", ex.Message);
            Assert.Contains("pending", ex.Message);
        }

        [Fact]
        public async Task Stops_at_a_terminal_failure_state_without_waiting_for_the_timeout()
        {
            var started = DateTime.UtcNow;
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Waiter.UntilAsync("snapshot snap-1 to complete", _ => Task.FromResult("error"),
                s => s == "error" ? WaitCheck.Failure(s) : WaitCheck.Pending(s), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), null, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
        }

        [Fact]
        public async Task Cancellation_ends_the_wait_promptly()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            var started = DateTime.UtcNow;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Waiter.UntilAsync("db to be available", _ => Task.FromResult("creating"),
                s => WaitCheck.Pending(s), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), null, cts.Token));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
        }
    }
}
