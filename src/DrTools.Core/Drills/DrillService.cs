using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills.Steps;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// The facade of drills (Invoke-DrDrill, Get-DrDrill, Remove-DrDrill): the plan's recovery rehearsed in isolation through
    /// the same <see cref="RecoveryEngine"/> (journal, waves, parallelism, resume, step timeouts) under the run name
    /// "&lt;plan&gt;.drill", then validated, measured, cleaned up and recorded. docs/drills.md describes the rules.
    /// </summary>
    public sealed class DrillService
    {
        readonly RecoveryServices _services;
        readonly RecoveryJournalStore _journals;
        readonly IOperationReporter _reporter;

        public DrillService(RecoveryServices services, RecoveryJournalStore journals, IOperationReporter? reporter = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _journals = journals ?? throw new ArgumentNullException(nameof(journals));
            _reporter = reporter ?? NullReporter.Instance;
            History = new DrillHistory(journals);
        }

        /// <summary>The drill results, beside the journals.</summary>
        public DrillHistory History { get; }

        /// <summary>Time between polls of cleanup's deletion checks (tests shorten it).</summary>
        public TimeSpan CleanupPollInterval { get; init; } = TimeSpan.FromSeconds(10);

        static string Label(DrPlan plan, DrillScenario scenario) => $"DRILL {scenario} ({RecoveryService.StrategyName(plan.Strategy)})";

        /// <summary>A new drill id: UTC time and a random suffix, lowercase (drill resources are named after it).</summary>
        public static string NewRunId(DateTimeOffset now)
        {
            var bytes = new byte[3];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return now.UtcDateTime.ToString("yyyyMMdd't'HHmmss", CultureInfo.InvariantCulture) + "-" + BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }

        /// <summary>The drill's steps, wired, for run <paramref name="runId"/>; builds objects only (no AWS call).</summary>
        public IReadOnlyList<IRecoveryStep> BuildSteps(DrPlan plan, DrillOptions options, string runId) =>
            DrillGraph.Build(plan ?? throw new ArgumentNullException(nameof(plan)), _services, runId, options ?? new DrillOptions()).Steps;

        /// <summary>-WhatIf: every step with its wave and resources, what the drill leaves alone, and the cleanup. No AWS call.</summary>
        public DrillPlan Plan(DrPlan plan, DrillOptions options)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            options ??= new DrillOptions();
            var runId = options.RunId ?? NewRunId(options.UtcNow());
            var graph = DrillGraph.Build(plan, _services, runId, options);
            return new DrillPlan
            {
                Plan = plan.Name,
                RunId = runId,
                Scenario = options.Scenario,
                Steps = RecoveryEngine.Plan(DrillTags.RunName(plan.Name), graph.Steps, Label(plan, options.Scenario)),
                Skipped = graph.Skipped,
                Cleanup = graph.CleanupLines(options.Keep),
                Keep = options.Keep,
            };
        }

        /// <summary>The PlanAsync form of <see cref="Plan"/>, for symmetry with the runs.</summary>
        public Task<DrillPlan> PlanAsync(DrPlan plan, DrillOptions options, CancellationToken cancellationToken = default) => Task.FromResult(Plan(plan, options));

        /// <summary>
        /// Runs (or resumes) a drill: the steps, validation after they all succeeded, measurement, cleanup (always, unless
        /// Keep; also after a failure, a stop condition or cancellation) and the history record.
        /// </summary>
        /// <exception cref="DrToolsException">Before any step ran: bad parameters, no drill to resume, journal not writable.</exception>
        /// <exception cref="DrillCancelledException">The caller cancelled; cleanup ran first (the result says what is left).</exception>
        public async Task<DrillResult> RunAsync(DrPlan plan, DrillOptions options, CancellationToken cancellationToken)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            options ??= new DrillOptions();
            var runName = DrillTags.RunName(plan.Name);
            var runId = ResolveRunId(plan, options);
            var graph = DrillGraph.Build(plan, _services, runId, options);
            var engine = new RecoveryEngine(_journals, _reporter);
            if (options.Resume) await RefuseResumeAfterCleanupAsync(plan, runId, cancellationToken).ConfigureAwait(false);
            // A misspelt alarm would never stop the drill: every alarm must exist before anything is created.
            foreach (var alarms in options.StopConditions.OfType<AlarmStopCondition>())
                await alarms.ValidateAsync(cancellationToken).ConfigureAwait(false);
            _reporter.Verbose($"Drill {runId} of plan '{plan.Name}' ({options.Scenario}) in {plan.DrRegion}: {graph.Steps.Count} steps; everything it creates is tagged {DrillTags.Drill}={runId}.");

            using var runCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var watchCts = new CancellationTokenSource();
            string? stopReason = null;
            var watch = StartWatching(options, watchCts.Token, reason =>
            {
                stopReason = reason;
                _reporter.Warning($"Drill {runId} stops: {reason}. Cleaning up.");
                runCts.Cancel();
            });

            RecoveryResult? recovery = null;
            var rpo = new List<DrillRpoComponent>();
            var validation = new List<DrillValidationResult>();
            DateTimeOffset? validated = null;
            IReadOnlyList<DrillLeftover> leftovers = Array.Empty<DrillLeftover>();
            var cleanedUp = false;
            try
            {
                try
                {
                    recovery = await engine.RunAsync(new RecoveryRequest
                    {
                        PlanName = runName,
                        Strategy = Label(plan, options.Scenario),
                        RtoTarget = plan.Rto,
                        Steps = graph.Steps,
                        Resume = options.Resume,
                        RunId = runId,
                        MaxParallelism = options.MaxParallelism ?? plan.Options.MaxParallelism,
                        DefaultStepTimeout = options.StepTimeout ?? plan.Options.StepTimeout,
                        ContinueOnError = options.ContinueOnError ?? plan.Options.ContinueOnError,
                        Approve = options.Approve,
                    }, runCts.Token).ConfigureAwait(false);
                }
                catch (RecoveryCancelledException ex)
                {
                    recovery = ex.Result;
                }

                if (!cancellationToken.IsCancellationRequested)
                {
                    rpo.AddRange(await MeasureRpoAsync(plan, graph, recovery, options, runCts.Token).ConfigureAwait(false));
                    if (recovery.Succeeded && stopReason == null)
                    {
                        validation.AddRange(await ValidateAsync(plan, graph, recovery, runId, options, runCts.Token).ConfigureAwait(false));
                        if (stopReason == null && validation.All(v => v.Passed)) validated = options.UtcNow();
                    }
                }
            }
            catch (OperationCanceledException) when (runCts.IsCancellationRequested)
            {
                // A stop condition or Ctrl+C during measurement or validation: cleanup below, the result says why.
            }
            finally
            {
                watchCts.Cancel();
                if (recovery != null)
                {
                    // Its own token: cleanup must also run after Ctrl+C, bounded by its own time limit.
                    using var cleanupCts = new CancellationTokenSource(options.CleanupTimeout);
                    var cleaner = new DrillCleaner(_services, _reporter) { PollInterval = CleanupPollInterval };
                    try
                    {
                        if (options.Keep)
                        {
                            leftovers = await cleaner.FindAsync(plan, runId, cleanupCts.Token).ConfigureAwait(false);
                            _reporter.Warning($"-Keep: drill {runId} leaves {leftovers.Count} resource(s) running (tag {DrillTags.Drill}={runId}); " +
                                              $"delete them with Remove-DrDrill -RunId {runId}.");
                        }
                        else
                        {
                            leftovers = await cleaner.RemoveAsync(plan, runId, options.CleanupTimeout, cleanupCts.Token).ConfigureAwait(false);
                            cleanedUp = leftovers.Count == 0;
                        }
                    }
                    catch (Exception ex) when (ex is DrToolsException or OperationCanceledException)
                    {
                        _reporter.Warning($"Drill {runId}: cleanup did not finish ({ex.Message}). Run Remove-DrDrill -RunId {runId} to delete what is left.");
                        try { leftovers = await cleaner.FindAsync(plan, runId, CancellationToken.None).ConfigureAwait(false); }
                        catch (Exception again) when (again is DrToolsException or OperationCanceledException)
                        {
                            leftovers = new[] { new DrillLeftover("Unknown", $"tag {DrillTags.Drill}={runId}", plan.DrRegion, "cleanup not verified: " + again.Message, runId) };
                        }
                    }
                }
                try { await watch.ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }

            if (recovery == null)
            {
                // Stopped before the engine ran a step: nothing was created, nothing to clean up or record.
                cancellationToken.ThrowIfCancellationRequested();
                throw new DrToolsException(ErrorIds.DrillFailed, DrErrorCategory.OperationStopped,
                    $"Drill of plan '{plan.Name}' stopped before any step ran: {stopReason}.", plan.Name,
                    "Clear the stop condition (the alarm) and start the drill again.");
            }
            if (cancellationToken.IsCancellationRequested && stopReason == null) stopReason = "cancelled (Ctrl+C)";
            var passed = recovery.Succeeded && stopReason == null && validated != null;
            var dataRpo = rpo.Where(c => !c.Component.StartsWith("ami:", StringComparison.Ordinal)).ToList();
            var result = new DrillResult
            {
                Plan = plan.Name,
                RunId = recovery.RunId,
                Scenario = options.Scenario,
                Passed = passed,
                Started = recovery.Started,
                Finished = options.UtcNow(),
                AchievedRto = passed ? validated!.Value - recovery.Started : null,
                RtoTarget = plan.Rto,
                AchievedRpo = dataRpo.Count > 0 && dataRpo.All(c => c.Age != null) ? dataRpo.Max(c => c.Age) : null,
                Rpo = rpo,
                RpoTarget = plan.Rpo,
                Steps = recovery.Steps,
                Validation = validation,
                StopReason = stopReason,
                CleanedUp = cleanedUp,
                Kept = options.Keep,
                Leftovers = leftovers,
                Recovery = recovery,
            };
            try { await History.SaveAsync(result, CancellationToken.None).ConfigureAwait(false); }
            catch (DrToolsException ex) { _reporter.Warning(ex.Message); }
            if (cancellationToken.IsCancellationRequested) throw new DrillCancelledException(result, cancellationToken);
            return result;
        }

        string ResolveRunId(DrPlan plan, DrillOptions options)
        {
            if (options.RunId != null) return options.RunId;
            if (!options.Resume) return NewRunId(options.UtcNow());
            return _journals.FindLatestUnfinished(DrillTags.RunName(plan.Name))?.RunId
                   ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                       $"Plan '{plan.Name}' has no unfinished drill to resume in '{_journals.Location}'.", plan.Name,
                       "Start a new drill without -Resume.");
        }

        /// <summary>
        /// A drill whose cleanup ran has deleted what its finished steps created; resuming it would reuse steps whose
        /// resources are gone, so only a kept drill (-Keep) or one whose cleanup never ran (a crash) can be resumed.
        /// </summary>
        async Task RefuseResumeAfterCleanupAsync(DrPlan plan, string runId, CancellationToken ct)
        {
            var cleaned = (await History.ListAsync(plan.Name, runId, ct: ct).ConfigureAwait(false)).FirstOrDefault(r => !r.Kept || r.RemovedAt != null);
            if (cleaned == null) return;
            throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                $"Drill {runId} of plan '{plan.Name}' cannot be resumed: " + (cleaned.RemovedAt is { } removed
                    ? $"Remove-DrDrill deleted what it left at {removed:u}."
                    : $"its cleanup already ran (finished {cleaned.Finished:u}) and deleted what its steps created."), runId,
                "Start a new drill without -Resume (a drill can be resumed only when it ran with -Keep or its cleanup never ran). Nothing was changed.");
        }

        Task StartWatching(DrillOptions options, CancellationToken ct, Action<string> stop)
        {
            if (options.StopConditions.Count == 0) return Task.CompletedTask;
            var watcher = options.StopWatcher ?? ((conditions, interval, token) => DrillStopWatcher.WatchAsync(conditions, interval, _reporter, token));
            return Task.Run(async () =>
            {
                var reason = await watcher(options.StopConditions, options.StopCheckInterval, ct).ConfigureAwait(false);
                if (!ct.IsCancellationRequested) stop(reason);
            }, CancellationToken.None);
        }

        static StepResult? Step(RecoveryResult r, string id) =>
            r.Steps.FirstOrDefault(s => s.StepId == id && s.Status is StepStatus.Succeeded or StepStatus.Skipped);

        static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

        /// <summary>RPO per component: the database (replica lag at the snapshot, snapshot age, point in time) and the AMIs (apart).</summary>
        async Task<List<DrillRpoComponent>> MeasureRpoAsync(DrPlan plan, DrillGraph graph, RecoveryResult recovery, DrillOptions options, CancellationToken ct)
        {
            var list = new List<DrillRpoComponent>();
            var started = recovery.Started;
            try
            {
                var restore = graph.Steps.OfType<RestoreDatabaseStep>().FirstOrDefault();
                if (restore != null && Step(recovery, restore.Id) is { } restored)
                {
                    if (Step(recovery, "snapshot-db") is { } snap && graph.Steps.OfType<SnapshotReplicaStep>().FirstOrDefault() is { } snapStep)
                        list.Add(ReplicaRpo(snap, snapStep));
                    else if (restore.IsPointInTime)
                    {
                        // When the restored data is from: the step's output (the time asked for, or the latest restorable time it found).
                        var asOf = restored.Outputs.TryGetValue(RestoreDatabaseStep.PointInTimeOutput, out var at) && RecoveryPointTags.ParseTime(at) is { } t ? t : restore.PointInTime;
                        if (restore.PointInTime is { } pit)
                            list.Add(new DrillRpoComponent("database", $"point in time {Utc(pit):u} of {restore.PrimaryInstanceId}", Utc(asOf ?? pit), TimeSpan.Zero));
                        else
                            list.Add(new DrillRpoComponent("database", $"latest restorable time of {restore.PrimaryInstanceId}", asOf is { } d ? Utc(d) : null,
                                asOf is { } d2 ? started - Utc(d2) : null));
                    }
                    else if (restored.Outputs.TryGetValue("snapshotId", out var snapshotId))
                    {
                        var s = await _services.Rds.FindDBSnapshotAsync(snapshotId, ct).ConfigureAwait(false);
                        var taken = s?.OriginalSnapshotCreateTime ?? s?.SnapshotCreateTime;
                        list.Add(new DrillRpoComponent("database", $"snapshot {snapshotId}", taken is { } t ? Utc(t) : null, taken is { } t2 ? started - Utc(t2) : null));
                    }
                }

                foreach (var launch in graph.Steps.OfType<LaunchInstancesStep>())
                {
                    if (Step(recovery, launch.Id) is not { } done || !done.Outputs.TryGetValue(LaunchInstancesStep.InstanceIdsOutput, out var ids) || ids.Length == 0) continue;
                    var instances = await _services.Ec2.DescribeInstancesAsync(ids.Split(','), null, ct).ConfigureAwait(false);
                    var images = instances.Select(i => i.ImageId).Where(i => i != null).Select(i => i!).Distinct().ToList();
                    if (images.Count == 0) continue;
                    foreach (var image in await _services.Ec2.DescribeImagesAsync(images, null, null, ct).ConfigureAwait(false))
                        list.Add(new DrillRpoComponent("ami:" + launch.Spec.Name, $"AMI {image.ImageId}" + (image.Name != null ? $" ({image.Name})" : ""),
                            image.CreationDate is { } c ? Utc(c) : null, image.CreationDate is { } c2 ? started - Utc(c2) : null));
                }
            }
            catch (DrToolsException ex)
            {
                _reporter.Warning($"Could not measure the RPO of every component: {ex.Message}");
            }
            return list;
        }

        static DrillRpoComponent ReplicaRpo(StepResult snap, SnapshotReplicaStep step)
        {
            snap.Outputs.TryGetValue(SnapshotReplicaStep.LagSourceOutput, out var lagSource);
            DateTimeOffset? taken = snap.Outputs.TryGetValue(SnapshotReplicaStep.SnapshotTimeOutput, out var t)
                ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) : null;
            TimeSpan? lag = snap.Outputs.TryGetValue(SnapshotReplicaStep.LagSecondsOutput, out var l)
                ? TimeSpan.FromSeconds(double.Parse(l, CultureInfo.InvariantCulture)) : null;
            var source = $"snapshot {step.SnapshotId} of replica {step.ReplicaInstanceId}, replica lag " +
                         (lag is { } x ? PromoteDatabaseStep.Text(x) : "unknown") + (lagSource != null ? $" ({lagSource})" : "");
            return new DrillRpoComponent("database", source, taken is { } tk && lag is { } lg ? tk - lg : null, lag);
        }

        /// <summary>Builds the drill environment and runs every validation; a validation that throws fails with its message.</summary>
        async Task<List<DrillValidationResult>> ValidateAsync(DrPlan plan, DrillGraph graph, RecoveryResult recovery, string runId, DrillOptions options,
            CancellationToken ct)
        {
            var results = new List<DrillValidationResult>();
            if (options.Validations.Count == 0) return results;
            DrillEnvironment env;
            var reading = options.UtcNow();
            try
            {
                env = await EnvironmentAsync(plan, graph, recovery, runId, ct).ConfigureAwait(false);
            }
            catch (DrToolsException ex)
            {
                // Throttled or denied after every step succeeded: a failed validation, so the result is still saved and returned.
                var finished = options.UtcNow();
                var message = $"could not read the drill environment: {ex.ErrorId} {ex.Message}";
                _reporter.Warning($"Drill {runId}: validation failed: {message}");
                return new List<DrillValidationResult> { new("environment", false, message, reading, finished, finished - reading) };
            }
            var n = 0;
            foreach (var validate in options.Validations)
            {
                n++;
                var started = options.UtcNow();
                try
                {
                    results.AddRange(await validate(env, ct).ConfigureAwait(false));
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
                {
                    var finished = options.UtcNow();
                    results.Add(new DrillValidationResult($"validation {n}", false, ex.Message, started, finished, finished - started));
                }
            }
            foreach (var failed in results.Where(r => !r.Passed))
                _reporter.Warning($"Drill {runId}: validation {failed.Name} failed: {failed.Message}");
            return results;
        }

        async Task<DrillEnvironment> EnvironmentAsync(DrPlan plan, DrillGraph graph, RecoveryResult recovery, string runId, CancellationToken ct)
        {
            var roles = new Dictionary<string, IReadOnlyList<DrillInstance>>(StringComparer.Ordinal);
            var placeholders = new Dictionary<string, string>(StringComparer.Ordinal);
            var groups = new List<string>();
            foreach (var step in graph.Steps)
            {
                string? role = step switch { LaunchInstancesStep l => l.Spec.Name, CopyGroupStep c => c.Source.Name, _ => null };
                if (role == null || Step(recovery, step.Id) is not { } done) continue;
                if (step is CopyGroupStep copy) groups.Add(copy.CopyName);
                if (!done.Outputs.TryGetValue(LaunchInstancesStep.InstanceIdsOutput, out var ids) || ids.Length == 0) { roles[role] = Array.Empty<DrillInstance>(); continue; }
                var instances = (await _services.Ec2.DescribeInstancesAsync(ids.Split(','), null, ct).ConfigureAwait(false))
                    .OrderBy(i => i.InstanceId, StringComparer.Ordinal)
                    .Select(i => new DrillInstance(role, i.InstanceId, i.PrivateIpAddress, i.PublicIpAddress)).ToList();
                roles[role] = instances;
                if (instances.FirstOrDefault() is { } first)
                {
                    if (first.PrivateIpAddress != null) placeholders[role] = first.PrivateIpAddress;
                    if (first.PublicIpAddress != null) placeholders[role + ".publicIp"] = first.PublicIpAddress;
                }
            }
            string? dbId = null, endpoint = null;
            int? port = null;
            if (graph.DatabaseId != null && Step(recovery, "restore-db") != null)
            {
                var db = await _services.Rds.FindDBInstanceAsync(graph.DatabaseId, ct).ConfigureAwait(false);
                dbId = graph.DatabaseId;
                endpoint = db?.EndpointAddress;
                port = db?.EndpointPort;
                if (endpoint != null) placeholders["database"] = endpoint;
                if (port != null) placeholders["database.port"] = port.Value.ToString(CultureInfo.InvariantCulture);
            }
            var dns = plan.Drill?.Dns?.RecordName is { Length: > 0 } name ? Route53Names.Qualify(name).TrimEnd('.') : null;
            if (dns != null) placeholders["dns"] = dns;
            return new DrillEnvironment
            {
                Plan = plan.Name, RunId = runId, Region = plan.DrRegion, Instances = roles, DatabaseInstanceId = dbId, DatabaseEndpoint = endpoint,
                DatabasePort = port, Groups = groups, DnsName = dns, Placeholders = placeholders,
            };
        }

        /// <summary>What drill <paramref name="runId"/> (every drill of the plan when null) left behind, by tag.</summary>
        public Task<IReadOnlyList<DrillLeftover>> FindLeftoversAsync(DrPlan plan, string? runId, CancellationToken cancellationToken) =>
            new DrillCleaner(_services, _reporter) { PollInterval = CleanupPollInterval }.FindAsync(plan, runId, cancellationToken);

        /// <summary>
        /// Deletes what <see cref="FindLeftoversAsync"/> finds, verifies it is gone, and returns what is still there. The
        /// history of each kept drill it cleared records when (<see cref="DrillResult.RemovedAt"/>), so it is not resumed.
        /// </summary>
        public async Task<IReadOnlyList<DrillLeftover>> RemoveAsync(DrPlan plan, string? runId, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var left = await new DrillCleaner(_services, _reporter) { PollInterval = CleanupPollInterval }
                .RemoveAsync(plan, runId, timeout, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<DrillResult> kept;
            try { kept = (await History.ListAsync(plan.Name, runId, reporter: _reporter, ct: cancellationToken).ConfigureAwait(false)).Where(r => r.Kept && r.RemovedAt == null).ToList(); }
            catch (DrToolsException ex)
            {
                _reporter.Warning($"The drill history could not be updated ({ex.ErrorId}: {ex.Message}); what was deleted is deleted.");
                return left;
            }
            foreach (var record in kept)
            {
                record.Leftovers = left.Where(l => l.RunId == record.RunId).ToList();
                if (record.Leftovers.Count > 0) continue; // still something up: the drill stays resumable
                record.RemovedAt = DateTimeOffset.UtcNow;
                try { await History.SaveAsync(record, CancellationToken.None).ConfigureAwait(false); }
                catch (DrToolsException ex) { _reporter.Warning($"Drill {record.RunId}: the history could not record the removal ({ex.Message})."); }
            }
            return left;
        }
    }
}
