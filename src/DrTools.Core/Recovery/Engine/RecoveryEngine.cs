using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>
    /// Runs a recovery: a graph of <see cref="IRecoveryStep"/>s. Independent steps run in parallel (bounded), each
    /// with a time limit; every state change is written to the run's journal, so a re-run with
    /// <see cref="RecoveryRequest.Resume"/> continues where a crash, Ctrl+C or a failure stopped it without
    /// repeating finished steps. Every step's own <see cref="IRecoveryStep.CheckDoneAsync"/> runs before it executes,
    /// so even a new run skips work that is already done.
    /// </summary>
    public sealed class RecoveryEngine
    {
        const int ParentActivityId = 1000;
        readonly RecoveryJournalStore _journals;
        readonly IOperationReporter _reporter;

        public RecoveryEngine(RecoveryJournalStore journals, IOperationReporter? reporter = null)
        {
            _journals = journals ?? throw new ArgumentNullException(nameof(journals));
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>
        /// Test seam: called on the scheduling loop with a step's id just before the step is handed to its task, so a
        /// test can make another step fail at exactly that moment.
        /// </summary>
        internal Action<string>? BeforeStepStart { get; set; }

        /// <summary>
        /// -WhatIf: checks the graph and returns every step in execution order with its wave and the resources it
        /// will touch. Calls nothing on the steps but their properties.
        /// </summary>
        /// <exception cref="DrToolsException">DrTools.InvalidRecoveryGraph (duplicate id, unknown dependency, cycle).</exception>
        public static RecoveryPlan Plan(string planName, IEnumerable<IRecoveryStep> steps, string? strategy = null) =>
            RecoveryGraph.Build(planName, strategy, steps);

        /// <summary>Runs (or resumes) the recovery and returns its timeline.</summary>
        /// <returns>The result; <see cref="RecoveryResult.Succeeded"/> is false when a step failed (see its Message and Error).</returns>
        /// <exception cref="DrToolsException">Before any step ran: invalid graph, no run to resume, journal not writable.</exception>
        /// <exception cref="RecoveryCancelledException">The token was cancelled; running steps are marked Cancelled in the journal.</exception>
        public async Task<RecoveryResult> RunAsync(RecoveryRequest request, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (string.IsNullOrWhiteSpace(request.PlanName)) throw new ArgumentException("The request needs a PlanName.", nameof(request));
            if (request.MaxParallelism < 1) throw new ArgumentOutOfRangeException(nameof(request), "MaxParallelism must be at least 1.");
            cancellationToken.ThrowIfCancellationRequested();

            var plan = RecoveryGraph.Build(request.PlanName, request.Strategy, request.Steps);
            var stepsById = request.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
            var journal = OpenJournal(request, plan);
            var run = new Run(this, request, journal, plan, stepsById);
            return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }

        RecoveryJournal OpenJournal(RecoveryRequest request, RecoveryPlan plan)
        {
            var now = DateTimeOffset.UtcNow;
            RecoveryJournal journal;
            if (request.Resume)
            {
                journal = request.RunId != null
                    ? _journals.Load(request.PlanName, request.RunId)
                    : _journals.FindLatestUnfinished(request.PlanName)
                      ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                          $"Plan '{request.PlanName}' has no unfinished recovery run to resume in '{_journals.Location}'.", request.PlanName,
                          "Start a new run without -Resume; steps whose work is already done are detected and skipped.");
                journal.Attempts++;
                _reporter.Verbose($"Resuming run {journal.RunId} of plan '{journal.PlanName}' (attempt {journal.Attempts}, first started {journal.Started:u}).");
            }
            else
            {
                var runId = request.RunId ?? NewRunId(now);
                if (_journals.Exists(request.PlanName, runId))
                    throw new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists,
                        $"Plan '{request.PlanName}' already has a run '{runId}'.", runId,
                        "Resume it with -Resume, or leave the run id out to start a new run.");
                var unfinished = _journals.FindLatestUnfinished(request.PlanName);
                if (unfinished != null)
                    _reporter.Warning($"Plan '{request.PlanName}' has an unfinished run {unfinished.RunId} (started {unfinished.Started:u}, {unfinished.State}). " +
                                      "Starting a new run; use -Resume to continue that one instead.");
                journal = new RecoveryJournal { PlanName = request.PlanName, RunId = runId, Started = now };
            }
            journal.Strategy = request.Strategy ?? journal.Strategy;
            journal.RtoTarget = request.RtoTarget ?? journal.RtoTarget;
            journal.State = RunState.Running;
            journal.Finished = null;
            journal.Updated = now;

            // Align the journal with today's steps: finished ones stay finished, everything else starts over.
            var old = journal.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
            var steps = new List<JournalStep>();
            foreach (var p in plan.Steps)
            {
                if (old.TryGetValue(p.Id, out var j))
                {
                    old.Remove(p.Id);
                    if (j.Kind != p.Kind)
                    {
                        _reporter.Warning($"Step '{p.Id}' was a {j.Kind} step in the earlier attempt and is a {p.Kind} step now; it will be checked and run again.");
                        j.Status = StepStatus.NotStarted;
                    }
                    j.Kind = p.Kind;
                    j.Wave = p.Wave;
                    j.Description = p.Description;
                    if (j.Status is not (StepStatus.Succeeded or StepStatus.Skipped))
                    {
                        if (j.Status == StepStatus.Running)
                            _reporter.Warning($"Step '{p.Id}' was interrupted while running in an earlier attempt; it will check what is already done and continue.");
                        j.Status = StepStatus.NotStarted;
                        j.Started = j.Finished = null;
                        j.Message = j.ErrorId = null;
                        j.ResourceIds.Clear();
                        j.Outputs.Clear();
                    }
                    steps.Add(j);
                }
                else steps.Add(new JournalStep { Id = p.Id, Kind = p.Kind, Wave = p.Wave, Description = p.Description, Status = StepStatus.NotStarted });
            }
            foreach (var gone in old.Values)
                _reporter.Warning($"The earlier attempt had a step '{gone.Id}' ({gone.Description}) that this recovery no longer has; it is ignored.");
            journal.Steps = steps;
            _journals.Save(journal); // must succeed: without a journal there is no safe resume
            return journal;
        }

        static string NewRunId(DateTimeOffset now)
        {
            var bytes = new byte[3];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" +
                   BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }

        /// <summary>The state of one execution of the engine (one attempt of a run).</summary>
        sealed class Run
        {
            readonly RecoveryEngine _engine;
            readonly RecoveryRequest _request;
            readonly RecoveryJournal _journal;
            readonly RecoveryPlan _plan;
            readonly Dictionary<string, IRecoveryStep> _steps;
            readonly Dictionary<string, JournalStep> _entries;
            readonly Dictionary<string, Exception> _errors = new(StringComparer.Ordinal);
            readonly object _lock = new();
            readonly SemaphoreSlim _askOneAtATime = new(1, 1);
            readonly bool _resumed;
            bool _journalWarned;
            string? _firstFailure;

            public Run(RecoveryEngine engine, RecoveryRequest request, RecoveryJournal journal, RecoveryPlan plan, Dictionary<string, IRecoveryStep> steps)
            {
                _engine = engine;
                _request = request;
                _journal = journal;
                _plan = plan;
                _steps = steps;
                _entries = journal.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
                _resumed = request.Resume;
            }

            IOperationReporter Reporter => _engine._reporter;

            static bool IsDone(StepStatus s) => s is StepStatus.Succeeded or StepStatus.Skipped;

            public async Task<RecoveryResult> ExecuteAsync(CancellationToken ct)
            {
                var total = _plan.Steps.Count;
                foreach (var p in _plan.Steps.Where(p => IsDone(_entries[p.Id].Status)))
                    Reporter.Verbose($"Step {p.Id}: completed in an earlier attempt ({_entries[p.Id].Finished:u}); not executed again.");

                var waiting = _plan.Steps.Where(p => !IsDone(_entries[p.Id].Status)).ToList();
                var running = new Dictionary<Task, PlannedStep>();
                var stopStarting = false;
                while (true)
                {
                    // A failure recorded by a step that has not been processed below yet also stops new starts.
                    if (!_request.ContinueOnError && AnyFailed()) stopStarting = true;
                    if (!stopStarting && !ct.IsCancellationRequested)
                    {
                        foreach (var p in waiting.ToList())
                        {
                            if (running.Count >= _request.MaxParallelism) break;
                            if (!p.DependsOn.All(d => IsDone(Status(d)))) continue;
                            waiting.Remove(p);
                            _engine.BeforeStepStart?.Invoke(p.Id);
                            running.Add(RunStepAsync(p, ct), p);
                        }
                    }
                    ReportOverall(total, running.Values);
                    if (running.Count == 0) break;
                    var finished = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                    var step = running[finished];
                    running.Remove(finished);
                    if (Status(step.Id) is StepStatus.Failed or StepStatus.Cancelled)
                    {
                        _firstFailure ??= step.Id;
                        if (!_request.ContinueOnError) stopStarting = true;
                    }
                }
                Reporter.Progress(new ProgressUpdate(ParentActivityId, $"Recovering plan '{_journal.PlanName}'", "done") { Completed = true });
                return Finish(ct);
            }

            bool AnyFailed()
            {
                lock (_lock) return AnyFailedLocked();
            }

            /// <summary>Call under <see cref="_lock"/>.</summary>
            bool AnyFailedLocked()
            {
                var failed = _plan.Steps.FirstOrDefault(p => _entries[p.Id].Status is StepStatus.Failed or StepStatus.Cancelled);
                if (failed != null) _firstFailure ??= failed.Id;
                return failed != null;
            }

            StepStatus Status(string id)
            {
                lock (_lock) return _entries[id].Status;
            }

            void ReportOverall(int total, IEnumerable<PlannedStep> running)
            {
                int done;
                lock (_lock) done = _entries.Values.Count(e => IsDone(e.Status));
                var names = string.Join(", ", running.Select(r => r.Id));
                Reporter.Progress(new ProgressUpdate(ParentActivityId, $"Recovering plan '{_journal.PlanName}'",
                    $"{done} of {total} steps done" + (names.Length > 0 ? $"; running {names}" : ""))
                {
                    PercentComplete = total == 0 ? 100 : 100 * done / total,
                });
            }

            async Task RunStepAsync(PlannedStep p, CancellationToken ct)
            {
                await Task.Yield(); // let the scheduler start the other ready steps first
                if (ct.IsCancellationRequested) return; // cancelled before it began: stays NotStarted
                var step = _steps[p.Id];
                var activity = ParentActivityId + p.Order;
                int attempt;
                lock (_lock)
                {
                    // Decided under the lock that records failures: a step that failed a moment ago (after the loop
                    // looked) still stops this one, whatever the interleaving. It stays NotStarted.
                    if (!_request.ContinueOnError && AnyFailedLocked()) return;
                    var e = _entries[p.Id];
                    e.Status = StepStatus.Running;
                    e.Started = DateTimeOffset.UtcNow;
                    e.Attempts++;
                    attempt = e.Attempts;
                    Save();
                }
                Reporter.Verbose($"Step {p.Id} started: {p.Description}" + (attempt > 1 ? $" (attempt {attempt})" : ""));
                Reporter.Progress(new ProgressUpdate(activity, $"{p.Kind}: {p.Description}", "starting") { ParentActivityId = ParentActivityId });

                var timeout = step.Timeout ?? _request.DefaultStepTimeout;
                using var stepCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (timeout > TimeSpan.Zero && timeout.TotalMilliseconds < int.MaxValue) stepCts.CancelAfter(timeout);
                var context = new StepContext(_journal.PlanName, _journal.RunId, p.Id, new StepReporter(Reporter, p.Id), attempt, activity, ParentActivityId,
                    OutputsOf, AskAsync);
                var clock = Stopwatch.StartNew();
                var work = Task.Run(() => DoAsync(step, context, stepCts.Token));
                var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (stepCts.Token.Register(() => stopped.TrySetResult(true)))
                {
                    if (await Task.WhenAny(work, stopped.Task).ConfigureAwait(false) != work)
                        await Task.WhenAny(work, Task.Delay(_request.StopGracePeriod)).ConfigureAwait(false);
                }

                StepStatus status;
                string message;
                string? errorId = null;
                StepOutcome? outcome = null;
                Exception? failure = null;
                if (work.Status == TaskStatus.RanToCompletion)
                {
                    (outcome, var already) = work.Result;
                    status = already ? StepStatus.Skipped : StepStatus.Succeeded;
                    message = already ? "Already done: " + outcome.Message : outcome.Message;
                }
                else
                {
                    if (!work.IsCompleted) _ = work.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // abandoned: observe its end
                    var error = work.IsFaulted ? Unwrap(work.Exception!) : null;
                    var late = work.IsCompleted ? "" : $" The step did not stop within {_request.StopGracePeriod.TotalSeconds:0.#}s; what it started in AWS may still be in progress.";
                    if (ct.IsCancellationRequested)
                    {
                        status = StepStatus.Cancelled;
                        message = "Cancelled (Ctrl+C or stop) while running." + late;
                    }
                    else if (stepCts.IsCancellationRequested && (error == null || error is OperationCanceledException))
                    {
                        status = StepStatus.Failed;
                        var ex = new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                            $"Step '{p.Id}' ({p.Description}) did not finish within {timeout}.{late}", p.Id,
                            "Check the resources the step touches, then resume the run (-Resume); raise the step timeout if the operation is slow but healthy.", error);
                        failure = ex;
                        message = ex.Message;
                        errorId = ex.ErrorId;
                    }
                    else
                    {
                        status = StepStatus.Failed;
                        error ??= new InvalidOperationException("The step ended without a result.");
                        var dr = error as DrToolsException;
                        failure = error;
                        errorId = dr?.ErrorId ?? ErrorIds.StepFailed;
                        message = dr != null ? error.Message : $"{error.GetType().Name}: {error.Message}";
                    }
                }

                lock (_lock)
                {
                    var e = _entries[p.Id];
                    e.Status = status;
                    e.Finished = DateTimeOffset.UtcNow;
                    e.Message = message;
                    e.ErrorId = errorId;
                    if (failure != null) _errors[p.Id] = failure;
                    e.ResourceIds = outcome?.ResourceIds.ToList() ?? new List<string>();
                    e.Outputs = outcome?.Outputs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? new Dictionary<string, string>();
                    Save();
                }
                Reporter.Verbose($"Step {p.Id} {status.ToString().ToLowerInvariant()} after {clock.Elapsed.TotalSeconds:0.#}s: {message}");
                Reporter.Progress(new ProgressUpdate(activity, $"{p.Kind}: {p.Description}", status.ToString()) { ParentActivityId = ParentActivityId, Completed = true });
            }

            static async Task<(StepOutcome, bool)> DoAsync(IRecoveryStep step, StepContext context, CancellationToken ct)
            {
                var done = await step.CheckDoneAsync(context, ct).ConfigureAwait(false);
                if (done != null) return (done, true);
                ct.ThrowIfCancellationRequested();
                var outcome = await step.ExecuteAsync(context, ct).ConfigureAwait(false);
                return (outcome ?? new StepOutcome(""), false);
            }

            static Exception Unwrap(AggregateException ex) => ex.InnerExceptions.Count == 1 ? ex.InnerExceptions[0] : ex;

            IReadOnlyDictionary<string, string>? OutputsOf(string stepId)
            {
                lock (_lock)
                    return _entries.TryGetValue(stepId, out var e) && IsDone(e.Status)
                        ? new Dictionary<string, string>(e.Outputs, StringComparer.Ordinal)
                        : null;
            }

            async Task<bool> AskAsync(string question, CancellationToken ct)
            {
                if (_request.Approve == null)
                    throw new DrToolsException(ErrorIds.ApprovalUnavailable, DrErrorCategory.InvalidOperation,
                        $"A manual approval is needed, but this run has no way to ask: {question}", _journal.PlanName,
                        "Run the recovery interactively, or remove the approval from the plan if the runbook is unattended.");
                await _askOneAtATime.WaitAsync(ct).ConfigureAwait(false);
                try { return await _request.Approve(question, ct).ConfigureAwait(false); }
                finally { _askOneAtATime.Release(); }
            }

            /// <summary>Saves under the lock; a failed save mid-run warns once and the run goes on (steps are idempotent).</summary>
            void Save()
            {
                _journal.Updated = DateTimeOffset.UtcNow;
                try { _engine._journals.Save(_journal); }
                catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.JournalError)
                {
                    if (_journalWarned) return;
                    _journalWarned = true;
                    Reporter.Warning(ex.Message + " The recovery continues; a resume may re-check steps that finished after this point.");
                }
            }

            RecoveryResult Finish(CancellationToken ct)
            {
                var cancelled = ct.IsCancellationRequested;
                List<StepResult> results;
                lock (_lock)
                {
                    foreach (var p in _plan.Steps)
                    {
                        var e = _entries[p.Id];
                        if (e.Status != StepStatus.NotStarted) continue;
                        var blocker = p.DependsOn.FirstOrDefault(d => !IsDone(_entries[d].Status));
                        e.Message = blocker != null
                            ? $"Not started: it depends on '{blocker}', which {Describe(_entries[blocker].Status)}."
                            : cancelled ? "Not started: the run was cancelled."
                            : $"Not started: the run stopped after step '{_firstFailure}' failed (ContinueOnError runs independent steps).";
                    }
                    var succeeded = _entries.Values.All(e => IsDone(e.Status));
                    _journal.State = succeeded ? RunState.Succeeded : cancelled ? RunState.Cancelled : RunState.Failed;
                    _journal.Finished = DateTimeOffset.UtcNow;
                    Save();
                    results = _plan.Steps.Select(p => ToResult(_entries[p.Id], _steps[p.Id])).ToList();
                }

                var result = new RecoveryResult
                {
                    Plan = _journal.PlanName,
                    Strategy = _journal.Strategy,
                    RunId = _journal.RunId,
                    Started = _journal.Started,
                    Finished = _journal.Finished!.Value,
                    RtoTarget = _journal.RtoTarget,
                    Succeeded = _journal.State == RunState.Succeeded,
                    Cancelled = cancelled,
                    Resumed = _resumed,
                    Attempt = _journal.Attempts,
                    JournalPath = _engine._journals.PathOf(_journal.PlanName, _journal.RunId),
                    Steps = results,
                };
                Reporter.Verbose($"Recovery of plan '{result.Plan}' run {result.RunId}: {(result.Succeeded ? "succeeded" : cancelled ? "cancelled" : "failed")} " +
                                 $"after {result.AchievedRto} ({result.Summary}).");
                if (result.Succeeded && result.RtoMet == false)
                    Reporter.Warning($"The recovery took {result.AchievedRto}, longer than the plan's RTO of {result.RtoTarget}.");
                if (cancelled) throw new RecoveryCancelledException(result, ct);
                return result;
            }

            static string Describe(StepStatus s) => s switch
            {
                StepStatus.Failed => "failed",
                StepStatus.Cancelled => "was cancelled",
                StepStatus.Running => "did not finish",
                _ => "did not run",
            };

            StepResult ToResult(JournalStep e, IRecoveryStep step) => new()
            {
                StepId = e.Id,
                Kind = e.Kind,
                Wave = e.Wave,
                Description = e.Description,
                Status = e.Status,
                Started = e.Started,
                Finished = e.Finished,
                Resources = step.Resources.ToArray(),
                ResourceIds = e.ResourceIds.ToArray(),
                Message = e.Message,
                ErrorId = e.ErrorId,
                Error = _errors.TryGetValue(e.Id, out var ex) ? ex : null,
                Attempts = e.Attempts,
                Outputs = new Dictionary<string, string>(e.Outputs, StringComparer.Ordinal),
            };
        }

        /// <summary>Prefixes a step's verbose lines and warnings with its id.</summary>
        sealed class StepReporter : IOperationReporter
        {
            readonly IOperationReporter _inner;
            readonly string _prefix;
            public StepReporter(IOperationReporter inner, string stepId) { _inner = inner; _prefix = $"[{stepId}] "; }
            public void Verbose(string message) => _inner.Verbose(_prefix + message);
            public void Warning(string message) => _inner.Warning(_prefix + message);
            public void Progress(ProgressUpdate update) => _inner.Progress(update);
        }
    }
}
