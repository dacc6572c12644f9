using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Reprotect
{
    /// <summary>What a re-protect of a plan would do, read from its active side record and the plan.</summary>
    public sealed class ReprotectTarget
    {
        /// <summary>The record as it is now.</summary>
        public ActiveSide Record { get; init; } = null!;
        /// <summary>The database to protect; null when the plan has no database (nothing to do).</summary>
        public DatabaseLocation? Writer { get; init; }
        /// <summary>Where the new replica goes and its id.</summary>
        public string? ReplicaRegion { get; init; }
        public string? ReplicaId { get; init; }
        /// <summary>Nothing to do: the writer already has a replica (or there is no database); <see cref="Reason"/> says so.</summary>
        public bool NothingToDo { get; init; }
        public string Reason { get; init; } = "";
    }

    /// <summary>
    /// Invoke-DrReprotect's logic: after a failover (or a failback whose re-protect did not finish), protects the
    /// active writer with a cross-region read replica in the other side's region (<see cref="ReprotectSteps"/>) and
    /// records the replica in the active side record. Runs are journaled under &lt;plan&gt;.reprotect, so -Resume works.
    /// </summary>
    public sealed class ReprotectService
    {
        public const string Label = "REPROTECT";
        /// <summary>The pseudo step of a result that did nothing because the plan was already protected.</summary>
        public const string NothingToDoStepId = "check-protection";
        readonly RecoveryServices _services;
        readonly RecoveryJournalStore _journals;
        readonly ActiveSideStore _sides;
        readonly IOperationReporter _reporter;

        public ReprotectService(RecoveryServices services, RecoveryJournalStore journals, IOperationReporter? reporter = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _journals = journals ?? throw new ArgumentNullException(nameof(journals));
            _sides = new ActiveSideStore(journals);
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>Re-protect runs are journaled apart from failovers and failbacks.</summary>
        public static string RunName(DrPlan plan) => plan.Name + ".reprotect";

        /// <summary>Reads the active side and decides what to protect; changes nothing, calls no AWS API.</summary>
        /// <exception cref="DrToolsException">DrTools.WrongSide when the plan never failed over; DrTools.InvalidPlan when the plan lacks an id or region.</exception>
        public async Task<ReprotectTarget> ResolveAsync(DrPlan plan, CancellationToken cancellationToken)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var record = await _sides.LoadAsync(plan.Name, cancellationToken).ConfigureAwait(false);
            if (record == null)
                throw new DrToolsException(ErrorIds.WrongSide, DrErrorCategory.InvalidOperation,
                    $"Plan '{plan.Name}' has not failed over (no active side record in {_sides.PathOf(plan.Name)}): the primary side is active, " +
                    "and its database is protected by the plan's DR replica.", plan.Name,
                    "Invoke-DrReprotect runs after Invoke-DrFailover. If the failover was run with another -JournalPath, pass the same -JournalPath here; " +
                    "to check the normal protection use Test-DrPlan -Live or Get-DrStatus.");
            if (record.Writer == null)
                return new ReprotectTarget { Record = record, NothingToDo = true, Reason = $"Plan '{plan.Name}' has no database to protect; nothing to do." };
            if (record.Replica != null)
                return new ReprotectTarget
                {
                    Record = record, Writer = record.Writer, NothingToDo = true,
                    Reason = $"Plan '{plan.Name}' is already protected: writer {record.Writer}, replica {record.Replica} " +
                             $"(recorded by {record.Operation} run {record.RunId} at {record.ChangedAt:u}); nothing to do.",
                };
            if (record.Writer.IsCluster)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidOperation,
                    $"Plan '{plan.Name}' runs on the Aurora cluster {record.Writer}, which has no replica in another region. Invoke-DrReprotect " +
                    "creates RDS read replicas; it does not re-protect Aurora clusters. Nothing was changed.", plan.Name,
                    $"Protect the cluster with an Aurora Global Database (add a secondary region to it), or at least copy cluster snapshots to another region: " +
                    $"Invoke-DrBackup -DBClusterIdentifier {record.Writer.Id} -Region {record.Writer.Region} -CopyToRegion <region>.");
            var db = plan.Resources.Database ?? throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidData,
                $"Plan '{plan.Name}' has no database section, but its active side record names the writer {record.Writer}.", plan.Name,
                "Use the plan file that the failover ran with.");
            string? region, id;
            if (record.Active == PlanSide.Dr)
            {
                region = db.Reprotect?.Region ?? db.PrimaryRegion ?? plan.PrimaryRegion;
                id = db.Reprotect?.InstanceId ?? db.PrimaryInstanceId;
            }
            else
            {
                region = plan.DrRegion;
                id = db.ReplicaInstanceId;
            }
            if (string.IsNullOrEmpty(region) || string.IsNullOrEmpty(id))
                throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidData,
                    $"Plan '{plan.Name}' does not say where the replica of {record.Writer} goes: " +
                    (string.IsNullOrEmpty(region) ? "no region" : "no instance id") + ".", plan.Name,
                    "Set resources.database.reprotect.region and reprotect.instanceId (or primaryRegion and primaryInstanceId) in the plan.");
            return new ReprotectTarget { Record = record, Writer = record.Writer, ReplicaRegion = region, ReplicaId = id };
        }

        /// <summary>The steps of the re-protect: <see cref="ReprotectSteps"/>, then the record of the new replica.</summary>
        public IReadOnlyList<IRecoveryStep> BuildSteps(DrPlan plan, ReprotectTarget target, RecoveryOptions? options = null)
        {
            if (target.NothingToDo || target.Writer == null) return Array.Empty<IRecoveryStep>();
            options ??= new RecoveryOptions();
            var graph = new StepGraph(plan, _services, options);
            var last = ReprotectSteps.Add(graph, plan, _services, target.Writer, target.ReplicaRegion!, target.ReplicaId!, Array.Empty<IRecoveryStep>());
            var replica = new DatabaseLocation { Id = target.ReplicaId!, Region = target.ReplicaRegion! };
            var record = new RecordActiveSideStep(StepGraph.RecordActiveSideId, _sides, plan.Name,
                $"active side: {Side(target.Record.Active)}; writer {target.Writer}, replica {replica}", (current, ctx) =>
                {
                    var setAside = (current?.SetAside ?? target.Record.SetAside).ToList();
                    var renamed = ctx.OutputsOf(ReprotectSteps.SetAsideId).TryGetValue(SetAsideDatabaseStep.SetAsideIdOutput, out var a) ? a : "";
                    if (renamed.Length > 0 && !setAside.Any(s => s.Id == renamed && s.Region == replica.Region))
                        setAside.Add(new DatabaseLocation { Id = renamed, Region = replica.Region });
                    return (current ?? target.Record) with { Replica = replica, SetAside = setAside, Operation = "Reprotect" };
                });
            record.After(last.Id, ReprotectSteps.SetAsideId);
            graph.Add(record);
            return graph.Steps;
        }

        static string Side(PlanSide side) => side == PlanSide.Dr ? "DR" : "PRIMARY";

        /// <summary>-WhatIf: the ordered steps; reads the active side record, calls no AWS API.</summary>
        public RecoveryPlan Plan(DrPlan plan, ReprotectTarget target, RecoveryOptions? options = null) =>
            RecoveryEngine.Plan(RunName(plan), BuildSteps(plan, target, options), Label);

        /// <summary>
        /// Fails fast, before anything changes, when the replica's region does not answer (after a regional outage
        /// it often does not, for a while).
        /// </summary>
        /// <exception cref="DrToolsException">The region is not reachable: the cause's id, a message naming the region.</exception>
        public async Task CheckReachableAsync(DrPlan plan, ReprotectTarget target, CancellationToken cancellationToken)
        {
            if (target.NothingToDo || target.ReplicaRegion == null) return;
            try
            {
                await _services.RdsFor(target.ReplicaRegion).FindDBInstanceAsync(target.ReplicaId!, cancellationToken).ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (ex.ErrorId is ErrorIds.EndpointUnreachable or ErrorIds.Timeout or ErrorIds.ServiceError)
            {
                throw new DrToolsException(ex.ErrorId, DrErrorCategory.ConnectionError,
                    $"Region {target.ReplicaRegion} is not reachable yet ({ex.Message}); plan '{plan.Name}' stays without a replica of {target.Writer}.",
                    target.ReplicaRegion, $"Run Invoke-DrReprotect again when {target.ReplicaRegion} is reachable; nothing has been changed.", ex);
            }
        }

        /// <summary>
        /// Re-protects (or with <see cref="RecoveryOptions.Resume"/> continues): checks the region, runs the steps.
        /// Already protected: a succeeded result whose one skipped pseudo step says so.
        /// </summary>
        /// <exception cref="DrToolsException">DrTools.WrongSide (never failed over), the region not reachable, DrTools.InvalidPlan.</exception>
        /// <exception cref="RecoveryCancelledException">Ctrl+C; the journal keeps the run for -Resume.</exception>
        public async Task<RecoveryResult> RunAsync(DrPlan plan, RecoveryOptions? options, CancellationToken cancellationToken)
        {
            options ??= new RecoveryOptions();
            var target = await ResolveAsync(plan, cancellationToken).ConfigureAwait(false);
            if (target.NothingToDo) return NothingToDo(plan, target);
            await CheckReachableAsync(plan, target, cancellationToken).ConfigureAwait(false);
            var engine = new RecoveryEngine(_journals, _reporter);
            return await engine.RunAsync(new RecoveryRequest
            {
                PlanName = RunName(plan),
                Strategy = Label,
                Steps = BuildSteps(plan, target, options),
                Resume = options.Resume,
                RunId = options.RunId,
                MaxParallelism = options.MaxParallelism ?? plan.Options.MaxParallelism,
                DefaultStepTimeout = options.StepTimeout ?? plan.Options.StepTimeout,
                ContinueOnError = options.ContinueOnError ?? plan.Options.ContinueOnError,
                Approve = options.Approve,
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The result of a re-protect that had nothing to do.</summary>
        public static RecoveryResult NothingToDo(DrPlan plan, ReprotectTarget target)
        {
            var now = DateTimeOffset.UtcNow;
            return new RecoveryResult
            {
                Plan = RunName(plan), Strategy = Label, RunId = "", Started = now, Finished = now, Succeeded = true, Attempt = 0,
                Steps = new[]
                {
                    new StepResult
                    {
                        StepId = NothingToDoStepId, Kind = StepKind.Custom, Wave = 1, Status = StepStatus.Skipped, Started = now, Finished = now,
                        Description = "Check whether the active database already has a replica", Message = target.Reason,
                    },
                },
            };
        }
    }
}
