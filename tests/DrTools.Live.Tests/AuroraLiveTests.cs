using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// The Aurora calls of RdsService (IRdsClusterService) end to end in two regions (Live.Region = primary, Live.DrRegion = DR):
    /// cluster snapshots created, listed, copied across regions and deleted; clusters restored from a snapshot and to a
    /// point in time, with an instance created into them; global databases described and waited for (one member: moto cannot
    /// detach a secondary cluster of another region, so a two-region global database could not be cleaned up there).
    /// SwitchoverGlobalCluster and FailoverGlobalCluster are not implemented by moto: only the fake-endpoint tests
    /// (RdsClusterServiceTests, RdsModelConformanceTests) cover them. Against real AWS these create small Aurora
    /// PostgreSQL clusters (db.t4g.medium) and take a long time; everything is deleted in finally.
    /// </summary>
    public class AuroraLiveTests
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 1 : 60);
        const string Engine = "aurora-postgresql";
        const string InstanceClass = "db.t4g.medium";

        sealed class Cleanup
        {
            public readonly List<(RdsService Rds, string Id)> Instances = new();
            public readonly List<(RdsService Rds, string Id)> Clusters = new();
            public readonly List<(RdsService Rds, string Id)> Snapshots = new();
            public readonly List<(RdsService Rds, string GlobalId, string ClusterArn)> GlobalClusters = new();

            /// <summary>Best effort: instances, then global databases, clusters and snapshots; reports what it could not delete.</summary>
            public async Task RunAsync()
            {
                var problems = new List<string>();
                async Task Try(string what, Func<Task> action)
                {
                    try { await action(); }
                    catch (Exception ex) { problems.Add($"{what}: {ex.Message}"); }
                }
                foreach (var (rds, id) in Enumerable.Reverse(Instances))
                    await Try($"DB instance {id} in {rds.Region}", async () =>
                    {
                        if (await rds.FindDBInstanceAsync(id) is not { } db) return;
                        if (db.Status != "deleting") await rds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, deleteAutomatedBackups: true);
                        await rds.WaitForDBInstanceDeletedAsync(id, Long);
                    });
                foreach (var (rds, globalId, clusterArn) in GlobalClusters)
                    await Try($"global database {globalId}", async () =>
                    {
                        if (await rds.FindGlobalClusterAsync(globalId) is null) return;
                        using var client = new AwsClientFactory(Live.Connection(rds.Region)).Rds();
                        await client.SendAsync("RemoveFromGlobalCluster", new Dictionary<string, string>
                            { ["GlobalClusterIdentifier"] = globalId, ["DbClusterIdentifier"] = clusterArn });
                        await client.SendAsync("DeleteGlobalCluster", new Dictionary<string, string> { ["GlobalClusterIdentifier"] = globalId });
                    });
                foreach (var (rds, id) in Enumerable.Reverse(Clusters))
                    await Try($"DB cluster {id} in {rds.Region}", async () =>
                    {
                        if (await rds.FindDBClusterAsync(id) is not { } c) return;
                        if (c.Status != "deleting")
                        {
                            if (c.Status != "available") await rds.WaitForDBClusterAvailableAsync(id, Long);
                            await rds.DeleteDBClusterAsync(id, DbFinalSnapshot.None);
                        }
                        await rds.WaitForDBClusterDeletedAsync(id, Long);
                    });
                foreach (var (rds, id) in Enumerable.Reverse(Snapshots))
                    await Try($"DB cluster snapshot {id} in {rds.Region}", async () =>
                    {
                        if (await rds.FindDBClusterSnapshotAsync(id) is null) return;
                        await rds.WaitForDBClusterSnapshotAvailableAsync(id, Long);
                        await rds.DeleteDBClusterSnapshotAsync(id);
                    });
                Assert.True(problems.Count == 0, "Cleanup left resources behind: " + string.Join("; ", problems));
            }
        }

        static RdsService Service(string region)
        {
            var rds = RdsService.Create(new AwsClientFactory(Live.Connection(region)));
            rds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            return rds;
        }

        /// <summary>CreateDBCluster is not part of the DR service (DR never creates primaries); the test uses the wire client.</summary>
        static async Task<DbCluster> CreatePrimaryClusterAsync(RdsService rds, string id, Cleanup cleanup)
        {
            using var client = new AwsClientFactory(Live.Connection(rds.Region)).Rds();
            cleanup.Clusters.Add((rds, id));
            await client.SendAsync("CreateDBCluster", new Dictionary<string, string>
            {
                ["DBClusterIdentifier"] = id,
                ["Engine"] = Engine,
                ["MasterUsername"] = "drtools",
                ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20),
                ["BackupRetentionPeriod"] = "1",
                ["Tags.Tag.1.Key"] = "drtools-live",
                ["Tags.Tag.1.Value"] = "true",
            });
            return await rds.WaitForDBClusterAvailableAsync(id, Long);
        }

        static async Task<DbInstance> CreateInstanceAsync(RdsService rds, string clusterId, string instanceId, Cleanup cleanup)
        {
            cleanup.Instances.Add((rds, instanceId));
            var created = await rds.CreateDBClusterInstanceAsync(new CreateDbClusterInstanceRequest
            {
                DBInstanceIdentifier = instanceId, DBClusterIdentifier = clusterId, DBInstanceClass = InstanceClass, Engine = Engine,
                Tags = new Dictionary<string, string> { ["drtools-live"] = "true" },
            });
            Assert.Equal((instanceId, clusterId), (created.Identifier, created.DBClusterIdentifier));
            return await rds.WaitForDBInstanceAvailableAsync(instanceId, Long);
        }

        [LiveFact]
        public async Task Cluster_snapshot_create_list_copy_across_regions_restore_with_an_instance_and_delete()
        {
            using var primary = Service(Live.Region);
            using var dr = Service(Live.DrRegion);
            var cleanup = new Cleanup();
            var clusterId = Live.Name("aur");
            var snapId = clusterId + "-snap";
            var drCopyId = clusterId + "-drcopy";
            var restoredId = clusterId + "-restored";
            try
            {
                var cluster = await CreatePrimaryClusterAsync(primary, clusterId, cleanup);
                Assert.Equal(("available", Engine, Live.Region), (cluster.Status, cluster.Engine, cluster.Region));
                Assert.Contains($":{Live.Region}:", cluster.Arn);
                await CreateInstanceAsync(primary, clusterId, clusterId + "-1", cleanup);
                cluster = (await primary.FindDBClusterAsync(clusterId))!;
                Assert.Contains(cluster.Members, m => m.DBInstanceIdentifier == clusterId + "-1");

                cleanup.Snapshots.Add((primary, snapId));
                var snap = await primary.CreateDBClusterSnapshotAsync(clusterId, snapId, new Dictionary<string, string> { ["purpose"] = "drtools-live" });
                Assert.Equal((snapId, clusterId), (snap.Identifier, snap.DBClusterIdentifier));
                snap = await primary.WaitForDBClusterSnapshotAvailableAsync(snapId, Long);
                Assert.Equal(("manual", Engine), (snap.SnapshotType, snap.Engine));
                Assert.NotNull(snap.SnapshotCreateTime);
                Assert.Contains(await primary.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterIdentifier = clusterId }), s => s.Identifier == snapId);
                Assert.Contains(await primary.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterIdentifier = clusterId, SnapshotType = "manual" }),
                    s => s.Identifier == snapId);

                // Cross-region copy: the DR service, the source by ARN (with a pre-signed URL for the primary region).
                cleanup.Snapshots.Add((dr, drCopyId));
                await dr.CopyDBClusterSnapshotAsync(new CopyDbClusterSnapshotRequest
                    { SourceDBClusterSnapshotIdentifier = snap.Arn!, TargetDBClusterSnapshotIdentifier = drCopyId, CopyTags = true });
                var drCopy = await dr.WaitForDBClusterSnapshotAvailableAsync(drCopyId, Long);
                Assert.Equal(Live.DrRegion, drCopy.Region);
                Assert.Contains($":{Live.DrRegion}:", drCopy.Arn);
                Assert.Null(await primary.FindDBClusterSnapshotAsync(drCopyId)); // it lives only in the DR region

                // Restore in DR from the copy, then give the cluster an instance (a restored cluster has none).
                cleanup.Clusters.Add((dr, restoredId));
                var restoring = await dr.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
                {
                    DBClusterIdentifier = restoredId, SnapshotIdentifier = drCopyId, Engine = drCopy.Engine ?? Engine,
                    Tags = new Dictionary<string, string> { ["restored-from"] = drCopyId },
                });
                Assert.Equal((restoredId, Live.DrRegion), (restoring.Identifier, restoring.Region));
                var restored = await dr.WaitForDBClusterAvailableAsync(restoredId, Long);
                Assert.Equal(Engine, restored.Engine);
                Assert.Contains($":{Live.DrRegion}:", restored.Arn);
                await CreateInstanceAsync(dr, restoredId, restoredId + "-1", cleanup);
                Assert.Contains((await dr.FindDBClusterAsync(restoredId))!.Members, m => m.DBInstanceIdentifier == restoredId + "-1");

                // Delete a snapshot: gone afterwards.
                await dr.DeleteDBClusterSnapshotAsync(drCopyId);
                Assert.Null(await dr.FindDBClusterSnapshotAsync(drCopyId));
            }
            finally
            {
                await cleanup.RunAsync();
            }
            Assert.Null(await Service(Live.DrRegion).FindDBClusterAsync(restoredId));
        }

        [LiveFact]
        public async Task Cluster_point_in_time_restore_with_an_instance()
        {
            using var primary = Service(Live.Region);
            var cleanup = new Cleanup();
            var clusterId = Live.Name("aurp");
            var pitrId = clusterId + "-pitr";
            try
            {
                var source = await CreatePrimaryClusterAsync(primary, clusterId, cleanup);
                await CreateInstanceAsync(primary, clusterId, clusterId + "-1", cleanup);

                cleanup.Clusters.Add((primary, pitrId));
                var pitr = await primary.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                {
                    DBClusterIdentifier = pitrId, SourceDBClusterIdentifier = clusterId, UseLatestRestorableTime = true,
                    Tags = new Dictionary<string, string> { ["restored-from"] = clusterId },
                });
                Assert.Equal(pitrId, pitr.Identifier);
                var restored = await primary.WaitForDBClusterAvailableAsync(pitrId, Long);
                Assert.Equal(source.Engine, restored.Engine);
                await CreateInstanceAsync(primary, pitrId, pitrId + "-1", cleanup);
                Assert.Contains((await primary.FindDBClusterAsync(pitrId))!.Members, m => m.DBInstanceIdentifier == pitrId + "-1");
            }
            finally
            {
                await cleanup.RunAsync();
            }
        }

        [LiveFact]
        public async Task Global_database_is_described_found_and_waited_for()
        {
            using var primary = Service(Live.Region);
            var cleanup = new Cleanup();
            var clusterId = Live.Name("aurg");
            var globalId = clusterId + "-global";
            try
            {
                var cluster = await CreatePrimaryClusterAsync(primary, clusterId, cleanup);
                using (var client = new AwsClientFactory(Live.Connection(primary.Region)).Rds())
                {
                    cleanup.GlobalClusters.Add((primary, globalId, cluster.Arn!));
                    await client.SendAsync("CreateGlobalCluster", new Dictionary<string, string>
                        { ["GlobalClusterIdentifier"] = globalId, ["SourceDBClusterIdentifier"] = cluster.Arn! });
                }

                var global = await primary.WaitForGlobalClusterAsync(globalId, g => g.Status == "available" && g.Members.Any(m => m.DBClusterArn == cluster.Arn),
                    "to be available with its primary cluster", Long);
                Assert.Equal((globalId, Engine), (global.Identifier, global.Engine));
                Assert.Contains(":global-cluster:", global.Arn);
                var member = Assert.Single(global.Members);
                Assert.Equal(cluster.Arn, member.DBClusterArn);
                // moto does not mark the source cluster of CreateGlobalCluster as the writer (IsWriter false); AWS does.
                if (!Live.IsMoto) Assert.True(member.IsWriter);
                Assert.Null(global.FailoverState);

                Assert.Equal(globalId, Assert.Single(await primary.DescribeGlobalClustersAsync(globalId)).Identifier);
                Assert.Equal(globalId, (await primary.FindGlobalClusterAsync(globalId))!.Identifier);
                Assert.Null(await primary.FindGlobalClusterAsync(globalId + "-none"));
                Assert.Contains(await primary.DescribeGlobalClustersAsync(), g => g.Identifier == globalId);
            }
            finally
            {
                await cleanup.RunAsync();
            }
        }
    }
}
