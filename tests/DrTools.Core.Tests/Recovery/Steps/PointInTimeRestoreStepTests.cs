using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Tests.Plans;
using Xunit;

namespace DrTools.Core.Tests.Recovery.Steps
{
    /// <summary>The restore-db step restoring the primary's automated backups to a point in time (plans with restore.pointInTime / latestRestorable).</summary>
    public sealed class PointInTimeRestoreStepTests
    {
        const string Primary = "us-east-1", Dr = "us-west-2";
        const string ReplicatedArn = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-orders";
        static readonly CancellationToken Ct = CancellationToken.None;
        static readonly DateTime Now = new(2026, 12, 5, 3, 0, 0, DateTimeKind.Utc);
        readonly FakeCloud _cloud = new(Dr);
        readonly RecordingReporter _reporter = new();

        StepContext Ctx() => new("orders", "run-1", "restore-db", _reporter);

        void Replicated(DateTime? latest, DateTime? earliest = null) => _cloud.Rds.AutomatedBackups.Add(new DbAutomatedBackup
        {
            DBInstanceIdentifier = "orders-db", SourceRegion = Primary, Region = Dr, Status = "replicating", Arn = ReplicatedArn,
            EarliestRestorableTime = earliest ?? Now.AddDays(-7), LatestRestorableTime = latest,
        });

        RestoreDatabaseStep Step(DateTime? pointInTime = null, bool latest = false, bool allowDataLoss = false, string? sourceRegion = Primary) =>
            new("restore-db", _cloud.Rds, "orders-db-restored", null, "orders-db", TimeSpan.FromMinutes(15), allowDataLoss, "db.r6g.large")
            {
                PointInTime = pointInTime, UseLatestRestorableTime = latest, SourceRegion = sourceRegion, UtcNow = () => Now,
                DBSubnetGroupName = "orders-drill", VpcSecurityGroupIds = new[] { "sg-0fedcba9876543210" },
                ExtraTags = new Dictionary<string, string> { ["DrTools:Drill"] = "drill-1" },
            };

        [Fact]
        public async Task Latest_restorable_restores_the_replicated_backups_by_ARN_with_the_new_instance_settings_and_is_then_done()
        {
            Replicated(Now.AddMinutes(-6));
            var step = Step(latest: true);
            Assert.Contains("latest restorable point in time from the automated backups of orders-db (us-east-1) replicated to us-west-2", step.Description);
            Assert.Equal("AWS::RDS::DBInstanceAutomatedBackup", step.Resources[0].Type);
            Assert.Null(await step.CheckDoneAsync(Ctx(), Ct));

            var outcome = await step.ExecuteAsync(Ctx(), Ct);

            Assert.Equal(new[] { $"rds:RestoreDBInstanceToPointInTime orders-db-restored {ReplicatedArn} latest db.r6g.large" }, _cloud.Mutations("rds:"));
            var call = _cloud.Rds.LastPointInTimeRestore!;
            Assert.Equal(("orders-drill", "sg-0fedcba9876543210"), (call.DBSubnetGroupName, Assert.Single(call.VpcSecurityGroupIds!)));
            Assert.Equal(("run-1", "drill-1", "us-east-1:orders-db", "latest"),
                (call.Tags!["DrTools:RecoveryRun"], call.Tags["DrTools:Drill"], call.Tags[RecoveryPointTags.RestoredFrom], call.Tags[RecoveryPointTags.PointInTime]));
            Assert.Equal("2026-12-05T02:54:00Z", outcome.Outputs[RestoreDatabaseStep.PointInTimeOutput]);
            Assert.Equal("orders-db-restored", outcome.Outputs[PromoteDatabaseStep.InstanceIdOutput]);
            Assert.Contains("data as of 2026-12-05T02:54:00Z", outcome.Message);
            // Resumed after a crash: the instance exists, so nothing is restored twice.
            Assert.NotNull(await step.CheckDoneAsync(Ctx(), Ct));
            Assert.Single(_cloud.Mutations("rds:"));
        }

        [Fact]
        public async Task Latest_restorable_older_than_the_RPO_is_a_data_loss_risk_unless_allowed()
        {
            Replicated(Now.AddHours(-2));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Step(latest: true).ExecuteAsync(Ctx(), Ct));
            Assert.Equal(ErrorIds.DataLossRisk, ex.ErrorId);
            Assert.Contains("latest restorable time (2026-12-05T01:00:00Z) is 2 h old, more than the RPO of 15 min", ex.Message);
            Assert.Contains("Enable-DrBackupReplication -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -Region us-west-2", ex.RecommendedAction);
            Assert.Empty(_cloud.Mutations("rds:"));

            await Step(latest: true, allowDataLoss: true).ExecuteAsync(Ctx(), Ct);
            Assert.Single(_cloud.Mutations("rds:RestoreDBInstanceToPointInTime"));
            Assert.Contains(_reporter.Warnings, w => w.Contains("data loss allowed"));
        }

        [Fact]
        public async Task A_window_without_a_latest_time_is_unknown_age_and_refused()
        {
            Replicated(null);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Step(latest: true).ExecuteAsync(Ctx(), Ct));
            Assert.Equal(ErrorIds.DataLossRisk, ex.ErrorId);
            Assert.Contains("latest restorable time is unknown", ex.Message);
        }

        [Fact]
        public async Task A_point_in_time_inside_the_window_is_restored_however_old_and_outside_it_fails_naming_the_window()
        {
            Replicated(Now.AddMinutes(-6), Now.AddDays(-3));
            var old = Now.AddDays(-2); // older than the RPO: undoing a mistake, the RPO does not apply
            var outcome = await Step(pointInTime: old).ExecuteAsync(Ctx(), Ct);
            Assert.Equal((old, false), (_cloud.Rds.LastPointInTimeRestore!.RestoreTime, _cloud.Rds.LastPointInTimeRestore.UseLatestRestorableTime));
            Assert.Equal("2026-12-03T03:00:00Z", outcome.Outputs[RestoreDatabaseStep.PointInTimeOutput]);
            Assert.Equal("2026-12-03T03:00:00Z", _cloud.Rds.LastPointInTimeRestore.Tags![RecoveryPointTags.PointInTime]);

            _cloud.Rds.Instances.Clear();
            foreach (var outside in new[] { Now.AddDays(-4), Now.AddMinutes(-1) })
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => Step(pointInTime: outside).ExecuteAsync(Ctx(), Ct));
                Assert.Equal(RecoveryPointErrorIds.PointInTimeOutsideWindow, ex.ErrorId);
                Assert.Contains("2026-12-02T03:00:00Z to 2026-12-05T02:54:00Z", ex.Message);
                Assert.Contains("resources.database.restore.pointInTime", ex.RecommendedAction);
            }
            Assert.Single(_cloud.Mutations("rds:"));
        }

        [Fact]
        public async Task Without_replicated_backups_it_fails_naming_Enable_DrBackupReplication_and_changes_nothing()
        {
            // The region's own backups of another instance, and backups of orders-db replicated from another region, do not count.
            _cloud.Rds.AutomatedBackups.Add(new DbAutomatedBackup { DBInstanceIdentifier = "orders-db", SourceRegion = "eu-west-1", Region = Dr, Arn = "arn:x", LatestRestorableTime = Now });
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Step(latest: true).ExecuteAsync(Ctx(), Ct));
            Assert.Equal(RecoveryPointErrorIds.NoAutomatedBackups, ex.ErrorId);
            Assert.Contains("Enable-DrBackupReplication -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -Region us-west-2", ex.RecommendedAction);
            Assert.Empty(_cloud.Mutations("rds:"));
        }

        [Fact]
        public async Task A_primary_in_the_steps_own_region_is_restored_from_the_instance_itself_using_its_latest_restorable_time()
        {
            // Emulators describe automated backups without a window; the instance knows its latest restorable time.
            _cloud.Rds.Instances["orders-db"] = new DbInstance { Identifier = "orders-db", Status = "available", Region = Dr, LatestRestorableTime = Now.AddMinutes(-5) };
            _cloud.Rds.AutomatedBackups.Add(new DbAutomatedBackup { DBInstanceIdentifier = "orders-db", Region = Dr, SourceRegion = Dr, Status = "active" });
            var step = Step(latest: true, sourceRegion: Dr);
            Assert.DoesNotContain("replicated", step.Description);
            await step.ExecuteAsync(Ctx(), Ct);
            var call = _cloud.Rds.LastPointInTimeRestore!;
            Assert.Equal(("orders-db", (string?)null), (call.SourceDBInstanceIdentifier, call.SourceDBInstanceAutomatedBackupsArn));
            Assert.Equal("available", _cloud.Rds.Instances["orders-db"].Status); // the source is untouched
        }

        [Fact]
        public async Task Without_a_source_region_the_backups_replicated_here_are_found_by_the_instance_id()
        {
            // Callers that do not know the primary's region (a plan without one, a drill) still restore from what is replicated here.
            Replicated(Now.AddMinutes(-6));
            await Step(latest: true, sourceRegion: null).ExecuteAsync(Ctx(), Ct);
            Assert.Equal(ReplicatedArn, _cloud.Rds.LastPointInTimeRestore!.SourceDBInstanceAutomatedBackupsArn);
            Assert.Equal("us-east-1:orders-db", _cloud.Rds.LastPointInTimeRestore.Tags![RecoveryPointTags.RestoredFrom]);

            _cloud.Rds.Instances.Clear();
            _cloud.Rds.AutomatedBackups.Clear();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Step(latest: true, sourceRegion: null).ExecuteAsync(Ctx(), Ct));
            Assert.Equal(RecoveryPointErrorIds.NoAutomatedBackups, ex.ErrorId);
            Assert.Contains("database.primaryRegion", ex.RecommendedAction);
        }

        [Fact]
        public void A_plan_with_latestRestorable_builds_a_point_in_time_restore_from_the_primary_region()
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "backup-and-restore.json"))
                .Replace("\"instanceId\": \"orders-db-restored\"", "\"latestRestorable\": true, \"instanceId\": \"orders-db-restored\"");
            var plan = DrPlanLoader.Parse(json).GetPlanOrThrow();
            var steps = new RecoveryService(new FakeCloud().Services(), new RecoveryJournalStore(Path.GetTempPath())).BuildSteps(plan, RecoveryOperation.Failover, new RecoveryOptions());
            var restore = (RestoreDatabaseStep)steps.Single(s => s.Id == "restore-db");
            Assert.Equal((true, (DateTime?)null, "us-east-1", "orders-db", "db.r6g.large"),
                (restore.UseLatestRestorableTime, restore.PointInTime, restore.SourceRegion, restore.PrimaryInstanceId, restore.InstanceClass));
            Assert.True(restore.IsPointInTime);

            var at = DrPlanLoader.Parse(json.Replace("\"latestRestorable\": true", "\"pointInTime\": \"2026-12-05T03:10:00+01:00\"")).GetPlanOrThrow();
            var pit = (RestoreDatabaseStep)new RecoveryService(new FakeCloud().Services(), new RecoveryJournalStore(Path.GetTempPath()))
                .BuildSteps(at, RecoveryOperation.Failover, new RecoveryOptions()).Single(s => s.Id == "restore-db");
            Assert.Equal(new DateTime(2026, 12, 5, 2, 10, 0, DateTimeKind.Utc), pit.PointInTime);
            Assert.Equal(DateTimeKind.Utc, pit.PointInTime!.Value.Kind);
        }
    }
}
