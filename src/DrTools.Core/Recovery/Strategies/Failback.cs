using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Reprotect;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// Failback: a planned return of traffic to the primary site, for any strategy. It first checks that the
    /// primary is ready (its health checks healthy, its database available and writable; -SkipPrimaryCheck skips this), then
    /// points DNS back at the primary (SIMPLE records to their primary target, WEIGHTED sites to their normal
    /// weights) in one batch, waits until the primary is healthy, and only then scales the DR groups back to their
    /// standby size.
    /// <code>
    /// check-primary -> change-dns -> wait-healthy -> scale-*-standby
    /// </code>
    /// An Aurora Global Database is switched back over to the primary cluster (switchback-db, no data loss) between
    /// check-primary and change-dns.
    /// Instances launched by a pilot light or backup-and-restore recovery and the promoted DR database are left
    /// running: deleting them is a decision for after the primary has proven itself.
    /// <para>
    /// When the plan's database failed over (the active side record says DR and names the writer there), the failback
    /// moves the database back without data loss (<see cref="AddDatabaseFailback"/>):
    /// </para>
    /// <code>
    /// check-primary -> approve-fence-database -> fence-db -> catch-up -> promote-db -> change-dns -> wait-healthy
    ///   -> scale-*-standby -> [re-protect the other way] -> record-active-side
    /// </code>
    /// </summary>
    public static class Failback
    {
        public const string FenceApprovalId = "approve-fence-database";
        public const string FenceId = "fence-db";
        public const string CatchUpId = "catch-up";
        public const string PromoteId = "promote-db";
        public const string RecordId = StepGraph.RecordActiveSideId;

        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options) =>
            Build(plan, services, options, null, null);

        /// <param name="active">The plan's active side record (null: none, the primary is active).</param>
        /// <param name="store">Where the record is written at the end; needed when <paramref name="active"/> says DR.</param>
        /// <exception cref="DrToolsException">DrTools.NotProtected: the database failed over and has no replica in the primary region yet.</exception>
        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options, ActiveSide? active, ActiveSideStore? store)
        {
            var g = new StepGraph(plan, services, options);
            if (active is { Active: PlanSide.Dr, Writer: { IsCluster: false } } && plan.Resources.Database != null)
            {
                AddDatabaseFailback(g, plan, services, options, active, store ?? throw new ArgumentNullException(nameof(store)));
                g.InsertApprovals();
                return g.Steps;
            }
            var gate = options.SkipPrimaryCheck ? new List<IRecoveryStep>() : new List<IRecoveryStep> { g.CheckPrimary() };
            var switchback = AuroraGlobalSwitchback(g, plan, services, gate);
            if (switchback != null) gate = new List<IRecoveryStep> { switchback };
            var kind = plan.Strategy == DrStrategy.MultiSite ? StepKind.ChangeTrafficWeights : StepKind.ChangeDns;
            var dns = g.Dns(DnsDirection.ToPrimary, kind, gate);
            var afterDns = dns != null ? new[] { dns } : gate.ToArray();
            var healthy = g.WaitHealthy(DnsDirection.ToPrimary, groups: false, afterDns);
            var standby = g.ScaleGroups(toStandby: true);
            foreach (var s in standby.OfType<RecoveryStepBase>()) s.After((healthy != null ? new[] { healthy } : afterDns).Select(x => x.Id));
            // A plan without a database that failed over still says so in its record: the failback ends that. A record
            // with a writer is ended only by a failback that moves that database back: the RDS failback above, or the
            // Aurora global switchback, after which the primary cluster writes and the DR cluster is its secondary again.
            var back = switchback != null ? AuroraGlobalSides(plan) : null;
            if (active is { Active: PlanSide.Dr } && (active.Writer == null || back != null) && store != null)
            {
                var last = standby.Count > 0 ? standby : healthy != null ? new List<IRecoveryStep> { healthy } : afterDns.ToList();
                var summary = "active side: PRIMARY" + (back != null ? $"; writer {back.Value.Writer}, replica {back.Value.Replica}" : "");
                var record = new RecordActiveSideStep(RecordId, store, plan.Name, summary,
                    (current, _) => (current ?? new ActiveSide()) with
                    {
                        Active = PlanSide.Primary, Operation = "Failback",
                        Writer = back?.Writer ?? current?.Writer, Replica = back != null ? back.Value.Replica : current?.Replica,
                    });
                record.After(last.Select(s => s.Id));
                g.Add(record);
            }
            g.InsertApprovals();
            return g.Steps;
        }

        /// <summary>The plan's own Aurora sides after a switchback: the primary cluster writes, the DR cluster is its secondary (null without both ids).</summary>
        static (DatabaseLocation Writer, DatabaseLocation? Replica)? AuroraGlobalSides(DrPlan plan)
        {
            var db = plan.Resources.Database;
            var primaryRegion = db?.PrimaryRegion ?? plan.PrimaryRegion;
            if (db?.ClusterId == null || primaryRegion == null) return null;
            var replica = db.ReplicaClusterId != null ? new DatabaseLocation { Id = db.ReplicaClusterId, Region = plan.DrRegion, IsCluster = true } : null;
            return (new DatabaseLocation { Id = db.ClusterId, Region = primaryRegion, IsCluster = true }, replica);
        }

        /// <summary>
        /// Aurora Global Database: switchback-db, a planned switchover (no data loss) back to the primary cluster in the
        /// primary region, after the primary check and before traffic moves. It never fails over: an unavailable writer
        /// is DrTools.PrimaryNotReady. Null for plans without a global database.
        /// </summary>
        static IRecoveryStep? AuroraGlobalSwitchback(StepGraph g, DrPlan plan, RecoveryServices services, IEnumerable<IRecoveryStep> after)
        {
            var db = plan.Resources.Database;
            var primaryRegion = db?.PrimaryRegion ?? plan.PrimaryRegion;
            if (db is not { IsAurora: true, GlobalClusterId: { } global } || primaryRegion == null) return null;
            var step = new GlobalDatabaseStep("switchback-db", GlobalDatabaseMode.Switchover, services.ClustersFor(primaryRegion), services.ClustersFor, services.ReplicaLag,
                global, db.ClusterId, db.MaxReplicaLag ?? plan.Rpo, allowDataLoss: false) { IsFailback = true };
            step.After(after.Select(s => s.Id));
            return g.Add(step);
        }

        /// <summary>
        /// The failback of a failed-over RDS database: the replica the re-protect put in the primary region takes over
        /// from the DR writer once the writer is fenced and the replica has replayed everything, then the plan is
        /// re-protected the other way, so it ends as it started (writer primaryInstanceId in the primary region,
        /// replica replicaInstanceId in the DR region; the fenced old DR writer set aside, never deleted).
        /// </summary>
        static void AddDatabaseFailback(StepGraph g, DrPlan plan, RecoveryServices services, RecoveryOptions options, ActiveSide active, ActiveSideStore store)
        {
            var db = plan.Resources.Database!;
            var writer = active.Writer!;
            var primaryRegion = db.PrimaryRegion ?? plan.PrimaryRegion;
            var planArgument = plan.CommandArgument();
            if (active.Replica == null)
                throw new DrToolsException(ErrorIds.NotProtected, DrErrorCategory.InvalidOperation,
                    $"Plan '{plan.Name}' runs on {writer} since its failover, and no replica protects it: there is nothing in the primary region to fail back to " +
                    "without losing the writes made since the failover. Nothing was changed.", plan.Name,
                    $"Re-protect first: Invoke-DrReprotect -Plan {planArgument} (a replica back in the primary region), then run Invoke-DrFailback again.");
            var replica = active.Replica;
            if (primaryRegion != null && !string.Equals(replica.Region, primaryRegion, StringComparison.Ordinal))
                throw new DrToolsException(ErrorIds.WrongSide, DrErrorCategory.InvalidOperation,
                    $"Plan '{plan.Name}' is protected by {replica}, not by a replica in its primary region {primaryRegion}; a failback moves the database to the primary region.",
                    plan.Name, $"Re-protect into the primary region (database.reprotect.region unset or {primaryRegion}) with Invoke-DrReprotect -Plan {planArgument}, then fail back.");
            if (replica.IsCluster)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidOperation,
                    $"The replica {replica} is an Aurora cluster; this failback moves RDS instances.", plan.Name,
                    "Fail back an Aurora global database by its planned switchover.");

            var allowDataLoss = db.AllowDataLoss || options.AllowDataLoss;
            var maxLag = db.MaxReplicaLag ?? plan.Rpo;
            var replicaRds = services.RdsFor(replica.Region);
            var writerRds = services.RdsFor(writer.Region);

            // The replica check stays with -SkipPrimaryCheck: it guards the data, not the traffic.
            var check = g.Add(new CheckPrimaryStep("check-primary", services.Route53,
                options.SkipPrimaryCheck ? Array.Empty<string>() : g.HealthChecks(DnsDirection.ToPrimary), replicaRds, replica.Id)
            {
                ExpectReplica = new ReplicaExpectation(writer.Id, writer.Region, services.ReplicaLag, maxLag, allowDataLoss, planArgument),
            });

            var fence = db.Fence ?? new FenceSpec();
            if (fence.Mode == FenceMode.ParameterGroup && string.IsNullOrWhiteSpace(fence.ParameterGroupName))
                throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidArgument,
                    $"Plan '{plan.Name}': database.fence.mode PARAMETER_GROUP needs database.fence.parameterGroupName. Nothing was changed.", plan.Name,
                    "Name a DB parameter group in the DR region that makes the engine read-only (read_only=1 for MySQL/MariaDB, " +
                    "default_transaction_read_only=on for PostgreSQL), or use mode STOP_APP_SERVERS.");
            var planApproval = plan.Approvals.FirstOrDefault(a => a.Before == StepKind.FenceDatabase && !string.IsNullOrWhiteSpace(a.Message));
            var question = planApproval?.Message ?? (fence.Mode == FenceMode.ParameterGroup
                ? $"Fence the DR database {writer.Id} ({writer.Region}) with read-only parameter group {fence.ParameterGroupName}? Writes fail until the failback ends."
                : $"Fence the DR database {writer.Id} ({writer.Region}) by stopping the DR app servers? The application is down until traffic is back on the primary.");
            // Always asked (or given with -Approve FenceDatabase): from here the application stops taking writes.
            var approval = g.Add(new ManualApprovalStep(FenceApprovalId, question, new[] { check.Id }));

            var drGroups = plan.Resources.AutoScalingGroups
                .Where(x => string.IsNullOrEmpty(x.Region) || x.Region == writer.Region)
                .Select(x => (x.Name, services.AutoScalingFor(x.Region ?? writer.Region)));
            var roles = plan.Strategy == DrStrategy.MultiSite ? Enumerable.Empty<string>() : plan.Resources.AppServers.Select(a => a.Name);
            var poll = options.FailbackPollInterval;
            var fenceStep = g.Add(new FenceDatabaseStep(FenceId, fence.Mode, writerRds, writer.Id, fence.ParameterGroupName, plan.Name,
                services.Ec2, roles, drGroups) { PollInterval = poll ?? TimeSpan.FromSeconds(10) });
            fenceStep.After(approval.Id);

            var catchUp = g.Add(new WaitCatchUpStep(CatchUpId, replicaRds, services.ReplicaLag, replica.Id, fenceStep.Id, allowDataLoss)
            {
                // Its own wait ends inside the run's step timeout, so a replica that does not catch up is DataLossRisk, not a bare timeout.
                Timeout = options.StepTimeout ?? plan.Options.StepTimeout,
                PollInterval = poll ?? TimeSpan.FromSeconds(30), DataLossWait = options.DataLossWait ?? TimeSpan.FromMinutes(5),
            });
            var promote = g.Add(new PromoteDatabaseStep(PromoteId, replicaRds, services.ReplicaLag, replica.Id, maxLag, allowDataLoss)
            {
                PollDelay = poll ?? TimeSpan.FromSeconds(2),
            });
            promote.After(catchUp.Id);

            var kind = plan.Strategy == DrStrategy.MultiSite ? StepKind.ChangeTrafficWeights : StepKind.ChangeDns;
            var dns = g.Dns(DnsDirection.ToPrimary, kind, new[] { promote });
            var afterDns = dns != null ? new IRecoveryStep[] { dns } : new IRecoveryStep[] { promote };
            var healthy = g.WaitHealthy(DnsDirection.ToPrimary, groups: false, afterDns);
            var afterHealthy = healthy != null ? new[] { healthy } : afterDns;
            var standby = g.ScaleGroups(toStandby: true);
            foreach (var s in standby.OfType<RecoveryStepBase>()) s.After(afterHealthy.Select(x => x.Id));

            // Re-protect the other way once the primary serves: the plan's DR replica id, in the DR region (the fenced
            // old DR writer holds that id: it is renamed aside, never deleted).
            var promoted = new DatabaseLocation { Id = replica.Id, Region = replica.Region };
            var drReplica = new DatabaseLocation { Id = db.ReplicaInstanceId ?? writer.Id, Region = writer.Region };
            var reprotected = ReprotectSteps.Add(g, plan, services, promoted, drReplica.Region, drReplica.Id, afterHealthy.Concat(standby).ToList());

            var record = new RecordActiveSideStep(RecordId, store, plan.Name,
                $"active side: PRIMARY; writer {promoted}; replica {drReplica}",
                (current, ctx) =>
                {
                    var setAside = (current?.SetAside ?? Array.Empty<DatabaseLocation>()).ToList();
                    var outputs = ctx.OutputsOf(SetAsideStepId);
                    if (outputs.TryGetValue(SetAsideOutput, out var aside) && !string.IsNullOrEmpty(aside)
                        && !setAside.Any(x => x.Id == aside && x.Region == drReplica.Region))
                        setAside.Add(new DatabaseLocation { Id = aside, Region = drReplica.Region });
                    return (current ?? new ActiveSide()) with
                    {
                        Active = PlanSide.Primary, Writer = promoted, Replica = drReplica, SetAside = setAside, Operation = "Failback",
                    };
                });
            record.After(reprotected.Id, SetAsideStepId);
            g.Add(record);
        }

        const string SetAsideStepId = ReprotectSteps.SetAsideId;
        const string SetAsideOutput = SetAsideDatabaseStep.SetAsideIdOutput;
    }
}
