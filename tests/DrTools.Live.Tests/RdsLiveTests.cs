using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// The RDS service layer end to end in two regions (Live.Region = primary, Live.DrRegion = DR). Against real AWS
    /// these create small postgres instances (db.t3.micro, 20 GiB) and take a long time; everything is deleted in finally.
    /// </summary>
    public class RdsLiveTests
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 1 : 60);

        sealed class Cleanup
        {
            public readonly List<(RdsService Rds, string Id)> Instances = new();
            public readonly List<(RdsService Rds, string Id)> Snapshots = new();

            /// <summary>Best effort, newest first (replicas before their sources); reports what it could not delete.</summary>
            public async Task RunAsync()
            {
                var problems = new List<string>();
                var deleting = new List<(RdsService Rds, string Id)>();
                foreach (var (rds, id) in Enumerable.Reverse(Instances))
                {
                    try
                    {
                        if (await rds.FindDBInstanceAsync(id) is not { } db) continue;
                        deleting.Add((rds, id));
                        if (db.Status == "deleting") continue;
                        if (db.Status != "available") await rds.WaitForDBInstanceAvailableAsync(id, Long);
                        await rds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, deleteAutomatedBackups: true);
                    }
                    catch (Exception ex) { problems.Add($"DB instance {id} in {rds.Region}: {ex.Message}"); }
                }
                foreach (var (rds, id) in deleting)
                {
                    try { await rds.WaitForDBInstanceDeletedAsync(id, Long); }
                    catch (Exception ex) { problems.Add($"DB instance {id} in {rds.Region} not gone: {ex.Message}"); }
                }
                foreach (var (rds, id) in Enumerable.Reverse(Snapshots))
                {
                    try
                    {
                        if (await rds.FindDBSnapshotAsync(id) is null) continue;
                        await rds.WaitForDBSnapshotAvailableAsync(id, Long);
                        await rds.DeleteDBSnapshotAsync(id);
                    }
                    catch (Exception ex) { problems.Add($"DB snapshot {id} in {rds.Region}: {ex.Message}"); }
                }
                Assert.True(problems.Count == 0, "Cleanup left resources behind: " + string.Join("; ", problems));
            }
        }

        static RdsService Service(string region)
        {
            var rds = RdsService.Create(new AwsClientFactory(Live.Connection(region)));
            rds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            return rds;
        }

        /// <summary>CreateDBInstance is not part of the DR service (DR never creates primaries); the test uses the wire client.</summary>
        static async Task<DbInstance> CreatePrimaryAsync(RdsService rds, string id, Cleanup cleanup)
        {
            using var client = new AwsClientFactory(Live.Connection(rds.Region)).Rds();
            cleanup.Instances.Add((rds, id));
            await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
            {
                ["DBInstanceIdentifier"] = id,
                ["DBInstanceClass"] = "db.t3.micro",
                ["Engine"] = "postgres",
                ["MasterUsername"] = "drtools",
                ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20),
                ["AllocatedStorage"] = "20",
                // Read replicas need automated backups on the source.
                ["BackupRetentionPeriod"] = "1",
                ["Tags.Tag.1.Key"] = "drtools-live",
                ["Tags.Tag.1.Value"] = "true",
            });
            return await rds.WaitForDBInstanceAvailableAsync(id, Long);
        }

        [LiveFact]
        public async Task Snapshot_copy_in_region_and_across_regions_restore_modify_tag_and_delete()
        {
            using var primary = Service(Live.Region);
            using var dr = Service(Live.DrRegion);
            var cleanup = new Cleanup();
            var dbId = Live.Name("rds");
            var snapId = dbId + "-snap";
            var localCopyId = dbId + "-copy";
            var drCopyId = dbId + "-drcopy";
            var restoredId = dbId + "-restored";
            try
            {
                var db = await CreatePrimaryAsync(primary, dbId, cleanup);
                Assert.Equal("available", db.Status);
                Assert.NotNull(db.Arn);
                Assert.Equal(Live.Region, db.Region);

                cleanup.Snapshots.Add((primary, snapId));
                var snap = await primary.CreateDBSnapshotAsync(dbId, snapId, new Dictionary<string, string> { ["purpose"] = "drtools-live" });
                Assert.Equal((snapId, dbId), (snap.Identifier, snap.DBInstanceIdentifier));
                snap = await primary.WaitForDBSnapshotAvailableAsync(snapId, Long);
                Assert.Equal("manual", snap.SnapshotType);
                Assert.NotNull(snap.SnapshotCreateTime);
                Assert.Contains(await primary.DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBInstanceIdentifier = dbId }), s => s.Identifier == snapId);

                // In-region copy: by id.
                cleanup.Snapshots.Add((primary, localCopyId));
                await primary.CopyDBSnapshotAsync(new CopyDbSnapshotRequest { SourceSnapshot = snapId, TargetSnapshotIdentifier = localCopyId, CopyTags = true });
                var localCopy = await primary.WaitForDBSnapshotAvailableAsync(localCopyId, Long);
                Assert.Equal(Live.Region, localCopy.Region);

                // Cross-region copy: the DR service, the source by ARN (with a pre-signed URL for the primary region).
                cleanup.Snapshots.Add((dr, drCopyId));
                await dr.CopyDBSnapshotAsync(new CopyDbSnapshotRequest { SourceSnapshot = snap.Arn!, TargetSnapshotIdentifier = drCopyId, CopyTags = true });
                var drCopy = await dr.WaitForDBSnapshotAvailableAsync(drCopyId, Long);
                Assert.Equal(Live.DrRegion, drCopy.Region);
                Assert.Contains($":{Live.DrRegion}:", drCopy.Arn);
                Assert.Null(await primary.FindDBSnapshotAsync(drCopyId)); // it lives only in the DR region

                // Restore in DR from the copy.
                cleanup.Instances.Add((dr, restoredId));
                await dr.RestoreDBInstanceFromDBSnapshotAsync(new RestoreDbInstanceRequest
                {
                    DBInstanceIdentifier = restoredId,
                    DBSnapshotIdentifier = drCopyId,
                    DBInstanceClass = "db.t3.micro",
                    MultiAZ = false,
                    Tags = new Dictionary<string, string> { ["restored-from"] = drCopyId },
                });
                var restored = await dr.WaitForDBInstanceAvailableAsync(restoredId, Long);
                Assert.Equal(("postgres", "db.t3.micro"), (restored.Engine, restored.InstanceClass));
                Assert.NotNull(restored.EndpointAddress);

                // Scale up after failover.
                await dr.ModifyDBInstanceAsync(new ModifyDbInstanceRequest
                    { DBInstanceIdentifier = restoredId, DBInstanceClass = "db.t3.small", ApplyImmediately = true });
                await Task.Delay(Live.IsMoto ? 0 : 60_000); // AWS reports "modifying" only after a moment
                restored = await dr.WaitForDBInstanceAvailableAsync(restoredId, Long);
                Assert.Equal("db.t3.small", restored.InstanceClass);

                // Tags by ARN.
                await dr.AddTagsToResourceAsync(restored.Arn!, new Dictionary<string, string> { ["dr-role"] = "primary", ["ticket"] = "INC-1" });
                var tags = await dr.ListTagsForResourceAsync(restored.Arn!);
                Assert.Equal("primary", tags["dr-role"]);
                Assert.Equal(drCopyId, tags["restored-from"]);
                await dr.RemoveTagsFromResourceAsync(restored.Arn!, new[] { "ticket" });
                Assert.False((await dr.ListTagsForResourceAsync(restored.Arn!)).ContainsKey("ticket"));

                // Delete with an explicit choice, and wait until gone.
                var deleting = await dr.DeleteDBInstanceAsync(restoredId, DbFinalSnapshot.None);
                Assert.Equal(restoredId, deleting.Identifier);
                await dr.WaitForDBInstanceDeletedAsync(restoredId, Long);
                Assert.Null(await dr.FindDBInstanceAsync(restoredId));

                var deletedSnap = await dr.DeleteDBSnapshotAsync(drCopyId);
                Assert.Equal(drCopyId, deletedSnap.Identifier);
                Assert.Null(await dr.FindDBSnapshotAsync(drCopyId));
            }
            finally
            {
                await cleanup.RunAsync();
            }
        }

        [LiveFact]
        public async Task Read_replicas_in_region_and_across_regions_and_promotion()
        {
            using var primary = Service(Live.Region);
            using var dr = Service(Live.DrRegion);
            var cleanup = new Cleanup();
            var dbId = Live.Name("rdsrr");
            var localReplicaId = dbId + "-ro";
            var drReplicaId = dbId + "-dr";
            try
            {
                var db = await CreatePrimaryAsync(primary, dbId, cleanup);

                cleanup.Instances.Add((primary, localReplicaId));
                await primary.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest { DBInstanceIdentifier = localReplicaId, SourceDBInstance = dbId });
                var local = await primary.WaitForDBInstanceAvailableAsync(localReplicaId, Long);
                Assert.True(local.IsReadReplica);
                Assert.Equal(dbId, local.ReadReplicaSource);
                Assert.Contains(localReplicaId, (await primary.DescribeDBInstancesAsync(dbId)).Single().ReadReplicas);

                cleanup.Instances.Add((dr, drReplicaId));
                await dr.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest
                    { DBInstanceIdentifier = drReplicaId, SourceDBInstance = db.Arn!, DBInstanceClass = "db.t3.micro" });
                var drReplica = await dr.WaitForDBInstanceAvailableAsync(drReplicaId, Long);
                Assert.Equal(Live.DrRegion, drReplica.Region);
                Assert.True(drReplica.IsReadReplica);
                Assert.Contains(dbId, drReplica.ReadReplicaSource);

                // Failover: promote the DR replica.
                var promoting = await dr.PromoteReadReplicaAsync(drReplicaId, backupRetentionPeriod: 1);
                Assert.Equal(drReplicaId, promoting.Identifier);
                await Task.Delay(Live.IsMoto ? 0 : 60_000);
                var promoted = await dr.WaitForDBInstanceAvailableAsync(drReplicaId, Long);
                if (!Live.IsMoto) Assert.False(promoted.IsReadReplica); // moto keeps the link after promotion
                Assert.Equal(1, promoted.BackupRetentionPeriod);
            }
            finally
            {
                await cleanup.RunAsync();
            }
        }

        [LiveFact]
        public async Task Errors_carry_DrTools_ids_AWS_codes_and_request_ids()
        {
            using var rds = Service(Live.Region);
            var missing = Live.Name("missing");

            var notFound = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeDBInstancesAsync(missing));
            Assert.Equal(ErrorIds.NotFound, notFound.ErrorId);
            Assert.Equal("DBInstanceNotFound", notFound.AwsErrorCode);
            Assert.False(string.IsNullOrEmpty(notFound.RequestId));
            Assert.Null(await rds.FindDBInstanceAsync(missing));
            Assert.Null(await rds.FindDBSnapshotAsync(missing));

            var snapshotOfNothing = await Assert.ThrowsAsync<DrToolsException>(() => rds.CreateDBSnapshotAsync(missing, missing + "-snap"));
            Assert.Equal(ErrorIds.NotFound, snapshotOfNothing.ErrorId);
            Assert.Equal("DBInstanceNotFound", snapshotOfNothing.AwsErrorCode);

            var deleteNothing = await Assert.ThrowsAsync<DrToolsException>(() => rds.DeleteDBSnapshotAsync(missing));
            Assert.Equal(ErrorIds.NotFound, deleteNothing.ErrorId);
        }
    }
}
