using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Status;
using DrTools.Core.Tests.Plans.Readiness;
using Xunit;
using R53 = DrTools.Core.Aws.Route53;

namespace DrTools.Core.Tests.Status
{
    /// <summary>Get-DrStatus in the core, over the readiness fakes, on the example plans New-DrPlan writes.</summary>
    public class StatusServiceTests
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        const string Zone = "Z0123456789ABCDEFGHIJ";
        const string Eip = "eipalloc-0123456789abcdef0";
        const string PrimaryHc = "11111111-2222-3333-4444-555555555555";
        const string DrHc = "66666666-7777-8888-9999-000000000000";
        const string Record = "orders.example.com.";

        static Ec2Image Image(string id, string role, TimeSpan age) =>
            new(id, "available", $"orders-{role}-{id}", null, "123456789012", (Now - age).UtcDateTime, null, Array.Empty<string>(),
                new Dictionary<string, string> { ["drtools:plan"] = "orders", ["drtools:role"] = role });

        static AutoScalingGroupInfo Group(string name, int desired, int inService) => new()
        {
            LaunchTemplate = new LaunchTemplateRef { LaunchTemplateId = "lt-0123456789abcdef0", LaunchTemplateName = "orders-dr", Version = "$Default" },
            Name = name, MinSize = 0, MaxSize = 10, DesiredCapacity = desired, AvailabilityZones = new[] { "us-west-2a" },
            Instances = Enumerable.Range(0, inService).Select(i => new AutoScalingInstance { InstanceId = $"i-{i:x17}", LifecycleState = "InService", HealthStatus = "Healthy" }).ToList(),
        };

        static FakeAws Healthy()
        {
            var aws = new FakeAws();
            aws.Images.Add(Image("ami-00000000000000001", "web", TimeSpan.FromHours(2)));
            aws.Images.Add(Image("ami-00000000000000002", "worker", TimeSpan.FromHours(2)));
            aws.Addresses.Add(new Ec2Address(Eip, "203.0.113.7", null, null, null, null, new Dictionary<string, string>()));
            aws.Instances.Add(new DbInstance
            {
                Identifier = "orders-db-dr", Status = "available", InstanceClass = "db.r6g.large", Region = "us-west-2",
                ReadReplicaSource = "arn:aws:rds:us-east-1:123456789012:db:orders-db",
            });
            aws.Snapshots.Add(new DbSnapshot
            {
                Identifier = "orders-db-copy-1", DBInstanceIdentifier = "orders-db", Status = "available", Region = "us-west-2",
                OriginalSnapshotCreateTime = (Now - TimeSpan.FromHours(3)).UtcDateTime,
            });
            aws.Groups.Add(Group("orders-web-dr", 4, 4));
            aws.Groups.Add(Group("orders-worker-dr", 0, 0));
            aws.Zones.Add(new HostedZone { Id = Zone, Name = "example.com.", RecordSetCount = 6 });
            aws.Records[Zone] = new List<ResourceRecordSet>
            {
                new() { Name = Record, Type = "A", Ttl = 60, Values = new[] { "198.51.100.10" } },
                new() { Name = Record, Type = "A", SetIdentifier = "us-east-1", Failover = R53.FailoverRole.Primary, HealthCheckId = PrimaryHc, Values = new[] { "198.51.100.10" } },
                new() { Name = Record, Type = "A", SetIdentifier = "us-west-2", Failover = R53.FailoverRole.Secondary, HealthCheckId = DrHc, Values = new[] { "203.0.113.10" } },
            };
            aws.HealthChecks.Add(new HealthCheck { Id = PrimaryHc, Config = new HealthCheckConfig { Type = "HTTPS", IpAddress = "198.51.100.10", Port = 443 } });
            aws.HealthChecks.Add(new HealthCheck { Id = DrHc, Config = new HealthCheckConfig { Type = "HTTPS", IpAddress = "203.0.113.10", Port = 443 } });
            aws.HealthStates[PrimaryHc] = HealthState.Healthy;
            aws.HealthStates[DrHc] = HealthState.Healthy;
            aws.Lag["orders-db-dr"] = TimeSpan.FromSeconds(30);
            // What the app servers and the drill launch with, and the drill's stop alarm.
            aws.Subnets.Add(new Ec2Subnet("subnet-0123456789abcdef0", "vpc-0dr", "us-west-2a", "available", 250));
            aws.Subnets.Add(new Ec2Subnet(ReadinessCheckerTests.DrillSubnet, "vpc-0dr", "us-west-2b", "available", 250));
            aws.SecurityGroups.Add(new Ec2SecurityGroup("sg-0123456789abcdef0", "orders-dr", "vpc-0dr"));
            aws.SecurityGroups.Add(new Ec2SecurityGroup(ReadinessCheckerTests.DrillSg, "orders-drill", "vpc-0dr"));
            aws.KeyPairs.Add(new Ec2KeyPair("orders-dr", "key-0123456789abcdef0", "ed25519"));
            aws.Alarms.Add(new CloudWatchAlarmState("orders-dr-errors", CloudWatchAlarmStates.Ok, null, null));
            aws.Images.Add(Image("ami-00000000000000003", "template", TimeSpan.FromDays(3)));
            aws.TemplateVersions.Add(new Ec2LaunchTemplateVersion("lt-0123456789abcdef0", "orders-dr", 1, true, "ami-00000000000000003", "t3.micro", null, Array.Empty<string>()));
            return aws;
        }

        static void Weighted(FakeAws aws, int primary, int dr) => aws.Records[Zone] = new List<ResourceRecordSet>
        {
            new() { Name = Record, Type = "A", SetIdentifier = "us-east-1", Weight = primary, HealthCheckId = PrimaryHc, Values = new[] { "198.51.100.10" } },
            new() { Name = Record, Type = "A", SetIdentifier = "us-west-2", Weight = dr, HealthCheckId = DrHc, Values = new[] { "203.0.113.10" } },
        };

        static async Task<DrStatusReport> Status(FakeAws aws, DrPlan plan)
        {
            using var services = new StatusServices(aws.Services());
            return await new StatusService(services, null, () => Now).GetAsync(plan);
        }

        static DrStatusRow Row(DrStatusReport r, string kind, string? component = null) =>
            r.Rows.Single(x => x.Kind == kind && (component == null || x.Component.Contains(component, StringComparison.Ordinal)));

        static IReadOnlyDictionary<string, string> DrToolsTags(string plan, string source, string kind) => new Dictionary<string, string>
        {
            [RecoveryPointTags.CreatedBy] = "DrTools (test)", [RecoveryPointTags.Plan] = plan, [RecoveryPointTags.Source] = source, [RecoveryPointTags.Kind] = kind,
        };

        [Fact]
        public async Task Pilot_light_in_shape_is_ok_meets_its_rpo_and_has_one_row_per_readiness_check_with_the_lag_once()
        {
            var aws = Healthy();
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            Assert.All(report.Rows, r => Assert.Equal(DrStatusLevel.Ok, r.Status));
            var replica = Row(report, ReadinessChecks.ReplicaLag);
            Assert.Equal(("orders-db-dr", "us-west-2", "30s", "<= 5m"), (replica.Component, replica.Region, replica.Value, replica.Target));
            Assert.Equal(DrStatusMetrics.ReplicaLag, replica.Metric);
            Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)), (replica.Measured, replica.Limit));
            Assert.True(replica.CountsForRpo);
            // The lag is read once, for the readiness check Get-DrStatus shows: no second row, no second CloudWatch call.
            Assert.Equal(new[] { "GetMetricStatistics us-west-2 ReplicaLag orders-db-dr" }, aws.Calls.Where(c => c.StartsWith("GetMetricStatistics", StringComparison.Ordinal)));
            Assert.Equal(new[] { "RegionEnabled", "AmiExists", "AmiAge", "AmiExists", "AmiAge", "Subnet", "Subnet", "SecurityGroup", "SecurityGroup", "KeyPair",
                    "DbReplica", "ReplicaLag", "InstanceQuota", "ElasticIp", "HostedZone", "DnsRecord", "StopAlarm" },
                report.Rows.Select(r => r.Kind));
            Assert.Equal("2h", Row(report, "AmiAge", "web").Value);
            Assert.Equal("<= 7d", Row(report, "AmiAge", "web").Target);

            var s = report.Summary;
            Assert.Equal(("orders", "PILOT_LIGHT", "us-west-2", DrStatusLevel.Ok), (s.Plan, s.Strategy, s.DrRegion, s.Status));
            Assert.True(s.MeetsRpo);
            Assert.Null(s.MeetsRto);
            Assert.Equal((report.Rows.Count, 0, 0), (s.Ok, s.Warning, s.Failing));
            Assert.StartsWith("Nothing to do", s.NextStep);
        }

        [Theory]
        [InlineData(230, DrStatusLevel.Ok)]       // 77% of the plan's maxReplicaLag (5 min)
        [InlineData(250, DrStatusLevel.Warning)]  // 83%: over 80%
        [InlineData(310, DrStatusLevel.Failing)]  // over the limit
        public async Task Replica_lag_is_a_warning_above_80_percent_of_max_replica_lag_and_failing_above_it(int seconds, DrStatusLevel expected)
        {
            var aws = Healthy();
            aws.Lag["orders-db-dr"] = TimeSpan.FromSeconds(seconds);
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var row = Row(report, ReadinessChecks.ReplicaLag);
            Assert.Equal(expected, row.Status);
            Assert.Equal(expected, report.Summary.Status);
            Assert.Equal(expected != DrStatusLevel.Failing, report.Summary.MeetsRpo);
            if (expected != DrStatusLevel.Ok) Assert.StartsWith($"ReplicaLag orders-db-dr: orders-db-dr is {seconds / 60}m {seconds % 60}s behind; the plan allows 5m (maxReplicaLag)", report.Summary.NextStep);
            if (expected == DrStatusLevel.Warning) Assert.Contains("over 80% of the limit. Find why replication lags", row.Reason);
        }

        [Fact]
        public async Task Unknown_replica_lag_is_a_warning_and_the_rpo_is_not_known_to_be_met()
        {
            var aws = Healthy();
            aws.Lag.Clear();
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));

            var row = Row(report, ReadinessChecks.ReplicaLag);
            Assert.Equal((DrStatusLevel.Warning, "unknown", "<= 5m"), (row.Status, row.Value, row.Target));
            Assert.Contains("-AllowDataLoss", row.Reason);
            Assert.Null(row.Metric);
            Assert.False(report.Summary.MeetsRpo);
            Assert.Equal(DrStatusLevel.Warning, report.Summary.Status);
        }

        [Fact]
        public async Task Backup_and_restore_rows_measure_each_recovery_point_against_the_rpo_through_the_catalog()
        {
            var aws = Healthy();
            aws.Images.Clear();
            aws.Images.Add(Image("ami-00000000000000001", "web", TimeSpan.FromHours(20)));   // 83% of 24h: Warning
            aws.Images.Add(Image("ami-00000000000000002", "worker", TimeSpan.FromHours(2)));
            // DrTools' own recovery points, tagged with the plan: an EBS snapshot set of a server, DB snapshots in both regions, replicated automated backups.
            aws.Ec2Snapshots.Add(new Ec2Snapshot("snap-0000000000000000a", "completed", "100%", "vol-1", 8, null, false, null, "123456789012",
                (Now - TimeSpan.FromHours(30)).UtcDateTime, null, DrToolsTags("orders", "i-0abc", "Snapshot")));
            aws.Snapshots.Add(new DbSnapshot
            {
                Identifier = "drtools-orders-db-1", DBInstanceIdentifier = "orders-db", Status = "available", Region = "us-east-1",
                SnapshotCreateTime = (Now - TimeSpan.FromHours(1)).UtcDateTime, Tags = DrToolsTags("orders", "orders-db", "DBSnapshot"),
            });
            aws.Snapshots.Add(new DbSnapshot
            {
                Identifier = "drtools-orders-db-1-copy", DBInstanceIdentifier = "orders-db", Status = "available", Region = "us-west-2",
                OriginalSnapshotCreateTime = (Now - TimeSpan.FromHours(1)).UtcDateTime, Tags = DrToolsTags("orders", "orders-db", "DBSnapshot"),
            });
            aws.AutomatedBackups.Add(new DbAutomatedBackup
            {
                DBInstanceIdentifier = "orders-db", SourceRegion = "us-east-1", Region = "us-west-2", Status = "replicating",
                Arn = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-1", LatestRestorableTime = (Now - TimeSpan.FromMinutes(10)).UtcDateTime,
            });
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.BackupAndRestore));

            var set = Row(report, DrStatusKinds.SnapshotSet);
            Assert.Equal(("i-0abc", DrStatusLevel.Failing, "1d 6h", "<= 1d"), (set.Component, set.Status, set.Value, set.Target));
            Assert.Contains("Invoke-DrBackup -InstanceId i-0abc -CopyToRegion us-west-2 -Plan orders", set.Reason + "\n" + string.Join("\n", report.Rows));
            Assert.Equal(DrStatusMetrics.RecoveryPointAge, set.Metric);
            var primary = Row(report, DrStatusKinds.DbSnapshot, "(primary)");
            Assert.Equal(("us-east-1", DrStatusLevel.Ok, false), (primary.Region, primary.Status, primary.CountsForRpo));
            var copy = report.Rows.Single(r => r.Kind == DrStatusKinds.DbSnapshot && r.Region == "us-west-2");
            Assert.Equal(("orders-db", "1h", true), (copy.Component, copy.Value, copy.CountsForRpo));
            Assert.Equal(("10m", DrStatusLevel.Ok), (Row(report, DrStatusKinds.AutomatedBackup).Value, Row(report, DrStatusKinds.AutomatedBackup).Status));
            var ami = Row(report, "AmiRecoveryPoint", "web");
            Assert.Equal((DrStatusLevel.Warning, "20h", "<= 1d"), (ami.Status, ami.Value, ami.Target));
            Assert.Contains("over 80%", ami.Reason);

            // The snapshot set misses the RPO: the plan does not meet it, and that is the first thing to do.
            Assert.False(report.Summary.MeetsRpo);
            Assert.Equal(DrStatusLevel.Failing, report.Summary.Status);
            Assert.StartsWith("SnapshotSet i-0abc:", report.Summary.NextStep);
            // One listing per kind and region: the catalog, shared clients, no second listing of snapshots.
            Assert.Single(aws.Calls, c => c.StartsWith("DescribeSnapshots us-west-2", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_failed_read_is_a_warning_row_naming_the_error_id_and_the_other_rows_still_come()
        {
            var aws = Healthy();
            aws.Fail["GetHealthCheckStatus"] = FakeAws.AwsError(ErrorIds.AccessDenied, "AccessDenied", "Route53");
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.WarmStandby));

            var hc = report.Rows.Where(r => r.Kind == ReadinessChecks.HealthCheckStatus).ToList();
            Assert.Equal(2, hc.Count);
            Assert.All(hc, r => Assert.Equal((DrStatusLevel.Warning, ErrorIds.AccessDenied), (r.Status, r.ErrorId)));
            Assert.All(hc, r => Assert.StartsWith("Could not check: DrTools.AccessDenied", r.Reason));
            Assert.Equal(DrStatusLevel.Ok, Row(report, "AutoScalingGroup", "orders-web-dr").Status);
            Assert.Equal("standby 1 in service", Row(report, "AutoScalingGroup", "orders-web-dr").Target);
            Assert.Equal(DrStatusLevel.Warning, report.Summary.Status);
            Assert.True(report.Summary.MeetsRpo);
        }

        [Fact]
        public async Task Rejected_credentials_end_the_status_instead_of_a_row_per_call()
        {
            var aws = Healthy();
            foreach (var op in new[] { "DescribeRegions", "DescribeImages", "DescribeDBInstances", "DescribeAddresses", "ListHostedZones", "ListHostedZonesByName", "GetHealthCheckStatus", "DescribeSnapshots", "DescribeDBSnapshots", "DescribeDBInstanceAutomatedBackups" })
                aws.Fail[op] = FakeAws.AwsError(ErrorIds.InvalidCredentials, "InvalidClientTokenId");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight)));
            Assert.Equal(ErrorIds.InvalidCredentials, ex.ErrorId);
        }

        [Fact]
        public async Task Traffic_weights_are_ok_at_the_plans_normal_weights_and_a_warning_after_a_failover()
        {
            var aws = Healthy();
            Weighted(aws, 50, 50);
            var normal = Row(await Status(aws, DrPlanTemplates.Create(DrStrategy.MultiSite)), DrStatusKinds.TrafficWeights);
            Assert.Equal(("orders.example.com. A", "us-east-1 50, us-west-2 50", "us-east-1 50, us-west-2 50", DrStatusLevel.Ok),
                (normal.Component, normal.Value, normal.Target, normal.Status));

            Weighted(aws, 0, 100);
            var failedOver = Row(await Status(aws, DrPlanTemplates.Create(DrStrategy.MultiSite)), DrStatusKinds.TrafficWeights);
            Assert.Equal(DrStatusLevel.Warning, failedOver.Status);
            Assert.Contains("failover weights", failedOver.Reason);
        }

        [Fact]
        public async Task An_unhealthy_primary_site_that_gets_traffic_is_a_warning_in_the_health_row_and_failing_in_the_traffic_row()
        {
            var aws = Healthy();
            Weighted(aws, 50, 50);
            aws.HealthStates.Remove(PrimaryHc);
            aws.Observations[PrimaryHc] = ReadinessCheckerTests.Reports(("us-east-1", false), ("eu-west-1", false));
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.MultiSite));

            // One row per health check (the readiness check): a failing primary does not make the DR site unready, but is shown.
            var health = Row(report, ReadinessChecks.HealthCheckStatus, PrimaryHc);
            Assert.Equal(DrStatusLevel.Warning, health.Status);
            Assert.Contains("0/1 healthy", health.Value);
            Assert.Contains("Invoke-DrFailover", health.Reason);
            Assert.Equal(DrStatusLevel.Ok, Row(report, ReadinessChecks.HealthCheckStatus, DrHc).Status);
            var traffic = Row(report, DrStatusKinds.TrafficWeights);
            Assert.Equal(DrStatusLevel.Failing, traffic.Status);
            Assert.Contains("'us-east-1' gets 50%", traffic.Reason);
            Assert.Equal(DrStatusLevel.Failing, report.Summary.Status);
        }

        [Fact]
        public async Task Every_source_is_asked_before_any_answers()
        {
            var aws = Healthy();
            var entered = new HashSet<string>();
            var all = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Regions, images, the replica and the lag all asked at once: none answers until four kinds of call have started.
            aws.Gate = async (op, ct) =>
            {
                lock (entered) { entered.Add(op); if (entered.Count >= 4) all.TrySetResult(true); }
                await all.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
            };
            var report = await Status(aws, DrPlanTemplates.Create(DrStrategy.PilotLight));
            Assert.Equal(DrStatusLevel.Ok, report.Summary.Status);
        }

        [Fact]
        public void Metrics_are_the_measured_ages_and_lags_per_component_and_the_plans_rpo_and_status()
        {
            var t = Now;
            DrStatusRow R(string component, string metric, double seconds) => new()
            {
                Plan = "orders", Component = component, Kind = "k", Metric = metric, Measured = TimeSpan.FromSeconds(seconds), CheckedAt = t,
            };
            var report = new DrStatusReport(new[]
            {
                R("orders-db-dr", DrStatusMetrics.ReplicaLag, 30),
                R("i-0abc", DrStatusMetrics.RecoveryPointAge, 100),
                R("i-0abc", DrStatusMetrics.RecoveryPointAge, 300),   // same metric and component: the worse one
                new DrStatusRow { Plan = "orders", Component = "x", Kind = "AmiExists" }, // no metric
            }, new DrStatusSummary { Plan = "orders", Status = DrStatusLevel.Warning, MeetsRpo = false, CheckedAt = t });

            var data = StatusMetricData.From(report);
            Assert.Equal(new[] { "ReplicaLag orders-db-dr 30 Seconds", "RecoveryPointAge i-0abc 300 Seconds", "RpoMet plan 0 Count", "StatusLevel plan 1 None" },
                data.Select(d => $"{d.MetricName} {d.Dimensions.Single(x => x.Key == "Component").Value} {d.Value} {d.Unit}"));
            Assert.All(data, d => Assert.Equal("orders", d.Dimensions.Single(x => x.Key == "Plan").Value));
            Assert.All(data, d => Assert.Equal(t.UtcDateTime, d.TimestampUtc));
        }
    }
}
