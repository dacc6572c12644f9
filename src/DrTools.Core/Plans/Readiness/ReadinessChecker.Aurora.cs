using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        sealed partial class Run
        {
            /// <summary>
            /// Aurora. A global database: the secondary cluster exists in the DR region, is a (non-writer) member of the
            /// global database and replicates (SynchronizationStatus connected, status available) [DbReplica]; its
            /// AuroraGlobalDBReplicationLag is known and within maxReplicaLag / the RPO [ReplicaLag]; it has instances, one of
            /// them of targetInstanceClass when the plan names one [DbClusterInstances]; the primary cluster exists and is
            /// available in the primary region [DbPrimaryCluster]. A cluster restore: the cluster snapshot in the DR region
            /// (the plan's, or the newest of the primary cluster) is available and within the RPO [DbSnapshot,
            /// DbRecoveryPoint]; a point-in-time restore: the DR-region cluster's restorable window [DbAutomatedBackups].
            /// </summary>
            public Task<IReadOnlyList<ReadinessCheck>> AuroraAsync(DatabaseSpec db)
            {
                if (db.Restore is { ClusterId: not null } restore)
                    return restore.PointInTime != null || restore.LatestRestorable ? ClusterBackupsAsync(db, restore) : ClusterSnapshotAsync(db, restore);
                return GlobalDatabaseAsync(db);
            }

            async Task<IReadOnlyList<ReadinessCheck>> GlobalDatabaseAsync(DatabaseSpec db)
            {
                var secondary = db.ReplicaClusterId ?? "";
                var global = db.GlobalClusterId ?? "";
                var primaryRegion = db.PrimaryRegion ?? _plan.PrimaryRegion ?? Region;
                var checks = new List<Task<IReadOnlyList<ReadinessCheck>>>
                {
                    Guard(new[] { (ReadinessChecks.DbReplica, secondary) }, Region, async () =>
                    {
                        var clusters = ClustersOrNull(Region);
                        if (clusters == null) return One(NoAurora(ReadinessChecks.DbReplica, secondary, Region));
                        var cluster = await clusters.FindDBClusterAsync(secondary, _ct).ConfigureAwait(false);
                        if (cluster == null)
                            return One(Result(ReadinessChecks.DbReplica, secondary, Region, false,
                                $"DB cluster {secondary} does not exist in {Region}. Add a secondary cluster in {Region} to global database {global} (or fix replicaClusterId)."));
                        var g = await clusters.FindGlobalClusterAsync(global, _ct).ConfigureAwait(false);
                        if (g == null)
                            return One(Result(ReadinessChecks.DbReplica, secondary, Region, false, $"Global database {global} does not exist (check globalClusterId).", cluster.Status));
                        var member = g.Members.FirstOrDefault(m => IsCluster(m.DBClusterArn, cluster, Region));
                        var observed = $"{cluster.Status}" + (member != null ? (member.IsWriter ? ", the writer" : $", secondary, {member.SynchronizationStatus ?? "sync status unknown"}") : ", not a member")
                                       + (g.FailoverState != null ? $", {g.FailoverState.Status} {g.Status}" : "");
                        string? problem = null;
                        if (member == null) problem = $"{secondary} is not a member of global database {global} (members: {string.Join(", ", g.Members.Select(m => m.DBClusterArn))}).";
                        else if (member.IsWriter) problem = $"{secondary} already is the writer of {global} (failed over?): there is no secondary in {Region} to switch over to.";
                        else if (!string.Equals(cluster.Status, "available", StringComparison.OrdinalIgnoreCase)) problem = $"{secondary} is '{cluster.Status}', not 'available'.";
                        else if (member.SynchronizationStatus != null && !string.Equals(member.SynchronizationStatus, "connected", StringComparison.OrdinalIgnoreCase))
                            problem = $"{secondary} is '{member.SynchronizationStatus}', not 'connected': it does not replicate from the primary cluster.";
                        else if (g.FailoverState != null) problem = $"A {g.Status} of {global} is under way ({g.FailoverState.Status}).";
                        return One(Result(ReadinessChecks.DbReplica, secondary, Region, problem == null,
                            problem ?? $"{secondary} is an available secondary of global database {global}, replicating ({member!.SynchronizationStatus ?? "connected"}).", observed));
                    }),
                    Guard(new[] { (ReadinessChecks.DbClusterInstances, secondary) }, Region, async () =>
                    {
                        var clusters = ClustersOrNull(Region);
                        if (clusters == null) return One(NoAurora(ReadinessChecks.DbClusterInstances, secondary, Region));
                        var cluster = await clusters.FindDBClusterAsync(secondary, _ct).ConfigureAwait(false);
                        if (cluster == null)
                            return One(Result(ReadinessChecks.DbClusterInstances, secondary, Region, false, $"DB cluster {secondary} does not exist in {Region} (see DbReplica)."));
                        if (cluster.Members.Count == 0)
                            return One(Result(ReadinessChecks.DbClusterInstances, secondary, Region, false,
                                $"{secondary} has no DB instances (a headless secondary): after a switchover nothing could serve. Add a reader instance" +
                                (db.TargetInstanceClass != null ? $" of class {db.TargetInstanceClass}." : "."), "0 instances"));
                        var classes = new List<string>();
                        foreach (var m in cluster.Members)
                            classes.Add((await Services.Rds(Region).FindDBInstanceAsync(m.DBInstanceIdentifier, _ct).ConfigureAwait(false))?.InstanceClass ?? "unknown class");
                        var observed = string.Join(", ", cluster.Members.Select((m, i) => $"{m.DBInstanceIdentifier} ({classes[i]})"));
                        var ok = db.TargetInstanceClass == null || classes.Contains(db.TargetInstanceClass, StringComparer.OrdinalIgnoreCase);
                        return One(Result(ReadinessChecks.DbClusterInstances, secondary, Region, ok,
                            ok ? $"{secondary} has {cluster.Members.Count} instance(s)" + (db.TargetInstanceClass != null ? $", of them of class {db.TargetInstanceClass} (targetInstanceClass)." : ".")
                               : $"{secondary} has no instance of class {db.TargetInstanceClass} (targetInstanceClass): add a reader of that class, or change targetInstanceClass.",
                            observed));
                    }),
                    Guard(new[] { (ReadinessChecks.DbPrimaryCluster, db.ClusterId ?? $"writer of {global}") }, primaryRegion, async () =>
                    {
                        var resource = db.ClusterId ?? $"writer of {global}";
                        var id = db.ClusterId;
                        var region = primaryRegion;
                        if (id == null)
                        {
                            // No clusterId: the global database's writer is the primary.
                            var dr = ClustersOrNull(Region);
                            var g = dr == null ? null : await dr.FindGlobalClusterAsync(global, _ct).ConfigureAwait(false);
                            var writer = g?.Members.FirstOrDefault(m => m.IsWriter)?.DBClusterArn;
                            if (writer == null)
                                return One(Result(ReadinessChecks.DbPrimaryCluster, resource, primaryRegion, false, $"Global database {global} has no writer cluster (or does not exist)."));
                            id = GlobalDatabaseStep.ClusterId(writer);
                            region = GlobalDatabaseStep.RegionOf(writer) ?? primaryRegion;
                        }
                        var clusters = ClustersOrNull(region);
                        if (clusters == null) return One(NoAurora(ReadinessChecks.DbPrimaryCluster, resource, region));
                        var cluster = await clusters.FindDBClusterAsync(id, _ct).ConfigureAwait(false);
                        if (cluster == null)
                            return One(Result(ReadinessChecks.DbPrimaryCluster, resource, region, false, $"The primary DB cluster {id} does not exist in {region} (check clusterId and primaryRegion)."));
                        var ok = string.Equals(cluster.Status, "available", StringComparison.OrdinalIgnoreCase);
                        return One(Result(ReadinessChecks.DbPrimaryCluster, resource, region, ok,
                            ok ? $"The primary cluster {id} is available in {region}." : $"The primary cluster {id} in {region} is '{cluster.Status}', not 'available'.", cluster.Status));
                    }),
                };
                if (Services.ReplicaLag != null) checks.Add(ClusterLagAsync(db, secondary));
                return (await Task.WhenAll(checks).ConfigureAwait(false)).SelectMany(c => c).ToList();
            }

            /// <summary>The secondary's AuroraGlobalDBReplicationLag against maxReplicaLag (default the RPO), as the failover step reads it.</summary>
            Task<IReadOnlyList<ReadinessCheck>> ClusterLagAsync(DatabaseSpec db, string secondary)
            {
                var limit = db.MaxReplicaLag ?? _plan.Rpo;
                var field = db.MaxReplicaLag != null ? "maxReplicaLag" : "rpo";
                return Guard(new[] { (ReadinessChecks.ReplicaLag, secondary) }, Region, async () =>
                {
                    var reading = await Services.ReplicaLag!.GetClusterLagAsync(Region, secondary, _ct).ConfigureAwait(false);
                    if (reading.Lag is not { } lag)
                        return One(Result(ReadinessChecks.ReplicaLag, secondary, Region, false,
                            $"The replication lag of {secondary} is unknown ({reading.Source}). Check that the global database replicates and that cloudwatch:GetMetricStatistics is allowed.",
                            reading.Source).WithAge(null, limit));
                    var ok = lag <= limit;
                    return One(Result(ReadinessChecks.ReplicaLag, secondary, Region, ok,
                        ok ? $"{secondary} is {FormatAge(lag)} behind; the plan allows {FormatAge(limit)} ({field})."
                           : $"{secondary} is {FormatAge(lag)} behind; the plan allows {FormatAge(limit)} ({field}). A failover now would lose more than that; find why replication lags.",
                        $"{FormatAge(lag)} ({reading.Source})").WithAge(lag, limit));
                });
            }

            Task<IReadOnlyList<ReadinessCheck>> ClusterSnapshotAsync(DatabaseSpec db, DatabaseRestoreSpec restore)
            {
                var snapshotId = restore.ClusterSnapshotId;
                var resource = snapshotId ?? $"newest cluster snapshot of {db.ClusterId}";
                var planned = new[] { (ReadinessChecks.DbSnapshot, resource), (ReadinessChecks.DbRecoveryPoint, resource) };
                return Guard(planned, Region, async () =>
                {
                    var clusters = ClustersOrNull(Region);
                    if (clusters == null) return planned.Select(p => NoAurora(p.Item1, resource, Region)).ToList();
                    DbClusterSnapshot? snapshot;
                    if (snapshotId != null) snapshot = await clusters.FindDBClusterSnapshotAsync(snapshotId, _ct).ConfigureAwait(false);
                    else
                    {
                        // A copy keeps the DBClusterIdentifier of the cluster it was taken from.
                        var all = await clusters.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterIdentifier = db.ClusterId }, _ct).ConfigureAwait(false);
                        snapshot = RestoreClusterStep.NewestOf(all, db.ClusterId ?? "")
                                   ?? all.Where(s => string.Equals(s.DBClusterIdentifier, db.ClusterId, StringComparison.OrdinalIgnoreCase)).OrderByDescending(s => s.SnapshotCreateTime).FirstOrDefault();
                    }
                    if (snapshot == null)
                        return new[]
                        {
                            Result(ReadinessChecks.DbSnapshot, resource, Region, false, snapshotId != null
                                ? $"DB cluster snapshot {snapshotId} does not exist in {Region}."
                                : $"There is no DB cluster snapshot of {db.ClusterId} in {Region}. Copy one to the DR region."),
                            Result(ReadinessChecks.DbRecoveryPoint, resource, Region, false, "There is no cluster snapshot to check (see DbSnapshot)."),
                        };
                    var age = snapshot.SnapshotCreateTime is { } t ? _now - new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : (TimeSpan?)null;
                    var observed = $"{snapshot.Identifier}, {snapshot.Status}" + (snapshot.SnapshotCreateTime is { } tt ? $", taken {Time(tt)}, {FormatAge(age!.Value)} old" : "");
                    var available = string.Equals(snapshot.Status, "available", StringComparison.OrdinalIgnoreCase);
                    return new[]
                    {
                        Result(ReadinessChecks.DbSnapshot, resource, Region, available,
                            available ? $"{snapshot.Identifier} is available in {Region}." : $"{snapshot.Identifier} is '{snapshot.Status}', not 'available'.", observed),
                        AgeCheck(ReadinessChecks.DbRecoveryPoint, resource, snapshot.Identifier, age, _plan.Rpo, "rpo", observed),
                    };
                });
            }

            /// <summary>A point-in-time cluster restore: the DR-region cluster's restorable window reaches within the RPO (or holds pointInTime).</summary>
            Task<IReadOnlyList<ReadinessCheck>> ClusterBackupsAsync(DatabaseSpec db, DatabaseRestoreSpec restore)
            {
                var source = db.ReplicaClusterId ?? "";
                var resource = $"backups of {source}";
                return Guard(new[] { (ReadinessChecks.DbAutomatedBackups, resource) }, Region, async () =>
                {
                    var clusters = ClustersOrNull(Region);
                    if (clusters == null) return One(NoAurora(ReadinessChecks.DbAutomatedBackups, resource, Region));
                    var cluster = await clusters.FindDBClusterAsync(source, _ct).ConfigureAwait(false);
                    if (cluster == null)
                        return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, false, $"DB cluster {source} does not exist in {Region}: there are no backups to restore."));
                    var observed = $"restorable {(cluster.EarliestRestorableTime is { } e ? RecoveryPointTags.FormatTime(e) : "?")} to {(cluster.LatestRestorableTime is { } l ? RecoveryPointTags.FormatTime(l) : "?")}";
                    if (restore.PointInTime is { } at)
                    {
                        var t = at.UtcDateTime;
                        var inside = cluster.LatestRestorableTime != null && (cluster.EarliestRestorableTime is not { } e2 || t >= e2) && t <= cluster.LatestRestorableTime.Value;
                        return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, inside,
                            inside ? $"{RecoveryPointTags.FormatTime(t)} (restore.pointInTime) is inside the restorable window of {source}."
                                   : $"{RecoveryPointTags.FormatTime(t)} (restore.pointInTime) is outside the restorable window of {source}; change it to a time inside the window.", observed));
                    }
                    if (cluster.LatestRestorableTime is not { } latest)
                        return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, false, $"AWS reports no latest restorable time for {source} in {Region}.", observed));
                    var age = _now - new DateTimeOffset(DateTime.SpecifyKind(latest, DateTimeKind.Utc));
                    var ok = age <= _plan.Rpo;
                    return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, ok,
                        $"The latest restorable time of {source} is {FormatAge(age)} old; the plan allows {FormatAge(_plan.Rpo)} (rpo)." + (ok ? "" : " Check the cluster's backups."), observed));
                });
            }

            IRdsClusterService? ClustersOrNull(string region) => Services.Clusters(region);

            ReadinessCheck NoAurora(string check, string resource, string region) =>
                Result(check, resource, region, false, "This DrTools session has no Aurora service for " + region + ", so the Aurora cluster cannot be checked.");

            static bool IsCluster(string arn, DbCluster cluster, string region) =>
                (cluster.Arn != null && string.Equals(arn, cluster.Arn, StringComparison.OrdinalIgnoreCase))
                || (GlobalDatabaseStep.RegionOf(arn) == region && string.Equals(GlobalDatabaseStep.ClusterId(arn), cluster.Identifier, StringComparison.OrdinalIgnoreCase));
        }
    }
}
