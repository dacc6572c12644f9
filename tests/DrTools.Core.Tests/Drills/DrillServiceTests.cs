using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Tests.Recovery.Steps;
using Xunit;

namespace DrTools.Core.Tests.Drills
{
    /// <summary>Drills against the in-memory cloud: isolation, cleanup in every ending, measurement, history.</summary>
    public sealed class DrillServiceTests : IDisposable
    {
        readonly FakeCloud _cloud = new();
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-drill-" + Guid.NewGuid().ToString("N"));
        static readonly DateTime AmiCreated = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public DrillServiceTests()
        {
            _cloud.Rds.Instances["orders-db-dr"] = new DbInstance
            {
                Identifier = "orders-db-dr", Status = "available", ReadReplicaSource = "arn:aws:rds:us-east-1:1:db:orders-db", InstanceClass = "db.t3.medium", Region = "us-west-2",
            };
            _cloud.Asg.Add("api", 1, 1, 1, version: "3");
            _cloud.Ec2.AddAddress("eipalloc-1", "3.3.3.3");
            _cloud.Ec2.Images.Add(new Ec2Image("ami-1", "available", "orders-web", null, "self", AmiCreated, null, Array.Empty<string>(), new Dictionary<string, string>()));
            _cloud.Route53.Records.Add(new ResourceRecordSet { Name = "app.example.com.", Type = "A", Ttl = 60, Values = new[] { "1.2.3.4" } });
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (DirectoryNotFoundException) { }
        }

        static DrPlan PilotLight(DrillSpec? drill = null, bool withDrill = true) => new()
        {
            Name = "orders", Strategy = DrStrategy.PilotLight, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
            Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(15),
            Resources = new PlanResources
            {
                AppServers = new[]
                {
                    new AppServerSpec { Name = "web", Ami = new AmiSelector { Id = "ami-1" }, InstanceType = "t3.large", SubnetId = "subnet-prod", SecurityGroupIds = new[] { "sg-prod" }, Count = 2 },
                },
                Database = new DatabaseSpec { PrimaryInstanceId = "orders-db", ReplicaInstanceId = "orders-db-dr", TargetInstanceClass = "db.r6g.large" },
                AutoScalingGroups = new[] { new AutoScalingGroupSpec { Name = "api", Standby = new GroupSize(1, 1, 1), Production = new GroupSize(2, 6, 3), LaunchTemplateVersion = "5" } },
                ElasticIps = new[] { new ElasticIpSpec { AllocationId = "eipalloc-1", AppServer = "web" } },
                Dns = new DnsSpec
                {
                    HostedZoneId = "Z1",
                    Records = new[] { new DnsRecordSpec { Name = "app.example.com.", Routing = DnsRouting.Simple, Ttl = 60, Dr = new RecordTarget { ElasticIps = new[] { "eipalloc-1" } }, Primary = new RecordTarget { Values = new[] { "1.2.3.4" } } } },
                },
            },
            Drill = withDrill ? drill ?? new DrillSpec
            {
                SubnetId = "subnet-drill", SecurityGroupIds = new[] { "sg-drill" }, DbSubnetGroupName = "drill-db", DbSecurityGroupIds = new[] { "sg-drilldb" },
                Dns = new DrillDnsSpec { HostedZoneId = "Z1", RecordName = "drill.example.com.", AppServer = "web", Ttl = 30 },
            } : null,
        };

        static DrPlan BackupAndRestore(string? snapshotId = null) => new()
        {
            Name = "billing", Strategy = DrStrategy.BackupAndRestore, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
            Rto = TimeSpan.FromHours(4), Rpo = TimeSpan.FromHours(24),
            Resources = new PlanResources
            {
                Database = new DatabaseSpec { PrimaryInstanceId = "billing-db", Restore = new DatabaseRestoreSpec { InstanceId = "billing-db-dr", SnapshotId = snapshotId } },
            },
        };

        DrillService Service() => new(_cloud.Services(), new RecoveryJournalStore(_dir)) { CleanupPollInterval = TimeSpan.FromMilliseconds(1) };

        static DrillOptions Options() => new() { RunId = "r1", CleanupTimeout = TimeSpan.FromSeconds(30) };

        List<string> Calls(string prefix) => _cloud.Mutations(prefix).ToList();

        [Fact]
        public async Task A_drill_promotes_nothing_changes_no_production_record_resizes_no_plan_group_and_moves_no_elastic_ip()
        {
            var result = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);

            Assert.True(result.Passed, string.Join("; ", result.Steps));
            Assert.Empty(Calls("rds:PromoteReadReplica"));
            Assert.Empty(Calls("rds:ModifyDBInstance"));
            Assert.Empty(Calls("autoscaling:UpdateAutoScalingGroup"));
            Assert.Empty(Calls("ec2:AssociateAddress"));
            Assert.NotNull(_cloud.Rds.Instances["orders-db-dr"].ReadReplicaSource);
            Assert.Equal((1, 1, 1), (_cloud.Asg.Groups["api"].MinSize, _cloud.Asg.Groups["api"].MaxSize, _cloud.Asg.Groups["api"].DesiredCapacity));
            Assert.Null(_cloud.Ec2.Addresses["eipalloc-1"].InstanceId);
            // Route 53 saw only the drill record: its UPSERT and, at cleanup, the DELETE of exactly that value.
            var changes = _cloud.Route53.Batches.SelectMany(b => b).ToList();
            Assert.All(changes, c => Assert.Equal("drill.example.com.", c.RecordSet.Name));
            Assert.Equal(new[] { ChangeAction.Upsert, ChangeAction.Delete }, changes.Select(c => c.Action));
            Assert.Equal(changes[0].RecordSet.Values, changes[1].RecordSet.Values);
            Assert.Equal(new[] { "1.2.3.4" }, _cloud.Route53.Records.Single(r => r.Name == "app.example.com.").Values);

            // What it created: drill instances in the drill subnet, a drill DB from a snapshot of the replica, a copy of the group.
            Assert.All(_cloud.Ec2.RunRequests, r =>
            {
                Assert.Equal("subnet-drill", r.SubnetId);
                Assert.Equal(new[] { "sg-drill" }, r.SecurityGroupIds);
                Assert.Equal("r1", r.Tags[DrillTags.Drill]);
                Assert.Equal("orders.drill", r.Tags[RecoveryStepBase.TagPlan]);
            });
            Assert.Equal(new[] { "rds:CreateDBSnapshot orders-db-dr orders-db-dr-drill-r1" }, Calls("rds:CreateDBSnapshot"));
            Assert.Equal(new[] { "rds:RestoreDBInstanceFromDBSnapshot orders-db-dr-drill-r1 orders-db-dr-drill-r1 db.r6g.large" }, Calls("rds:RestoreDBInstance"));
            Assert.Equal(new[] { "autoscaling:CreateAutoScalingGroup api-drill-r1 3/3/3 lt-1:5  subnet-drill" }, Calls("autoscaling:CreateAutoScalingGroup"));
        }

        [Fact]
        public async Task After_success_everything_tagged_with_the_run_id_is_deleted_and_verified_gone()
        {
            var result = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);

            Assert.True(result.CleanedUp);
            Assert.Empty(result.Leftovers);
            Assert.All(_cloud.Ec2.Instances, i => Assert.Equal("terminated", i.State));
            Assert.Equal(new[] { "rds:DeleteDBInstance orders-db-dr-drill-r1 skipFinal=True deleteBackups=True" }, Calls("rds:DeleteDBInstance"));
            Assert.Equal(new[] { "rds:DeleteDBSnapshot orders-db-dr-drill-r1" }, Calls("rds:DeleteDBSnapshot"));
            Assert.Equal(new[] { "autoscaling:DeleteAutoScalingGroup api-drill-r1 force=True" }, Calls("autoscaling:DeleteAutoScalingGroup"));
            Assert.DoesNotContain(_cloud.Route53.Records, r => r.Name == "drill.example.com.");
            Assert.True(_cloud.Rds.Instances.ContainsKey("orders-db-dr"));
            Assert.True(_cloud.Asg.Groups.ContainsKey("api"));
            Assert.Empty(await Service().FindLeftoversAsync(PilotLight(), "r1", CancellationToken.None));
        }

        [Fact]
        public async Task Cleanup_also_deletes_a_drill_instance_that_appears_while_it_runs()
        {
            // An instance the drill's group launched while it was being deleted (moto does this), or one EC2 lists only
            // late (DescribeInstances is eventually consistent): the first look misses it, cleanup must not leave it.
            var late = false;
            _cloud.Ec2.Terminated = ids =>
            {
                if (late) return;
                late = true;
                var first = _cloud.Ec2.Instances.First(i => i.InstanceId == ids[0]);
                lock (_cloud.Ec2.Instances) _cloud.Ec2.Instances.Add(first with { InstanceId = "i-late", State = "running" });
            };

            var result = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);

            Assert.True(late);
            Assert.True(result.CleanedUp, string.Join("; ", result.Leftovers));
            Assert.Empty(result.Leftovers);
            Assert.Equal("terminated", _cloud.Ec2.Instances.Single(i => i.InstanceId == "i-late").State);
        }

        [Fact]
        public async Task After_a_failed_step_the_drill_fails_and_still_cleans_up()
        {
            _cloud.Asg.Groups.TryRemove("api", out _); // group-api fails with NotFound

            var result = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);

            Assert.False(result.Passed);
            Assert.Contains(result.Steps, s => s.StepId == "group-api" && s.Status == StepStatus.Failed);
            Assert.Null(result.AchievedRto);
            Assert.True(result.CleanedUp);
            Assert.All(_cloud.Ec2.Instances, i => Assert.Equal("terminated", i.State));
            Assert.Empty(await Service().FindLeftoversAsync(PilotLight(), "r1", CancellationToken.None));
        }

        [Fact]
        public async Task A_drill_whose_cleanup_ran_cannot_be_resumed_and_a_kept_one_can()
        {
            _cloud.Asg.Groups.TryRemove("api", out _); // group-api fails: the drill fails and cleans up
            var failed = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);
            Assert.True(failed.CleanedUp);
            var launches = _cloud.Ec2.RunRequests.Count;

            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                Service().RunAsync(PilotLight(), new DrillOptions { RunId = "r1", Resume = true, CleanupTimeout = TimeSpan.FromSeconds(30) }, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            Assert.Contains("new drill", ex.RecommendedAction);
            Assert.Equal(launches, _cloud.Ec2.RunRequests.Count);
            Assert.Single(await Service().History.ListAsync("orders", "r1"));

            var kept = await Service().RunAsync(PilotLight(), new DrillOptions { RunId = "k1", Keep = true }, CancellationToken.None);
            Assert.True(kept.Kept);
            _cloud.Asg.Add("api", 1, 1, 1, version: "3");
            var resumed = await Service().RunAsync(PilotLight(), new DrillOptions { RunId = "k1", Resume = true, CleanupTimeout = TimeSpan.FromSeconds(30) }, CancellationToken.None);
            Assert.True(resumed.Passed, string.Join("; ", resumed.Steps));
        }

        [Fact]
        public async Task An_environment_that_cannot_be_read_fails_validation_and_the_result_is_still_returned_and_saved()
        {
            // Every step succeeded (the drill record is set); then DescribeInstances is throttled.
            _cloud.Ec2.DescribeByIdFault = _ => _cloud.Route53.Records.Any(r => r.Name == "drill.example.com.")
                ? new DrToolsException(ErrorIds.Throttled, DrErrorCategory.LimitsExceeded, "Rate exceeded") : null;
            var validated = false;
            var options = new DrillOptions
            {
                RunId = "r1", CleanupTimeout = TimeSpan.FromSeconds(30),
                Validations = new Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>[]
                {
                    (env, ct) => { validated = true; return Task.FromResult<IReadOnlyList<DrillValidationResult>>(Array.Empty<DrillValidationResult>()); },
                },
            };

            var result = await Service().RunAsync(PilotLight(), options, CancellationToken.None);

            Assert.True(result.Recovery!.Succeeded);
            Assert.False(result.Passed);
            Assert.False(validated);
            var failed = Assert.Single(result.Validation);
            Assert.False(failed.Passed);
            Assert.Equal("could not read the drill environment: DrTools.Throttled Rate exceeded", failed.Message);
            Assert.True(result.CleanedUp);
            Assert.Single(await Service().History.ListAsync("orders", "r1"));
        }

        [Fact]
        public async Task A_record_of_the_drill_name_that_no_drill_created_is_refused_and_survives_the_drill_and_Remove()
        {
            var foreign = new ResourceRecordSet { Name = "drill.example.com.", Type = "A", Ttl = 300, Values = new[] { "10.7.7.7" } };
            _cloud.Route53.Records.Add(foreign);

            var result = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);

            Assert.False(result.Passed);
            var dns = result.Steps.Single(s => s.StepId == "drill-dns");
            Assert.Equal(StepStatus.Failed, dns.Status);
            var error = Assert.IsType<DrToolsException>(dns.Error);
            Assert.Equal(ErrorIds.InvalidState, error.ErrorId);
            Assert.Contains("drill.example.com.", error.Message);
            Assert.Contains("only drills use", error.RecommendedAction);
            Assert.True(result.CleanedUp, string.Join("; ", result.Leftovers));
            Assert.Empty(_cloud.Route53.Batches);
            Assert.Same(foreign, _cloud.Route53.Records.Single(r => r.Name == "drill.example.com."));

            Assert.Empty(await Service().FindLeftoversAsync(PilotLight(), null, CancellationToken.None));
            Assert.Empty(await Service().RemoveAsync(PilotLight(), null, TimeSpan.FromSeconds(30), CancellationToken.None));
            Assert.Empty(_cloud.Route53.Batches);
            Assert.Same(foreign, _cloud.Route53.Records.Single(r => r.Name == "drill.example.com."));
        }

        [Fact]
        public async Task After_cancellation_cleanup_runs_and_the_cancellation_carries_the_result()
        {
            using var cts = new CancellationTokenSource();
            var options = new DrillOptions
            {
                RunId = "r1",
                Validations = new Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>[]
                {
                    async (env, ct) => { cts.Cancel(); await Task.Delay(Timeout.Infinite, ct); return Array.Empty<DrillValidationResult>(); },
                },
            };

            var ex = await Assert.ThrowsAsync<DrillCancelledException>(() => Service().RunAsync(PilotLight(), options, cts.Token));

            Assert.False(ex.Result.Passed);
            Assert.True(ex.Result.CleanedUp);
            Assert.Contains("cancelled", ex.Result.StopReason);
            Assert.All(_cloud.Ec2.Instances, i => Assert.Equal("terminated", i.State));
            Assert.DoesNotContain(_cloud.Rds.Instances.Keys, k => k.Contains("drill"));
        }

        sealed class Alarm : IDrillStopCondition
        {
            public string Name => "orders-5xx";
            public Task<string?> CheckAsync(CancellationToken ct) => Task.FromResult<string?>("CloudWatch alarm 'orders-5xx' is in ALARM: Threshold Crossed");
        }

        [Fact]
        public async Task A_stop_condition_stops_the_drill_cleans_up_and_says_why()
        {
            var options = new DrillOptions
            {
                RunId = "r1", StopConditions = new IDrillStopCondition[] { new Alarm() }, StopCheckInterval = TimeSpan.FromMilliseconds(1),
                // Keeps the drill running until the stop condition ends it, wherever the watcher fires.
                Validations = new Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>[]
                {
                    async (env, ct) => { await Task.Delay(Timeout.Infinite, ct); return Array.Empty<DrillValidationResult>(); },
                },
            };

            var result = await Service().RunAsync(PilotLight(), options, CancellationToken.None);

            Assert.False(result.Passed);
            Assert.Equal("CloudWatch alarm 'orders-5xx' is in ALARM: Threshold Crossed", result.StopReason);
            Assert.True(result.CleanedUp);
            Assert.Empty(await Service().FindLeftoversAsync(PilotLight(), "r1", CancellationToken.None));
        }

        sealed class NoAlarms : ICloudWatchAlarms
        {
            public string Region => "us-west-2";
            public Task<IReadOnlyList<CloudWatchAlarmState>> DescribeAlarmsAsync(IReadOnlyList<string> names, CancellationToken ct) =>
                Task.FromResult<IReadOnlyList<CloudWatchAlarmState>>(Array.Empty<CloudWatchAlarmState>());
        }

        [Fact]
        public async Task A_stop_alarm_that_does_not_exist_fails_the_drill_before_anything_is_created()
        {
            var options = new DrillOptions { RunId = "r1", StopConditions = new IDrillStopCondition[] { new AlarmStopCondition(new NoAlarms(), new[] { "orders-5xxx" }) } };

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Service().RunAsync(PilotLight(), options, CancellationToken.None));

            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.StartsWith("CloudWatch alarm 'orders-5xxx' does not exist in us-west-2", ex.Message);
            Assert.Empty(_cloud.Calls);
        }

        sealed class Unreadable : IDrillStopCondition
        {
            public string Name => "CloudWatch alarm 'orders-5xx'";
            public Task<string?> CheckAsync(CancellationToken ct) => Task.FromException<string?>(new InvalidOperationException("CloudWatch is throttling"));
        }

        [Fact]
        public async Task A_stop_condition_that_cannot_be_read_three_times_in_a_row_stops_the_drill_and_cleans_up()
        {
            var options = new DrillOptions
            {
                RunId = "r1", StopConditions = new IDrillStopCondition[] { new Unreadable() }, StopCheckInterval = TimeSpan.FromMilliseconds(1),
                Validations = new Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>[]
                {
                    async (env, ct) => { await Task.Delay(Timeout.Infinite, ct); return Array.Empty<DrillValidationResult>(); },
                },
            };

            var result = await Service().RunAsync(PilotLight(), options, CancellationToken.None);

            Assert.False(result.Passed);
            Assert.Equal("cannot read stop condition 'CloudWatch alarm 'orders-5xx'' (3 checks in a row failed): CloudWatch is throttling", result.StopReason);
            Assert.True(result.CleanedUp);
        }

        [Fact]
        public async Task A_kept_drill_that_Remove_deleted_cannot_be_resumed_and_its_history_says_when_it_was_removed()
        {
            var kept = await Service().RunAsync(PilotLight(), new DrillOptions { RunId = "r1", Keep = true }, CancellationToken.None);
            Assert.True(kept.Kept);

            var left = await Service().RemoveAsync(PilotLight(), "r1", TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Empty(left);

            var record = Assert.Single(await Service().History.ListAsync("orders", "r1"));
            Assert.NotNull(record.RemovedAt);
            Assert.Empty(record.Leftovers);
            // Resuming would reuse steps whose resources Remove-DrDrill deleted.
            var refused = await Assert.ThrowsAsync<DrToolsException>(() =>
                Service().RunAsync(PilotLight(), new DrillOptions { RunId = "r1", Resume = true }, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidState, refused.ErrorId);
        }

        [Fact]
        public async Task Keep_deletes_nothing_and_lists_what_it_left_which_Remove_then_deletes_by_tag_sparing_production()
        {
            // A real recovery's instance of the same role: no drill tag, the plan's own name.
            _cloud.Ec2.Instances.Add(new Ec2Instance("i-prod", "running", "t3.large", "ami-1", "subnet-prod", null, null, "10.9.9.9", null, null, DateTime.UtcNow,
                Array.Empty<string>(), Array.Empty<string>(), new Dictionary<string, string> { [RecoveryStepBase.TagPlan] = "orders", [RecoveryStepBase.TagRole] = "web" }));

            var result = await Service().RunAsync(PilotLight(), new DrillOptions { RunId = "r1", Keep = true }, CancellationToken.None);

            Assert.True(result.Kept);
            Assert.False(result.CleanedUp);
            Assert.Empty(Calls("ec2:TerminateInstances"));
            Assert.Empty(Calls("rds:Delete"));
            var kinds = result.Leftovers.GroupBy(l => l.Kind).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(2, kinds[DrillCleaner.KindInstance]);
            Assert.Equal(1, kinds[DrillCleaner.KindDatabase]);
            Assert.Equal(1, kinds[DrillCleaner.KindSnapshot]);
            Assert.Equal(1, kinds[DrillCleaner.KindGroup]);
            Assert.Equal(1, kinds[DrillCleaner.KindDns]);
            Assert.DoesNotContain(result.Leftovers, l => l.Id == "i-prod");
            // The launch did not adopt the production instance either.
            Assert.DoesNotContain(result.Steps.Single(s => s.StepId == "launch-web").ResourceIds, id => id == "i-prod");

            var left = await Service().RemoveAsync(PilotLight(), null, TimeSpan.FromSeconds(30), CancellationToken.None);

            Assert.Empty(left);
            Assert.Equal("running", _cloud.Ec2.Instances.Single(i => i.InstanceId == "i-prod").State);
            Assert.Equal(new[] { "ec2:TerminateInstances " + string.Join(",", result.Leftovers.Where(l => l.Kind == DrillCleaner.KindInstance).Select(l => l.Id)) },
                Calls("ec2:TerminateInstances"));
        }

        [Fact]
        public async Task Rpo_is_the_replica_lag_at_the_snapshot_and_amis_are_reported_apart()
        {
            _cloud.Lag.Lag = TimeSpan.FromSeconds(42);
            _cloud.Rds.SnapshotClock = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

            var result = await Service().RunAsync(PilotLight(), Options(), CancellationToken.None);

            var db = result.Rpo.Single(c => c.Component == "database");
            Assert.Equal(TimeSpan.FromSeconds(42), db.Age);
            Assert.Equal(new DateTimeOffset(2026, 3, 1, 11, 59, 18, TimeSpan.Zero), db.DataTime);
            var ami = result.Rpo.Single(c => c.Component == "ami:web");
            Assert.Equal(result.Started - new DateTimeOffset(AmiCreated), ami.Age);
            Assert.Equal(TimeSpan.FromSeconds(42), result.AchievedRpo); // the AMI's months are not data loss
            Assert.True(result.RpoMet);
            Assert.True(result.RtoMet);
            Assert.NotNull(result.AchievedRto);
        }

        [Fact]
        public async Task Rpo_from_a_snapshot_is_its_age_at_the_start_and_ransomware_takes_the_newest_before_the_given_time()
        {
            var now = DateTime.UtcNow;
            DbSnapshot Snap(string id, DateTime taken) => new() { Identifier = id, DBInstanceIdentifier = "billing-db", Status = "available", SnapshotType = "manual", OriginalSnapshotCreateTime = taken, Region = "us-west-2" };
            _cloud.Rds.Snapshots.Add(Snap("billing-3h", now.AddHours(-3)));
            _cloud.Rds.Snapshots.Add(Snap("billing-1h", now.AddHours(-1)));

            var plain = await Service().RunAsync(BackupAndRestore(), Options(), CancellationToken.None);
            var ransomware = await Service().RunAsync(BackupAndRestore(),
                new DrillOptions { RunId = "r2", Scenario = DrillScenario.Ransomware, Before = new DateTimeOffset(now.AddHours(-2)) }, CancellationToken.None);

            Assert.Equal(plain.Started - new DateTimeOffset(now.AddHours(-1)), plain.Rpo.Single().Age);
            Assert.True(plain.Passed);
            Assert.Contains("rds:RestoreDBInstanceFromDBSnapshot billing-db-dr-drill-r2 billing-3h ", Calls("rds:RestoreDBInstance"));
            Assert.Equal(ransomware.Started - new DateTimeOffset(now.AddHours(-3)), ransomware.AchievedRpo);
            Assert.True(ransomware.CleanedUp);
            // The plan's snapshots are recovery points, not drill resources: cleanup keeps them.
            Assert.Equal(2, _cloud.Rds.Snapshots.Count);
        }

        [Fact]
        public async Task Ransomware_launches_app_servers_only_from_an_ami_created_before_the_given_time()
        {
            var now = DateTime.UtcNow;
            _cloud.Ec2.Images.Clear();
            _cloud.Ec2.Images.Add(new Ec2Image("ami-old", "available", "orders-web-old", null, "self", now.AddHours(-3), null, Array.Empty<string>(), new Dictionary<string, string>()));
            _cloud.Ec2.Images.Add(new Ec2Image("ami-new", "available", "orders-web-new", null, "self", now.AddHours(-1), null, Array.Empty<string>(), new Dictionary<string, string>()));
            DrPlan Plan(AmiSelector ami)
            {
                var p = PilotLight();
                return new DrPlan
                {
                    Name = p.Name, Strategy = p.Strategy, PrimaryRegion = p.PrimaryRegion, DrRegion = p.DrRegion, Rto = p.Rto, Rpo = p.Rpo, Drill = p.Drill,
                    Resources = new PlanResources { AppServers = new[] { new AppServerSpec { Name = "web", Ami = ami, InstanceType = "t3.large", Count = 1 } } },
                };
            }
            var before = new DateTimeOffset(now.AddHours(-2));

            var byName = await Service().RunAsync(Plan(new AmiSelector { Name = "orders-web-*" }),
                new DrillOptions { RunId = "r1", Scenario = DrillScenario.Ransomware, Before = before }, CancellationToken.None);
            Assert.True(byName.Passed, string.Join("\n", byName.Steps.Select(x => $"{x.StepId} {x.Status} {x.Message}")));
            Assert.Contains("ami-old", byName.Steps.Single(x => x.StepId == "launch-web").Message);

            // A fixed AMI created after the time is refused instead of launched.
            var fixedNew = await Service().RunAsync(Plan(new AmiSelector { Id = "ami-new" }),
                new DrillOptions { RunId = "r2", Scenario = DrillScenario.Ransomware, Before = before }, CancellationToken.None);
            var launch = fixedNew.Steps.Single(x => x.StepId == "launch-web");
            Assert.Equal((StepStatus.Failed, "DrTools.InvalidState"), (launch.Status, launch.ErrorId));
            Assert.False(fixedNew.Passed);
            Assert.True(fixedNew.CleanedUp);
        }

        [Fact]
        public async Task A_latest_restorable_drill_reports_when_the_restored_data_is_from_and_restores_a_single_AZ_unprotected_copy()
        {
            var latest = DateTime.UtcNow.AddMinutes(-10);
            _cloud.Rds.AutomatedBackups.Add(new DbAutomatedBackup
            {
                DBInstanceIdentifier = "billing-db", SourceRegion = "us-east-1", Region = "us-west-2", Status = "replicating",
                Arn = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-billing", LatestRestorableTime = latest,
                EarliestRestorableTime = latest.AddDays(-7),
            });
            var plan = BackupAndRestore();
            plan = new DrPlan
            {
                Name = plan.Name, Strategy = plan.Strategy, PrimaryRegion = plan.PrimaryRegion, DrRegion = plan.DrRegion, Rto = plan.Rto, Rpo = plan.Rpo,
                Resources = new PlanResources
                {
                    Database = new DatabaseSpec { PrimaryInstanceId = "billing-db", Restore = new DatabaseRestoreSpec { InstanceId = "billing-db-dr", LatestRestorable = true } },
                },
            };

            var result = await Service().RunAsync(plan, Options(), CancellationToken.None);

            Assert.True(result.Passed, string.Join("\n", result.Steps.Select(x => $"{x.StepId} {x.Status} {x.Message}")));
            var rpo = Assert.Single(result.Rpo);
            Assert.Equal(RecoveryPointTags.FormatTime(latest), RecoveryPointTags.FormatTime(rpo.DataTime!.Value.UtcDateTime));
            Assert.NotNull(rpo.Age);
            var sent = _cloud.Rds.LastPointInTimeRestore!;
            Assert.Equal(((bool?)false, (bool?)false), (sent.MultiAZ, sent.DeletionProtection));
        }

        [Fact]
        public void Point_in_time_builds_the_restore_with_the_time_and_a_missing_time_is_refused()
        {
            var at = new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);
            var steps = Service().BuildSteps(PilotLight(), new DrillOptions { Scenario = DrillScenario.PointInTime, PointInTime = at }, "r1");

            var restore = steps.OfType<RestoreDatabaseStep>().Single();
            Assert.Equal(at.UtcDateTime, restore.PointInTime);
            Assert.Equal("orders-db", restore.PrimaryInstanceId);
            Assert.Equal("drill-db", restore.DBSubnetGroupName);
            Assert.Equal("r1", restore.ExtraTags![DrillTags.Drill]);
            // The primary's backups come from the plan's primary region; the scratch copy has no standby and no deletion protection.
            Assert.Equal("us-east-1", restore.SourceRegion);
            Assert.Equal(((bool?)false, (bool?)false), (restore.MultiAZ, restore.DeletionProtection));
            Assert.DoesNotContain(steps, s => s.Id == "snapshot-db");

            var ex = Assert.Throws<DrTools.Core.Diagnostics.DrToolsException>(() => Service().Plan(PilotLight(), new DrillOptions { Scenario = DrillScenario.PointInTime }));
            Assert.Equal(DrTools.Core.Diagnostics.ErrorIds.InvalidParameter, ex.ErrorId);
        }

        [Fact]
        public void WhatIf_lists_the_steps_the_skipped_plan_resources_with_reasons_and_the_cleanup()
        {
            var plan = Service().Plan(PilotLight(), Options());

            Assert.Equal(new[] { "launch-web", "group-api", "snapshot-db", "restore-db", "drill-dns" }, plan.Steps.Steps.Select(s => s.Id));
            Assert.Contains(plan.Skipped, s => s.Id == "eipalloc-1" && s.Reason.Contains("never moved"));
            Assert.Contains(plan.Skipped, s => s.Id == "orders-db-dr" && s.Reason.Contains("never promoted"));
            Assert.Contains(plan.Skipped, s => s.Id == "app.example.com. A");
            Assert.Contains(plan.Cleanup, l => l.Contains("orders-db-dr-drill-r1") && l.Contains("without final snapshot"));
            Assert.Empty(_cloud.Calls);
        }

        [Fact]
        public void A_drill_record_that_is_a_production_record_is_refused()
        {
            var plan = PilotLight(new DrillSpec { Dns = new DrillDnsSpec { HostedZoneId = "Z1", RecordName = "APP.example.com" } });
            var ex = Assert.Throws<DrTools.Core.Diagnostics.DrToolsException>(() => Service().Plan(plan, Options()));
            Assert.Equal(DrTools.Core.Diagnostics.ErrorIds.InvalidPlan, ex.ErrorId);
        }

        [Fact]
        public async Task Without_a_drill_section_there_is_no_dns_step_and_instances_use_the_plan_subnets()
        {
            var result = await Service().RunAsync(PilotLight(withDrill: false), Options(), CancellationToken.None);

            Assert.True(result.Passed);
            Assert.DoesNotContain(result.Steps, s => s.StepId == "drill-dns");
            Assert.Empty(_cloud.Route53.Batches);
            Assert.All(_cloud.Ec2.RunRequests, r => Assert.Equal("subnet-prod", r.SubnetId));
        }

        [Fact]
        public async Task History_lists_drills_newest_first_filters_by_run_and_finds_the_latest_passing()
        {
            var history = new DrillHistory(new RecoveryJournalStore(_dir));
            var t0 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
            await history.SaveAsync(new DrillResult { Plan = "orders", RunId = "a", Started = t0, Passed = true }, CancellationToken.None);
            await history.SaveAsync(new DrillResult { Plan = "orders", RunId = "c", Started = t0.AddDays(2), Passed = false }, CancellationToken.None);
            await history.SaveAsync(new DrillResult { Plan = "orders", RunId = "b", Started = t0.AddDays(1), Passed = true, AchievedRpo = TimeSpan.FromSeconds(3) }, CancellationToken.None);
            await history.SaveAsync(new DrillResult { Plan = "other", RunId = "z", Started = t0.AddDays(9), Passed = true }, CancellationToken.None);

            Assert.Equal(new[] { "c", "b", "a" }, (await history.ListAsync("orders")).Select(r => r.RunId));
            Assert.Equal(new[] { "c" }, (await history.ListAsync("orders", last: 1)).Select(r => r.RunId));
            Assert.Equal(TimeSpan.FromSeconds(3), (await history.ListAsync("orders", runId: "b")).Single().AchievedRpo);
            Assert.Equal("b", (await history.LatestPassingAsync("orders"))!.RunId);
        }

        [Fact]
        public async Task A_drill_saves_its_result_with_the_timeline_in_the_history()
        {
            var service = Service();
            var result = await service.RunAsync(PilotLight(), Options(), CancellationToken.None);

            var saved = (await service.History.ListAsync("orders")).Single();
            Assert.Equal(result.RunId, saved.RunId);
            Assert.Equal(result.Steps.Select(s => (s.StepId, s.Status)), saved.Steps.Select(s => (s.StepId, s.Status)));
            Assert.Equal(result.AchievedRpo, saved.AchievedRpo);
            Assert.True(saved.CleanedUp);
            // Drills are journaled apart from recoveries.
            Assert.True(new RecoveryJournalStore(_dir).Exists("orders.drill", "r1"));
            Assert.False(new RecoveryJournalStore(_dir).Exists("orders", "r1"));
        }
    }
}
