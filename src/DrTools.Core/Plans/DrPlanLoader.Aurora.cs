using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace DrTools.Core.Plans
{
    // resources.database for Aurora: a DB cluster (clusterId), its Global Database (globalClusterId, replicaClusterId)
    // or a cluster restore (restore.clusterId). The instance fields are read by ReadDatabase; the two do not mix.
    public static partial class DrPlanLoader
    {
        static readonly Regex DbClusterId = new("^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$");
        static readonly Regex GlobalClusterIdPattern = new("^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$");
        static readonly Regex DbClusterSnapshot = new(@"^((?!arn:)[A-Za-z][A-Za-z0-9:-]{0,254}|arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster-snapshot:[A-Za-z0-9:-]+)$");

        static readonly string[] AuroraDatabaseFields = { "clusterId", "globalClusterId", "replicaClusterId" };
        static readonly string[] AuroraRestoreFields = { "clusterId", "clusterSnapshotId", "instanceCount" };

        /// <summary>The id DrTools gives the n-th (1-based) instance it creates in a restored cluster.</summary>
        public static string AuroraInstanceId(string clusterId, int n) => $"{clusterId}-instance-{n}";

        static bool IsAuroraDatabase(PlanObject d, PlanObject? restore) =>
            AuroraDatabaseFields.Any(d.Has) || (restore != null && AuroraRestoreFields.Any(restore.Has));

        /// <summary>The JSON path of the first cluster field given, for messages that name both kinds of field.</summary>
        static string AuroraFieldPath(PlanObject d, PlanObject? restore) =>
            AuroraDatabaseFields.Where(d.Has).Select(d.PathOf).FirstOrDefault()
            ?? AuroraRestoreFields.Where(f => restore != null && restore.Has(f)).Select(f => restore!.PathOf(f)).First();

        static DatabaseSpec? ReadAuroraDatabase(PlanObject d, PlanObject? r, DrStrategy? strategy, string? planPrimaryRegion, TimeSpan? rpo)
        {
            var issues = d.Issues;
            var clusterPath = AuroraFieldPath(d, r);
            string Mixed(string what) =>
                $"names {what}, but {clusterPath} names an Aurora DB cluster: an Aurora plan uses clusterId, replicaClusterId, globalClusterId and " +
                "restore.clusterId / restore.clusterSnapshotId; give the cluster fields or the DB instance fields, not both";

            var engine = d.String("engine");
            if (engine != null && !engine.StartsWith("aurora", StringComparison.OrdinalIgnoreCase))
                issues.Warn(d.PathOf("engine"), $"'{engine}' is not an Aurora engine: an Aurora DB cluster runs aurora-mysql or aurora-postgresql");
            var clusterId = d.String("clusterId", false, DbClusterId, "an Aurora DB cluster identifier");
            var primaryRegion = RegionField(d, "primaryRegion", false) ?? planPrimaryRegion;
            var replicaClusterId = d.String("replicaClusterId", false, DbClusterId, "an Aurora DB cluster identifier");
            var globalClusterId = d.String("globalClusterId", false, GlobalClusterIdPattern, "an Aurora global database identifier");
            d.Forbid("primaryInstanceId", Mixed("a DB instance"));
            d.Forbid("replicaInstanceId", Mixed("a DB instance"));

            DatabaseRestoreSpec? restore = null;
            var pointInTimeRestore = false;
            if (r != null)
            {
                var restoreClusterId = r.String("clusterId", true, DbClusterId, "an Aurora DB cluster identifier", "the Aurora DB cluster the restore creates in the DR region");
                var snapshot = r.String("clusterSnapshotId", false, DbClusterSnapshot, "a DB cluster snapshot identifier or ARN");
                var pointInTime = PointInTimeField(r, "pointInTime");
                var latest = r.Bool("latestRestorable") ?? false;
                var count = r.Int("instanceCount", min: 1, max: 16);
                r.Forbid("instanceId", Mixed("a DB instance"));
                r.Forbid("snapshotId", Mixed("a DB snapshot") + " (a cluster snapshot is restore.clusterSnapshotId)");
                r.Finish();
                var sources = new[] { r.Has("clusterSnapshotId") ? "\"clusterSnapshotId\"" : null, r.Has("pointInTime") ? "\"pointInTime\"" : null, latest ? "\"latestRestorable\": true" : null }
                    .OfType<string>().ToList();
                var ok = restoreClusterId != null;
                if (sources.Count > 1)
                {
                    issues.Error(r.Path, $"give at most one of \"clusterSnapshotId\" (restore that cluster snapshot), \"pointInTime\" or \"latestRestorable\": true " +
                                         $"(restore a cluster's backups to a point in time), not {string.Join(" and ", sources)}");
                    ok = false;
                }
                pointInTimeRestore = r.Has("pointInTime") || latest;
                if (pointInTimeRestore && !d.Has("replicaClusterId"))
                {
                    // Aurora keeps a cluster's continuous backups in the cluster's own region: a restore in the DR region
                    // to a point in time needs a cluster there (the global database's secondary).
                    issues.Error(d.PathOf("replicaClusterId"), "is required with restore." + (latest ? "latestRestorable" : "pointInTime") +
                                                               ": the Aurora DB cluster in the DR region whose backups are restored (Aurora backups stay in their cluster's region)");
                    ok = false;
                }
                if (!pointInTimeRestore && !r.Has("clusterSnapshotId") && !d.Has("clusterId"))
                {
                    issues.Error(d.PathOf("clusterId"), "is required with a restore without restore.clusterSnapshotId: the primary DB cluster whose newest " +
                                                        "cluster snapshot copied to the DR region is restored");
                    ok = false;
                }
                if (ok)
                    restore = new DatabaseRestoreSpec
                    {
                        ClusterId = restoreClusterId, ClusterSnapshotId = snapshot, PointInTime = pointInTime, LatestRestorable = latest, InstanceCount = count ?? 1,
                    };
            }
            var targetClass = d.String("targetInstanceClass", false, DbClass, "an RDS instance class such as \"db.r6g.large\"");
            var maxLag = d.Duration("maxReplicaLag", allowZero: true);
            var allowDataLoss = d.Bool("allowDataLoss") ?? false;
            // Re-protect and fence are the DB instance failback's; an Aurora global database re-protects itself (the old
            // primary rejoins as a secondary) and a switchover stops writes on its own.
            foreach (var instanceOnly in new[] { "reprotect", "fence" })
                if (d.Get(instanceOnly, false) != null)
                    issues.Warn(d.PathOf(instanceOnly), "applies to DB instances and is ignored for an Aurora DB cluster: a global database's switchover and failover keep the old primary as a secondary");
            d.Finish();

            var hasGlobal = d.Has("globalClusterId");
            var hasRestore = r != null;
            if (hasGlobal && !d.Has("replicaClusterId"))
                issues.Error(d.PathOf("replicaClusterId"), "is required with globalClusterId: the secondary DB cluster in the DR region that recovery switches over (or fails over) to");
            if (hasGlobal && primaryRegion == null)
                issues.Error(d.PathOf("primaryRegion"), "is required when the plan has no primaryRegion: the region of the global database's primary DB cluster");
            if (hasGlobal && hasRestore)
                issues.Error(d.Path, "give either \"globalClusterId\" (switch over to the secondary cluster) or \"restore\" (restore a DB cluster), not both");
            else if (!hasGlobal && !hasRestore)
            {
                if (d.Has("replicaClusterId"))
                    issues.Error(d.PathOf("globalClusterId"), "is required with replicaClusterId: DrTools recovers an Aurora secondary cluster through its Aurora Global Database " +
                                                              "(switchover or failover); a cross-region read replica cluster without a global database is not supported");
                else
                    issues.Error(d.PathOf(strategy == DrStrategy.BackupAndRestore ? "restore" : "globalClusterId"),
                        strategy == DrStrategy.BackupAndRestore
                            ? "is required: BACKUP_AND_RESTORE restores the Aurora DB cluster (restore.clusterId) from a cluster snapshot or to a point in time"
                            : "is required: the Aurora Global Database whose secondary cluster (replicaClusterId) in the DR region takes over");
            }
            else if (hasGlobal && strategy == DrStrategy.BackupAndRestore)
                issues.Error(d.PathOf("globalClusterId"), "BACKUP_AND_RESTORE restores an Aurora DB cluster (\"restore\" with \"clusterId\"); switching over a global database is what " +
                                                          "PILOT_LIGHT, WARM_STANDBY and MULTI_SITE do");
            else if (hasRestore && strategy is DrStrategy.PilotLight or DrStrategy.WarmStandby or DrStrategy.MultiSite)
                issues.Error(d.PathOf("restore"), $"{PlanObject.UpperSnake(strategy.Value.ToString())} recovers an Aurora database by switching over its global database: " +
                                                  "give globalClusterId and replicaClusterId (restoring a DB cluster is what BACKUP_AND_RESTORE does)");
            if (hasRestore && targetClass == null && !d.Has("targetInstanceClass"))
                issues.Error(d.PathOf("targetInstanceClass"), "is required with an Aurora restore: the DB instance class of the instances created in the restored cluster");
            if (maxLag != null && rpo != null && maxLag > rpo)
                issues.Warn(d.PathOf("maxReplicaLag"), $"({Duration.ToIso(maxLag.Value)}) is more than the plan's RPO ({Duration.ToIso(rpo.Value)}); failing over at that lag misses the RPO");
            if (hasRestore && maxLag != null)
                issues.Warn(d.PathOf("maxReplicaLag"), "applies to a global database's secondary cluster, not to restoring a DB cluster; it is ignored");
            return new DatabaseSpec
            {
                Engine = engine, ClusterId = clusterId, PrimaryRegion = primaryRegion, ReplicaClusterId = replicaClusterId, GlobalClusterId = globalClusterId,
                Restore = restore, TargetInstanceClass = targetClass, MaxReplicaLag = maxLag, AllowDataLoss = allowDataLoss,
            };
        }
    }
}
