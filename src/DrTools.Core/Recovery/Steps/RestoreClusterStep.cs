using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Backup and restore of an Aurora database: creates the DR cluster from the plan's cluster snapshot, or from the
    /// newest available cluster snapshot of the primary cluster in the DR region (a cross-region copy), or, with
    /// <see cref="PointInTime"/> / <see cref="UseLatestRestorableTime"/>, from the continuous backups of
    /// <see cref="SourceClusterId"/> (a cluster in the DR region); then creates <see cref="InstanceCount"/> instances
    /// (<c>&lt;cluster&gt;-instance-&lt;n&gt;</c>, class <see cref="InstanceClass"/>) and waits until all are available.
    /// A snapshot (or latest restorable time) older than the RPO is DrTools.DataLossRisk unless data loss is allowed;
    /// a time outside the restorable window is DrTools.PointInTimeOutsideWindow. Resumable: an existing cluster is not
    /// restored again, only its missing instances are created. Done when the cluster and every instance exist and are available.
    /// </summary>
    public sealed class RestoreClusterStep : RecoveryStepBase
    {
        readonly IRdsClusterService _clusters;
        readonly IRdsService _rds;

        public RestoreClusterStep(string id, IRdsClusterService clusters, IRdsService rds, string targetClusterId, string? snapshotId, string? primaryClusterId,
            TimeSpan rpo, bool allowDataLoss, string instanceClass, int instanceCount) : base(id)
        {
            _clusters = clusters ?? throw new ArgumentNullException(nameof(clusters));
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            if (instanceCount < 1) throw new ArgumentOutOfRangeException(nameof(instanceCount));
            TargetClusterId = targetClusterId;
            SnapshotId = snapshotId;
            PrimaryClusterId = primaryClusterId;
            Rpo = rpo;
            AllowDataLoss = allowDataLoss;
            InstanceClass = instanceClass;
            InstanceCount = instanceCount;
        }

        public string TargetClusterId { get; }
        public string? SnapshotId { get; }
        public string? PrimaryClusterId { get; }
        public TimeSpan Rpo { get; }
        public bool AllowDataLoss { get; }
        public string InstanceClass { get; }
        public int InstanceCount { get; }
        /// <summary>Restore to this moment (UTC) with RestoreDBClusterToPointInTime from <see cref="SourceClusterId"/>.</summary>
        public DateTime? PointInTime { get; init; }
        public bool UseLatestRestorableTime { get; init; }
        /// <summary>The cluster in the step's region whose backups a point-in-time restore uses (the plan's replicaClusterId).</summary>
        public string? SourceClusterId { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        /// <summary>Tags added besides the run tags.</summary>
        public IReadOnlyDictionary<string, string>? ExtraTags { get; init; }
        public bool IsPointInTime => PointInTime != null || UseLatestRestorableTime;
        public Func<DateTime> UtcNow { get; init; } = () => DateTime.UtcNow;

        public IReadOnlyList<string> InstanceIds => Enumerable.Range(1, InstanceCount).Select(n => DrPlanLoader.AuroraInstanceId(TargetClusterId, n)).ToList();

        public override StepKind Kind => StepKind.RestoreCluster;
        string When => PointInTime is { } t ? "point in time " + RecoveryPointTags.FormatTime(t) : "its latest restorable point in time";
        public override string Description =>
            (IsPointInTime
                ? $"Restore Aurora cluster {TargetClusterId} in {_clusters.Region} to {When} from the backups of {SourceClusterId}"
                : $"Restore Aurora cluster {TargetClusterId} in {_clusters.Region} from " + (SnapshotId ?? $"the newest cluster snapshot of {PrimaryClusterId}")) +
            $", then create {InstanceCount} instance{(InstanceCount == 1 ? "" : "s")} ({InstanceClass})";

        public override IReadOnlyList<StepResource> Resources =>
            new[]
            {
                IsPointInTime
                    ? new StepResource("AWS::RDS::DBCluster", $"{SourceClusterId} at {When}", _clusters.Region, "read")
                    : new StepResource("AWS::RDS::DBClusterSnapshot", SnapshotId ?? $"newest of {PrimaryClusterId}", _clusters.Region, "read"),
                new StepResource("AWS::RDS::DBCluster", TargetClusterId, _clusters.Region, "restore"),
            }.Concat(InstanceIds.Select(i => new StepResource("AWS::RDS::DBInstance", i, _clusters.Region, "create"))).ToList();

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var cluster = await _clusters.FindDBClusterAsync(TargetClusterId, cancellationToken).ConfigureAwait(false);
            if (cluster == null) return null;
            foreach (var instance in InstanceIds)
                if (await _rds.FindDBInstanceAsync(instance, cancellationToken).ConfigureAwait(false) == null) return null;
            return await WaitAllAsync(context, $"{TargetClusterId} and its {InstanceCount} instance(s) already exist", cancellationToken).ConfigureAwait(false);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var cluster = await _clusters.FindDBClusterAsync(TargetClusterId, cancellationToken).ConfigureAwait(false);
            string from;
            if (cluster != null) from = "an earlier run";
            else if (IsPointInTime) (cluster, from) = await RestoreToPointInTimeAsync(context, cancellationToken).ConfigureAwait(false);
            else (cluster, from) = await RestoreFromSnapshotAsync(context, cancellationToken).ConfigureAwait(false);
            if (cluster.Status != "available")
                cluster = await _clusters.WaitForDBClusterAvailableAsync(TargetClusterId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            foreach (var instance in InstanceIds)
            {
                if (await _rds.FindDBInstanceAsync(instance, cancellationToken).ConfigureAwait(false) != null) continue;
                context.Reporter.Verbose($"CreateDBInstance {instance} ({InstanceClass}) in cluster {TargetClusterId}.");
                await _clusters.CreateDBClusterInstanceAsync(new CreateDbClusterInstanceRequest
                {
                    DBInstanceIdentifier = instance, DBClusterIdentifier = TargetClusterId, DBInstanceClass = InstanceClass,
                    Engine = cluster.Engine ?? "", Tags = NewTags(context),
                }, cancellationToken).ConfigureAwait(false);
            }
            return await WaitAllAsync(context, $"Restored Aurora cluster {TargetClusterId} from {from} with {InstanceCount} instance(s)", cancellationToken).ConfigureAwait(false);
        }

        async Task<(DbCluster, string)> RestoreFromSnapshotAsync(StepContext context, CancellationToken ct)
        {
            var snapshot = await FindSnapshotAsync(context, ct).ConfigureAwait(false);
            var age = snapshot.SnapshotCreateTime is { } t ? UtcNow() - t.ToUniversalTime() : (TimeSpan?)null;
            if (age == null || age > Rpo)
            {
                var problem = age == null ? "its creation time is unknown" : $"it is {PromoteDatabaseStep.Text(age.Value)} old, more than the RPO of {PromoteDatabaseStep.Text(Rpo)}";
                if (!AllowDataLoss)
                    throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                        $"Not restoring Aurora cluster {TargetClusterId} from cluster snapshot {snapshot.Identifier}: {problem}.", snapshot.Identifier,
                        "Copy a newer cluster snapshot to the DR region and resume (-Resume), or accept the data loss with -AllowDataLoss.");
                context.Reporter.Warning($"Restoring from cluster snapshot {snapshot.Identifier} although {problem} (data loss allowed).");
            }
            context.Reporter.Verbose($"RestoreDBClusterFromSnapshot {TargetClusterId} from {snapshot.Identifier} (taken {snapshot.SnapshotCreateTime:u}).");
            var cluster = await _clusters.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
            {
                DBClusterIdentifier = TargetClusterId,
                // Found in this region: its id (a plan's ARN was resolved to the snapshot by FindDBClusterSnapshot).
                SnapshotIdentifier = snapshot.Identifier,
                Engine = snapshot.Engine ?? "",
                EngineVersion = snapshot.EngineVersion,
                DBSubnetGroupName = DBSubnetGroupName,
                VpcSecurityGroupIds = VpcSecurityGroupIds is { Count: > 0 } ? VpcSecurityGroupIds : null,
                Tags = NewTags(context),
            }, ct).ConfigureAwait(false);
            return (cluster, $"cluster snapshot {snapshot.Identifier} (taken {snapshot.SnapshotCreateTime:u})");
        }

        async Task<(DbCluster, string)> RestoreToPointInTimeAsync(StepContext context, CancellationToken ct)
        {
            if (SourceClusterId == null)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Restoring Aurora cluster {TargetClusterId} to a point in time needs the cluster in {_clusters.Region} whose backups are restored.",
                    TargetClusterId, "Give resources.database.replicaClusterId (Test-DrPlan).");
            var source = await _clusters.FindDBClusterAsync(SourceClusterId, ct).ConfigureAwait(false)
                ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"The Aurora cluster {SourceClusterId} does not exist in {_clusters.Region}; its backups cannot be restored.", SourceClusterId,
                    "Check resources.database.replicaClusterId and drRegion (Test-DrPlan -Live), or restore a cluster snapshot instead.");
            if (PointInTime is { } asked)
            {
                var t = asked.ToUniversalTime();
                if ((source.EarliestRestorableTime is { } earliest && t < earliest.ToUniversalTime()) || (source.LatestRestorableTime is { } latest && t > latest.ToUniversalTime()))
                    throw new DrToolsException(RecoveryPointErrorIds.PointInTimeOutsideWindow, DrErrorCategory.InvalidArgument,
                        $"{RecoveryPointTags.FormatTime(t)} is outside the restorable window of {SourceClusterId} " +
                        $"({(source.EarliestRestorableTime is { } e ? RecoveryPointTags.FormatTime(e) : "?")} to {(source.LatestRestorableTime is { } l ? RecoveryPointTags.FormatTime(l) : "?")}).",
                        SourceClusterId, "Change resources.database.restore.pointInTime to a time inside that window (or restore a cluster snapshot), then resume (-Resume).");
            }
            else
            {
                var age = source.LatestRestorableTime is { } t ? UtcNow() - t.ToUniversalTime() : (TimeSpan?)null;
                if (age == null || age > Rpo)
                {
                    var problem = age == null ? "its latest restorable time is unknown" : $"its latest restorable time is {PromoteDatabaseStep.Text(age.Value)} old, more than the RPO of {PromoteDatabaseStep.Text(Rpo)}";
                    if (!AllowDataLoss)
                        throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                            $"Not restoring Aurora cluster {TargetClusterId} from the backups of {SourceClusterId}: {problem}.", SourceClusterId,
                            "Resume (-Resume) once the cluster's backups are current, or accept the data loss with -AllowDataLoss.");
                    context.Reporter.Warning($"Restoring {TargetClusterId} from the backups of {SourceClusterId} although {problem} (data loss allowed).");
                }
            }
            context.Reporter.Verbose($"RestoreDBClusterToPointInTime {TargetClusterId} to {When} from {SourceClusterId}.");
            var cluster = await _clusters.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
            {
                DBClusterIdentifier = TargetClusterId,
                SourceDBClusterIdentifier = SourceClusterId,
                RestoreToTime = PointInTime?.ToUniversalTime(),
                UseLatestRestorableTime = PointInTime == null,
                DBSubnetGroupName = DBSubnetGroupName,
                VpcSecurityGroupIds = VpcSecurityGroupIds is { Count: > 0 } ? VpcSecurityGroupIds : null,
                Tags = NewTags(context),
            }, ct).ConfigureAwait(false);
            return (cluster, $"the backups of {SourceClusterId} at {When}");
        }

        async Task<DbClusterSnapshot> FindSnapshotAsync(StepContext context, CancellationToken ct)
        {
            if (SnapshotId != null)
            {
                var s = await _clusters.FindDBClusterSnapshotAsync(SnapshotId, ct).ConfigureAwait(false)
                    ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                        $"The cluster snapshot {SnapshotId} does not exist in {_clusters.Region}.", SnapshotId,
                        "Check resources.database.restore.clusterSnapshotId, or leave it out to use the newest cluster snapshot of the primary cluster.");
                if (s.Status != "available")
                    s = await _clusters.WaitForDBClusterSnapshotAvailableAsync(SnapshotId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, ct).ConfigureAwait(false);
                return s;
            }
            var all = await _clusters.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterIdentifier = PrimaryClusterId }, ct).ConfigureAwait(false);
            return NewestOf(all, PrimaryClusterId!)
                   ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                       $"No available cluster snapshot of {PrimaryClusterId} exists in {_clusters.Region}.", PrimaryClusterId,
                       $"Copy a cluster snapshot of {PrimaryClusterId} to {_clusters.Region} (Test-DrPlan -Live checks recovery points), or name one in resources.database.restore.clusterSnapshotId.");
        }

        /// <summary>The newest available snapshot of <paramref name="clusterId"/> (readiness uses the same choice).</summary>
        public static DbClusterSnapshot? NewestOf(IEnumerable<DbClusterSnapshot> snapshots, string clusterId) =>
            snapshots.Where(s => s.Status == "available" && string.Equals(s.DBClusterIdentifier, clusterId, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(s => s.SnapshotCreateTime ?? DateTime.MinValue).FirstOrDefault();

        async Task<StepOutcome> WaitAllAsync(StepContext context, string message, CancellationToken ct)
        {
            var budget = WaitBudget(TimeSpan.FromHours(2));
            var cluster = await _clusters.WaitForDBClusterAvailableAsync(TargetClusterId, budget, context.Reporter, ct).ConfigureAwait(false);
            foreach (var instance in InstanceIds)
                await _rds.WaitForDBInstanceAvailableAsync(instance, budget, context.Reporter, ct).ConfigureAwait(false);
            var outcome = new StepOutcome(message + $"; writable at {cluster.EndpointAddress ?? "(endpoint pending)"}", new[] { TargetClusterId }.Concat(InstanceIds))
                .WithOutput(GlobalDatabaseStep.ClusterIdOutput, TargetClusterId);
            return cluster.EndpointAddress != null ? outcome.WithOutput("endpoint", cluster.EndpointAddress) : outcome;
        }

        Dictionary<string, string> NewTags(StepContext context)
        {
            var tags = RunTags(context).ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var kv in ExtraTags ?? new Dictionary<string, string>()) tags[kv.Key] = kv.Value;
            return tags;
        }
    }
}
