using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Tests.Plans;
using Xunit;

namespace DrTools.Core.Tests.Recovery.Steps
{
    /// <summary>Each AWS-backed step: what it sends, that its check finds its own work done, and the data-loss rule.</summary>
    public sealed class RecoveryStepTests : IDisposable
    {
        readonly FakeCloud _cloud = new();
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-steps-" + Guid.NewGuid().ToString("N"));
        readonly RecordingReporter _reporter = new();
        static readonly CancellationToken Ct = CancellationToken.None;

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        StepContext Ctx(string step, string run = "run-1", Dictionary<string, IReadOnlyDictionary<string, string>>? outputs = null, string plan = "orders") =>
            new(plan, run, step, _reporter, outputsOf: id => outputs != null && outputs.TryGetValue(id, out var o) ? o : null);

        static AppServerSpec Web(int count = 2, AmiSelector? ami = null) => new()
        {
            Name = "web", InstanceType = "t3.large", Count = count, SubnetId = "subnet-1", SecurityGroupIds = new[] { "sg-1" }, KeyName = "dr",
            Ami = ami ?? new AmiSelector { Name = "orders-web-*", Tags = new Dictionary<string, string> { ["role"] = "web" } },
            Tags = new Dictionary<string, string> { ["Application"] = "orders" },
        };

        void AddImages()
        {
            var tags = new Dictionary<string, string> { ["role"] = "web" };
            _cloud.Ec2.Images.Add(new Ec2Image("ami-old", "available", "orders-web-1", null, "self", new DateTime(2024, 1, 1), null, Array.Empty<string>(), tags));
            _cloud.Ec2.Images.Add(new Ec2Image("ami-new", "available", "orders-web-2", null, "self", new DateTime(2024, 5, 1), null, Array.Empty<string>(), tags));
            _cloud.Ec2.Images.Add(new Ec2Image("ami-pending", "pending", "orders-web-3", null, "self", new DateTime(2024, 6, 1), null, Array.Empty<string>(), tags));
            _cloud.Ec2.Images.Add(new Ec2Image("ami-other", "available", "orders-db-9", null, "self", new DateTime(2024, 7, 1), null, Array.Empty<string>(), tags));
        }

        [Fact]
        public async Task Launch_runs_the_newest_matching_ami_with_plan_and_run_tags_and_the_client_token()
        {
            AddImages();
            var step = new LaunchInstancesStep("launch-web", _cloud.Ec2, Web());
            var ctx = Ctx("launch-web");
            Assert.Null(await step.CheckDoneAsync(ctx, Ct));
            var outcome = await step.ExecuteAsync(ctx, Ct);

            var request = Assert.Single(_cloud.Ec2.RunRequests);
            Assert.Equal(("ami-new", "t3.large", 2, "subnet-1", "dr"), (request.ImageId, request.InstanceType, request.Count, request.SubnetId, request.KeyName));
            Assert.Equal(new[] { "sg-1" }, request.SecurityGroupIds);
            Assert.Equal(ctx.ClientToken, request.ClientToken);
            Assert.Equal("orders", request.Tags["DrTools:Plan"]);
            Assert.Equal("run-1", request.Tags["DrTools:RecoveryRun"]);
            Assert.Equal("launch-web", request.Tags["DrTools:Step"]);
            Assert.Equal("orders", request.Tags["Application"]);
            var ids = outcome.Outputs[LaunchInstancesStep.InstanceIdsOutput].Split(',');
            Assert.Equal(2, ids.Length);
            Assert.All(_cloud.Ec2.Instances, i => Assert.Equal("running", i.State));
        }

        [Fact]
        public async Task Launch_check_finds_the_instances_of_this_run_and_a_rerun_launches_nothing()
        {
            AddImages();
            var step = new LaunchInstancesStep("launch-web", _cloud.Ec2, Web());
            var first = await step.ExecuteAsync(Ctx("launch-web"), Ct);
            var done = await step.CheckDoneAsync(Ctx("launch-web"), Ct);
            Assert.NotNull(done);
            Assert.Equal(first.Outputs[LaunchInstancesStep.InstanceIdsOutput], done!.Outputs[LaunchInstancesStep.InstanceIdsOutput]);
            Assert.Single(_cloud.Mutations("ec2:RunInstances"));
            // Another plan's instances of a role with the same name are not this plan's.
            Assert.Null(await step.CheckDoneAsync(Ctx("launch-web", run: "run-2", plan: "billing"), Ct));
        }

        void AddInstance(string id, string state, string plan, string role) => _cloud.Ec2.Instances.Add(new Ec2Instance(id, state, "t3.large", "ami-new", "subnet-1",
            null, null, null, null, "dr", DateTime.UtcNow, new[] { "sg-1" }, Array.Empty<string>(),
            new Dictionary<string, string> { ["DrTools:Plan"] = plan, ["DrTools:Role"] = role, ["DrTools:RecoveryRun"] = "run-0" }));

        [Fact]
        public async Task Launch_in_a_new_run_reuses_the_instances_an_earlier_run_of_the_plan_launched_and_says_so()
        {
            AddImages();
            var step = new LaunchInstancesStep("launch-web", _cloud.Ec2, Web());
            var first = await step.ExecuteAsync(Ctx("launch-web", run: "run-1"), Ct);
            // Neither another plan's instance of a role named alike nor a terminated instance of this plan is reused.
            AddInstance("i-0000000000000000a", "running", "billing", "web");
            AddInstance("i-0000000000000000b", "terminated", "orders", "web");

            var done = await step.CheckDoneAsync(Ctx("launch-web", run: "run-2"), Ct);

            Assert.NotNull(done);
            Assert.Equal(first.Outputs[LaunchInstancesStep.InstanceIdsOutput], done!.Outputs[LaunchInstancesStep.InstanceIdsOutput]);
            Assert.Contains("reused 2", done.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("run-1", done.Message);
            Assert.Single(_cloud.Mutations("ec2:RunInstances"));
        }

        [Fact]
        public async Task Launch_in_a_new_run_launches_only_what_the_instances_of_earlier_runs_lack()
        {
            AddImages();
            await new LaunchInstancesStep("launch-web", _cloud.Ec2, Web(count: 1)).ExecuteAsync(Ctx("launch-web", run: "run-1"), Ct);
            var step = new LaunchInstancesStep("launch-web", _cloud.Ec2, Web(count: 3));
            var ctx = Ctx("launch-web", run: "run-2");
            Assert.Null(await step.CheckDoneAsync(ctx, Ct));

            var outcome = await step.ExecuteAsync(ctx, Ct);

            Assert.Equal(3, outcome.ResourceIds.Count);
            Assert.Equal(2, _cloud.Ec2.RunRequests[1].Count);
            Assert.Equal("run-2", _cloud.Ec2.RunRequests[1].Tags["DrTools:RecoveryRun"]);
            Assert.Equal("web", _cloud.Ec2.RunRequests[1].Tags["DrTools:Role"]);
            Assert.Contains("reused 1", outcome.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("run-1", outcome.Message);
        }

        [Fact]
        public async Task Launch_tops_up_a_partial_launch_with_a_token_of_its_own()
        {
            AddImages();
            var step = new LaunchInstancesStep("launch-web", _cloud.Ec2, Web(count: 3));
            var ctx = Ctx("launch-web");
            await new LaunchInstancesStep("launch-web", _cloud.Ec2, Web(count: 1)).ExecuteAsync(ctx, Ct);
            Assert.Null(await step.CheckDoneAsync(ctx, Ct));
            var outcome = await step.ExecuteAsync(ctx, Ct);
            Assert.Equal(3, outcome.ResourceIds.Count);
            Assert.Equal(2, _cloud.Ec2.RunRequests[1].Count);
            Assert.Equal(ctx.ClientToken + "-1", _cloud.Ec2.RunRequests[1].ClientToken);
        }

        [Fact]
        public async Task Launch_without_a_matching_ami_fails_with_not_found_and_launches_nothing()
        {
            var step = new LaunchInstancesStep("launch-web", _cloud.Ec2, Web());
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => step.ExecuteAsync(Ctx("launch-web"), Ct));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Contains("orders-web-*", ex.Message);
            Assert.Empty(_cloud.Mutations("ec2:"));
        }

        void AddReplica(string id = "orders-db-dr") => _cloud.Rds.Instances[id] = new DbInstance
        {
            Identifier = id, Status = "available", InstanceClass = "db.t3.medium", ReadReplicaSource = "arn:aws:rds:us-east-1:123456789012:db:orders-db", Region = "us-west-2",
        };

        PromoteDatabaseStep Promote(bool allowDataLoss = false) =>
            new("promote-db", _cloud.Rds, _cloud.Lag, "orders-db-dr", TimeSpan.FromMinutes(5), allowDataLoss) { PollDelay = TimeSpan.Zero };

        [Fact]
        public async Task Promote_promotes_a_replica_within_the_lag_limit_and_is_done_afterwards()
        {
            AddReplica();
            _cloud.Lag.Lag = TimeSpan.FromSeconds(30);
            var step = Promote();
            Assert.Null(await step.CheckDoneAsync(Ctx("promote-db"), Ct));
            var outcome = await step.ExecuteAsync(Ctx("promote-db"), Ct);
            Assert.Equal(new[] { "rds:PromoteReadReplica orders-db-dr" }, _cloud.Mutations("rds:"));
            Assert.Equal("orders-db-dr", outcome.Outputs[PromoteDatabaseStep.InstanceIdOutput]);
            Assert.NotNull(await step.CheckDoneAsync(Ctx("promote-db"), Ct));
        }

        [Theory]
        [InlineData(null, "unknown")]
        [InlineData(600, "10 min behind")]
        public async Task Promote_refuses_unknown_or_excessive_lag_without_allow_data_loss(int? lagSeconds, string reason)
        {
            AddReplica();
            _cloud.Lag.Lag = lagSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Promote().ExecuteAsync(Ctx("promote-db"), Ct));
            Assert.Equal(ErrorIds.DataLossRisk, ex.ErrorId);
            Assert.Contains(reason, ex.Message);
            Assert.Contains("-AllowDataLoss", ex.RecommendedAction);
            Assert.Empty(_cloud.Mutations("rds:"));
        }

        [Fact]
        public async Task Promote_with_allow_data_loss_promotes_and_warns()
        {
            AddReplica();
            _cloud.Lag.Lag = null;
            await Promote(allowDataLoss: true).ExecuteAsync(Ctx("promote-db"), Ct);
            Assert.Single(_cloud.Mutations("rds:PromoteReadReplica"));
            Assert.Contains(_reporter.Warnings, w => w.Contains("data loss allowed"));
        }

        [Fact]
        public async Task Promote_of_a_missing_replica_is_not_found()
        {
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Promote().CheckDoneAsync(Ctx("promote-db"), Ct));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
        }

        [Fact]
        public async Task Resize_modifies_the_class_immediately_and_is_done_when_the_class_is_the_target()
        {
            AddReplica();
            var step = new ResizeDatabaseStep("resize-db", _cloud.Rds, "orders-db-dr", "db.r6g.xlarge") { PollInterval = TimeSpan.FromMilliseconds(10) };
            Assert.Null(await step.CheckDoneAsync(Ctx("resize-db"), Ct));
            var outcome = await step.ExecuteAsync(Ctx("resize-db"), Ct);
            Assert.Equal(new[] { "rds:ModifyDBInstance orders-db-dr db.r6g.xlarge True" }, _cloud.Mutations("rds:"));
            Assert.Equal("Resized orders-db-dr from db.t3.medium to db.r6g.xlarge", outcome.Message);
            Assert.NotNull(await step.CheckDoneAsync(Ctx("resize-db"), Ct));
        }

        void AddSnapshots(DateTime newest)
        {
            _cloud.Rds.Snapshots.Add(new DbSnapshot { Identifier = "snap-old", DBInstanceIdentifier = "orders-db", Status = "available", SnapshotCreateTime = newest.AddDays(-2) });
            _cloud.Rds.Snapshots.Add(new DbSnapshot { Identifier = "snap-new", DBInstanceIdentifier = "orders-db", Status = "available", SnapshotCreateTime = newest });
            _cloud.Rds.Snapshots.Add(new DbSnapshot { Identifier = "snap-copying", DBInstanceIdentifier = "orders-db", Status = "copying", SnapshotCreateTime = newest.AddHours(1) });
        }

        [Fact]
        public async Task Restore_uses_the_newest_available_snapshot_of_the_primary_and_is_done_once_the_instance_exists()
        {
            var now = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
            AddSnapshots(now.AddHours(-3));
            var step = new RestoreDatabaseStep("restore-db", _cloud.Rds, "orders-db-restored", null, "orders-db", TimeSpan.FromDays(1), false, "db.r6g.large") { UtcNow = () => now };
            Assert.Null(await step.CheckDoneAsync(Ctx("restore-db"), Ct));
            await step.ExecuteAsync(Ctx("restore-db"), Ct);
            Assert.Equal(new[] { "rds:RestoreDBInstanceFromDBSnapshot orders-db-restored snap-new db.r6g.large" }, _cloud.Mutations("rds:"));
            Assert.Equal("run-1", _cloud.Rds.Instances["orders-db-restored"].Tags["DrTools:RecoveryRun"]);
            Assert.NotNull(await step.CheckDoneAsync(Ctx("restore-db"), Ct));
        }

        [Fact]
        public async Task Restore_refuses_a_snapshot_older_than_the_rpo_without_allow_data_loss()
        {
            var now = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
            AddSnapshots(now.AddDays(-3));
            var step = new RestoreDatabaseStep("restore-db", _cloud.Rds, "orders-db-restored", null, "orders-db", TimeSpan.FromDays(1), false) { UtcNow = () => now };
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => step.ExecuteAsync(Ctx("restore-db"), Ct));
            Assert.Equal(ErrorIds.DataLossRisk, ex.ErrorId);
            Assert.Empty(_cloud.Mutations("rds:"));
        }

        [Fact]
        public async Task Scale_sets_production_size_and_template_version_then_is_done()
        {
            _cloud.Asg.Add("orders-web-dr", 1, 2, 1);
            var step = new ScaleGroupStep("scale-orders-web-dr", _cloud.Asg, "orders-web-dr", new GroupSize(2, 10, 4), "$Latest");
            Assert.Null(await step.CheckDoneAsync(Ctx("scale"), Ct));
            await step.ExecuteAsync(Ctx("scale"), Ct);
            Assert.Equal(new[] { "autoscaling:UpdateAutoScalingGroup orders-web-dr 2/10/4 $Latest" }, _cloud.Mutations("autoscaling:"));
            Assert.Equal(4, _cloud.Asg.Groups["orders-web-dr"].InServiceHealthyCount);
            Assert.NotNull(await step.CheckDoneAsync(Ctx("scale"), Ct));
        }

        [Fact]
        public async Task Eip_goes_to_the_indexed_instance_of_the_launch_step_with_reassociation_and_is_done_afterwards()
        {
            _cloud.Ec2.AddAddress("eipalloc-1", "203.0.113.7", instanceId: "i-deadprimary");
            var outputs = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["launch-web"] = new Dictionary<string, string> { [LaunchInstancesStep.InstanceIdsOutput] = "i-a,i-b" },
            };
            var step = new AssociateElasticIpStep("eip-eipalloc-1", _cloud.Ec2, "eipalloc-1", "launch-web", 1, null);
            Assert.Equal(new[] { "launch-web" }, step.DependsOn);
            Assert.Null(await step.CheckDoneAsync(Ctx("eip", outputs: outputs), Ct));
            var outcome = await step.ExecuteAsync(Ctx("eip", outputs: outputs), Ct);
            Assert.Equal(new[] { "ec2:AssociateAddress eipalloc-1 i-b True" }, _cloud.Mutations("ec2:"));
            Assert.Equal("203.0.113.7", outcome.Outputs[AssociateElasticIpStep.PublicIpOutput]);
            Assert.NotNull(await step.CheckDoneAsync(Ctx("eip", outputs: outputs), Ct));
        }

        static DnsSpec Weighted() => new()
        {
            HostedZoneId = "/hostedzone/Z1",
            Records = new[]
            {
                new DnsRecordSpec
                {
                    Name = "orders.example.com.", Type = "A", Routing = DnsRouting.Weighted, Ttl = 60,
                    Sites = new[]
                    {
                        new DnsSiteSpec { SetIdentifier = "onprem", Weight = 100, FailoverWeight = 0, Target = new RecordTarget { Values = new[] { "198.51.100.10" } }, HealthCheckId = "hc-1" },
                        new DnsSiteSpec { SetIdentifier = "aws", Weight = 0, FailoverWeight = 100, Target = new RecordTarget { ElasticIps = new[] { "eipalloc-1" } }, HealthCheckId = "hc-2" },
                    },
                },
                new DnsRecordSpec
                {
                    Name = "api.example.com.", Type = "CNAME", Routing = DnsRouting.Simple, Ttl = 30,
                    Primary = new RecordTarget { Values = new[] { "api.onprem.example.net" } },
                    Dr = new RecordTarget { Values = new[] { "api.dr.example.net" } },
                },
            },
        };

        [Fact]
        public async Task Dns_sends_every_record_set_in_one_upsert_batch_with_elastic_ips_resolved_and_is_done_afterwards()
        {
            _cloud.Ec2.AddAddress("eipalloc-1", "203.0.113.7");
            var step = new ChangeDnsStep("change-dns", _cloud.Route53, _cloud.Ec2, Weighted(), DnsDirection.ToDr);
            Assert.Null(await step.CheckDoneAsync(Ctx("change-dns"), Ct));
            await step.ExecuteAsync(Ctx("change-dns"), Ct);

            var batch = Assert.Single(_cloud.Route53.Batches);
            Assert.All(batch, c => Assert.Equal(ChangeAction.Upsert, c.Action));
            Assert.Equal(3, batch.Count);
            var aws = batch.Single(c => c.RecordSet.SetIdentifier == "aws").RecordSet;
            Assert.Equal((100L, "hc-2", 60L), (aws.Weight!.Value, aws.HealthCheckId, aws.Ttl!.Value));
            Assert.Equal(new[] { "203.0.113.7" }, aws.Values);
            Assert.Equal(0L, batch.Single(c => c.RecordSet.SetIdentifier == "onprem").RecordSet.Weight);
            Assert.Equal(new[] { "api.dr.example.net" }, batch.Single(c => c.RecordSet.Type == "CNAME").RecordSet.Values);
            Assert.Single(_cloud.Mutations("route53:ChangeResourceRecordSets Z1 "));

            Assert.NotNull(await step.CheckDoneAsync(Ctx("change-dns"), Ct));
            // Failback wants the other side: not done, and sends the normal weights and primary values.
            var back = new ChangeDnsStep("change-dns", _cloud.Route53, _cloud.Ec2, Weighted(), DnsDirection.ToPrimary);
            Assert.Null(await back.CheckDoneAsync(Ctx("change-dns"), Ct));
            await back.ExecuteAsync(Ctx("change-dns"), Ct);
            Assert.Equal(100L, _cloud.Route53.Batches[1].Single(c => c.RecordSet.SetIdentifier == "onprem").RecordSet.Weight);
            Assert.Equal(new[] { "api.onprem.example.net" }, _cloud.Route53.Batches[1].Single(c => c.RecordSet.Type == "CNAME").RecordSet.Values);
        }

        [Fact]
        public async Task Dns_with_a_missing_elastic_ip_changes_nothing()
        {
            var step = new ChangeDnsStep("change-dns", _cloud.Route53, _cloud.Ec2, Weighted(), DnsDirection.ToDr);
            await Assert.ThrowsAsync<DrToolsException>(() => step.ExecuteAsync(Ctx("change-dns"), Ct));
            Assert.Empty(_cloud.Route53.Batches);
        }

        [Fact]
        public async Task Wait_healthy_waits_for_health_checks_and_groups()
        {
            _cloud.Asg.Add("web", 2, 4, 2);
            _cloud.Route53.Health["hc-2"] = HealthState.Unhealthy;
            var step = new WaitHealthyStep("wait-healthy", _cloud.Route53, new[] { "hc-2" }, _cloud.Asg, new[] { ("web", 2) }) { PollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromMilliseconds(200) };
            Assert.Null(await step.CheckDoneAsync(Ctx("wait-healthy"), Ct));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => step.ExecuteAsync(Ctx("wait-healthy"), Ct));
            Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
            _cloud.Route53.Health["hc-2"] = HealthState.Healthy;
            Assert.Contains("hc-2", (await step.ExecuteAsync(Ctx("wait-healthy"), Ct)).Message);
        }

        [Fact]
        public async Task Check_primary_refuses_an_unhealthy_primary_or_a_primary_database_that_is_still_a_replica()
        {
            var primary = new FakeCloud("us-east-1").Rds;
            primary.Instances["orders-db"] = new DbInstance { Identifier = "orders-db", Status = "available", ReadReplicaSource = "arn:...:orders-db-dr" };
            _cloud.Route53.Health["hc-1"] = HealthState.Unhealthy;
            var step = new CheckPrimaryStep("check-primary", _cloud.Route53, new[] { "hc-1" }, primary, "orders-db");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => step.ExecuteAsync(Ctx("check-primary"), Ct));
            Assert.Equal(ErrorIds.PrimaryNotReady, ex.ErrorId);
            Assert.Contains("hc-1 is Unhealthy", ex.Message);
            Assert.Contains("still a read replica", ex.Message);

            _cloud.Route53.Health["hc-1"] = HealthState.Healthy;
            primary.Instances["orders-db"] = primary.Instances["orders-db"] with { ReadReplicaSource = null };
            await step.ExecuteAsync(Ctx("check-primary"), Ct);
        }

        DrPlan PilotLightSite()
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "pilot-light.json"));
            var plan = DrPlanLoader.Parse(json).GetPlanOrThrow();
            AddImages();
            _cloud.Ec2.Images.Add(new Ec2Image("ami-worker", "available", "orders-worker-1", null, "self", new DateTime(2024, 5, 1), null, Array.Empty<string>(),
                new Dictionary<string, string> { ["drtools:plan"] = "orders", ["drtools:role"] = "worker" }));
            _cloud.Ec2.Images.Add(new Ec2Image("ami-web", "available", "orders-web-5", null, "self", new DateTime(2024, 5, 2), null, Array.Empty<string>(),
                new Dictionary<string, string> { ["drtools:plan"] = "orders", ["drtools:role"] = "web" }));
            AddReplica();
            _cloud.Ec2.AddAddress("eipalloc-0123456789abcdef0", "203.0.113.9");
            return plan;
        }

        [Fact]
        public async Task A_second_failover_without_resume_reuses_the_fleet_of_the_first_and_moves_no_elastic_ip()
        {
            var plan = PilotLightSite();
            var service = new RecoveryService(_cloud.Services(), new RecoveryJournalStore(_dir));
            var options = new RecoveryOptions { Approve = (_, _) => Task.FromResult(true) };
            var first = await service.RunAsync(plan, RecoveryOperation.Failover, options, Ct);
            Assert.True(first.Succeeded, string.Join("\n", first.Steps));
            var instances = _cloud.Ec2.Instances.Select(i => i.InstanceId).ToList();
            var eipHolder = _cloud.Ec2.Addresses["eipalloc-0123456789abcdef0"].InstanceId;

            var second = await service.RunAsync(plan, RecoveryOperation.Failover, options, Ct); // a new run, not -Resume

            Assert.True(second.Succeeded, string.Join("\n", second.Steps));
            Assert.NotEqual(first.RunId, second.RunId);
            Assert.Equal(instances, _cloud.Ec2.Instances.Select(i => i.InstanceId));
            Assert.Equal(2, _cloud.Mutations("ec2:RunInstances").Count());
            Assert.Single(_cloud.Mutations("ec2:AssociateAddress"));
            Assert.Equal(eipHolder, _cloud.Ec2.Addresses["eipalloc-0123456789abcdef0"].InstanceId);
            var launch = second.Steps.Single(s => s.StepId == "launch-web");
            Assert.Equal(StepStatus.Skipped, launch.Status);
            Assert.Contains($"launched by run {first.RunId}", launch.Message);
        }

        [Fact]
        public async Task Pilot_light_runs_end_to_end_on_fakes_and_a_resume_repeats_nothing()
        {
            var plan = PilotLightSite();
            var asked = new List<string>();
            var service = new RecoveryService(_cloud.Services(), new RecoveryJournalStore(_dir));
            var options = new RecoveryOptions { Approve = (q, _) => { asked.Add(q); return Task.FromResult(true); } };

            var result = await service.RunAsync(plan, RecoveryOperation.Failover, options, Ct);
            Assert.True(result.Succeeded, result.ToString() + string.Join("\n", result.Steps));
            Assert.Equal("PILOT_LIGHT", result.Strategy);
            Assert.Equal(TimeSpan.FromHours(1), result.RtoTarget);
            Assert.True(result.RtoMet);
            Assert.Single(asked);
            Assert.Equal(2, _cloud.Mutations("ec2:RunInstances").Count());
            var web = _cloud.Ec2.Instances.Where(i => i.ImageId == "ami-web").Select(i => i.InstanceId).OrderBy(i => i, StringComparer.Ordinal).ToList();
            Assert.Equal(2, web.Count);
            Assert.Equal(web[0], _cloud.Ec2.Addresses["eipalloc-0123456789abcdef0"].InstanceId);
            Assert.Equal("db.r6g.xlarge", _cloud.Rds.Instances["orders-db-dr"].InstanceClass);
            Assert.Equal(new[] { "203.0.113.9" }, _cloud.Route53.Records.Single(r => r.Name == "orders.example.com.").Values);

            var before = _cloud.Calls.Count;
            var again = await service.RunAsync(plan, RecoveryOperation.Failover, options with { Resume = true, RunId = result.RunId }, Ct);
            Assert.True(again.Succeeded);
            Assert.Equal(before, _cloud.Calls.Count);
            Assert.Single(asked); // the approval is in the journal
        }
    }
}
