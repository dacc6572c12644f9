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
using DrTools.Core.Reprotect;
using DrTools.Core.Tests.Recovery.Steps;
using Xunit;
using RecordingReporter = DrTools.Core.Tests.Recovery.RecordingReporter;

namespace DrTools.Core.Tests.Reprotect
{
    /// <summary>
    /// The re-protect steps on fakes: after a failover the writer is orders-db-dr in us-west-2; the stale old primary
    /// orders-db still holds its id in us-east-1, where the new replica goes.
    /// </summary>
    public sealed class ReprotectStepsTests : IDisposable
    {
        const string Run = "20261205T063000Z-abc123";
        static readonly CancellationToken Ct = CancellationToken.None;
        readonly FakeCloud _dr = new("us-west-2");
        readonly FakeCloud _primary = new("us-east-1");
        readonly RecordingReporter _reporter = new();
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-reprotect-" + Guid.NewGuid().ToString("N"));
        static readonly DatabaseLocation Writer = new() { Id = "orders-db-dr", Region = "us-west-2" };

        public ReprotectStepsTests()
        {
            _dr.Rds.Instances["orders-db-dr"] = new DbInstance
            {
                Identifier = "orders-db-dr", Region = "us-west-2", Status = "available", InstanceClass = "db.r6g.xlarge",
                Arn = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr", StorageEncrypted = true, KmsKeyId = "arn:aws:kms:us-west-2:123456789012:key/west",
            };
            _primary.Rds.Instances["orders-db"] = new DbInstance
            {
                Identifier = "orders-db", Region = "us-east-1", Status = "available", InstanceClass = "db.r6g.large",
                Arn = "arn:aws:rds:us-east-1:123456789012:db:orders-db", StorageEncrypted = true, KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/east",
                DBSubnetGroupName = "orders-east", VpcSecurityGroupIds = new[] { "sg-east" },
            };
            _primary.Rds.SnapshotSources.Add(_dr.Rds);
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        IEnumerable<string> Calls => _dr.Calls.Concat(_primary.Calls);

        RecoveryServices Services() => _dr.Services(_primary.Rds);

        static DrPlan Plan(ReprotectSpec? reprotect = null) => new()
        {
            Name = "orders", Strategy = DrStrategy.PilotLight, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
            Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(15),
            Resources = new PlanResources
            {
                Database = new DatabaseSpec { PrimaryInstanceId = "orders-db", ReplicaInstanceId = "orders-db-dr", Reprotect = reprotect },
            },
        };

        IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryOptions? options = null)
        {
            var graph = new StepGraph(plan, Services(), options ?? new RecoveryOptions { ReplicaLagWait = TimeSpan.Zero, PollInterval = TimeSpan.Zero });
            ReprotectSteps.Add(graph, plan, Services(), Writer, "us-east-1", "orders-db", Array.Empty<IRecoveryStep>());
            return graph.Steps;
        }

        Task<RecoveryResult> RunAsync(IReadOnlyList<IRecoveryStep> steps, bool resume = false) =>
            new RecoveryEngine(new RecoveryJournalStore(_dir), _reporter).RunAsync(new RecoveryRequest
            {
                PlanName = "orders.reprotect", Strategy = "REPROTECT", Steps = steps, RunId = Run, Resume = resume,
            }, Ct);

        StepContext Ctx(string step, Dictionary<string, IReadOnlyDictionary<string, string>>? outputs = null) =>
            new("orders", Run, step, _reporter, outputsOf: id => outputs != null && outputs.TryGetValue(id, out var o) ? o : null);

        [Fact]
        public void The_graph_snapshots_and_sets_aside_first_then_copies_and_creates_then_waits_for_the_replica()
        {
            var plan = RecoveryEngine.Plan("orders.reprotect", Build(Plan()), "REPROTECT");
            Assert.Equal(new[] { "snapshot-db", "set-aside-db", "copy-snapshot", "create-replica", "wait-replica" }, plan.Steps.Select(s => s.Id));
            Assert.Equal(new[] { 1, 1, 2, 2, 3 }, plan.Steps.Select(s => s.Wave));
            Assert.Equal(new[] { StepKind.SnapshotDatabase, StepKind.SetAsideDatabase, StepKind.CopySnapshot, StepKind.CreateReplica, StepKind.WaitReplica },
                plan.Steps.Select(s => s.Kind));
            Assert.Contains(plan.Steps, s => s.Resources.Any(r => r.Id == "orders-db" && r.Region == "us-east-1" && r.Action.StartsWith("rename", StringComparison.Ordinal)));
            Assert.Contains(plan.Steps, s => s.Resources.Any(r => r.Id == "orders-db" && r.Region == "us-east-1" && r.Action.StartsWith("create read replica of orders-db-dr", StringComparison.Ordinal)));
            Assert.Empty(Calls); // -WhatIf calls nothing
        }

        [Fact]
        public async Task A_reprotect_renames_the_old_primary_aside_and_creates_the_replica_with_its_settings()
        {
            _dr.Lag.Lag = TimeSpan.FromSeconds(4);
            var result = await RunAsync(Build(Plan()));

            Assert.True(result.Succeeded, string.Join("\n", result.Steps));
            // The snapshot of the writer, in its region, and its copy in the replica's region with the old primary's key.
            Assert.Contains("rds:CreateDBSnapshot orders-db-dr orders-db-dr-reprotect-202612050630", _dr.Calls);
            Assert.Contains("rds:CopyDBSnapshot arn:aws:rds:us-west-2:123456789012:snapshot:orders-db-dr-reprotect-202612050630 orders-db-dr-reprotect-202612050630 " +
                            "arn:aws:kms:us-east-1:123456789012:key/east", _primary.Calls);
            var snapshot = _dr.Rds.Snapshots.Single();
            Assert.Equal("orders", snapshot.Tags["DrTools:Plan"]);
            Assert.Equal("available", _primary.Rds.Snapshots.Single(s => s.Identifier == "orders-db-dr-reprotect-202612050630").Status);
            // The old primary: renamed, never deleted, and still there.
            Assert.Contains("rds:ModifyDBInstance orders-db rename orders-db-old-202612050630", _primary.Calls);
            Assert.DoesNotContain(Calls, c => c.StartsWith("rds:DeleteDBInstance", StringComparison.Ordinal));
            Assert.Equal("available", _primary.Rds.Instances["orders-db-old-202612050630"].Status);
            // The replica: from the writer's ARN, with the class, key, subnet group and security groups of the old primary.
            var request = _primary.Rds.ReplicaRequests.Single();
            Assert.Equal("orders-db", request.DBInstanceIdentifier);
            Assert.Equal("arn:aws:rds:us-west-2:123456789012:db:orders-db-dr", request.SourceDBInstance);
            Assert.Equal("db.r6g.large", request.DBInstanceClass);
            Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/east", request.KmsKeyId);
            Assert.Equal("orders-east", request.DBSubnetGroupName);
            Assert.Equal(new[] { "sg-east" }, request.VpcSecurityGroupIds);
            Assert.Equal("orders", request.Tags!["DrTools:Plan"]);
            Assert.Equal("replica", request.Tags["DrTools:Role"]);
            var replica = _primary.Rds.Instances["orders-db"];
            Assert.Equal("available", replica.Status);
            Assert.True(ReprotectNames.IsReplicaOf(replica, Writer));
            // The outputs the record step reads.
            var setAside = result.Steps.Single(s => s.StepId == "set-aside-db");
            Assert.Equal("orders-db-old-202612050630", setAside.Outputs[SetAsideDatabaseStep.SetAsideIdOutput]);
            var wait = result.Steps.Single(s => s.StepId == "wait-replica");
            Assert.Equal("4", wait.Outputs[WaitReplicaStep.LagSecondsOutput]);
            Assert.Contains("lag 4 s", wait.Message);
        }

        [Fact]
        public async Task The_plans_reprotect_settings_win_over_the_set_aside_instances()
        {
            var plan = Plan(new ReprotectSpec
            {
                InstanceClass = "db.r6g.2xlarge", KmsKeyId = "alias/orders-east", DbSubnetGroupName = "orders-east-2", SecurityGroupIds = new[] { "sg-new" },
            });
            var result = await RunAsync(Build(plan));

            Assert.True(result.Succeeded, string.Join("\n", result.Steps));
            var request = _primary.Rds.ReplicaRequests.Single();
            Assert.Equal("db.r6g.2xlarge", request.DBInstanceClass);
            Assert.Equal("alias/orders-east", request.KmsKeyId);
            Assert.Equal("orders-east-2", request.DBSubnetGroupName);
            Assert.Equal(new[] { "sg-new" }, request.VpcSecurityGroupIds);
            Assert.Equal("alias/orders-east", _primary.Rds.CopyRequests.Single().KmsKeyId);
        }

        [Fact]
        public async Task Settings_for_another_region_are_not_applied_to_a_replica_in_this_one()
        {
            // reprotect.region names a third region: a replica back in us-east-1 (a failback's re-protect) takes the set-aside instance's settings.
            var plan = Plan(new ReprotectSpec { Region = "eu-west-1", InstanceClass = "db.r6g.2xlarge", KmsKeyId = "alias/eu" });
            var result = await RunAsync(Build(plan));

            Assert.True(result.Succeeded, string.Join("\n", result.Steps));
            Assert.Equal("db.r6g.large", _primary.Rds.ReplicaRequests.Single().DBInstanceClass);
            Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/east", _primary.Rds.ReplicaRequests.Single().KmsKeyId);
        }

        [Fact]
        public async Task A_resume_after_a_crash_mid_way_repeats_nothing_and_finds_the_renamed_instance()
        {
            var steps = Build(Plan());
            var ctx = Ctx("set-aside-db");
            var setAside = (SetAsideDatabaseStep)steps.Single(s => s.Id == "set-aside-db");
            // The crashed run: the rename was sent, the replica request too; the journal knows nothing of either.
            Assert.Null(await setAside.CheckDoneAsync(ctx, Ct));
            await setAside.ExecuteAsync(ctx, Ct);
            var outputs = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["set-aside-db"] = new Dictionary<string, string> { [SetAsideDatabaseStep.SetAsideIdOutput] = "orders-db-old-202612050630" },
            };
            await _primary.Rds.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest
            {
                DBInstanceIdentifier = "orders-db", SourceDBInstance = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr",
            }, Ct);
            var calls = Calls.Count();

            var again = Build(Plan()); // a new process: new step objects
            var setAsideDone = await again.Single(s => s.Id == "set-aside-db").CheckDoneAsync(ctx, Ct);
            Assert.NotNull(setAsideDone);
            Assert.Equal("orders-db-old-202612050630", setAsideDone!.Outputs[SetAsideDatabaseStep.SetAsideIdOutput]);
            var createDone = await again.Single(s => s.Id == "create-replica").CheckDoneAsync(Ctx("create-replica", outputs), Ct);
            Assert.NotNull(createDone);
            Assert.Equal(calls, Calls.Count());
            Assert.True(_primary.Rds.Instances.ContainsKey("orders-db-old-202612050630"));
        }

        [Fact]
        public async Task A_resumed_run_takes_no_second_snapshot_and_makes_no_second_copy()
        {
            var first = await RunAsync(Build(Plan()));
            Assert.True(first.Succeeded, string.Join("\n", first.Steps));
            var calls = Calls.Count();
            // Even without the journal (another machine, journal lost): each check finds its work done.
            foreach (var step in Build(Plan()).Where(s => s.Id != "wait-replica"))
                Assert.NotNull(await step.CheckDoneAsync(Ctx(step.Id), Ct));
            Assert.Equal(calls, Calls.Count());
            Assert.Single(_dr.Rds.Snapshots);
            Assert.Single(_primary.Rds.CopyRequests);
        }

        [Fact]
        public async Task A_snapshot_whose_creation_was_sent_before_a_crash_is_waited_for_not_taken_again()
        {
            await _dr.Rds.CreateDBSnapshotAsync("orders-db-dr", "orders-db-dr-reprotect-202612050630", null, Ct);
            var step = Build(Plan()).Single(s => s.Id == "snapshot-db");
            var done = await step.CheckDoneAsync(Ctx("snapshot-db"), Ct);
            Assert.NotNull(done);
            Assert.Equal("available", _dr.Rds.Snapshots.Single().Status);
            Assert.Equal("arn:aws:rds:us-west-2:123456789012:snapshot:orders-db-dr-reprotect-202612050630", done!.Outputs[SnapshotDatabaseStep.SnapshotArnOutput]);
            Assert.Single(_dr.Mutations("rds:CreateDBSnapshot"));
        }

        [Fact]
        public async Task Nothing_is_set_aside_when_the_id_is_free_or_already_a_replica_of_the_writer()
        {
            _primary.Rds.Instances.TryRemove("orders-db", out _);
            var step = Build(Plan()).Single(s => s.Id == "set-aside-db");
            var free = await step.CheckDoneAsync(Ctx("set-aside-db"), Ct);
            Assert.Contains("nothing to set aside", free!.Message);
            Assert.Equal("", free.Outputs[SetAsideDatabaseStep.SetAsideIdOutput]);

            _primary.Rds.Instances["orders-db"] = new DbInstance
            {
                Identifier = "orders-db", Region = "us-east-1", Status = "available", ReadReplicaSource = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr",
            };
            var replica = await step.CheckDoneAsync(Ctx("set-aside-db"), Ct);
            Assert.Contains("already replicates orders-db-dr", replica!.Message);
            Assert.Empty(_primary.Mutations("rds:ModifyDBInstance"));
        }

        [Fact]
        public async Task An_encrypted_writer_with_no_key_for_the_replica_region_is_refused_with_what_to_set()
        {
            _primary.Rds.Instances.TryRemove("orders-db", out _); // the old primary is gone: no key to reuse
            var result = await RunAsync(Build(Plan()));

            Assert.False(result.Succeeded);
            // The copy and the replica both need a key in us-east-1; whichever asks first stops the run.
            var failed = result.Steps.First(s => s.Status == StepStatus.Failed);
            Assert.Contains(failed.StepId, new[] { "copy-snapshot", "create-replica" });
            Assert.Equal(ErrorIds.InvalidParameter, failed.ErrorId);
            Assert.Contains("reprotect.kmsKeyId", ((DrToolsException)failed.Error!).RecommendedAction);
            Assert.Empty(_primary.Rds.ReplicaRequests);
            Assert.Empty(_primary.Rds.CopyRequests);
        }

        [Fact]
        public async Task An_instance_that_took_the_id_after_the_rename_is_not_overwritten()
        {
            var steps = Build(Plan());
            var outputs = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["set-aside-db"] = new Dictionary<string, string> { [SetAsideDatabaseStep.SetAsideIdOutput] = "" },
            };
            var create = steps.Single(s => s.Id == "create-replica");
            Assert.Null(await create.CheckDoneAsync(Ctx("create-replica", outputs), Ct));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => create.ExecuteAsync(Ctx("create-replica", outputs), Ct));
            Assert.Equal(ErrorIds.AlreadyExists, ex.ErrorId);
            Assert.Empty(_primary.Rds.ReplicaRequests);
        }

        [Fact]
        public async Task A_lag_above_the_rpo_is_a_warning_in_the_message_not_a_failure()
        {
            _dr.Lag.Lag = TimeSpan.FromMinutes(40);
            var result = await RunAsync(Build(Plan()));

            Assert.True(result.Succeeded, string.Join("\n", result.Steps));
            var wait = result.Steps.Single(s => s.StepId == "wait-replica");
            Assert.Contains("lag 40 min", wait.Message);
            Assert.Contains("more than the RPO of 15 min", wait.Message);
            Assert.Equal("false", wait.Outputs["withinRpo"]);
            Assert.Contains(_reporter.Warnings, w => w.Contains("more than the RPO"));
        }

        [Fact]
        public async Task A_lag_still_unknown_after_the_wait_is_said_plainly()
        {
            _dr.Lag.Lag = null;
            var result = await RunAsync(Build(Plan()));

            Assert.True(result.Succeeded, string.Join("\n", result.Steps));
            var wait = result.Steps.Single(s => s.StepId == "wait-replica");
            Assert.Contains("replica lag is still unknown", wait.Message);
            Assert.Equal("unknown", wait.Outputs[WaitReplicaStep.LagSecondsOutput]);
            Assert.Equal("unknown", wait.Outputs["withinRpo"]);
        }

        [Fact]
        public async Task Wait_replica_asks_again_until_the_lag_is_known()
        {
            var values = new Queue<TimeSpan?>(new TimeSpan?[] { null, null, TimeSpan.FromSeconds(2) });
            var lag = new FakeLag { Script = (_, _) => new ReplicaLagReading(values.Count > 1 ? values.Dequeue() : values.Peek(), "sequence") };
            _primary.Rds.Instances["orders-db"] = _primary.Rds.Instances["orders-db"] with { ReadReplicaSource = Writer.Id };
            var step = new WaitReplicaStep("wait-replica", _primary.Rds, lag, "orders-db", Writer, TimeSpan.FromMinutes(15))
            {
                MaxWait = TimeSpan.FromHours(1), PollInterval = TimeSpan.Zero,
            };
            var outcome = await step.ExecuteAsync(Ctx("wait-replica"), Ct);
            Assert.Equal(3, lag.Reads.Count);
            Assert.Equal("2", outcome.Outputs[WaitReplicaStep.LagSecondsOutput]);
            Assert.Equal("true", outcome.Outputs["withinRpo"]);
        }

        [Fact]
        public void Names_are_the_same_for_every_attempt_of_a_run_and_fit_rds_limits()
        {
            Assert.Equal("orders-db-old-202612050630", ReprotectNames.SetAsideId("orders-db", Run));
            Assert.Equal(ReprotectNames.SetAsideId("orders-db", "my-run"), ReprotectNames.SetAsideId("orders-db", "my-run"));
            Assert.NotEqual(ReprotectNames.SetAsideId("orders-db", "my-run"), ReprotectNames.SetAsideId("orders-db", "other-run"));
            var longId = ReprotectNames.SetAsideId(new string('a', 60) + "-b", Run);
            Assert.True(longId.Length <= 63);
            Assert.EndsWith("-old-202612050630", longId);
            Assert.DoesNotContain("--", longId);
        }

        [Fact]
        public void A_replica_in_the_writers_own_region_or_of_a_cluster_is_refused()
        {
            var plan = Plan();
            var graph = new StepGraph(plan, Services(), new RecoveryOptions());
            var same = Assert.Throws<DrToolsException>(() => ReprotectSteps.Add(graph, plan, Services(), Writer, "us-west-2", "orders-db", Array.Empty<IRecoveryStep>()));
            Assert.Equal(ErrorIds.InvalidPlan, same.ErrorId);
            var cluster = Assert.Throws<DrToolsException>(() => ReprotectSteps.Add(graph, plan, Services(), Writer with { IsCluster = true }, "us-east-1", "orders-db", Array.Empty<IRecoveryStep>()));
            Assert.Equal(ErrorIds.InvalidParameter, cluster.ErrorId);
        }
    }
}
