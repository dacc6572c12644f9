using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using Xunit;

namespace DrTools.Core.Tests.RecoveryPoints
{
    /// <summary>Aurora DB cluster snapshots as recovery points: taken, copied, listed, expired, restored and drilled like DB snapshots.</summary>
    public sealed class ClusterSnapshotTests
    {
        const string Home = "us-east-1", Dr = "us-west-2";
        static readonly CancellationToken None = CancellationToken.None;
        readonly FakeCloud _cloud = new();
        RecoveryPointCreator Creator => new(_cloud);
        FakeClusters HomeClusters => _cloud.ClustersFor(Home);
        FakeClusters DrClusters => _cloud.ClustersFor(Dr);

        async Task<RecoveryPoint> Take(string token = "t1", string? copyTo = null) =>
            (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBClusterSnapshot, "orders-aurora") { ClientToken = token, CopyToRegion = copyTo }, None)).Single();

        // ------------------------------------------------------------------ create and copy

        [Fact]
        public async Task Cluster_snapshot_is_named_by_token_tagged_and_copied_with_the_source_ARN_and_the_DR_key()
        {
            _cloud.AddCluster("orders-aurora", encrypted: true);
            var expires = DateTime.UtcNow.AddDays(7);
            var p = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBClusterSnapshot, "orders-aurora")
                { ClientToken = "Nightly_1", CopyToRegion = Dr, KmsKeyId = "alias/dr-aurora", Plan = "orders", ExpiresAfter = expires }, None)).Single();

            Assert.Equal((RecoveryPointKind.DBClusterSnapshot, "drtools-orders-aurora-nightly-1", "orders-aurora", Home, "available"), (p.Kind, p.Id, p.SourceId, p.Region, p.State));
            Assert.Equal(("orders", "Nightly_1", $"{Dr}:{p.Id}", true), (p.Plan, p.ClientToken, p.CopiedTo, p.Encrypted));
            Assert.Equal(RecoveryPointTags.FormatTime(expires), p.Tags[RecoveryPointTags.ExpiresAfter]);
            Assert.Equal("DBClusterSnapshot", p.Tags[RecoveryPointTags.Kind]);
            // The writer's class is recorded: a restore or drill defaults to it.
            Assert.Equal("db.r6g.large", p.Tags[RecoveryPointTags.DBInstanceClass]);
            Assert.Equal((1, 1), (_cloud.Count("WaitDBClusterSnapshot"), _cloud.Count("WaitDBClusterSnapshot", Dr)));

            var copy = DrClusters.LastCopy!;
            Assert.Equal(($"arn:aws:rds:{Home}:123456789012:cluster-snapshot:{p.Id}", p.Id, "alias/dr-aurora"),
                (copy.SourceDBClusterSnapshotIdentifier, copy.TargetDBClusterSnapshotIdentifier, copy.KmsKeyId));
            var drCopy = DrClusters.Snapshots[p.Id];
            Assert.Equal(($"{Home}:{p.Id}", "orders", "orders-aurora"), (drCopy.Tags[RecoveryPointTags.CopyOf], drCopy.Tags[RecoveryPointTags.Plan], drCopy.Tags[RecoveryPointTags.Source]));
            Assert.Equal(p.Tags[RecoveryPointTags.ExpiresAfter], drCopy.Tags[RecoveryPointTags.ExpiresAfter]);
            Assert.False(drCopy.Tags.ContainsKey(RecoveryPointTags.CopiedTo));
        }

        [Fact]
        public async Task A_retry_with_the_same_client_token_takes_no_second_cluster_snapshot_or_copy()
        {
            _cloud.AddCluster("orders-aurora");
            var first = await Take("t1", Dr);
            var second = await Take("t1", Dr);
            Assert.Equal((first.Id, first.CopiedTo), (second.Id, second.CopiedTo));
            Assert.Equal((1, 1), (_cloud.Count("CreateDBClusterSnapshot"), _cloud.Count("CopyDBClusterSnapshot", Dr)));
            await Take("t2");
            Assert.Equal(2, _cloud.Count("CreateDBClusterSnapshot"));
        }

        [Fact]
        public async Task A_cluster_that_does_not_exist_is_named_with_the_region_and_nothing_is_taken()
        {
            var e = await Assert.ThrowsAsync<DrToolsException>(() => Take());
            Assert.Equal(BackupErrorIds.SourceNotFound, e.ErrorId);
            Assert.Contains("DB cluster orders-aurora does not exist in region us-east-1", e.Message);
            Assert.Equal(0, _cloud.Count("CreateDBClusterSnapshot"));
        }

        [Fact]
        public async Task A_KMS_key_not_usable_in_the_DR_region_names_what_exists_and_a_rerun_only_copies()
        {
            _cloud.AddCluster("orders-aurora", encrypted: true);
            _cloud.Fail("CopyDBClusterSnapshot", Dr, FakeCloud.Aws("KMSKeyNotAccessibleFault", "The specified KMS key does not exist"));
            var request = new RecoveryPointRequest(RecoveryPointKind.DBClusterSnapshot, "orders-aurora") { ClientToken = "n1", CopyToRegion = Dr, KmsKeyId = "alias/missing" };
            var e = await Assert.ThrowsAsync<DrToolsException>(() => Creator.CreateAsync(request, None));
            Assert.Equal(RecoveryPointErrorIds.KmsKeyNotUsable, e.ErrorId);
            Assert.Contains("Exists: DB cluster snapshot drtools-orders-aurora-n1 of orders-aurora in us-east-1", e.Message);
            Assert.Contains("-ClientToken n1", e.Message);
            Assert.Empty(DrClusters.Snapshots);

            var p = (await Creator.CreateAsync(request, None)).Single();
            Assert.Equal((1, 2), (_cloud.Count("CreateDBClusterSnapshot"), _cloud.Count("CopyDBClusterSnapshot", Dr)));
            Assert.Equal($"{Dr}:{p.Id}", p.CopiedTo);
        }

        // ------------------------------------------------------------------ list, RPO, expiry

        [Fact]
        public async Task Listing_shows_only_DrTools_cluster_snapshots_newest_first_and_evaluates_the_RPO()
        {
            _cloud.AddCluster("orders-aurora");
            var old = await Take("old");
            var fresh = await Take("new");
            HomeClusters.Snapshots[old.Id] = HomeClusters.Snapshots[old.Id] with { Tags = WithTag(HomeClusters.Snapshots[old.Id].Tags, RecoveryPointTags.Created, DateTime.UtcNow.AddDays(-2)) };
            HomeClusters.Snapshots["rds-manual"] = new DbClusterSnapshot
            {
                Identifier = "rds-manual", DBClusterIdentifier = "orders-aurora", Status = "available", SnapshotType = "manual", SnapshotCreateTime = DateTime.UtcNow, Region = Home,
            };
            var catalog = new RecoveryPointCatalog(_cloud);
            var points = await catalog.ListAsync(RecoveryPointKind.DBClusterSnapshot, Home, null, None);
            Assert.Equal(new[] { fresh.Id, old.Id }, points.Select(p => p.Id));
            Assert.Empty(RecoveryPointCatalog.EvaluateRpo(points, TimeSpan.FromDays(1), DateTime.UtcNow));
            Assert.Equal(new[] { "orders-aurora" }, RecoveryPointCatalog.EvaluateRpo(points.Where(p => p.Id == old.Id).ToList(), TimeSpan.FromDays(1), DateTime.UtcNow));
            Assert.Empty(await catalog.ListAsync(RecoveryPointKind.DBClusterSnapshot, Home, new[] { "other-cluster" }, None));

            Assert.Equal(fresh.Id, (await catalog.GetAsync(RecoveryPointKind.DBClusterSnapshot, fresh.Id, Home, None)).Id);
            var missing = await Assert.ThrowsAsync<DrToolsException>(() => catalog.GetAsync(RecoveryPointKind.DBClusterSnapshot, "nope", Home, None));
            Assert.Equal(RecoveryPointErrorIds.RecoveryPointNotFound, missing.ErrorId);
            Assert.Contains("DB cluster snapshot nope", missing.Message);
        }

        [Fact]
        public async Task Expired_cluster_snapshots_go_keep_last_holds_and_an_untagged_one_is_refused()
        {
            _cloud.AddCluster("orders-aurora");
            var ids = new List<string>();
            for (int day = 0; day < 3; day++)
            {
                var p = await Take("d" + day);
                var s = HomeClusters.Snapshots[p.Id];
                var tags = WithTag(WithTag(s.Tags, RecoveryPointTags.Created, DateTime.UtcNow.AddDays(day - 3)), RecoveryPointTags.ExpiresAfter, DateTime.UtcNow.AddDays(-1));
                HomeClusters.Snapshots[p.Id] = s with { Tags = tags };
                ids.Add(p.Id);
            }
            var remover = new RecoveryPointRemover(_cloud);
            var plan = await remover.PlanAsync(RecoveryPointKind.DBClusterSnapshot, Home, new RetentionPolicy { KeepLast = 1 }, true, null, DateTime.UtcNow, None);
            Assert.Equal(ids.Take(2).OrderBy(x => x), plan.Remove.Select(r => r.Id).OrderBy(x => x));
            Assert.Equal(new[] { ids[2] }, plan.Keep.Select(k => k.Id));
            foreach (var r in plan.Remove) await remover.RemoveAsync(r.Kind, r.Id, r.Region, r.Reason, None);
            Assert.Equal(new[] { ids[2] }, HomeClusters.Snapshots.Keys);
            Assert.Equal(2, _cloud.Count("DeleteDBClusterSnapshot"));

            HomeClusters.Snapshots["rds-manual"] = new DbClusterSnapshot { Identifier = "rds-manual", DBClusterIdentifier = "orders-aurora", Status = "available", Region = Home };
            var e = await Assert.ThrowsAsync<DrToolsException>(() => remover.RemoveAsync(RecoveryPointKind.DBClusterSnapshot, "rds-manual", Home, "asked", None));
            Assert.Equal(RecoveryPointErrorIds.NotCreatedByDrTools, e.ErrorId);
            Assert.True(HomeClusters.Snapshots.ContainsKey("rds-manual"));
            Assert.Equal(2, _cloud.Count("DeleteDBClusterSnapshot"));
        }

        // ------------------------------------------------------------------ restore

        [Fact]
        public async Task Restore_creates_the_cluster_waits_then_one_instance_of_the_recorded_class_and_waits_again()
        {
            _cloud.AddCluster("orders-aurora");
            var p = await Take();
            var restored = await new RecoveryPointRestorer(_cloud).RestoreAsync(p, new RecoveryPointRestoreRequest
            {
                DBClusterIdentifier = "orders-aurora-dr", DBSubnetGroupName = "dr-subnets", SecurityGroupIds = { "sg-db" }, Tags = { ["Owner"] = "dba" },
            }, None);

            Assert.Equal(("DBCluster", "orders-aurora-dr", "available", p.Id), (restored.ResourceType, restored.Id, restored.State, restored.RecoveryPointId));
            Assert.Equal("orders-aurora-dr.cluster.rds.example", restored.Address);
            Assert.Equal(new[] { "orders-aurora-dr-1" }, restored.InstanceIds);
            var rr = HomeClusters.LastRestore!;
            Assert.Equal((p.Id, "aurora-postgresql", "15.4", "dr-subnets"), (rr.SnapshotIdentifier, rr.Engine, rr.EngineVersion, rr.DBSubnetGroupName));
            Assert.Equal(new[] { "sg-db" }, rr.VpcSecurityGroupIds);
            Assert.Equal(($"{Home}:{p.Id}", "dba"), (rr.Tags![RecoveryPointTags.RestoredFrom], rr.Tags["Owner"]));
            var ci = HomeClusters.LastCreateInstance!;
            Assert.Equal(("orders-aurora-dr-1", "orders-aurora-dr", "db.r6g.large", "aurora-postgresql"), (ci.DBInstanceIdentifier, ci.DBClusterIdentifier, ci.DBInstanceClass, ci.Engine));
            // The cluster is available before its instance is created, and the instance is waited for.
            var order = _cloud.Calls.Where(c => c is "RestoreDBClusterFromSnapshot@us-east-1" or "WaitDBCluster@us-east-1" or "CreateDBClusterInstance@us-east-1" or "WaitDBInstance@us-east-1").ToList();
            Assert.Equal(new[] { "RestoreDBClusterFromSnapshot@us-east-1", "WaitDBCluster@us-east-1", "CreateDBClusterInstance@us-east-1", "WaitDBInstance@us-east-1" }, order);
            Assert.Equal("available", _cloud.RdsFor(Home).Instances["orders-aurora-dr-1"].Status);

            // -DBInstanceClass wins over the recorded class.
            await new RecoveryPointRestorer(_cloud).RestoreAsync(p, new RecoveryPointRestoreRequest { DBClusterIdentifier = "c2", DBInstanceClass = "db.t4g.medium" }, None);
            Assert.Equal("db.t4g.medium", HomeClusters.LastCreateInstance!.DBInstanceClass);
        }

        [Fact]
        public async Task Restore_without_a_known_class_or_onto_a_foreign_cluster_fails_before_changing_anything()
        {
            _cloud.AddCluster("orders-aurora");
            var p = await Take();
            var untagged = new RecoveryPoint
            {
                Kind = p.Kind, Id = p.Id, SourceId = p.SourceId, Region = p.Region, Created = p.Created, State = p.State,
                Tags = p.Tags.Where(kv => kv.Key != RecoveryPointTags.DBInstanceClass).ToDictionary(kv => kv.Key, kv => kv.Value),
            };
            var e = await Assert.ThrowsAsync<DrToolsException>(() => new RecoveryPointRestorer(_cloud).RestoreAsync(untagged, new RecoveryPointRestoreRequest { DBClusterIdentifier = "x" }, None));
            Assert.Equal(ErrorIds.InvalidParameter, e.ErrorId);
            Assert.Contains("-DBInstanceClass", e.RecommendedAction);

            // The source cluster itself: a restore under its name must not touch it.
            var e2 = await Assert.ThrowsAsync<DrToolsException>(() => new RecoveryPointRestorer(_cloud).RestoreAsync(p, new RecoveryPointRestoreRequest(), None));
            Assert.Equal(ErrorIds.AlreadyExists, e2.ErrorId);
            Assert.Contains("-DBClusterIdentifier", e2.RecommendedAction);
            Assert.Equal((0, 0), (_cloud.Count("RestoreDBClusterFromSnapshot"), _cloud.Count("CreateDBClusterInstance")));
        }

        [Fact]
        public async Task A_restore_whose_instance_failed_names_the_restored_cluster_and_a_rerun_reuses_it()
        {
            _cloud.AddCluster("orders-aurora");
            var p = await Take();
            _cloud.Fail("CreateDBClusterInstance", Home, FakeCloud.Aws("InvalidParameterCombination", "DB instance class db.r6g.large is not available"));
            var request = new RecoveryPointRestoreRequest { DBClusterIdentifier = "orders-aurora-dr" };
            var e = await Assert.ThrowsAsync<DrToolsException>(() => new RecoveryPointRestorer(_cloud).RestoreAsync(p, request, None));
            Assert.Contains("DB cluster orders-aurora-dr is restored in us-east-1, but creating its instance orders-aurora-dr-1 (db.r6g.large) failed", e.Message);
            Assert.Contains("re-run the same restore", e.RecommendedAction);
            Assert.Equal("InvalidParameterCombination", e.AwsErrorCode);

            var restored = await new RecoveryPointRestorer(_cloud).RestoreAsync(p, request, None);
            Assert.Equal(("orders-aurora-dr", "available"), (restored.Id, restored.State));
            Assert.Equal((1, 2), (_cloud.Count("RestoreDBClusterFromSnapshot"), _cloud.Count("CreateDBClusterInstance")));
        }

        // ------------------------------------------------------------------ drill

        [Fact]
        public async Task Drill_restores_a_tagged_scratch_cluster_and_instance_validates_then_deletes_instance_before_cluster_without_final_snapshot()
        {
            _cloud.AddCluster("orders-aurora");
            var p = await Take();
            RestoredResource? seen = null;
            var result = await new RecoveryPointDrill(_cloud).RunAsync(p, new RecoveryPointDrillOptions
            {
                RtoTarget = TimeSpan.FromHours(1),
                Validation = (r, _) => { seen = r; return Task.FromResult(r.Address != null); },
            }, None);

            Assert.True(result.Passed, string.Join("; ", result.Failures.Select(f => f.Message)));
            Assert.Equal(("Drill", "DBClusterSnapshot", p.Id, true), (result.Mode, result.Kind, result.BackupSetId, result.RtoMet));
            Assert.StartsWith("drill-orders-aurora-", result.RestoredId);
            Assert.Equal(("DBCluster", result.RestoredId), (seen!.ResourceType, seen.Id));
            Assert.Equal("true", HomeClusters.LastRestore!.Tags![RecoveryPointTags.Drill]);
            Assert.Equal("true", HomeClusters.LastCreateInstance!.Tags![RecoveryPointTags.Drill]);
            Assert.Equal(result.RestoredId + "-1", HomeClusters.LastCreateInstance.DBInstanceIdentifier);
            AssertCleanedUp(result.RestoredId!);
        }

        void AssertCleanedUp(string clusterId)
        {
            Assert.Equal(new[] { clusterId + "-1" }, _cloud.RdsFor(Home).Deleted);
            Assert.Equal(new[] { clusterId }, HomeClusters.DeletedClusters);
            Assert.True(HomeClusters.LastDeleteFinalSnapshot!.Skip);
            Assert.False(HomeClusters.Clusters.ContainsKey(clusterId));
            var calls = _cloud.Calls.ToList();
            Assert.True(calls.LastIndexOf("WaitDBInstanceDeleted@us-east-1") < calls.LastIndexOf("DeleteDBCluster@us-east-1"), "the instance is gone before the cluster is deleted");
            // Only the scratch resources: the source cluster and its writer are untouched.
            Assert.True(HomeClusters.Clusters.ContainsKey("orders-aurora"));
            Assert.Equal("available", _cloud.RdsFor(Home).Instances["orders-aurora-writer"].Status);
        }

        [Fact]
        public async Task Drill_deletes_the_scratch_cluster_after_a_failed_instance_and_after_cancellation_but_not_with_Keep()
        {
            _cloud.AddCluster("orders-aurora");
            var p = await Take();
            _cloud.Fail("CreateDBClusterInstance", Home, FakeCloud.Aws("InsufficientDBInstanceCapacity", "no capacity"));
            var failed = await new RecoveryPointDrill(_cloud).RunAsync(p, new RecoveryPointDrillOptions(), None);
            Assert.False(failed.Passed);
            Assert.Equal("InsufficientDBInstanceCapacity", Assert.Single(failed.Failures).Error.AwsErrorCode);
            var scratch = Assert.Single(HomeClusters.DeletedClusters);
            Assert.StartsWith("drill-orders-aurora-", scratch);
            Assert.Empty(_cloud.RdsFor(Home).Deleted); // no instance was made
            Assert.Equal(new[] { "orders-aurora" }, HomeClusters.Clusters.Keys);

            // Ctrl+C while the scratch cluster is being created: cleanup still deletes it (with its own time limit).
            HomeClusters.HangClusterAvailable = true;
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new RecoveryPointDrill(_cloud).RunAsync(p, new RecoveryPointDrillOptions(), cts.Token));
            Assert.Equal(2, HomeClusters.DeletedClusters.Count);
            Assert.Equal(new[] { "orders-aurora" }, HomeClusters.Clusters.Keys);

            var kept = await new RecoveryPointDrill(_cloud).RunAsync(p, new RecoveryPointDrillOptions { Keep = true }, None);
            Assert.True(kept.Passed);
            Assert.Equal(kept.RestoredId, kept.ScratchPath);
            Assert.True(HomeClusters.Clusters.ContainsKey(kept.RestoredId!));
            Assert.Equal(2, HomeClusters.DeletedClusters.Count);
        }

        static IReadOnlyDictionary<string, string> WithTag(IReadOnlyDictionary<string, string> tags, string key, DateTime value)
        {
            var d = tags.ToDictionary(kv => kv.Key, kv => kv.Value);
            d[key] = RecoveryPointTags.FormatTime(value);
            return d;
        }
    }
}
