using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Backup
{
    /// <summary>The worker pool every backup engine uses (backup, restore, verify, copy).</summary>
    internal static class ParallelWork
    {
        /// <summary>
        /// Runs <paramref name="body"/> for each item on up to <paramref name="workers"/> concurrent workers. The first
        /// failure cancels the other workers, and it is that failure, not the cancellations it caused, that is rethrown.
        /// </summary>
        public static async Task ForEachAsync<T>(IReadOnlyList<T> items, int workers, Func<T, CancellationToken, Task> body, CancellationToken ct)
        {
            using var failFast = CancellationTokenSource.CreateLinkedTokenSource(ct);
            int next = -1;
            var tasks = Enumerable.Range(0, Math.Max(1, Math.Min(workers, items.Count))).Select(_ => Task.Run(async () =>
            {
                try
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < items.Count)
                    {
                        failFast.Token.ThrowIfCancellationRequested();
                        await body(items[i], failFast.Token).ConfigureAwait(false);
                    }
                }
                catch
                {
                    failFast.Cancel();
                    throw;
                }
            }, failFast.Token)).ToList();
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch
            {
                ct.ThrowIfCancellationRequested();
                ThrowFirstFailure(tasks);
                throw;
            }
        }

        /// <summary>Rethrows the first failure among <paramref name="tasks"/> that is not a cancellation it caused; returns when there is none.</summary>
        public static void ThrowFirstFailure(IEnumerable<Task> tasks)
        {
            var real = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (real != null) ExceptionDispatchInfo.Capture(real).Throw();
        }
    }
}
