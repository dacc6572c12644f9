using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Reprotect;
using DrTools.Core.Tests.Plans;
using DrTools.Core.Tests.Recovery.Steps;
using Xunit;

namespace DrTools.Core.Tests.Reprotect
{
    /// <summary>Invoke-DrReprotect's decisions and runs, and the active side record a failover leaves, on fakes.</summary>
    public sealed class ReprotectServiceTests : IDisposable
    {
        static readonly CancellationToken Ct = CancellationToken.None;
        readonly FakeCloud _dr = new("us-west-2");
        readonly FakeCloud _primary = new("us-east-1");
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-reprotect-svc-" + Guid.NewGuid().ToString("N"));
        readonly RecoveryJournalStore _journals;
        static readonly RecoveryOptions Fast = new() { ReplicaLagWait = TimeSpan.Zero, PollInterval = TimeSpan.Zero };

        public ReprotectServiceTests()
        {
            _journals = new RecoveryJournalStore(_dir);
            _dr.Rds.Instances["orders-db-dr"] = new DbInstance
            {
                Identifier = "orders-db-dr", Region = "us-west-2", Status = "available", InstanceClass = "db.r6g.xlarge",
                Arn = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr",
            };
            _primary.Rds.Instances["orders-db"] = new DbInstance
            {
                Identifier = "orders-db", Region = "us-east-1", Status = "available", InstanceClass = "db.r6g.large",
                Arn = "arn:aws:rds:us-east-1:123456789012:db:orders-db",
            };
            _primary.Rds.SnapshotSources.Add(_dr.Rds);
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        ReprotectService Service() => new(_dr.Services(_primary.Rds), _journals);
        ActiveSideStore Sides => new(_journals);

        static DrPlan Plan() => new()
        {
            Name = "orders", Strategy = DrStrategy.PilotLight, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
            Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(15),
            Resources = new PlanResources { Database = new DatabaseSpec { PrimaryInstanceId = "orders-db", ReplicaInstanceId = "orders-db-dr" } },
        };

        Task FailedOverAsync() => Sides.SaveAsync(new ActiveSide
        {
            Plan = "orders", Active = PlanSide.Dr, Operation = "Failover", RunId = "20261205T050000Z-aaaaaa",
            Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" },
        }, Ct);

        [Fact]
        public async Task A_lone_aurora_cluster_is_refused_with_what_protects_it_and_nothing_changes()
        {
            var plan = new DrPlan
            {
                Name = "orders", Strategy = DrStrategy.BackupAndRestore, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
                Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(15),
                Resources = new PlanResources { Database = new DatabaseSpec { ClusterId = "orders", Restore = new DatabaseRestoreSpec { ClusterId = "orders-restored" } } },
            };
            await Sides.SaveAsync(new ActiveSide
            {
                Plan = "orders", Active = PlanSide.Dr, Operation = "Failover", RunId = "20261205T050000Z-aaaaaa",
                Writer = new DatabaseLocation { Id = "orders-restored", Region = "us-west-2", IsCluster = true },
            }, Ct);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Service().RunAsync(plan, Fast, Ct));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains("does not re-protect Aurora clusters", ex.Message);
            Assert.Contains("Invoke-DrBackup -DBClusterIdentifier orders-restored", ex.RecommendedAction);
            Assert.Empty(_primary.Calls);
            Assert.Empty(_dr.Calls);
        }

        [Fact]
        public async Task A_plan_that_never_failed_over_is_the_wrong_side_with_what_to_do()
        {
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Service().RunAsync(Plan(), Fast, Ct));
            Assert.Equal(ErrorIds.WrongSide, ex.ErrorId);
            Assert.Contains("has not failed over", ex.Message);
            Assert.Contains("Invoke-DrFailover", ex.RecommendedAction);
            Assert.Empty(_primary.Calls);
            Assert.Empty(_dr.Calls);
        }

        [Fact]
        public async Task A_protected_plan_has_nothing_to_do_and_says_so_in_a_result()
        {
            await Sides.SaveAsync(new ActiveSide
            {
                Plan = "orders", Active = PlanSide.Dr, Operation = "Reprotect", RunId = "r1",
                Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" },
                Replica = new DatabaseLocation { Id = "orders-db", Region = "us-east-1" },
            }, Ct);

            var result = await Service().RunAsync(Plan(), Fast, Ct);

            Assert.True(result.Succeeded);
            var step = Assert.Single(result.Steps);
            Assert.Equal(StepStatus.Skipped, step.Status);
            Assert.Contains("already protected", step.Message);
            Assert.Contains("orders-db (us-east-1)", step.Message);
            Assert.Empty(_primary.Calls);
        }

        [Fact]
        public async Task A_region_that_does_not_answer_yet_is_named_with_run_again_and_nothing_changes()
        {
            await FailedOverAsync();
            _primary.Rds.Unreachable = new DrToolsException(ErrorIds.EndpointUnreachable, DrErrorCategory.ConnectionError, "connection refused", "us-east-1");

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Service().RunAsync(Plan(), Fast, Ct));

            Assert.Equal(ErrorIds.EndpointUnreachable, ex.ErrorId);
            Assert.Contains("us-east-1 is not reachable yet", ex.Message);
            Assert.Contains("Run Invoke-DrReprotect again when us-east-1 is reachable", ex.RecommendedAction);
            Assert.Empty(_dr.Calls);
            Assert.Null((await Sides.LoadAsync("orders", Ct))!.Replica);
        }

        [Fact]
        public async Task A_reprotect_records_the_replica_and_the_set_aside_instance_and_a_resume_keeps_them()
        {
            await FailedOverAsync();
            var result = await Service().RunAsync(Plan(), Fast, Ct);

            Assert.True(result.Succeeded, string.Join("\n", result.Steps));
            Assert.Equal("orders.reprotect", result.Plan);
            Assert.Equal("record-active-side", result.Steps.Last().StepId);
            var side = (await Sides.LoadAsync("orders", Ct))!;
            Assert.Equal(PlanSide.Dr, side.Active);
            Assert.Equal("Reprotect", side.Operation);
            Assert.Equal(result.RunId, side.RunId);
            Assert.Equal(new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" }, side.Writer);
            Assert.Equal(new DatabaseLocation { Id = "orders-db", Region = "us-east-1" }, side.Replica);
            var aside = Assert.Single(side.SetAside);
            Assert.Equal("us-east-1", aside.Region);
            Assert.Equal(ReprotectNames.SetAsideId("orders-db", result.RunId), aside.Id);
            Assert.True(_primary.Rds.Instances.ContainsKey(aside.Id));

            // -Resume of the finished run: the steps are skipped, the record is written again, the same.
            var calls = _primary.Calls.Count + _dr.Calls.Count;
            var again = await Service().RunAsync(Plan(), Fast with { Resume = true, RunId = result.RunId }, Ct);
            Assert.True(again.Succeeded, string.Join("\n", again.Steps));
            Assert.Equal(calls, _primary.Calls.Count + _dr.Calls.Count);
            var after = (await Sides.LoadAsync("orders", Ct))!;
            Assert.Equal(side.Replica, after.Replica);
            Assert.Equal(side.SetAside, after.SetAside);
        }

        [Fact]
        public async Task A_run_that_fails_half_way_records_nothing_and_a_resume_records_the_replica()
        {
            await FailedOverAsync();
            _primary.Rds.Instances["orders-db"] = _primary.Rds.Instances["orders-db"] with { StorageEncrypted = false };
            _dr.Rds.Instances["orders-db-dr"] = _dr.Rds.Instances["orders-db-dr"] with { StorageEncrypted = true }; // no key anywhere: the copy fails
            var failed = await Service().RunAsync(Plan(), Fast, Ct);
            Assert.False(failed.Succeeded);
            Assert.Null((await Sides.LoadAsync("orders", Ct))!.Replica);

            // The operator names a key in us-east-1, as the error says, and resumes.
            var fixedPlan = Plan();
            fixedPlan = new DrPlan
            {
                Name = fixedPlan.Name, Strategy = fixedPlan.Strategy, PrimaryRegion = fixedPlan.PrimaryRegion, DrRegion = fixedPlan.DrRegion, Rpo = fixedPlan.Rpo,
                Resources = new PlanResources
                {
                    Database = new DatabaseSpec { PrimaryInstanceId = "orders-db", ReplicaInstanceId = "orders-db-dr", Reprotect = new ReprotectSpec { KmsKeyId = "alias/east" } },
                },
            };
            var resumed = await Service().RunAsync(fixedPlan, Fast with { Resume = true, RunId = failed.RunId }, Ct);

            Assert.True(resumed.Succeeded, string.Join("\n", resumed.Steps));
            Assert.Equal(new DatabaseLocation { Id = "orders-db", Region = "us-east-1" }, (await Sides.LoadAsync("orders", Ct))!.Replica);
            Assert.Equal("alias/east", _primary.Rds.ReplicaRequests.Single().KmsKeyId);
            Assert.Single(_dr.Rds.Snapshots); // the snapshot of the failed attempt is reused
        }

        [Fact]
        public async Task WhatIf_lists_every_step_and_calls_no_aws_api()
        {
            await FailedOverAsync();
            var service = Service();
            var target = await service.ResolveAsync(Plan(), Ct);
            var plan = service.Plan(Plan(), target, Fast);

            Assert.Equal(new[] { "snapshot-db", "set-aside-db", "copy-snapshot", "create-replica", "wait-replica", "record-active-side" }, plan.Steps.Select(s => s.Id));
            Assert.Equal("REPROTECT", plan.Strategy);
            Assert.Empty(_primary.Calls);
            Assert.Empty(_dr.Calls);
        }

        [Theory]
        [InlineData("pilot-light", "orders-db-dr", false)]
        [InlineData("warm-standby", null, false)]
        [InlineData("multi-site", null, false)]
        [InlineData("backup-and-restore", null, false)]
        public void Every_failover_strategy_ends_by_recording_the_dr_side_and_its_writer(string file, string? expectedWriter, bool cluster)
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", file + ".json"));
            var plan = DrPlanLoader.Parse(json).GetPlanOrThrow();
            var steps = new RecoveryService(_dr.Services(_primary.Rds), _journals).BuildSteps(plan, RecoveryOperation.Failover, new RecoveryOptions());
            var whatIf = RecoveryEngine.Plan(plan.Name, steps, null);
            var last = whatIf.Steps.Last();
            Assert.Equal("record-active-side", last.Id);
            Assert.Equal(StepKind.RecordActiveSide, last.Kind);
            Assert.Equal(whatIf.WaveCount, last.Wave);
            Assert.Equal(1, whatIf.Steps.Count(s => s.Wave == whatIf.WaveCount)); // alone, after everything
            var writer = StepGraph.FailoverWriter(plan);
            var expected = plan.Strategy == DrStrategy.BackupAndRestore ? plan.Resources.Database?.Restore?.InstanceId : plan.Resources.Database?.ReplicaInstanceId;
            Assert.Equal(expectedWriter ?? expected, writer?.Id);
            Assert.Equal(cluster, writer?.IsCluster ?? false);
            if (writer != null) Assert.Equal(plan.DrRegion, writer.Region);
        }

        [Fact]
        public void An_aurora_plans_writer_after_a_failover_is_its_dr_cluster()
        {
            var plan = new DrPlan
            {
                Name = "a", Strategy = DrStrategy.PilotLight, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
                Resources = new PlanResources { Database = new DatabaseSpec { ClusterId = "orders", ReplicaClusterId = "orders-dr", GlobalClusterId = "g" } },
            };
            Assert.Equal(new DatabaseLocation { Id = "orders-dr", Region = "us-west-2", IsCluster = true }, StepGraph.FailoverWriter(plan));
            // The old primary cluster stays in the global database as its secondary: the record says protected, so the
            // Protection check does not send the operator to Invoke-DrReprotect (which cannot re-protect a cluster).
            Assert.Equal(new DatabaseLocation { Id = "orders", Region = "us-east-1", IsCluster = true }, StepGraph.FailoverReplica(plan));
            var restore = new DrPlan
            {
                Name = "b", Strategy = DrStrategy.BackupAndRestore, DrRegion = "us-west-2",
                Resources = new PlanResources { Database = new DatabaseSpec { ClusterId = "orders", Restore = new DatabaseRestoreSpec { ClusterId = "orders-restored" } } },
            };
            Assert.Equal(new DatabaseLocation { Id = "orders-restored", Region = "us-west-2", IsCluster = true }, StepGraph.FailoverWriter(restore));
            Assert.Null(StepGraph.FailoverReplica(restore));
        }
    }
}
