using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

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
    /// </summary>
    public static class Failback
    {
        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options)
        {
            var g = new StepGraph(plan, services, options);
            var gate = options.SkipPrimaryCheck ? new List<IRecoveryStep>() : new List<IRecoveryStep> { g.CheckPrimary() };
            if (AuroraGlobalSwitchback(g, plan, services, gate) is { } switchback) gate = new List<IRecoveryStep> { switchback };
            var kind = plan.Strategy == DrStrategy.MultiSite ? StepKind.ChangeTrafficWeights : StepKind.ChangeDns;
            var dns = g.Dns(DnsDirection.ToPrimary, kind, gate);
            var afterDns = dns != null ? new[] { dns } : gate.ToArray();
            var healthy = g.WaitHealthy(DnsDirection.ToPrimary, groups: false, afterDns);
            var standby = g.ScaleGroups(toStandby: true);
            foreach (var s in standby.OfType<RecoveryStepBase>()) s.After((healthy != null ? new[] { healthy } : afterDns).Select(x => x.Id));
            g.InsertApprovals();
            return g.Steps;
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
    }
}
