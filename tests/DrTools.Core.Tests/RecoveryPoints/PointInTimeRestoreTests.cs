using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using Xunit;

namespace DrTools.Core.Tests.RecoveryPoints
{
    /// <summary>Point-in-time restores of DB instances and the automated backups listing (issue 12).</summary>
    public sealed class PointInTimeRestoreTests
    {
        const string Home = "us-east-1", Dr = "us-west-2";
        const string SourceArn = "arn:aws:rds:us-east-1:123456789012:db:orders-db";
        const string ReplicatedArn = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-orders";
        static readonly CancellationToken None = CancellationToken.None;
        static readonly DateTime Earliest = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), Latest = new(2026, 12, 5, 2, 55, 0, DateTimeKind.Utc);
        readonly FakeCloud _cloud = new();

        public PointInTimeRestoreTests()
        {
            _cloud.AddDb("orders-db");
            _cloud.RdsFor(Home).AutomatedBackups.Add(new DbAutomatedBackup
            {
                DBInstanceIdentifier = "orders-db", DBInstanceArn = SourceArn, SourceRegion = Home, Status = "active", Region = Home,
                Arn = "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-orders", EarliestRestorableTime = Earliest, LatestRestorableTime = Latest,
                Replications = new[] { ReplicatedArn },
            });
        }

        void Replicate() => _cloud.RdsFor(Dr).AutomatedBackups.Add(new DbAutomatedBackup
        {
            DBInstanceIdentifier = "orders-db", DBInstanceArn = SourceArn, SourceRegion = Home, Status = "replicating", Region = Dr, Arn = ReplicatedArn,
            EarliestRestorableTime = Earliest, LatestRestorableTime = Latest.AddMinutes(-20),
        });

        RecoveryPointRestorer Restorer => new(_cloud);

        [Fact]
        public async Task A_restore_in_the_home_region_names_the_source_instance_and_the_time_and_waits_for_the_new_instance()
        {
            var asked = new DateTime(2026, 12, 4, 17, 30, 15, 900, DateTimeKind.Utc);
            var restored = await Restorer.RestorePointInTimeAsync(new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = "orders-db", TargetDBInstanceIdentifier = "orders-db-pitr", PointInTime = asked,
                DBInstanceClass = "db.r6g.large", DBSubnetGroupName = "prod", SecurityGroupIds = { "sg-db" }, MultiAZ = false,
            }, None);

            var call = _cloud.RdsFor(Home).LastPointInTimeRestore!;
            Assert.Equal(("orders-db", null, "orders-db-pitr", asked, false), (call.SourceDBInstanceIdentifier, call.SourceDBInstanceAutomatedBackupsArn,
                call.TargetDBInstanceIdentifier, call.RestoreTime, call.UseLatestRestorableTime));
            Assert.Equal(("db.r6g.large", "prod", false), (call.DBInstanceClass, call.DBSubnetGroupName, call.MultiAZ));
            Assert.Equal(new[] { "sg-db" }, call.VpcSecurityGroupIds);
            Assert.Equal(("us-east-1:orders-db", "2026-12-04T17:30:15Z"), (call.Tags![RecoveryPointTags.RestoredFrom], call.Tags[RecoveryPointTags.PointInTime]));
            Assert.Equal(1, _cloud.Count("WaitDBInstance"));
            Assert.Equal(("DBInstance", "orders-db-pitr", Home, "available", asked), (restored.ResourceType, restored.Id, restored.Region, restored.State, restored.PointInTime));
            Assert.Equal(RecoveryPointKind.DBAutomatedBackup, restored.Kind);
        }

        [Fact]
        public async Task A_restore_in_the_DR_region_uses_the_replicated_automated_backups_ARN()
        {
            Replicate();
            var restored = await Restorer.RestorePointInTimeAsync(new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = "orders-db", Region = Dr, TargetDBInstanceIdentifier = "orders-db", UseLatestRestorableTime = true, NoWait = true,
            }, None);

            var call = _cloud.RdsFor(Dr).LastPointInTimeRestore!;
            Assert.Equal((null, ReplicatedArn, "orders-db", null, true), (call.SourceDBInstanceIdentifier, call.SourceDBInstanceAutomatedBackupsArn,
                call.TargetDBInstanceIdentifier, call.RestoreTime, call.UseLatestRestorableTime));
            Assert.Null(_cloud.RdsFor(Home).LastPointInTimeRestore);
            Assert.Equal(0, _cloud.Count("WaitDBInstance", Dr));
            Assert.Equal((Dr, "creating", Latest.AddMinutes(-20), ReplicatedArn), (restored.Region, restored.State, restored.PointInTime, restored.RecoveryPointId));
        }

        [Fact]
        public async Task A_DR_restore_without_replicated_backups_says_how_to_start_replication_and_changes_nothing()
        {
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Restorer.RestorePointInTimeAsync(new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = "orders-db", Region = Dr, TargetDBInstanceIdentifier = "orders-db", UseLatestRestorableTime = true,
            }, None));
            Assert.Equal((RecoveryPointErrorIds.NoAutomatedBackups, DrErrorCategory.ObjectNotFound), (ex.ErrorId, ex.Category));
            Assert.Contains("start-db-instance-automated-backups-replication", ex.RecommendedAction);
            Assert.Equal(0, _cloud.Count("RestoreDBInstanceToPointInTime", Dr));
        }

        [Theory]
        [InlineData(-1)] // before the earliest restorable time
        [InlineData(+1)] // after the latest restorable time
        public async Task A_time_outside_the_restorable_window_fails_naming_the_window_before_any_restore(int side)
        {
            var asked = side < 0 ? Earliest.AddHours(-1) : Latest.AddMinutes(1);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Restorer.RestorePointInTimeAsync(new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = "orders-db", TargetDBInstanceIdentifier = "orders-db-pitr", PointInTime = asked,
            }, None));
            Assert.Equal(RecoveryPointErrorIds.PointInTimeOutsideWindow, ex.ErrorId);
            Assert.Contains("2026-12-01T00:00:00Z to 2026-12-05T02:55:00Z", ex.Message);
            Assert.Equal(0, _cloud.Count("RestoreDBInstanceToPointInTime"));
        }

        [Fact]
        public async Task Restoring_over_the_source_instance_or_without_a_time_is_refused()
        {
            var same = await Assert.ThrowsAsync<DrToolsException>(() => Restorer.RestorePointInTimeAsync(new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = "orders-db", TargetDBInstanceIdentifier = "ORDERS-DB", UseLatestRestorableTime = true,
            }, None));
            Assert.Equal(ErrorIds.InvalidParameter, same.ErrorId);
            var both = await Assert.ThrowsAsync<DrToolsException>(() => Restorer.RestorePointInTimeAsync(new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = "orders-db", TargetDBInstanceIdentifier = "x", UseLatestRestorableTime = true, PointInTime = Latest,
            }, None));
            Assert.Equal(ErrorIds.InvalidParameter, both.ErrorId);
            Assert.Equal(0, _cloud.Count("RestoreDBInstanceToPointInTime") + _cloud.Count("DescribeDBInstanceAutomatedBackups"));
        }

        [Fact]
        public async Task Listing_DB_automated_backups_shows_the_restorable_window_and_the_RPO_uses_the_latest_restorable_time()
        {
            Replicate();
            var points = await new RecoveryPointCatalog(_cloud).ListAsync(RecoveryPointKind.DBAutomatedBackup, Dr, null, None);

            var p = Assert.Single(points);
            Assert.Equal((RecoveryPointKind.DBAutomatedBackup, ReplicatedArn, "orders-db", Dr, "us-east-1:orders-db"), (p.Kind, p.Id, p.SourceId, p.Region, p.CopyOf));
            Assert.Equal((Earliest, Latest.AddMinutes(-20), Latest.AddMinutes(-20)), (p.EarliestRestorableTime, p.LatestRestorableTime, p.Created));
            Assert.True(p.IsUsable);
            Assert.Empty(RecoveryPointCatalog.EvaluateRpo(points, TimeSpan.FromHours(1), Latest));
            Assert.Equal(new[] { "orders-db" }, RecoveryPointCatalog.EvaluateRpo(points, TimeSpan.FromMinutes(10), Latest));

            var home = Assert.Single(await new RecoveryPointCatalog(_cloud).ListAsync(RecoveryPointKind.DBAutomatedBackup, Home, new[] { "orders-db" }, None));
            Assert.Equal((null, ReplicatedArn), (home.CopyOf, home.CopiedTo));
        }

        [Fact]
        public async Task DB_automated_backups_are_never_removed_or_restored_as_snapshots()
        {
            var point = Assert.Single(await new RecoveryPointCatalog(_cloud).ListAsync(RecoveryPointKind.DBAutomatedBackup, Home, null, None));
            await Assert.ThrowsAsync<DrToolsException>(() => new RecoveryPointRemover(_cloud).RemoveAsync(point.Kind, point.Id, Home, "asked by id", None));
            await Assert.ThrowsAsync<DrToolsException>(() => Restorer.RestoreAsync(point, new RecoveryPointRestoreRequest(), None));
            Assert.Equal(0, _cloud.Count("DeleteDBSnapshot") + _cloud.Count("RestoreDBInstanceFromDBSnapshot"));
        }
    }
}
