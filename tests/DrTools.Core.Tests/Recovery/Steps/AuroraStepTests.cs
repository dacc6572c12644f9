using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reprotect;
using DrTools.Core.Tests.Plans;
using Xunit;

namespace DrTools.Core.Tests.Recovery.Steps
{
    /// <summary>The Aurora steps: switchover / failover of a global database (the data-loss gate), cluster restores, -WhatIf, failback, drills.</summary>
    public sealed class AuroraStepTests
    {
        const string Dr = "us-west-2";
        const string Primary = "us-east-1";
        readonly FakeCloud _cloud = new(Dr);
        readonly RecordingReporter _reporter = new();
        static readonly CancellationToken Ct = CancellationToken.None;
        static readonly string PrimaryArn = FakeClusters.Arn(Primary, "orders-aurora");
        static readonly string SecondaryArn = FakeClusters.Arn(Dr, "orders-aurora-dr");

        StepContext Ctx(string step) => new("orders", "run-1", step, _reporter);

        FakeClusters PrimaryClusters => _cloud.ClustersIn(Primary);

        /// <summary>The example's global database: orders-aurora writes in us-east-1, orders-aurora-dr replicates in us-west-2.</summary>
        void GlobalDatabase(string primaryStatus = "available")
        {
            PrimaryClusters.AddCluster("orders-aurora", primaryStatus);
            _cloud.Clusters.AddCluster("orders-aurora-dr");
            _cloud.Clusters.AddGlobal("orders-global", PrimaryArn, SecondaryArn);
        }

        GlobalDatabaseStep Step(GlobalDatabaseMode mode, bool allowDataLoss = false, string id = "switchover-db") =>
            new(id, mode, _cloud.Clusters, _cloud.ClustersIn, _cloud.Lag, "orders-global", "orders-aurora-dr", TimeSpan.FromMinutes(1), allowDataLoss)
            {
                HealthTimeout = TimeSpan.FromMilliseconds(200),
            };

        string Writer => _cloud.GlobalClusters["orders-global"].Members.Single(m => m.IsWriter).DBClusterArn;

        [Fact]
        public async Task Switchover_with_a_healthy_primary_switches_over_without_data_loss_and_waits_for_the_new_writer()
        {
            GlobalDatabase();
            var step = Step(GlobalDatabaseMode.Switchover);
            Assert.Null(await step.CheckDoneAsync(Ctx("switchover-db"), Ct));
            var outcome = await step.ExecuteAsync(Ctx("switchover-db"), Ct);
            Assert.Equal(new[] { $"rds:SwitchoverGlobalCluster orders-global {SecondaryArn}", "wait:GlobalCluster orders-global" }, _cloud.Calls);
            Assert.Equal(SecondaryArn, Writer);
            Assert.Equal("true", outcome.Outputs[GlobalDatabaseStep.SwitchedOutput]);
            Assert.Equal("orders-aurora-dr.cluster.example", outcome.Outputs["endpoint"]);
            Assert.Contains("no data loss", outcome.Message);
            // The lag was read from the secondary, in the DR region.
            Assert.Equal(new[] { $"{Dr} orders-aurora-dr" }, _cloud.Lag.ClusterReads);
            // Idempotent: the secondary is now the writer, so a resumed run does nothing.
            Assert.NotNull(await step.CheckDoneAsync(Ctx("switchover-db"), Ct));
            Assert.NotNull(await Step(GlobalDatabaseMode.Failover, id: "failover-db").CheckDoneAsync(Ctx("failover-db"), Ct));
        }

        [Theory]
        [InlineData("unreachable")]
        [InlineData("hangs")]
        [InlineData("failed")]
        [InlineData("missing")]
        public async Task With_the_primary_unhealthy_the_switchover_step_changes_nothing_and_the_failover_needs_AllowDataLoss(string primary)
        {
            GlobalDatabase(primary == "failed" ? "inaccessible-encryption-credentials" : "available");
            if (primary == "unreachable") PrimaryClusters.Unreachable = true;
            if (primary == "hangs") PrimaryClusters.Hangs = true;
            if (primary == "missing") PrimaryClusters.Clusters.Clear();

            var switched = await Step(GlobalDatabaseMode.Switchover).ExecuteAsync(Ctx("switchover-db"), Ct);
            Assert.Equal("false", switched.Outputs[GlobalDatabaseStep.SwitchedOutput]);
            Assert.Empty(_cloud.Calls);

            var failover = Step(GlobalDatabaseMode.Failover, id: "failover-db");
            Assert.Null(await failover.CheckDoneAsync(Ctx("failover-db"), Ct));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => failover.ExecuteAsync(Ctx("failover-db"), Ct));
            Assert.Equal(ErrorIds.DataLossRisk, ex.ErrorId);
            Assert.Contains("-AllowDataLoss", ex.Message + ex.RecommendedAction);
            Assert.Contains("up to 0.8 s of writes", ex.Message); // the lag it would lose is named
            Assert.Empty(_cloud.Calls);
            Assert.Equal(PrimaryArn, Writer);
        }

        [Fact]
        public async Task With_AllowDataLoss_an_unhealthy_primary_is_failed_over_with_data_loss_and_a_warning()
        {
            GlobalDatabase();
            PrimaryClusters.Unreachable = true;
            _cloud.Lag.ClusterLag = TimeSpan.FromMinutes(5); // beyond the 1 min limit: allowed, but said
            var outcome = await Step(GlobalDatabaseMode.Failover, allowDataLoss: true, id: "failover-db").ExecuteAsync(Ctx("failover-db"), Ct);
            Assert.Equal(new[] { $"rds:FailoverGlobalCluster orders-global {SecondaryArn} allowDataLoss=True", "wait:GlobalCluster orders-global" }, _cloud.Calls);
            Assert.Equal(SecondaryArn, Writer);
            Assert.Equal("5 min", outcome.Outputs["dataLoss"]);
            Assert.Contains(_reporter.Warnings, w => w.Contains("beyond the 1 min the plan allows"));
        }

        [Fact]
        public async Task The_failover_step_switches_over_instead_when_the_primary_is_healthy_again()
        {
            GlobalDatabase();
            await Step(GlobalDatabaseMode.Failover, allowDataLoss: true, id: "failover-db").ExecuteAsync(Ctx("failover-db"), Ct);
            Assert.Equal($"rds:SwitchoverGlobalCluster orders-global {SecondaryArn}", _cloud.Calls.First());
            Assert.DoesNotContain(_cloud.Calls, c => c.StartsWith("rds:FailoverGlobalCluster", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_switchover_already_under_way_is_only_waited_for()
        {
            GlobalDatabase();
            await _cloud.Clusters.SwitchoverGlobalClusterAsync("orders-global", SecondaryArn, Ct);
            _cloud.Calls.Clear();
            // Reading the global database settles the fake's pending switchover; a real one may still be pending: the step waits.
            var outcome = await Step(GlobalDatabaseMode.Switchover).ExecuteAsync(Ctx("switchover-db"), Ct);
            Assert.DoesNotContain(_cloud.Calls, c => c.StartsWith("rds:", StringComparison.Ordinal));
            Assert.Contains("orders-aurora-dr", outcome.Message);
        }

        [Fact]
        public async Task A_secondary_that_is_not_a_member_is_NotFound_and_nothing_is_sent()
        {
            GlobalDatabase();
            var step = new GlobalDatabaseStep("switchover-db", GlobalDatabaseMode.Switchover, _cloud.Clusters, _cloud.ClustersIn, _cloud.Lag,
                "orders-global", "someone-else", TimeSpan.FromMinutes(1), false);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => step.ExecuteAsync(Ctx("switchover-db"), Ct));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Empty(_cloud.Calls);
        }

        // ---------------------------------------------------------------- the plan's graph, -WhatIf, failback, drills

        static DrPlan Example() => DrPlanLoader.LoadFile(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "aurora-pilot-light.json")).GetPlanOrThrow();

        RecoveryService Service() => new(_cloud.Services(new FakeCloud(Primary).Rds), new RecoveryJournalStore(Path.GetTempPath()), _reporter);

        [Fact]
        public void WhatIf_lists_the_switchover_then_the_failover_with_the_global_database_and_the_secondary_cluster()
        {
            var plan = Service().Plan(Example(), RecoveryOperation.Failover, new RecoveryOptions());
            var switchover = plan.Steps.Single(s => s.Id == "switchover-db");
            var failover = plan.Steps.Single(s => s.Id == "failover-db");
            Assert.Equal(StepKind.SwitchoverGlobalDatabase, switchover.Kind);
            Assert.Equal(StepKind.FailoverGlobalDatabase, failover.Kind);
            Assert.Equal(new[] { "switchover-db" }, failover.DependsOn);
            Assert.Contains(failover.Id, plan.Steps.Single(s => s.Id == "change-dns").DependsOn);
            Assert.Contains(switchover.Resources, r => r.Type == "AWS::RDS::GlobalCluster" && r.Id == "orders-global" && r.Action == "switchover");
            Assert.Contains(switchover.Resources, r => r.Type == "AWS::RDS::DBCluster" && r.Id == "orders-aurora-dr" && r.Region == Dr);
            Assert.Contains("planned, no data loss", switchover.Description);
            Assert.Contains("refused without -AllowDataLoss", failover.Description);
            Assert.DoesNotContain(plan.Steps, s => s.Kind is StepKind.PromoteDatabase or StepKind.ResizeDatabase);
            Assert.Contains("(data loss allowed)", Service().Plan(Example(), RecoveryOperation.Failover, new RecoveryOptions { AllowDataLoss = true })
                .Steps.Single(s => s.Id == "failover-db").Description);
        }

        [Fact]
        public async Task A_whole_failover_of_the_example_switches_over_and_moves_DNS_after_the_database()
        {
            GlobalDatabase();
            var plan = Example();
            var steps = Service().BuildSteps(plan, RecoveryOperation.Failover, new RecoveryOptions());
            var db = steps.Where(s => s.Id is "switchover-db" or "failover-db").ToList();
            foreach (var s in db)
                if (await s.CheckDoneAsync(Ctx(s.Id), Ct) == null) await s.ExecuteAsync(Ctx(s.Id), Ct);
            Assert.Equal(SecondaryArn, Writer);
            Assert.Single(_cloud.Calls, c => c.StartsWith("rds:SwitchoverGlobalCluster", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Failback_switches_the_global_database_back_to_the_primary_cluster_before_DNS_and_never_fails_over()
        {
            var steps = Service().BuildSteps(Example(), RecoveryOperation.Failback, new RecoveryOptions());
            var back = Assert.IsType<GlobalDatabaseStep>(steps.Single(s => s.Id == "switchback-db"));
            Assert.Equal(new[] { "check-primary" }, back.DependsOn);
            Assert.Contains("switchback-db", steps.Single(s => s.Id == "change-dns").DependsOn);
            Assert.Equal(Primary, back.TargetRegion);
            Assert.Contains(back.Resources, r => r.Id == "orders-aurora" && r.Region == Primary);

            // After a switchover to the DR region: the DR cluster writes; switching back is a planned switchover.
            GlobalDatabase();
            await Step(GlobalDatabaseMode.Switchover).ExecuteAsync(Ctx("switchover-db"), Ct);
            _cloud.Calls.Clear();
            await back.ExecuteAsync(Ctx("switchback-db"), Ct);
            Assert.Equal(new[] { $"rds:SwitchoverGlobalCluster orders-global {PrimaryArn}", "wait:GlobalCluster orders-global" }, _cloud.Calls);
            Assert.Equal(PrimaryArn, Writer);

            // With the DR writer unavailable a failback refuses (PrimaryNotReady), never a data-loss failover.
            await Step(GlobalDatabaseMode.Switchover).ExecuteAsync(Ctx("switchover-db"), Ct);
            _cloud.Clusters.Unreachable = true;
            _cloud.Calls.Clear();
            var stuck = new GlobalDatabaseStep("switchback-db", GlobalDatabaseMode.Switchover, PrimaryClusters, _cloud.ClustersIn, _cloud.Lag, "orders-global", "orders-aurora",
                TimeSpan.FromMinutes(1), false) { IsFailback = true };
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => stuck.ExecuteAsync(Ctx("switchback-db"), Ct));
            Assert.Equal(ErrorIds.PrimaryNotReady, ex.ErrorId);
            Assert.Empty(_cloud.Calls);
        }

        [Fact]
        public async Task Failback_after_an_Aurora_global_failover_records_the_primary_cluster_active_and_protected_again()
        {
            // What the failover recorded: the secondary cluster writes in the DR region. Without a record written at the
            // end of the switchback the plan would stay "DR active" and every later failover would be refused (WrongSide).
            var journals = Path.Combine(Path.GetTempPath(), "drtools-aurora-failback-" + Guid.NewGuid().ToString("N"));
            try
            {
                var store = new ActiveSideStore(new RecoveryJournalStore(journals));
                var failedOver = new ActiveSide
                {
                    Plan = "orders", Active = PlanSide.Dr, Writer = new DatabaseLocation { Id = "orders-aurora-dr", Region = Dr, IsCluster = true }, Operation = "Failover",
                };
                await store.SaveAsync(failedOver, Ct);
                var steps = Service().BuildSteps(Example(), RecoveryOperation.Failback, new RecoveryOptions { ActiveSides = store }, failedOver);

                var record = steps.Single(s => s.Id == "record-active-side");
                Assert.Same(record, steps.Last());
                Assert.NotEmpty(record.DependsOn);
                Assert.Contains("switchback-db", steps.Select(s => s.Id));
                await record.ExecuteAsync(Ctx("record-active-side"), Ct);
                var now = (await store.LoadAsync("orders", Ct))!;
                Assert.Equal(PlanSide.Primary, now.Active);
                Assert.Equal(("orders-aurora", Primary, true), (now.Writer!.Id, now.Writer.Region, now.Writer.IsCluster));
                Assert.Equal(("orders-aurora-dr", Dr, true), (now.Replica!.Id, now.Replica.Region, now.Replica.IsCluster));
                Assert.Equal("Failback", now.Operation);
            }
            finally
            {
                try { Directory.Delete(journals, true); } catch (IOException) { }
            }
        }

        [Fact]
        public void A_drill_of_an_Aurora_plan_is_refused_as_an_invalid_plan_before_anything_is_created()
        {
            var ex = Assert.Throws<DrToolsException>(() => DrillGraph.Build(Example(), _cloud.Services(), "drill-1", new DrillOptions()));
            Assert.Equal(ErrorIds.InvalidPlan, ex.ErrorId);
            Assert.Contains("Aurora", ex.Message);
            Assert.Empty(_cloud.Calls);
        }

        // ---------------------------------------------------------------- cluster restore (backup and restore)

        static readonly DateTime Now = new(2026, 3, 14, 3, 0, 0, DateTimeKind.Utc);

        RestoreClusterStep Restore(string? snapshotId = null, bool allowDataLoss = false, int count = 2) =>
            new("restore-db", _cloud.Clusters, _cloud.Rds, "orders-restored", snapshotId, "orders-aurora", TimeSpan.FromMinutes(15), allowDataLoss, "db.r6g.large", count)
            {
                UtcNow = () => Now,
            };

        [Fact]
        public async Task Restore_uses_the_newest_copied_cluster_snapshot_of_the_primary_creates_the_instances_and_tags_them()
        {
            _cloud.Clusters.AddSnapshot("old", "orders-aurora", Now.AddHours(-5));
            _cloud.Clusters.AddSnapshot("new", "orders-aurora", Now.AddMinutes(-10));
            _cloud.Clusters.AddSnapshot("newer-but-creating", "orders-aurora", Now.AddMinutes(-1), status: "creating");
            _cloud.Clusters.AddSnapshot("other", "billing", Now.AddMinutes(-1));
            var step = Restore();
            Assert.Null(await step.CheckDoneAsync(Ctx("restore-db"), Ct));
            var outcome = await step.ExecuteAsync(Ctx("restore-db"), Ct);
            Assert.Equal(new[]
            {
                "rds:RestoreDBClusterFromSnapshot orders-restored new aurora-postgresql",
                "rds:CreateDBInstance orders-restored-instance-1 cluster=orders-restored db.r6g.large aurora-postgresql",
                "rds:CreateDBInstance orders-restored-instance-2 cluster=orders-restored db.r6g.large aurora-postgresql",
            }, _cloud.Calls);
            Assert.Equal("15.4", _cloud.Clusters.LastSnapshotRestore!.EngineVersion);
            Assert.Equal("run-1", _cloud.Clusters.LastSnapshotRestore.Tags![RecoveryStepBase.TagRun]);
            Assert.Equal("run-1", _cloud.Rds.Instances["orders-restored-instance-2"].Tags[RecoveryStepBase.TagRun]);
            Assert.Equal("available", _cloud.Rds.Instances["orders-restored-instance-1"].Status);
            Assert.Equal("orders-restored", outcome.Outputs[GlobalDatabaseStep.ClusterIdOutput]);
            Assert.Contains(step.Resources, r => r.Type == "AWS::RDS::DBInstance" && r.Id == "orders-restored-instance-2");
            // Done now; a resumed run changes nothing.
            _cloud.Calls.Clear();
            Assert.NotNull(await step.CheckDoneAsync(Ctx("restore-db"), Ct));
            Assert.Empty(_cloud.Calls);
        }

        [Fact]
        public async Task A_resumed_restore_creates_only_the_missing_instances_of_an_existing_cluster()
        {
            _cloud.Clusters.AddCluster("orders-restored", "creating");
            await _cloud.Clusters.CreateDBClusterInstanceAsync(new DrTools.Core.Aws.Rds.CreateDbClusterInstanceRequest
            {
                DBInstanceIdentifier = "orders-restored-instance-1", DBClusterIdentifier = "orders-restored", DBInstanceClass = "db.r6g.large", Engine = "aurora-postgresql",
            }, Ct);
            _cloud.Calls.Clear();
            var step = Restore();
            Assert.Null(await step.CheckDoneAsync(Ctx("restore-db"), Ct));
            await step.ExecuteAsync(Ctx("restore-db"), Ct);
            Assert.Equal(new[] { "rds:CreateDBInstance orders-restored-instance-2 cluster=orders-restored db.r6g.large aurora-postgresql" }, _cloud.Calls);
        }

        [Fact]
        public async Task A_cluster_snapshot_older_than_the_RPO_is_a_data_loss_risk_unless_allowed()
        {
            _cloud.Clusters.AddSnapshot("stale", "orders-aurora", Now.AddHours(-2));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Restore().ExecuteAsync(Ctx("restore-db"), Ct));
            Assert.Equal(ErrorIds.DataLossRisk, ex.ErrorId);
            Assert.Contains("2 h old, more than the RPO of 15 min", ex.Message);
            Assert.Empty(_cloud.Calls);

            await Restore(allowDataLoss: true, count: 1).ExecuteAsync(Ctx("restore-db"), Ct);
            Assert.Contains(_cloud.Calls, c => c.StartsWith("rds:RestoreDBClusterFromSnapshot orders-restored", StringComparison.Ordinal));
            Assert.Contains(_reporter.Warnings, w => w.Contains("data loss allowed"));
        }

        [Fact]
        public async Task No_cluster_snapshot_in_the_DR_region_is_NotFound_naming_what_to_do()
        {
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Restore().ExecuteAsync(Ctx("restore-db"), Ct));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Contains("restore.clusterSnapshotId", ex.RecommendedAction);
            var named = await Assert.ThrowsAsync<DrToolsException>(() => Restore("gone").ExecuteAsync(Ctx("restore-db"), Ct));
            Assert.Equal(ErrorIds.NotFound, named.ErrorId);
        }

        [Fact]
        public async Task A_point_in_time_restore_uses_the_DR_cluster_and_refuses_a_time_outside_its_window()
        {
            _cloud.Clusters.AddCluster("orders-aurora-dr", latestRestorable: Now.AddMinutes(-5), earliestRestorable: Now.AddDays(-1));
            var inside = Now.AddHours(-3);
            var step = new RestoreClusterStep("restore-db", _cloud.Clusters, _cloud.Rds, "orders-restored", null, null, TimeSpan.FromMinutes(15), false, "db.r6g.large", 1)
            {
                PointInTime = inside, SourceClusterId = "orders-aurora-dr", UtcNow = () => Now,
            };
            await step.ExecuteAsync(Ctx("restore-db"), Ct);
            Assert.Equal(inside, _cloud.Clusters.LastPointInTimeRestore!.RestoreToTime);
            Assert.False(_cloud.Clusters.LastPointInTimeRestore.UseLatestRestorableTime);
            Assert.Equal("orders-aurora-dr", _cloud.Clusters.LastPointInTimeRestore.SourceDBClusterIdentifier);

            var outside = new RestoreClusterStep("restore-db", _cloud.Clusters, _cloud.Rds, "orders-restored-2", null, null, TimeSpan.FromMinutes(15), false, "db.r6g.large", 1)
            {
                PointInTime = Now.AddDays(-2), SourceClusterId = "orders-aurora-dr", UtcNow = () => Now,
            };
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => outside.ExecuteAsync(Ctx("restore-db"), Ct));
            Assert.Equal(RecoveryPointErrorIds.PointInTimeOutsideWindow, ex.ErrorId);

            var latest = new RestoreClusterStep("restore-db", _cloud.Clusters, _cloud.Rds, "orders-restored-3", null, null, TimeSpan.FromMinutes(15), false, "db.r6g.large", 1)
            {
                UseLatestRestorableTime = true, SourceClusterId = "orders-aurora-dr", UtcNow = () => Now,
            };
            await latest.ExecuteAsync(Ctx("restore-db"), Ct);
            Assert.True(_cloud.Clusters.LastPointInTimeRestore!.UseLatestRestorableTime);
            Assert.Null(_cloud.Clusters.LastPointInTimeRestore.RestoreToTime);
        }

        [Fact]
        public void A_backup_and_restore_Aurora_plan_builds_restore_db_as_a_cluster_restore()
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "backup-and-restore.json"));
            var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
            node["resources"]!["database"] = System.Text.Json.Nodes.JsonNode.Parse(
                """{ "engine": "aurora-postgresql", "clusterId": "orders-aurora", "restore": { "clusterId": "orders-restored", "instanceCount": 2 }, "targetInstanceClass": "db.r6g.large" }""");
            var plan = DrPlanLoader.Parse(node.ToJsonString()).GetPlanOrThrow();
            var steps = Service().BuildSteps(plan, RecoveryOperation.Failover, new RecoveryOptions());
            var restore = Assert.IsType<RestoreClusterStep>(steps.Single(s => s.Id == "restore-db"));
            Assert.Equal(("orders-restored", "orders-aurora", 2, "db.r6g.large"), (restore.TargetClusterId, restore.PrimaryClusterId, restore.InstanceCount, restore.InstanceClass));
            Assert.Equal(RecoveryStepKinds.Of(plan, RecoveryOperation.Failover).OrderBy(k => k),
                steps.Select(s => s.Kind).Where(k => k != StepKind.ManualApproval).Distinct().OrderBy(k => k));
        }
    }
}
