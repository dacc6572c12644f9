using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws
{
    /// <summary>What one poll of a waited-for resource found.</summary>
    public readonly struct WaitCheck
    {
        WaitCheck(bool done, bool failed, string status) { Done = done; Failed = failed; Status = status; }
        public bool Done { get; }
        /// <summary>A terminal state that will never become the wanted one (e.g. snapshot "error").</summary>
        public bool Failed { get; }
        public string Status { get; }
        public static WaitCheck Ready(string status) => new(true, false, status);
        public static WaitCheck Pending(string status) => new(false, false, status);
        public static WaitCheck Failure(string status) => new(false, true, status);
    }

    /// <summary>
    /// Polls until a resource reaches the wanted state, with a timeout, progress and prompt cancellation.
    /// Used by every waiter (instance running, snapshot completed, DB available, INSYNC, N instances InService...).
    /// </summary>
    public static class Waiter
    {
        /// <param name="what">Names the resource and the wanted state, e.g. "snapshot snap-1 to complete".</param>
        /// <param name="poll">One read of the resource; its AWS failures propagate.</param>
        /// <param name="check">Classifies what the poll returned.</param>
        /// <param name="timeout">How long to wait before failing with DrTools.Timeout.</param>
        /// <param name="interval">Time between polls (the first poll is immediate).</param>
        public static async Task<T> UntilAsync<T>(string what, Func<CancellationToken, Task<T>> poll, Func<T, WaitCheck> check,
            TimeSpan timeout, TimeSpan interval, IOperationReporter? reporter, CancellationToken cancellationToken, int activityId = 90)
        {
            reporter ??= NullReporter.Instance;
            var clock = Stopwatch.StartNew();
            var status = "unknown";
            try
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var value = await poll(cancellationToken).ConfigureAwait(false);
                    var result = check(value);
                    status = result.Status;
                    if (result.Done) return value;
                    if (result.Failed)
                        throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                            $"Gave up waiting for {what}: it reached the state '{status}', which will not change to the one wanted.", what,
                            "Look at the resource in the AWS console or with the AWS CLI to see why it failed, fix the cause, and re-run.");
                    var elapsed = clock.Elapsed;
                    if (elapsed >= timeout)
                        throw new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                            $"Timed out after {Format(timeout)} waiting for {what} (last state: '{status}').", what,
                            "The operation may still finish on its own. Check its state, then re-run with a longer timeout; completed work is not repeated.");
                    reporter.Progress(new ProgressUpdate(activityId, $"Waiting for {what}", $"{status} ({Format(elapsed)} elapsed)")
                    {
                        PercentComplete = (int)Math.Min(99, 100 * elapsed.TotalMilliseconds / Math.Max(1, timeout.TotalMilliseconds)),
                        Remaining = timeout - elapsed,
                    });
                    var wait = TimeSpan.FromTicks(Math.Min(interval.Ticks, (timeout - elapsed).Ticks));
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                reporter.Progress(new ProgressUpdate(activityId, $"Waiting for {what}", status) { Completed = true });
            }
        }

        static string Format(TimeSpan t) => t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{t.TotalSeconds:0.#}s";
    }
}
