using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// Runs core work on the thread pool while the pipeline thread drains a queue of writes: PowerShell only
    /// accepts WriteObject/WriteProgress/WriteVerbose/WriteWarning/WriteError (and prompts) from the thread that
    /// called ProcessRecord.
    /// </summary>
    internal sealed class PipelinePump : IOperationReporter
    {
        readonly Cmdlet _cmdlet;
        BlockingCollection<Action>? _queue;

        public PipelinePump(Cmdlet cmdlet) => _cmdlet = cmdlet;

        /// <summary>Runs <paramref name="work"/> and pumps its writes until it ends; rethrows its failure.</summary>
        public void Run(Func<CancellationToken, Task> work, CancellationToken token)
        {
            using var queue = new BlockingCollection<Action>();
            _queue = queue;
            try
            {
                var task = Task.Run(() => work(token), token);
                task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
                // After Ctrl+C PowerShell refuses every write (PipelineStoppedException). The work may still be cleaning up
                // (a drill deletes what it created, with its own time limit): keep draining until it ends, so the services it
                // uses are not disposed under it, and answer its questions, then end as a stopped pipeline.
                PipelineStoppedException? stopped = null;
                foreach (var write in queue.GetConsumingEnumerable())
                {
                    try { write(); }
                    catch (PipelineStoppedException ex) { stopped ??= ex; }
                }
                if (stopped != null)
                {
                    try { task.GetAwaiter().GetResult(); }
                    catch (Exception) { /* the pipeline is stopped; what the work reported after that went to the host */ }
                    throw stopped;
                }
                task.GetAwaiter().GetResult();
            }
            finally
            {
                _queue = null;
            }
        }

        /// <summary>Queues a write while work runs; outside a run the caller is the pipeline thread, so write at once.</summary>
        void Post(Action write)
        {
            var queue = _queue;
            if (queue == null) { write(); return; }
            try { queue.Add(write); }
            catch (InvalidOperationException) { /* the run has ended; late writes are dropped */ }
        }

        public void Output(object item) => Post(() => _cmdlet.WriteObject(item));
        public void Error(ErrorRecord record) => Post(() => _cmdlet.WriteError(record));
        public void Verbose(string message) => Post(() => _cmdlet.WriteVerbose(message));
        public void Warning(string message) => Post(() =>
        {
            try { _cmdlet.WriteWarning(message); }
            catch (PipelineStoppedException) when (_cmdlet is PSCmdlet ps && ps.Host?.UI != null)
            {
                // Stopped by Ctrl+C: what cleanup still says (what it deleted, what is left) goes straight to the console.
                ps.Host.UI.WriteWarningLine(message);
                throw;
            }
        });

        public void Progress(ProgressUpdate update) => Post(() =>
        {
            var record = new ProgressRecord(update.ActivityId, update.Activity, string.IsNullOrEmpty(update.Status) ? update.Activity : update.Status)
            {
                ParentActivityId = update.ParentActivityId,
                PercentComplete = Math.Min(100, update.PercentComplete),
                CurrentOperation = update.CurrentOperation,
                SecondsRemaining = update.Remaining is { } r ? (int)Math.Min(int.MaxValue, r.TotalSeconds) : -1,
                RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            _cmdlet.WriteProgress(record);
        });

        /// <summary>Asks on the pipeline thread (ShouldProcess / ShouldContinue) and hands the answer back to the worker.</summary>
        public Task<bool> AskAsync(Func<bool> question)
        {
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() =>
            {
                try { answer.TrySetResult(question()); }
                catch (Exception ex) { answer.TrySetException(ex); }
            });
            return answer.Task;
        }
    }
}
