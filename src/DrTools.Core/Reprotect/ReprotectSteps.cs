using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The steps that protect a writer database with a new cross-region read replica: a first snapshot of the writer,
    /// copied to the replica's region; the instance that holds the replica's id set aside (renamed, never deleted)
    /// when it is not already a replica of the writer; the replica created (plan KMS key, class, tags) and waited for
    /// until it replicates, its lag reported. Used by Invoke-DrReprotect (after a failover) and by the failback
    /// (re-protecting the other way at its end).
    /// <code>
    /// [snapshot-db -> copy-snapshot] || [set-aside-db -> create-replica]  ->  wait-replica
    /// </code>
    /// </summary>
    internal static class ReprotectSteps
    {
        public const string SnapshotId = "snapshot-db";
        public const string CopyId = "copy-snapshot";
        public const string SetAsideId = "set-aside-db";
        public const string CreateReplicaId = "create-replica";
        public const string WaitReplicaId = "wait-replica";

        /// <summary>Adds the steps to <paramref name="graph"/> after <paramref name="after"/>; returns the last one.</summary>
        /// <param name="writer">The database to protect.</param>
        /// <param name="replicaRegion">Where the replica goes (another region than the writer's).</param>
        /// <param name="replicaId">The replica's instance id.</param>
        public static IRecoveryStep Add(StepGraph graph, DrPlan plan, RecoveryServices services, DatabaseLocation writer, string replicaRegion,
            string replicaId, IEnumerable<IRecoveryStep> after)
        {
            if (graph == null) throw new ArgumentNullException(nameof(graph));
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            if (services == null) throw new ArgumentNullException(nameof(services));
            if (writer == null) throw new ArgumentNullException(nameof(writer));
            if (writer.IsCluster)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidOperation,
                    $"Re-protecting Aurora cluster {writer.Id} with a new replica is not supported by this version of DrTools.", writer.Id,
                    "Add a secondary cluster in another region (an Aurora Global Database) with the AWS console or CLI.");
            if (string.Equals(writer.Region, replicaRegion, StringComparison.Ordinal))
                throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidArgument,
                    $"The replica that protects {writer.Id} must be in another region than {writer.Region}.", plan.Name,
                    "Set resources.database.reprotect.region to another region than the one the database runs in now.");
            var deps = (after ?? Enumerable.Empty<IRecoveryStep>()).Select(s => s.Id).ToList();
            var source = services.RdsFor(writer.Region);
            var target = services.RdsFor(replicaRegion);
            var db = plan.Resources.Database;
            // The plan's re-protect settings are for the region a failover re-protects into; the other way (failback)
            // the instance set aside there (the old DR database) gives them.
            var spec = db?.Reprotect;
            var specRegion = spec?.Region ?? db?.PrimaryRegion ?? plan.PrimaryRegion;
            if (!string.Equals(specRegion, replicaRegion, StringComparison.Ordinal)) spec = null;

            var snapshot = graph.Add(new SnapshotDatabaseStep(SnapshotId, source, writer) { Plan = plan.Name });
            snapshot.After(deps);
            var copy = graph.Add(new CopySnapshotStep(CopyId, target, writer, snapshot.Id, spec?.KmsKeyId, replicaId) { Plan = plan.Name });
            var setAside = graph.Add(new SetAsideDatabaseStep(SetAsideId, target, writer, replicaId)
            {
                PollInterval = graph.Options.PollInterval ?? TimeSpan.FromSeconds(15),
            });
            setAside.After(deps);
            var create = graph.Add(new CreateReplicaStep(CreateReplicaId, target, source, writer, replicaId, setAside.Id)
            {
                Plan = plan.Name,
                InstanceClass = spec?.InstanceClass,
                KmsKeyId = spec?.KmsKeyId,
                DBSubnetGroupName = spec?.DbSubnetGroupName,
                VpcSecurityGroupIds = spec?.SecurityGroupIds ?? Array.Empty<string>(),
            });
            var wait = graph.Add(new WaitReplicaStep(WaitReplicaId, target, services.ReplicaLag, replicaId, writer, plan.Rpo)
            {
                MaxWait = graph.Options.ReplicaLagWait ?? TimeSpan.FromMinutes(15),
                PollInterval = graph.Options.PollInterval ?? TimeSpan.FromSeconds(30),
            });
            wait.After(create.Id, copy.Id);
            return wait;
        }
    }
}
