using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Reprotect;
using DrTools.Core.Tests.Plans;
using DrTools.Core.Tests.Recovery.Steps;
using Xunit;

namespace DrTools.Core.Tests.Recovery
{
    /// <summary>
    /// Invoke-DrFailback for a plan whose database failed over: the DR writer is fenced before the primary-region
    /// replica catches up and is promoted, then traffic moves back and the plan is re-protected the other way. Every
    /// fake call goes into one ordered log (both regions), so the tests assert on the order.
    /// </summary>
    public sealed class FailbackTests : IDisposable
    {
        const string WriterArn = "arn:aws:rds:us-west-2:123456789012:db:orders-db-dr";
        static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(5);
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-failback-" + Guid.NewGuid().ToString("N"));
        readonly FakeCloud _cloud = new(); // us-west-2, the DR region; its call log also records the primary region's calls
        readonly FakeRds _primaryRds;
        readonly RecoveryJournalStore _journals;
        readonly ActiveSideStore _sides;
        readonly List<string> _questions = new();
        /// <summary>When the fence took effect (the first StopInstances), for the lag script.</summary>
        DateTimeOffset? _fencedAt;

        public FailbackTests()
        {
            _primaryRds = new FakeRds(_cloud, "us-east-1");
            _journals = new RecoveryJournalStore(_dir);
            _sides = new ActiveSideStore(_journals);
            // After failover + re-protect: orders-db-dr writes in us-west-2, orders-db replicates from it in us-east-1.
            _cloud.Rds.Instances["orders-db-dr"] = new DbInstance
            {
                Identifier = "orders-db-dr", Status = "available", Region = "us-west-2", Arn = WriterArn, InstanceClass = "db.r6g.xlarge",
            };
            _primaryRds.Instances["orders-db"] = new DbInstance
            {
                Identifier = "orders-db", Status = "available", Region = "us-east-1", ReadReplicaSource = WriterArn, InstanceClass = "db.r6g.xlarge",
                Arn = "arn:aws:rds:us-east-1:123456789012:db:orders-db",
            };
            _cloud.Rds.SnapshotSources.Add(_primaryRds);
            foreach (var (id, role) in new[] { ("i-web1", "web"), ("i-web2", "web"), ("i-worker1", "worker") })
                _cloud.Ec2.Instances.Add(new Ec2Instance(id, "running", "t3.large", "ami-1", "subnet-1", null, null, "10.0.0.1", null, null, DateTime.UtcNow,
                    Array.Empty<string>(), Array.Empty<string>(), new Dictionary<string, string>
                    {
                        [RecoveryStepBase.TagPlan] = "orders", [RecoveryStepBase.TagRole] = role, [RecoveryStepBase.TagRun] = "failover-run",
                    }));
            _cloud.Ec2.Instances.Add(new Ec2Instance("i-other", "running", "t3.large", "ami-1", "subnet-1", null, null, "10.0.0.9", null, null, DateTime.UtcNow,
                Array.Empty<string>(), Array.Empty<string>(), new Dictionary<string, string> { [RecoveryStepBase.TagPlan] = "billing", [RecoveryStepBase.TagRole] = "web" }));
            // Lag before the fence: a few seconds behind; after it: a stale zero from before the fence first, then a zero measured after it.
            _cloud.Lag.Script = (region, db) =>
            {
                if (region != "us-east-1") return null;
                _fencedAt ??= _cloud.Calls.Any(c => c.StartsWith("ec2:StopInstances", StringComparison.Ordinal)) ? DateTimeOffset.UtcNow : null;
                if (_fencedAt == null) return new ReplicaLagReading(TimeSpan.FromSeconds(4), "fake") { At = DateTimeOffset.UtcNow };
                if (!_cloud.Calls.Contains("lag: stale zero"))
                {
                    _cloud.Calls.Enqueue("lag: stale zero");
                    return new ReplicaLagReading(TimeSpan.Zero, "fake") { At = _fencedAt.Value.AddMinutes(-1) };
                }
                _cloud.Calls.Enqueue("lag: zero after the fence");
                return new ReplicaLagReading(TimeSpan.Zero, "fake") { At = DateTimeOffset.UtcNow.AddSeconds(1) };
            };
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        static DrPlan Plan(Func<string, string>? edit = null)
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "pilot-light.json"));
            return DrPlanLoader.Parse(edit != null ? edit(json) : json).GetPlanOrThrow();
        }

        RecoveryService Service() => new(_cloud.Services(_primaryRds), _journals);

        RecoveryOptions Options(bool allowDataLoss = false, bool resume = false, TimeSpan? stepTimeout = null) => new()
        {
            AllowDataLoss = allowDataLoss, Resume = resume, FailbackPollInterval = Fast, DataLossWait = TimeSpan.FromMilliseconds(50),
            ReplicaLagWait = Fast, StepTimeout = stepTimeout,
            Approve = (q, _) => { lock (_questions) _questions.Add(q); return Task.FromResult(true); },
        };

        Task SaveFailedOverAsync(bool protectedByReplica = true) => _sides.SaveAsync(new ActiveSide
        {
            Plan = "orders", Active = PlanSide.Dr, Operation = "Reprotect",
            Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" },
            Replica = protectedByReplica ? new DatabaseLocation { Id = "orders-db", Region = "us-east-1" } : null,
            SetAside = new[] { new DatabaseLocation { Id = "orders-db-old-202612050100", Region = "us-east-1" } },
        }, CancellationToken.None);

        int IndexOf(string prefix)
        {
            var calls = _cloud.Calls.ToList();
            var i = calls.FindIndex(c => c.StartsWith(prefix, StringComparison.Ordinal));
            Assert.True(i >= 0, $"no call '{prefix}' in:\n{string.Join("\n", calls)}");
            return i;
        }

        [Fact]
        public async Task A_failed_over_database_is_fenced_caught_up_to_zero_lag_after_the_fence_promoted_then_traffic_moves_and_it_is_reprotected_the_other_way()
        {
            await SaveFailedOverAsync();
            var plan = Plan();

            var result = await Service().RunAsync(plan, RecoveryOperation.Failback, Options(), CancellationToken.None);

            Assert.True(result.Succeeded, string.Join("\n", result.Steps.Select(s => $"{s.StepId} {s.Status} {s.Message}")));
            // The order that keeps every write: fence, a zero lag measured after the fence, promote, DNS, then re-protect.
            var fence = IndexOf("ec2:StopInstances");
            Assert.True(fence < IndexOf("lag: stale zero"));
            Assert.True(IndexOf("lag: stale zero") < IndexOf("lag: zero after the fence"));
            Assert.True(IndexOf("lag: zero after the fence") < IndexOf("rds:PromoteReadReplica orders-db"));
            Assert.True(IndexOf("rds:PromoteReadReplica orders-db") < IndexOf("route53:ChangeResourceRecordSets"));
            Assert.True(IndexOf("route53:ChangeResourceRecordSets") < IndexOf("rds:ModifyDBInstance orders-db-dr rename"));
            Assert.True(IndexOf("rds:ModifyDBInstance orders-db-dr rename") < IndexOf("rds:CreateDBInstanceReadReplica orders-db-dr"));
            Assert.Single(_cloud.Mutations("rds:PromoteReadReplica"));
            // Only the plan's launched app servers were stopped; the stale zero did not let the promotion through.
            Assert.Equal("ec2:StopInstances i-web1,i-web2,i-worker1", _cloud.Calls.Single(c => c.StartsWith("ec2:StopInstances", StringComparison.Ordinal)));
            Assert.Equal("running", _cloud.Ec2.Instances.Single(i => i.InstanceId == "i-other").State);
            Assert.Contains(_questions, q => q.Contains("Fence the DR database orders-db-dr"));

            // The database ends where it started: orders-db writable in us-east-1, orders-db-dr a replica of it in us-west-2,
            // the fenced old DR writer set aside (renamed, not deleted).
            Assert.False(_primaryRds.Instances["orders-db"].IsReadReplica);
            Assert.Equal("arn:aws:rds:us-east-1:123456789012:db:orders-db", _cloud.Rds.Instances["orders-db-dr"].ReadReplicaSource);
            var aside = Assert.Single(_cloud.Rds.Instances.Keys, k => k.StartsWith("orders-db-dr-old-", StringComparison.Ordinal));
            Assert.Empty(_cloud.Mutations("rds:DeleteDBInstance"));
            var side = (await _sides.LoadAsync("orders", CancellationToken.None))!;
            Assert.Equal(PlanSide.Primary, side.Active);
            Assert.Equal(new DatabaseLocation { Id = "orders-db", Region = "us-east-1" }, side.Writer);
            Assert.Equal(new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" }, side.Replica);
            Assert.Equal(new[] { "orders-db-old-202612050100", aside }, side.SetAside.Select(s => s.Id));
            Assert.Equal("Failback", side.Operation);
        }

        [Fact]
        public void WhatIf_lists_check_approval_fence_catch_up_promote_dns_reprotect_and_record_in_that_order()
        {
            var plan = Plan();
            var active = new ActiveSide
            {
                Plan = "orders", Active = PlanSide.Dr, Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" },
                Replica = new DatabaseLocation { Id = "orders-db", Region = "us-east-1" },
            };
            var whatIf = Service().Plan(plan, RecoveryOperation.Failback, Options(), active);
            var ids = whatIf.Steps.Select(s => s.Id).ToList();
            string[] order = { "check-primary", Failback.FenceApprovalId, "fence-db", "catch-up", "promote-db", "approve-change-dns", "change-dns",
                "set-aside-db", "create-replica", "wait-replica", "record-active-side" };
            foreach (var id in order) Assert.Contains(id, ids);
            var waves = order.Select(id => whatIf.Steps.Single(s => s.Id == id).Wave).ToList();
            Assert.Equal(waves.OrderBy(w => w), waves);
            var fence = whatIf.Steps.Single(s => s.Id == "fence-db");
            Assert.Equal(StepKind.FenceDatabase, fence.Kind);
            Assert.Contains(fence.Resources, r => r.Type == "AWS::EC2::Instance" && r.Action == "stop");
            Assert.Contains(whatIf.Steps.Single(s => s.Id == "promote-db").Resources, r => r.Id == "orders-db" && r.Region == "us-east-1");
            Assert.Contains(whatIf.Steps.Single(s => s.Id == "catch-up").Resources, r => r.Id == "orders-db" && r.Region == "us-east-1");
            // -Approve FenceDatabase answers the fence approval in advance (and only it).
            var pre = PreApprovals.Resolve(whatIf, new[] { "FenceDatabase" });
            Assert.Equal(new[] { Failback.FenceApprovalId }, pre.ApprovedStepIds);
        }

        [Fact]
        public async Task Without_a_replica_the_failback_refuses_with_NotProtected_naming_Invoke_DrReprotect_and_changes_nothing()
        {
            await SaveFailedOverAsync(protectedByReplica: false);
            var plan = Plan();

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Service().RunAsync(plan, RecoveryOperation.Failback, Options(), CancellationToken.None));

            Assert.Equal(ErrorIds.NotProtected, ex.ErrorId);
            Assert.Contains("Invoke-DrReprotect -Plan", ex.RecommendedAction);
            Assert.Empty(_cloud.Calls);
        }

        [Fact]
        public async Task A_replica_that_does_not_replicate_from_the_DR_writer_is_NotProtected_and_nothing_is_fenced()
        {
            await SaveFailedOverAsync();
            _primaryRds.Instances["orders-db"] = _primaryRds.Instances["orders-db"] with { ReadReplicaSource = null }; // someone promoted it

            var result = await Service().RunAsync(Plan(), RecoveryOperation.Failback, Options(), CancellationToken.None);

            Assert.False(result.Succeeded);
            Assert.Equal(ErrorIds.NotProtected, result.Steps.Single(s => s.StepId == "check-primary").ErrorId);
            Assert.DoesNotContain(_cloud.Calls, c => !c.StartsWith("lag:", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_replica_lagging_more_than_the_plan_allows_stops_the_failback_before_the_fence()
        {
            await SaveFailedOverAsync();
            _cloud.Lag.Script = null;
            _cloud.Lag.Lag = TimeSpan.FromMinutes(20); // maxReplicaLag is 5 minutes

            var result = await Service().RunAsync(Plan(), RecoveryOperation.Failback, Options(), CancellationToken.None);

            Assert.False(result.Succeeded);
            var check = result.Steps.Single(s => s.StepId == "check-primary");
            Assert.Equal(ErrorIds.DataLossRisk, check.ErrorId);
            Assert.Contains("20 min behind orders-db-dr", check.Message);
            Assert.Empty(_cloud.Calls);
            Assert.Empty(_questions); // not even asked to fence
        }

        [Fact]
        public async Task AllowDataLoss_accepts_an_unknown_lag_after_a_bounded_wait_says_what_may_be_lost_and_promotes()
        {
            await SaveFailedOverAsync();
            _cloud.Lag.Script = (region, _) => region == "us-east-1" ? new ReplicaLagReading(null, "no data point") : null;
            var reporter = new RecordingReporter();

            var result = await new RecoveryService(_cloud.Services(_primaryRds), _journals, reporter)
                .RunAsync(Plan(), RecoveryOperation.Failback, Options(allowDataLoss: true), CancellationToken.None);

            Assert.True(result.Succeeded, string.Join("\n", result.Steps.Select(s => $"{s.StepId} {s.Status} {s.Message}")));
            Assert.Contains("may be lost", result.Steps.Single(s => s.StepId == "catch-up").Message);
            Assert.Contains(reporter.Warnings, w => w.Contains("any write made on the DR database may be lost"));
            Assert.True(IndexOf("ec2:StopInstances") < IndexOf("rds:PromoteReadReplica orders-db")); // the fence still comes first
        }

        [Fact]
        public async Task Without_AllowDataLoss_a_lag_that_never_reads_zero_after_the_fence_stops_before_the_promotion_and_resume_continues_fenced()
        {
            await SaveFailedOverAsync();
            var plan = Plan();
            var stale = true;
            var inner = _cloud.Lag.Script!;
            _cloud.Lag.Script = (region, db) =>
                stale && _cloud.Calls.Any(c => c.StartsWith("ec2:StopInstances", StringComparison.Ordinal)) && region == "us-east-1"
                    ? new ReplicaLagReading(TimeSpan.FromSeconds(2), "fake") { At = DateTimeOffset.UtcNow }
                    : inner(region, db);

            var first = await Service().RunAsync(plan, RecoveryOperation.Failback, Options(stepTimeout: TimeSpan.FromSeconds(2)), CancellationToken.None);

            Assert.False(first.Succeeded);
            var catchUp = first.Steps.Single(s => s.StepId == "catch-up");
            Assert.Equal(ErrorIds.DataLossRisk, catchUp.ErrorId);
            Assert.Contains("did not read 0 after the fence", catchUp.Message);
            Assert.Empty(_cloud.Mutations("rds:PromoteReadReplica"));
            Assert.Single(_cloud.Mutations("ec2:StopInstances"));

            // Replication recovers; the resumed run does not fence again, waits for the zero, promotes once.
            stale = false;
            var resumed = await Service().RunAsync(plan, RecoveryOperation.Failback, Options(resume: true), CancellationToken.None);
            Assert.True(resumed.Succeeded, string.Join("\n", resumed.Steps.Select(s => $"{s.StepId} {s.Status} {s.Message}")));
            Assert.Equal(first.RunId, resumed.RunId);
            Assert.Single(_cloud.Mutations("ec2:StopInstances"));
            Assert.Single(_cloud.Mutations("rds:PromoteReadReplica"));
            Assert.True(IndexOf("lag: zero after the fence") < IndexOf("rds:PromoteReadReplica orders-db"));
        }

        [Fact]
        public async Task A_crash_between_fence_and_promote_resumes_fenced_and_promotes_once()
        {
            await SaveFailedOverAsync();
            var plan = Plan();
            using var crash = new CancellationTokenSource();
            var inner = _cloud.Lag.Script!;
            _cloud.Lag.Script = (region, db) =>
            {
                if (_cloud.Calls.Any(c => c.StartsWith("ec2:StopInstances", StringComparison.Ordinal))) crash.Cancel(); // the process dies mid catch-up
                return inner(region, db);
            };

            await Assert.ThrowsAsync<RecoveryCancelledException>(() => Service().RunAsync(plan, RecoveryOperation.Failback, Options(), crash.Token));
            Assert.Empty(_cloud.Mutations("rds:PromoteReadReplica"));
            Assert.Equal("stopped", _cloud.Ec2.Instances.Single(i => i.InstanceId == "i-web1").State);

            _cloud.Lag.Script = inner;
            var resumed = await Service().RunAsync(plan, RecoveryOperation.Failback, Options(resume: true), CancellationToken.None);

            Assert.True(resumed.Succeeded, string.Join("\n", resumed.Steps.Select(s => $"{s.StepId} {s.Status} {s.Message}")));
            Assert.Single(_cloud.Mutations("ec2:StopInstances")); // fenced stays fenced; nothing started the app servers again
            Assert.Single(_cloud.Mutations("rds:PromoteReadReplica"));
            Assert.Equal("stopped", _cloud.Ec2.Instances.Single(i => i.InstanceId == "i-web1").State);
            Assert.Equal(PlanSide.Primary, (await _sides.LoadAsync("orders", CancellationToken.None))!.Active);
        }

        [Fact]
        public async Task Plans_that_have_not_failed_over_keep_the_traffic_only_failback()
        {
            var plan = Plan();
            var none = Service().BuildSteps(plan, RecoveryOperation.Failback, Options()).Select(s => s.Id).ToList();
            Assert.Equal(new[] { "check-primary", "approve-change-dns", "change-dns" }, none);

            // A record that says the primary is active changes nothing either.
            var primary = new ActiveSide { Plan = "orders", Active = PlanSide.Primary, Writer = new DatabaseLocation { Id = "orders-db", Region = "us-east-1" } };
            Assert.Equal(none, Service().BuildSteps(plan, RecoveryOperation.Failback, Options(), primary).Select(s => s.Id));

            // Without a record the run checks that the primary database is writable, as before, and promotes nothing.
            _primaryRds.Instances["orders-db"] = _primaryRds.Instances["orders-db"] with { ReadReplicaSource = null };
            var result = await Service().RunAsync(plan, RecoveryOperation.Failback, Options(), CancellationToken.None);
            Assert.True(result.Succeeded);
            Assert.Single(_cloud.Calls, c => c.StartsWith("route53:ChangeResourceRecordSets", StringComparison.Ordinal));
            Assert.DoesNotContain(_cloud.Calls, c => c.StartsWith("rds:", StringComparison.Ordinal) || c.StartsWith("ec2:", StringComparison.Ordinal));
            Assert.Null(await _sides.LoadAsync("orders", CancellationToken.None));
        }

        [Fact]
        public async Task A_plan_without_a_database_that_failed_over_fails_back_traffic_and_records_the_primary_active()
        {
            // Without the database (and the drill probe that names it).
            var plan = Plan(j =>
            {
                var root = System.Text.Json.Nodes.JsonNode.Parse(j)!;
                root["resources"]!.AsObject().Remove("database");
                root["drill"]!["probes"]!.AsArray().RemoveAt(1);
                return root.ToJsonString();
            });
            Assert.Null(plan.Resources.Database);
            await _sides.SaveAsync(new ActiveSide { Plan = "orders", Active = PlanSide.Dr, Operation = "Failover" }, CancellationToken.None);

            var result = await Service().RunAsync(plan, RecoveryOperation.Failback, Options(), CancellationToken.None);

            Assert.True(result.Succeeded);
            Assert.Equal(new[] { "check-primary", "approve-change-dns", "change-dns", "record-active-side" }, result.Steps.Select(s => s.StepId));
            Assert.DoesNotContain(_cloud.Calls, c => !c.StartsWith("route53:", StringComparison.Ordinal));
            Assert.Equal(PlanSide.Primary, (await _sides.LoadAsync("orders", CancellationToken.None))!.Active);
        }
    }

    /// <summary>The fence step on its own: the parameter-group mode, and that a fenced database is found fenced.</summary>
    public sealed class FenceDatabaseStepTests
    {
        [Fact]
        public async Task Parameter_group_fencing_attaches_the_group_reboots_and_is_then_done()
        {
            var cloud = new FakeCloud();
            cloud.Rds.Instances["orders-db-dr"] = new DbInstance { Identifier = "orders-db-dr", Status = "available", Region = "us-west-2", DBParameterGroupName = "default.postgres16", ParameterApplyStatus = "in-sync" };
            var step = new FenceDatabaseStep("fence-db", FenceMode.ParameterGroup, cloud.Rds, "orders-db-dr", "orders-readonly", "orders", cloud.Ec2,
                new[] { "web" }, Array.Empty<(string, IAutoScalingService)>()) { PollInterval = TimeSpan.Zero };
            var ctx = new StepContext("orders.failback", "run-1", "fence-db");
            Assert.Null(await step.CheckDoneAsync(ctx, CancellationToken.None));

            var before = DateTimeOffset.UtcNow;
            var outcome = await step.ExecuteAsync(ctx, CancellationToken.None);

            Assert.Equal(new[] { "rds:ModifyDBInstance orders-db-dr parameter-group orders-readonly", "rds:RebootDBInstance orders-db-dr" }, cloud.Calls);
            Assert.True(DateTimeOffset.Parse(outcome.Outputs[FenceDatabaseStep.FencedAtOutput]) >= before);
            Assert.NotNull(await step.CheckDoneAsync(ctx, CancellationToken.None));
            Assert.Contains(step.Resources, r => r.Id == "orders-db-dr" && r.Action.Contains("orders-readonly"));
            Assert.Empty(step.Roles); // the parameter group fences the database itself; the app servers keep running
        }

        [Fact]
        public async Task Stopping_app_servers_also_scales_the_DR_groups_to_zero_and_waits_until_they_are_empty()
        {
            var cloud = new FakeCloud();
            cloud.Rds.Instances["orders-db-dr"] = new DbInstance { Identifier = "orders-db-dr", Status = "available", Region = "us-west-2" };
            cloud.Asg.Add("orders-web-dr", 2, 10, 4);
            var step = new FenceDatabaseStep("fence-db", FenceMode.StopAppServers, cloud.Rds, "orders-db-dr", null, "orders", cloud.Ec2,
                Array.Empty<string>(), new[] { ("orders-web-dr", (IAutoScalingService)cloud.Asg) }) { PollInterval = TimeSpan.Zero };
            var ctx = new StepContext("orders.failback", "run-1", "fence-db");
            Assert.Null(await step.CheckDoneAsync(ctx, CancellationToken.None));

            await step.ExecuteAsync(ctx, CancellationToken.None);

            Assert.Equal(new[] { "autoscaling:UpdateAutoScalingGroup orders-web-dr 0//0 " }, cloud.Calls);
            var g = cloud.Asg.Groups["orders-web-dr"];
            Assert.Equal((0, 10, 0, 0), (g.MinSize, g.MaxSize, g.DesiredCapacity, g.Instances.Count));
            Assert.NotNull(await step.CheckDoneAsync(ctx, CancellationToken.None));
        }
    }
}
