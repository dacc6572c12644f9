using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// Which kinds of step a plan's recovery runs, read from the plan alone (no AWS services): plan validation uses it
    /// to warn about an approval that would never be asked. It follows the strategy builders; a test compares it with
    /// the steps they build for every example plan.
    /// </summary>
    public static class RecoveryStepKinds
    {
        /// <summary>The kinds of step <paramref name="operation"/> runs for <paramref name="plan"/> (failback: without -SkipPrimaryCheck).</summary>
        public static IReadOnlyCollection<StepKind> Of(DrPlan plan, RecoveryOperation operation)
        {
            var r = plan.Resources;
            var kinds = new HashSet<StepKind>();
            var dns = r.Dns != null && r.Dns.Records.Count > 0;
            if (operation == RecoveryOperation.Failback)
            {
                kinds.Add(StepKind.Custom); // check-primary
                if (r.Database is { IsAurora: true, GlobalClusterId: not null }) kinds.Add(StepKind.SwitchoverGlobalDatabase);
                if (dns) kinds.Add(plan.Strategy == DrStrategy.MultiSite ? StepKind.ChangeTrafficWeights : StepKind.ChangeDns);
                if (StepGraph.HealthChecks(plan, DnsDirection.ToPrimary).Count > 0) kinds.Add(StepKind.WaitHealthy);
                if (r.AutoScalingGroups.Any(g => g.Standby != null)) kinds.Add(StepKind.ScaleGroup);
                return kinds;
            }
            var multiSite = plan.Strategy == DrStrategy.MultiSite;
            if (!multiSite && r.AppServers.Count > 0) kinds.Add(StepKind.LaunchInstances);
            if (r.AutoScalingGroups.Count > 0) kinds.Add(StepKind.ScaleGroup);
            if (r.Database is { IsAurora: true } aurora)
            {
                if (plan.Strategy == DrStrategy.BackupAndRestore) { if (aurora.Restore?.ClusterId != null) kinds.Add(StepKind.RestoreCluster); }
                else if (aurora.GlobalClusterId != null) { kinds.Add(StepKind.SwitchoverGlobalDatabase); kinds.Add(StepKind.FailoverGlobalDatabase); }
            }
            else if (plan.Strategy == DrStrategy.BackupAndRestore)
            {
                if (r.Database?.Restore != null) kinds.Add(StepKind.RestoreDatabase);
            }
            else if (r.Database?.ReplicaInstanceId != null)
            {
                kinds.Add(StepKind.PromoteDatabase);
                if (r.Database.TargetInstanceClass != null) kinds.Add(StepKind.ResizeDatabase);
            }
            if (!multiSite && r.ElasticIps.Count > 0) kinds.Add(StepKind.AssociateElasticIp);
            if (dns) kinds.Add(multiSite ? StepKind.ChangeTrafficWeights : StepKind.ChangeDns);
            if (StepGraph.HealthChecks(plan, DnsDirection.ToDr).Count > 0 || StepGraph.WaitedGroups(plan).Any()) kinds.Add(StepKind.WaitHealthy);
            kinds.Add(StepKind.RecordActiveSide);
            return kinds;
        }

        /// <summary>
        /// The kinds of step the failback of a failed-over database runs besides those of <see cref="Of"/> (which reads the
        /// plan alone and so describes a failback with the primary side active): fence, catch-up, promote, re-protect,
        /// record. Empty for plans whose database cannot fail over as an RDS replica.
        /// </summary>
        public static IReadOnlyCollection<StepKind> OfDatabaseFailback(DrPlan plan)
        {
            var db = plan.Resources.Database;
            if (db?.ReplicaInstanceId == null || db.IsAurora || plan.Strategy == DrStrategy.BackupAndRestore) return new StepKind[0];
            return new[]
            {
                StepKind.FenceDatabase, StepKind.WaitCatchUp, StepKind.PromoteDatabase, StepKind.SnapshotDatabase, StepKind.CopySnapshot,
                StepKind.SetAsideDatabase, StepKind.CreateReplica, StepKind.WaitReplica, StepKind.RecordActiveSide,
            };
        }

        /// <summary>Whether an approval <c>before</c> <paramref name="before"/> lands on a step of <paramref name="kind"/> (ChangeDns and ChangeTrafficWeights stand for each other).</summary>
        public static bool Matches(StepKind kind, StepKind before) => StepGraph.Matches(kind, before);
    }
}
