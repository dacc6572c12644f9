using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reprotect;
using DrTools.Core.Status;
using Xunit;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>
    /// The active side record (written by failover, re-protect and failback) read by the readiness check, Get-DrStatus,
    /// the failover refusal and the plan-driven backup: not failed over, failed over and unprotected, re-protected.
    /// </summary>
    public sealed class ActiveSideReadinessTests : IDisposable
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        static readonly DateTimeOffset FailedOverAt = new(2025, 6, 1, 3, 12, 0, TimeSpan.Zero);
        const string RunId = "20250601-031200-ab12cd";
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-sides-" + Guid.NewGuid().ToString("N"));
        readonly ActiveSideStore _store;

        public ActiveSideReadinessTests()
        {
            Directory.CreateDirectory(_dir);
            _store = new ActiveSideStore(new RecoveryJournalStore(_dir));
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        static DatabaseLocation At(string id, string region) => new() { Id = id, Region = region };

        /// <summary>What a pilot-light failover leaves: the promoted replica writes in the DR region, nothing protects it.</summary>
        static ActiveSide FailedOver(DatabaseLocation? replica = null, string operation = "Failover") => new()
        {
            Plan = "orders", Active = PlanSide.Dr, Writer = At("orders-db-dr", "us-west-2"), Replica = replica,
            ChangedAt = FailedOverAt, Operation = operation, RunId = RunId,
        };

        Task Record(ActiveSide side) => _store.SaveAsync(side, CancellationToken.None);

        FakeAws Account()
        {
            var aws = ReadinessCheckerTests.HealthyAccount();
            aws.ActiveSides = _store;
            return aws;
        }

        static async Task<IReadOnlyList<ReadinessCheck>> Check(FakeAws aws, DrPlan plan)
        {
            using var services = aws.Services();
            return await new ReadinessChecker(services, null, () => Now).CheckAsync(plan);
        }

        static async Task<DrStatusReport> Status(FakeAws aws, DrPlan plan)
        {
            using var services = new StatusServices(aws.Services());
            return await new StatusService(services, null, () => Now).GetAsync(plan);
        }

        /// <summary>The promoted writer in the DR region (moto and AWS keep the replica's source after a promotion; DrTools does not look at it).</summary>
        static void Promoted(FakeAws aws)
        {
            aws.Instances.Clear();
            aws.Instances.Add(new DbInstance { Identifier = "orders-db-dr", Status = "available", InstanceClass = "db.r6g.large", Region = "us-west-2" });
        }

        [Fact]
        public async Task Not_failed_over_the_protection_check_is_ready_and_the_database_checks_use_the_plan_ids()
        {
            var checks = await Check(Account(), DrPlanTemplates.Create(DrStrategy.PilotLight));

            var protection = Assert.Single(checks, c => c.Check == ReadinessChecks.Protection);
            Assert.True(protection.Ready, protection.Reason);
            Assert.Equal(("orders-db", "us-east-1"), (protection.Resource, protection.Region));
            Assert.StartsWith($"Not failed over (no active side record in {_store.PathOf("orders")})", protection.Reason);
            var replica = Assert.Single(checks, c => c.Check == ReadinessChecks.DbReplica);
            Assert.Equal(("orders-db-dr", "us-west-2", true), (replica.Resource, replica.Region, replica.Ready));
            Assert.Equal("orders-db-dr", Assert.Single(checks, c => c.Check == ReadinessChecks.ReplicaLag).Resource);
        }

        [Fact]
        public async Task Failed_over_and_not_reprotected_is_not_ready_names_the_reprotect_step_and_checks_the_new_writers_snapshot_on_the_other_side()
        {
            await Record(FailedOver());
            var aws = Account();
            Promoted(aws);
            var checks = await Check(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var protection = Assert.Single(checks, c => c.Check == ReadinessChecks.Protection);
            Assert.False(protection.Ready);
            Assert.Null(protection.ErrorId);
            Assert.Equal(("orders-db-dr", "us-west-2"), (protection.Resource, protection.Region));
            Assert.Contains($"failed over at 2025-06-01 03:12Z by run {RunId}", protection.Reason);
            Assert.EndsWith("Next step: Invoke-DrReprotect -Plan orders", protection.Reason);
            // The old replica is the writer now: no replica check of it, and no lag read for it.
            Assert.DoesNotContain(checks, c => c.Check is ReadinessChecks.DbReplica or ReadinessChecks.ReplicaLag);
            Assert.DoesNotContain(aws.Calls, c => c.StartsWith("GetMetricStatistics", StringComparison.Ordinal));
            // The writer's data is protected only by copies of its snapshots in the other side's region: none yet.
            var snapshot = Assert.Single(checks, c => c.Check == ReadinessChecks.DbSnapshot);
            Assert.Equal(("newest snapshot of orders-db-dr", "us-east-1", false), (snapshot.Resource, snapshot.Region, snapshot.Ready));
            Assert.Contains(aws.Calls, c => c == "DescribeDBSnapshots us-east-1 instance=orders-db-dr");
        }

        [Fact]
        public async Task Reprotected_shows_the_new_replica_in_the_primary_region_and_its_lag()
        {
            await Record(FailedOver(At("orders-db", "us-east-1"), "Reprotect"));
            var aws = Account();
            Promoted(aws);
            aws.Instances.Add(new DbInstance
            {
                Identifier = "orders-db", Status = "available", Region = "us-east-1", ReadReplicaSource = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr",
            });
            aws.Lag["orders-db"] = TimeSpan.FromSeconds(40);
            var checks = await Check(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var protection = Assert.Single(checks, c => c.Check == ReadinessChecks.Protection);
            Assert.True(protection.Ready, protection.Reason);
            Assert.Contains("the writer orders-db-dr (us-west-2) replicates to orders-db (us-east-1)", protection.Reason);
            Assert.Contains("Invoke-DrFailback -Plan orders", protection.Reason);
            var replica = Assert.Single(checks, c => c.Check == ReadinessChecks.DbReplica);
            Assert.Equal(("orders-db", "us-east-1", true), (replica.Resource, replica.Region, replica.Ready));
            var lag = Assert.Single(checks, c => c.Check == ReadinessChecks.ReplicaLag);
            Assert.Equal(("orders-db", "us-east-1", true, TimeSpan.FromSeconds(40)), (lag.Resource, lag.Region, lag.Ready, lag.Age));
            Assert.Equal(new[] { "GetMetricStatistics us-east-1 ReplicaLag orders-db" }, aws.Calls.Where(c => c.StartsWith("GetMetricStatistics", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task A_replica_that_replicates_from_the_old_primary_is_not_the_new_writers_protection()
        {
            await Record(FailedOver(At("orders-db", "us-east-1"), "Reprotect"));
            var aws = Account();
            Promoted(aws);
            aws.Instances.Add(new DbInstance { Identifier = "orders-db", Status = "available", Region = "us-east-1" });
            var checks = await Check(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var replica = Assert.Single(checks, c => c.Check == ReadinessChecks.DbReplica);
            Assert.False(replica.Ready);
            Assert.Contains("not a read replica", replica.Reason);
        }

        [Fact]
        public async Task A_damaged_record_makes_the_protection_check_fail_with_the_journal_error_and_the_plan_ids_are_checked()
        {
            Directory.CreateDirectory(Path.Combine(_dir, "active"));
            File.WriteAllText(_store.PathOf("orders"), "{ not json");
            var checks = await Check(Account(), DrPlanTemplates.Create(DrStrategy.PilotLight));

            var protection = Assert.Single(checks, c => c.Check == ReadinessChecks.Protection);
            Assert.Equal((false, ErrorIds.JournalError), (protection.Ready, protection.ErrorId));
            Assert.Equal("orders-db-dr", Assert.Single(checks, c => c.Check == ReadinessChecks.DbReplica).Resource);
        }

        [Fact]
        public async Task Status_of_a_failed_over_unprotected_plan_is_failing_with_the_reprotect_step_first()
        {
            await Record(FailedOver());
            var aws = Account();
            Promoted(aws);
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var row = Assert.Single(report.Rows, r => r.Kind == ReadinessChecks.Protection);
            Assert.Equal(("orders-db-dr", "us-west-2", DrStatusLevel.Failing, true), (row.Component, row.Region, row.Status, row.CountsForRpo));
            Assert.Equal(DrStatusLevel.Failing, report.Summary.Status);
            Assert.False(report.Summary.MeetsRpo);
            Assert.StartsWith("Protection orders-db-dr: ", report.Summary.NextStep);
            Assert.EndsWith("Next step: Invoke-DrReprotect -Plan orders", report.Summary.NextStep);
        }

        [Fact]
        public async Task Status_of_a_reprotected_plan_shows_the_replica_and_its_lag_and_the_writers_snapshot_rows_follow_it()
        {
            await Record(FailedOver(At("orders-db", "us-east-1"), "Reprotect"));
            var aws = Account();
            Promoted(aws);
            aws.Instances.Add(new DbInstance
            {
                Identifier = "orders-db", Status = "available", Region = "us-east-1", ReadReplicaSource = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr",
            });
            aws.Lag["orders-db"] = TimeSpan.FromSeconds(40);
            // DrTools snapshots of the new writer (re-protect's first one, or the plan-driven nightly backup) and of the old primary.
            var tags = new Dictionary<string, string>
            {
                [RecoveryPointTags.CreatedBy] = "DrTools (test)", [RecoveryPointTags.Plan] = "orders", [RecoveryPointTags.Source] = "orders-db-dr", [RecoveryPointTags.Kind] = "DBSnapshot",
            };
            aws.Snapshots.Add(new DbSnapshot
            {
                Identifier = "drtools-orders-db-dr-1", DBInstanceIdentifier = "orders-db-dr", Status = "available", Region = "us-west-2",
                SnapshotCreateTime = (Now - TimeSpan.FromMinutes(10)).UtcDateTime, Tags = tags,
            });
            aws.Snapshots.Add(new DbSnapshot
            {
                Identifier = "drtools-orders-db-dr-1", DBInstanceIdentifier = "orders-db-dr", Status = "available", Region = "us-east-1",
                OriginalSnapshotCreateTime = (Now - TimeSpan.FromMinutes(10)).UtcDateTime, Tags = tags,
            });
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var protection = Assert.Single(report.Rows, r => r.Kind == ReadinessChecks.Protection);
            Assert.Equal(DrStatusLevel.Ok, protection.Status);
            Assert.Contains("replica orders-db (us-east-1)", protection.Value);
            var lag = Assert.Single(report.Rows, r => r.Kind == ReadinessChecks.ReplicaLag);
            Assert.Equal(("orders-db", "us-east-1", "40s", DrStatusLevel.Ok), (lag.Component, lag.Region, lag.Value, lag.Status));
            var writer = Assert.Single(report.Rows, r => r.Kind == DrStatusKinds.DbSnapshot && r.Region == "us-west-2");
            Assert.Equal(("orders-db-dr (writer)", "10m", false), (writer.Component, writer.Value, writer.CountsForRpo));
            var copy = Assert.Single(report.Rows, r => r.Kind == DrStatusKinds.DbSnapshot && r.Region == "us-east-1");
            Assert.Equal(("orders-db-dr", "10m"), (copy.Component, copy.Value));
            Assert.True(report.Summary.MeetsRpo, string.Join("\n", report.Rows.Where(r => r.Status != DrStatusLevel.Ok).Select(r => $"{r.Kind} {r.Component}: {r.Reason}")));
            Assert.True(report.Summary.Status == DrStatusLevel.Ok, string.Join("\n", report.Rows.Where(r => r.Status != DrStatusLevel.Ok).Select(r => $"{r.Kind} {r.Component}: {r.Reason}")));
        }

        [Fact]
        public void A_failover_of_a_plan_whose_DR_side_is_active_is_refused_and_names_the_failback()
        {
            var plan = DrPlanTemplates.Create(DrStrategy.PilotLight);
            Assert.Null(ActiveSideGuard.RefuseFailover(plan, null, "Invoke-DrFailover"));
            Assert.Null(ActiveSideGuard.RefuseFailover(plan, FailedOver() with { Active = PlanSide.Primary, Operation = "Failback" }, "Invoke-DrFailover"));

            var refused = ActiveSideGuard.RefuseFailover(plan, FailedOver(), "Invoke-DrFailover", "/j/active/orders.json");
            Assert.NotNull(refused);
            Assert.Equal((ErrorIds.WrongSide, DrErrorCategory.InvalidOperation), (refused!.ErrorId, refused.Category));
            Assert.Contains($"failed over at 2025-06-01 03:12Z by run {RunId}", refused.Message);
            Assert.Contains("/j/active/orders.json", refused.Message);
            Assert.StartsWith("Fail back with Invoke-DrFailback -Plan orders", refused.RecommendedAction);
            Assert.Contains("-Resume", refused.RecommendedAction);
        }

        [Fact]
        public void The_plan_driven_backup_takes_the_active_writer_and_copies_it_to_the_other_side_with_that_regions_key()
        {
            var template = DrPlanTemplates.Create(DrStrategy.PilotLight);
            var db = template.Resources.Database!;
            var plan = new DrPlan
            {
                Name = template.Name, Strategy = template.Strategy, PrimaryRegion = template.PrimaryRegion, DrRegion = template.DrRegion,
                Rto = template.Rto, Rpo = template.Rpo,
                Resources = new PlanResources
                {
                    Database = new DatabaseSpec
                    {
                        PrimaryInstanceId = db.PrimaryInstanceId, ReplicaInstanceId = db.ReplicaInstanceId,
                        Reprotect = new ReprotectSpec { KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/primary" },
                    },
                },
            };

            var before = ActiveDatabaseBackup.Require(plan, null, "Invoke-DrBackup");
            var request = ActiveDatabaseBackup.SnapshotRequest(plan, before, "arn:aws:kms:us-west-2:123456789012:key/dr");
            Assert.Equal((RecoveryPointKind.DBSnapshot, "orders-db", "us-west-2", "arn:aws:kms:us-west-2:123456789012:key/dr", "orders"),
                (request.Kind, request.SourceId, request.CopyToRegion, request.KmsKeyId, request.Plan));
            Assert.Equal(("us-east-1", false), (before.Writer.Region, before.FailedOver));

            var after = ActiveDatabaseBackup.Require(plan, FailedOver(), "Invoke-DrBackup");
            request = ActiveDatabaseBackup.SnapshotRequest(plan, after, "arn:aws:kms:us-west-2:123456789012:key/dr");
            Assert.Equal(("orders-db-dr", "us-east-1", "arn:aws:kms:us-east-1:123456789012:key/primary"), (request.SourceId, request.CopyToRegion, request.KmsKeyId));
            Assert.Equal(("us-west-2", true), (after.Writer.Region, after.FailedOver));
            var replication = ActiveDatabaseBackup.ReplicationRequest(plan, after, null, 7);
            Assert.Equal(("orders-db-dr", "us-west-2", "us-east-1", "arn:aws:kms:us-east-1:123456789012:key/primary", (int?)7),
                (replication.DBInstanceIdentifier, replication.SourceRegion, replication.Region, replication.KmsKeyId, replication.BackupRetentionPeriod));

            // Re-protected into a third region: copies go where the replica is.
            var third = ActiveDatabaseBackup.Require(plan, FailedOver(At("orders-db", "us-east-2")), "Invoke-DrBackup");
            Assert.Equal("us-east-2", third.OtherRegion);
        }

        [Fact]
        public void A_plan_without_a_writer_to_back_up_is_refused_with_what_to_add()
        {
            var plan = new DrPlan { Name = "orders", PrimaryRegion = "us-east-1", DrRegion = "us-west-2", Resources = new PlanResources() };
            var ex = Assert.Throws<DrToolsException>(() => ActiveDatabaseBackup.Require(plan, null, "Invoke-DrBackup"));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains("-DBInstanceIdentifier", ex.RecommendedAction);
        }
    }
}
