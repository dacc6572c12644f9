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
using Xunit;
using R53 = DrTools.Core.Aws.Route53;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>The readiness check over in-memory AWS, on the example plans New-DrPlan writes.</summary>
    public class ReadinessCheckerTests
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        const string Zone = "Z0123456789ABCDEFGHIJ";
        const string Eip = "eipalloc-0123456789abcdef0";
        const string PrimaryHc = "11111111-2222-3333-4444-555555555555";
        const string DrHc = "66666666-7777-8888-9999-000000000000";
        const string Record = "orders.example.com.";

        static DrPlan Plan(DrStrategy strategy) => DrPlanTemplates.Create(strategy);

        static Ec2Image Image(string id, string role, TimeSpan age, string state = "available") =>
            new(id, state, $"orders-{role}-{id}", null, "123456789012", (Now - age).UtcDateTime, null, Array.Empty<string>(),
                new Dictionary<string, string> { ["drtools:plan"] = "orders", ["drtools:role"] = role });

        const string Template = "lt-0123456789abcdef0";
        const string Subnet = "subnet-0123456789abcdef0";
        const string Sg = "sg-0123456789abcdef0";
        internal const string DrillSubnet = "subnet-0fedcba9876543210";
        internal const string DrillSg = "sg-0fedcba9876543210";

        static AutoScalingGroupInfo Group(string name, int desired, int inService) => new()
        {
            LaunchTemplate = new LaunchTemplateRef { LaunchTemplateId = Template, LaunchTemplateName = "orders-dr", Version = "$Default" },
            Name = name, MinSize = 0, MaxSize = 10, DesiredCapacity = desired, AvailabilityZones = new[] { "us-west-2a" },
            Instances = Enumerable.Range(0, inService).Select(i => new AutoScalingInstance { InstanceId = $"i-{i:x17}", LifecycleState = "InService", HealthStatus = "Healthy" }).ToList(),
        };

        /// <summary>Everything every example plan names, in shape.</summary>
        internal static FakeAws HealthyAccount() => Healthy();
        internal static List<HealthCheckObservation> Reports(params (string Region, bool Healthy)[] reports) => Observations(reports);
        internal static void MakeWeighted(FakeAws aws) => Weighted(aws);

        static FakeAws Healthy()
        {
            var aws = new FakeAws();
            aws.Images.Add(Image("ami-00000000000000001", "web", TimeSpan.FromHours(2)));
            aws.Images.Add(Image("ami-00000000000000002", "worker", TimeSpan.FromDays(1)));
            aws.Addresses.Add(new Ec2Address(Eip, "203.0.113.7", null, null, null, null, new Dictionary<string, string>()));
            aws.Instances.Add(new DbInstance
            {
                Identifier = "orders-db-dr", Status = "available", InstanceClass = "db.r6g.large", Region = "us-west-2",
                ReadReplicaSource = "arn:aws:rds:us-east-1:123456789012:db:orders-db",
            });
            aws.Snapshots.Add(new DbSnapshot
            {
                Identifier = "orders-db-copy-1", DBInstanceIdentifier = "orders-db", Status = "available", Region = "us-west-2",
                OriginalSnapshotCreateTime = (Now - TimeSpan.FromHours(3)).UtcDateTime, SnapshotCreateTime = (Now - TimeSpan.FromHours(1)).UtcDateTime,
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
            aws.HealthChecks.Add(new HealthCheck { Id = PrimaryHc, Config = new HealthCheckConfig { Type = "HTTPS", IpAddress = "198.51.100.10", Port = 443, ResourcePath = "/health" } });
            aws.HealthChecks.Add(new HealthCheck { Id = DrHc, Config = new HealthCheckConfig { Type = "HTTPS", IpAddress = "203.0.113.10", Port = 443, ResourcePath = "/health" } });
            aws.Observations[PrimaryHc] = Observations(("us-east-1", true), ("us-east-1", true), ("eu-west-1", true), ("eu-west-1", true));
            aws.Observations[DrHc] = Observations(("us-east-1", true), ("us-east-1", true), ("eu-west-1", true), ("eu-west-1", true));
            aws.Lag["orders-db-dr"] = TimeSpan.FromSeconds(2);
            aws.Subnets.Add(new Ec2Subnet(Subnet, "vpc-0dr", "us-west-2a", "available", 250));
            aws.SecurityGroups.Add(new Ec2SecurityGroup(Sg, "orders-dr", "vpc-0dr"));
            aws.KeyPairs.Add(new Ec2KeyPair("orders-dr", "key-0123456789abcdef0", "ed25519"));
            // The example plans' drill section: its own subnet and security group, and a stop alarm.
            aws.Subnets.Add(new Ec2Subnet(DrillSubnet, "vpc-0dr", "us-west-2b", "available", 250));
            aws.SecurityGroups.Add(new Ec2SecurityGroup(DrillSg, "orders-drill", "vpc-0dr"));
            aws.Alarms.Add(new CloudWatchAlarmState("orders-dr-errors", CloudWatchAlarmStates.Ok, null, null));
            aws.Images.Add(Image("ami-00000000000000003", "template", TimeSpan.FromDays(3)));
            aws.TemplateVersions.Add(new Ec2LaunchTemplateVersion(Template, "orders-dr", 1, true, "ami-00000000000000003", "t3.micro", null, Array.Empty<string>()));
            aws.TemplateVersions.Add(new Ec2LaunchTemplateVersion(Template, "orders-dr", 2, false, "ami-00000000000000003", "m6i.large", null, Array.Empty<string>()));
            return aws;
        }

        static List<HealthCheckObservation> Observations(params (string Region, bool Healthy)[] reports) => reports.Select(r => new HealthCheckObservation
        {
            Region = r.Region, IpAddress = "15.177.0.1",
            Status = r.Healthy ? "Success: HTTP Status Code 200, OK" : "Failure: Connection timed out. The endpoint or the internet connection is down.",
        }).ToList();

        static void Weighted(FakeAws aws) => aws.Records[Zone] = new List<ResourceRecordSet>
        {
            new() { Name = Record, Type = "A", SetIdentifier = "us-east-1", Weight = 50, HealthCheckId = PrimaryHc, Values = new[] { "198.51.100.10" } },
            new() { Name = Record, Type = "A", SetIdentifier = "us-west-2", Weight = 50, HealthCheckId = DrHc, Values = new[] { "203.0.113.10" } },
        };

        static async Task<IReadOnlyList<ReadinessCheck>> Check(FakeAws aws, DrPlan plan, string? region = null, CancellationToken ct = default)
        {
            using var services = aws.Services();
            return await new ReadinessChecker(services, null, () => Now).CheckAsync(plan, region, ct);
        }

        static ReadinessCheck Single(IReadOnlyList<ReadinessCheck> checks, string check, string? resourceFragment = null) =>
            checks.Single(c => c.Check == check && (resourceFragment == null || c.Resource.Contains(resourceFragment, StringComparison.Ordinal)));

        static void AllReady(IReadOnlyList<ReadinessCheck> checks) =>
            Assert.True(checks.All(c => c.Ready), "not ready:\n" + string.Join("\n", checks.Where(c => !c.Ready)));

        // ---------------------------------------------------------------- every strategy ready

        [Fact]
        public async Task Pilot_light_plan_in_shape_is_ready_with_one_result_per_check_in_plan_order()
        {
            var aws = Healthy();
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            AllReady(checks);
            Assert.Equal(new[] { "RegionEnabled", "AmiExists", "AmiAge", "AmiExists", "AmiAge", "Subnet", "Subnet", "SecurityGroup", "SecurityGroup", "KeyPair",
                    "DbReplica", "ReplicaLag", "InstanceQuota", "ElasticIp", "HostedZone", "DnsRecord", "StopAlarm" },
                checks.Select(c => c.Check));
            Assert.All(checks, c => Assert.Equal("orders", c.Plan));
            Assert.All(checks, c => Assert.Equal(Now, c.CheckedAt));
            Assert.All(checks, c => Assert.Null(c.ErrorId));
            Assert.Equal(Enumerable.Repeat("us-west-2", 14).Concat(new[] { "global", "global", "us-west-2" }), checks.Select(c => c.Region));
            // The Elastic IP used by elasticIps and by the DNS target is checked once.
            Assert.Single(checks, c => c.Check == "ElasticIp");
            Assert.Contains("ami-00000000000000001", Single(checks, "AmiExists", "web").Observed);
            Assert.Contains("2h old", Single(checks, "AmiAge", "web").Observed);
            Assert.Contains("replicating from arn:aws:rds:us-east-1:123456789012:db:orders-db", Single(checks, "DbReplica").Observed);
            Assert.Contains("203.0.113.7, not associated", Single(checks, "ElasticIp").Observed);
            // Every call went to the DR region (Route 53 is global; the region list is asked in the primary region), and the AMI filter is the plan's.
            Assert.All(aws.Calls.Where(c => !c.Contains("global") && !c.StartsWith("DescribeRegions", StringComparison.Ordinal)), c => Assert.Contains(" us-west-2", c));
            Assert.Contains("DescribeRegions us-east-1", aws.Calls);
            Assert.Contains(aws.Calls, c => c.StartsWith("DescribeImages us-west-2") && c.Contains("name=orders-web-*") && c.Contains("tag:drtools:role=web") && c.EndsWith("owners=self"));
        }

        [Fact]
        public async Task Warm_standby_checks_groups_failover_sites_and_health_checks()
        {
            var checks = await Check(Healthy(), Plan(DrStrategy.WarmStandby));
            AllReady(checks);
            Assert.Equal(new[] { "RegionEnabled", "Subnet", "SecurityGroup", "DbReplica", "ReplicaLag", "AutoScalingGroup", "AutoScalingGroup", "LaunchTemplate", "LaunchTemplate", "InstanceQuota",
                "HostedZone", "DnsSite", "DnsSite", "HealthCheck", "HealthCheck", "HealthCheckStatus", "HealthCheckStatus", "StopAlarm" }, checks.Select(c => c.Check));
            Assert.Equal("min 0, max 10, desired 4; 4 in service", Single(checks, "AutoScalingGroup", "orders-web-dr").Observed);
            Assert.Contains("SECONDARY", Single(checks, "DnsSite", "'us-west-2'").Observed);
            Assert.Equal("HTTPS 203.0.113.10:443/health", Single(checks, "HealthCheck", DrHc).Observed);
        }

        [Fact]
        public async Task Multi_site_checks_each_weighted_site()
        {
            var aws = Healthy();
            Weighted(aws);
            var checks = await Check(aws, Plan(DrStrategy.MultiSite));
            AllReady(checks);
            Assert.Equal(new[] { "orders.example.com. A 'us-east-1'", "orders.example.com. A 'us-west-2'" }, checks.Where(c => c.Check == "DnsSite").Select(c => c.Resource));
            Assert.Contains("weight 50", Single(checks, "DnsSite", "'us-west-2'").Observed);
        }

        [Fact]
        public async Task Backup_and_restore_checks_recovery_points_against_the_RPO()
        {
            var checks = await Check(Healthy(), Plan(DrStrategy.BackupAndRestore));
            AllReady(checks);
            Assert.Equal(new[] { "RegionEnabled", "AmiExists", "AmiAge", "AmiRecoveryPoint", "Subnet", "Subnet", "SecurityGroup", "SecurityGroup", "KeyPair", "DbSnapshot", "DbRecoveryPoint",
                    "InstanceQuota", "ElasticIp", "HostedZone", "DnsRecord", "StopAlarm" },
                checks.Select(c => c.Check));
            // A copy's age counts from when the data was captured (OriginalSnapshotCreateTime), not from the copy.
            Assert.Contains("orders-db-copy-1", Single(checks, "DbRecoveryPoint").Observed);
            Assert.Contains("3h old", Single(checks, "DbRecoveryPoint").Reason);
        }

        // ---------------------------------------------------------------- AMIs

        [Fact]
        public async Task Picks_the_newest_available_AMI_matching_the_filter()
        {
            var aws = Healthy();
            aws.Images.Add(Image("ami-0000000000000000a", "web", TimeSpan.FromMinutes(5), state: "pending"));
            aws.Images.Add(Image("ami-0000000000000000b", "web", TimeSpan.FromDays(30)));
            aws.Images.Add(Image("ami-0000000000000000c", "other", TimeSpan.FromMinutes(1)));
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            Assert.StartsWith("ami-00000000000000001 ", Single(checks, "AmiExists", "web").Observed);
            Assert.True(Single(checks, "AmiExists", "web").Ready);
        }

        [Fact]
        public async Task An_AMI_older_than_maxAmiAge_is_not_ready_but_still_exists()
        {
            var aws = Healthy();
            aws.Images.RemoveAll(i => i.Name!.Contains("web"));
            aws.Images.Add(Image("ami-00000000000000009", "web", TimeSpan.FromDays(9) + TimeSpan.FromHours(2)));
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            Assert.True(Single(checks, "AmiExists", "web").Ready);
            var age = Single(checks, "AmiAge", "web");
            Assert.False(age.Ready);
            Assert.Equal("ami-00000000000000009 is 9d 2h old; the plan allows 7d (maxAmiAge). Take and copy a newer one.", age.Reason);
            Assert.True(Single(checks, "AmiAge", "worker").Ready);
        }

        [Fact]
        public async Task In_backup_and_restore_an_AMI_within_maxAmiAge_but_older_than_the_RPO_is_not_a_recent_enough_recovery_point()
        {
            var aws = Healthy();
            aws.Images.RemoveAll(i => i.Name!.Contains("web"));
            aws.Images.Add(Image("ami-00000000000000009", "web", TimeSpan.FromDays(2)));
            var checks = await Check(aws, Plan(DrStrategy.BackupAndRestore));
            Assert.True(Single(checks, "AmiAge").Ready);
            var rp = Single(checks, "AmiRecoveryPoint");
            Assert.False(rp.Ready);
            Assert.Contains("allows 1d (rpo)", rp.Reason);
        }

        [Fact]
        public async Task No_matching_AMI_makes_the_AMI_checks_not_ready_and_says_what_was_searched()
        {
            var aws = Healthy();
            aws.Images.RemoveAll(i => i.Name!.Contains("worker"));
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            var exists = Single(checks, "AmiExists", "worker");
            Assert.False(exists.Ready);
            Assert.Contains("No image owned by 'self' matches name=orders-worker-* tags=drtools:plan,drtools:role in us-west-2", exists.Reason);
            Assert.Null(exists.ErrorId);
            Assert.False(Single(checks, "AmiAge", "worker").Ready);
            Assert.Contains("see AmiExists", Single(checks, "AmiAge", "worker").Reason);
            Assert.True(Single(checks, "AmiExists", "web").Ready);
        }

        [Fact]
        public async Task An_AMI_id_EC2_does_not_know_is_not_ready_not_an_error()
        {
            var plan = WithAmiId(Plan(DrStrategy.PilotLight), "ami-0123456789abcdef0");
            var checks = await Check(Healthy(), plan);
            var exists = Single(checks, "AmiExists", "web");
            Assert.False(exists.Ready);
            Assert.Equal("Image ami-0123456789abcdef0 does not exist in us-west-2. Copy the AMI to the DR region (or fix the plan's ami).", exists.Reason);
            Assert.Null(exists.ErrorId);
        }

        [Fact]
        public async Task An_AMI_that_is_not_available_is_not_ready()
        {
            var aws = Healthy();
            aws.Images.Add(new Ec2Image("ami-0123456789abcdef0", "failed", "x", null, null, Now.UtcDateTime, "Copy failed: KMS key disabled", Array.Empty<string>(), new Dictionary<string, string>()));
            var checks = await Check(aws, WithAmiId(Plan(DrStrategy.PilotLight), "ami-0123456789abcdef0"));
            var exists = Single(checks, "AmiExists", "web");
            Assert.False(exists.Ready);
            Assert.Equal("ami-0123456789abcdef0 is failed, not available: Copy failed: KMS key disabled.", exists.Reason);
        }

        static DrPlan WithAmiId(DrPlan plan, string id)
        {
            var web = plan.Resources.AppServers[0];
            var servers = plan.Resources.AppServers.ToList();
            servers[0] = new AppServerSpec { Name = web.Name, Ami = new AmiSelector { Id = id }, InstanceType = web.InstanceType, MaxAmiAge = web.MaxAmiAge };
            return With(plan, new PlanResources
            {
                AppServers = servers, Database = plan.Resources.Database, AutoScalingGroups = plan.Resources.AutoScalingGroups,
                ElasticIps = plan.Resources.ElasticIps, Dns = plan.Resources.Dns,
            });
        }

        static DrPlan With(DrPlan p, PlanResources r) => new()
        {
            Name = p.Name, Strategy = p.Strategy, PrimaryRegion = p.PrimaryRegion, DrRegion = p.DrRegion, Rto = p.Rto, Rpo = p.Rpo, Resources = r,
        };

        // ---------------------------------------------------------------- database

        [Theory]
        [InlineData(null, "available", "orders-db", "DB instance orders-db-dr does not exist in us-west-2.")]
        [InlineData("orders-db-dr", "modifying", "orders-db", "orders-db-dr is 'modifying', not 'available'.")]
        [InlineData("orders-db-dr", "available", null, "orders-db-dr is not a read replica (was it promoted already?)")]
        [InlineData("orders-db-dr", "available", "arn:aws:rds:us-east-1:123456789012:db:billing-db", "replicates from arn:aws:rds:us-east-1:123456789012:db:billing-db, but the plan's primary is orders-db.")]
        public async Task A_replica_that_is_missing_busy_promoted_or_from_another_primary_is_not_ready(string? id, string status, string? source, string reason)
        {
            var aws = Healthy();
            aws.Instances.Clear();
            if (id != null) aws.Instances.Add(new DbInstance { Identifier = id, Status = status, ReadReplicaSource = source, Region = "us-west-2" });
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "DbReplica");
            Assert.False(check.Ready);
            Assert.Contains(reason, check.Reason);
            Assert.Equal("orders-db-dr", check.Resource);
        }

        [Fact]
        public async Task A_replica_in_the_same_region_names_its_source_by_id()
        {
            var aws = Healthy();
            aws.Instances.Clear();
            aws.Instances.Add(new DbInstance { Identifier = "orders-db-dr", Status = "available", ReadReplicaSource = "orders-db", Region = "us-west-2" });
            Assert.True(Single(await Check(aws, Plan(DrStrategy.PilotLight)), "DbReplica").Ready);
        }

        [Fact]
        public async Task A_restore_plan_without_a_snapshot_in_the_DR_region_is_not_ready()
        {
            var aws = Healthy();
            aws.Snapshots.Clear();
            var checks = await Check(aws, Plan(DrStrategy.BackupAndRestore));
            Assert.Equal("There is no DB snapshot of orders-db in us-west-2. Copy one to the DR region.", Single(checks, "DbSnapshot").Reason);
            Assert.False(Single(checks, "DbSnapshot").Ready);
            Assert.False(Single(checks, "DbRecoveryPoint").Ready);
            Assert.Contains(aws.Calls, c => c == "DescribeDBSnapshots us-west-2 instance=orders-db");
        }

        [Fact]
        public async Task The_newest_available_snapshot_must_be_within_the_RPO()
        {
            var aws = Healthy();
            aws.Snapshots.Clear();
            aws.Snapshots.Add(new DbSnapshot { Identifier = "old", DBInstanceIdentifier = "orders-db", Status = "available", SnapshotCreateTime = (Now - TimeSpan.FromHours(30)).UtcDateTime });
            aws.Snapshots.Add(new DbSnapshot { Identifier = "copying", DBInstanceIdentifier = "orders-db", Status = "copying", SnapshotCreateTime = (Now - TimeSpan.FromHours(1)).UtcDateTime });
            var checks = await Check(aws, Plan(DrStrategy.BackupAndRestore));
            Assert.True(Single(checks, "DbSnapshot").Ready);
            var rp = Single(checks, "DbRecoveryPoint");
            Assert.False(rp.Ready);
            Assert.Equal("old is 1d 6h old; the plan allows 1d (rpo). Take and copy a newer one.", rp.Reason);
        }

        // ---------------------------------------------------------------- groups, EIPs

        [Fact]
        public async Task A_missing_group_or_one_below_its_standby_size_is_not_ready()
        {
            var aws = Healthy();
            aws.Groups.Clear();
            aws.Groups.Add(Group("orders-web-dr", 1, 0));
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            var web = Single(checks, "AutoScalingGroup", "orders-web-dr");
            Assert.False(web.Ready);
            Assert.Equal("orders-web-dr has 0 healthy instances in service; its standby size is 1.", web.Reason);
            Assert.Equal("min 0, max 10, desired 1; 0 in service", web.Observed);
            var worker = Single(checks, "AutoScalingGroup", "orders-worker-dr");
            Assert.False(worker.Ready);
            Assert.Equal("Auto Scaling group orders-worker-dr does not exist in us-west-2.", worker.Reason);
        }

        [Fact]
        public async Task A_group_being_deleted_is_not_ready()
        {
            var aws = Healthy();
            aws.Groups[0] = aws.Groups[0] with { Status = "Delete in progress" };
            var check = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "AutoScalingGroup", "orders-web-dr");
            Assert.False(check.Ready);
            Assert.Contains("being deleted", check.Reason);
        }

        [Fact]
        public async Task A_released_Elastic_IP_is_not_ready()
        {
            var aws = Healthy();
            aws.Addresses.Clear();
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "ElasticIp");
            Assert.False(check.Ready);
            Assert.Equal($"{Eip} (for web[0])", check.Resource);
            Assert.StartsWith($"Elastic IP {Eip} does not exist in us-west-2.", check.Reason);
            Assert.Null(check.ErrorId);
        }

        // ---------------------------------------------------------------- Route 53

        [Fact]
        public async Task A_missing_zone_makes_the_zone_and_its_records_not_ready()
        {
            var aws = Healthy();
            aws.Zones.Clear();
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            Assert.Equal($"Hosted zone {Zone} does not exist.", Single(checks, "HostedZone").Reason);
            Assert.False(Single(checks, "DnsRecord").Ready);
            Assert.Equal("The hosted zone was not found (see HostedZone).", Single(checks, "DnsRecord").Reason);
            Assert.DoesNotContain(aws.Calls, c => c.StartsWith("ListResourceRecordSets"));
        }

        [Fact]
        public async Task A_zone_with_another_name_than_the_plan_says_is_not_ready()
        {
            var aws = Healthy();
            aws.Zones[0] = aws.Zones[0] with { Name = "example.org." };
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "HostedZone");
            Assert.False(check.Ready);
            Assert.Equal($"Hosted zone {Zone} is named example.org., but the plan says example.com..", check.Reason);
        }

        [Fact]
        public async Task A_missing_simple_record_is_not_ready()
        {
            var aws = Healthy();
            aws.Records[Zone].RemoveAll(r => r.SetIdentifier == null);
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "DnsRecord");
            Assert.False(check.Ready);
            Assert.Contains("has only A record sets with SetIdentifiers (us-east-1, us-west-2); the plan says SIMPLE", check.Reason);
        }

        [Fact]
        public async Task A_missing_weighted_site_is_not_ready_and_names_the_sites_that_exist()
        {
            var aws = Healthy();
            Weighted(aws);
            aws.Records[Zone].RemoveAll(r => r.SetIdentifier == "us-west-2");
            var checks = await Check(aws, Plan(DrStrategy.MultiSite));
            Assert.True(Single(checks, "DnsSite", "'us-east-1'").Ready);
            var dr = Single(checks, "DnsSite", "'us-west-2'");
            Assert.False(dr.Ready);
            Assert.Equal($"There is no A record set {Record} with SetIdentifier 'us-west-2' (there are: 'us-east-1').", dr.Reason);
        }

        [Fact]
        public async Task Failover_sites_with_the_wrong_role_or_health_check_are_not_ready()
        {
            var aws = Healthy();
            var sets = aws.Records[Zone];
            sets[1] = sets[1] with { Failover = R53.FailoverRole.Secondary };
            sets[2] = sets[2] with { HealthCheckId = null };
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            Assert.Equal("'us-east-1' is SECONDARY, but the plan says PRIMARY.", Single(checks, "DnsSite", "'us-east-1'").Reason);
            Assert.Equal($"'us-west-2' uses health check (none), but the plan says {DrHc}.", Single(checks, "DnsSite", "'us-west-2'").Reason);
        }

        [Fact]
        public async Task A_deleted_health_check_is_not_ready()
        {
            var aws = Healthy();
            aws.HealthChecks.RemoveAll(h => h.Id == DrHc);
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            Assert.True(Single(checks, "HealthCheck", PrimaryHc).Ready);
            Assert.False(Single(checks, "HealthCheck", DrHc).Ready);
            Assert.Equal($"Health check {DrHc} does not exist.", Single(checks, "HealthCheck", DrHc).Reason);
        }

        // ---------------------------------------------------------------- AWS failures, parallelism, region, cancellation

        [Fact]
        public async Task An_AWS_failure_makes_only_that_resources_checks_not_ready_with_the_DrTools_error_id()
        {
            var aws = Healthy();
            aws.Fail["DescribeImages"] = FakeAws.AwsError(ErrorIds.AccessDenied, "UnauthorizedOperation");
            aws.Fail["GetHealthCheck"] = FakeAws.AwsError(ErrorIds.Throttled, "Throttling", "Route53");
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            Assert.All(checks.Where(c => c.Check == "HealthCheck"), c =>
            {
                Assert.False(c.Ready);
                Assert.Equal(ErrorIds.Throttled, c.ErrorId);
                Assert.StartsWith("Could not check: DrTools.Throttled: Route53 refused: Throttling (request id fake-request-id).", c.Reason);
            });
            // The launch templates' AMIs are read with DescribeImages too.
            Assert.All(checks.Where(c => c.Check == "LaunchTemplate"), c => Assert.Equal((false, ErrorIds.AccessDenied), (c.Ready, c.ErrorId)));
            Assert.True(checks.Where(c => c.Check != "HealthCheck" && c.Check != "LaunchTemplate").All(c => c.Ready));

            var pilot = await Check(aws, Plan(DrStrategy.PilotLight));
            var amiChecks = pilot.Where(c => c.Check.StartsWith("Ami")).ToList();
            Assert.Equal(4, amiChecks.Count);
            Assert.All(amiChecks, c => Assert.Equal((false, ErrorIds.AccessDenied), (c.Ready, c.ErrorId)));
            Assert.True(pilot.Where(c => !c.Check.StartsWith("Ami")).All(c => c.Ready));
        }

        [Fact]
        public async Task A_failed_zone_lookup_makes_the_zone_and_record_checks_not_ready_with_the_error()
        {
            var aws = Healthy();
            aws.Fail["ListHostedZones"] = FakeAws.AwsError(ErrorIds.EndpointUnreachable, "RequestTimeout", "Route53");
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            Assert.Equal(ErrorIds.EndpointUnreachable, Single(checks, "HostedZone").ErrorId);
            Assert.Equal(ErrorIds.EndpointUnreachable, Single(checks, "DnsRecord").ErrorId);
            Assert.Single(aws.Calls, c => c.StartsWith("ListHostedZones"));
        }

        [Theory]
        [InlineData("DrTools.InvalidCredentials")]
        [InlineData("DrTools.NoCredentials")]
        public async Task Connection_level_failures_end_the_check(string errorId)
        {
            var aws = Healthy();
            aws.Fail["DescribeDBInstances"] = new DrToolsException(errorId, DrErrorCategory.AuthenticationError, "The credentials were rejected.");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Check(aws, Plan(DrStrategy.PilotLight)));
            Assert.Equal(errorId, ex.ErrorId);
        }

        [Fact]
        public async Task Checks_run_in_parallel()
        {
            var aws = Healthy();
            // Every call waits until the first four have started: one at a time this would never finish.
            var started = 0;
            var all = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            aws.Gate = async (_, ct) =>
            {
                if (Interlocked.Increment(ref started) >= 4) all.TrySetResult(true);
                await all.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
            };
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            AllReady(checks);
        }

        [Theory]
        [InlineData("af-south-1", "not enabled for this account")]
        [InlineData("us-wset-2", "did you mean us-west-2?")]
        public async Task A_DR_region_that_is_not_enabled_or_does_not_exist_is_the_one_not_ready_check(string region, string reason)
        {
            var aws = Healthy();
            var checks = await Check(aws, Plan(DrStrategy.PilotLight), region);
            var check = Assert.Single(checks); // every other call would fail because of it
            Assert.Equal(("RegionEnabled", region, false), (check.Check, check.Resource, check.Ready));
            Assert.Contains(reason, check.Reason);
            Assert.Null(check.ErrorId);
            // Asked in the primary region: a region that is not enabled cannot answer for itself.
            Assert.Contains("DescribeRegions us-east-1", aws.Calls);
        }

        [Fact]
        public async Task The_region_list_is_asked_in_the_DR_region_when_the_primary_region_cannot_answer()
        {
            var aws = Healthy();
            aws.Fail["DescribeRegions"] = FakeAws.AwsError(ErrorIds.EndpointUnreachable, "RequestTimeout");
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            var check = Single(checks, "RegionEnabled");
            Assert.False(check.Ready);
            Assert.Equal(ErrorIds.EndpointUnreachable, check.ErrorId); // could not check: the other checks still run
            Assert.Contains("DescribeRegions us-east-1", aws.Calls);
            Assert.Contains("DescribeRegions us-west-2", aws.Calls);
            Assert.True(Single(checks, "DbReplica").Ready);
        }

        [Fact]
        public async Task Region_overrides_the_plans_DR_region_for_every_regional_check()
        {
            var aws = Healthy();
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby), "eu-west-1");
            Assert.All(checks.Where(c => c.Region != "global"), c => Assert.Equal("eu-west-1", c.Region));
            Assert.All(aws.Calls.Where(c => !c.Contains("global") && !c.StartsWith("DescribeRegions", StringComparison.Ordinal)), c => Assert.Contains(" eu-west-1 ", c));
            Assert.True(Single(checks, "RegionEnabled").Ready);
            Assert.Equal("eu-west-1", Single(checks, "RegionEnabled").Resource);
        }

        [Fact]
        public async Task A_group_the_plan_puts_in_another_region_is_checked_there()
        {
            var plan = Plan(DrStrategy.WarmStandby);
            var groups = plan.Resources.AutoScalingGroups.ToList();
            groups[1] = new AutoScalingGroupSpec { Name = groups[1].Name, Region = "us-east-2", Standby = groups[1].Standby, Production = groups[1].Production };
            var aws = Healthy();
            var checks = await Check(aws, With(plan, new PlanResources { Database = plan.Resources.Database, AutoScalingGroups = groups, Dns = plan.Resources.Dns }));
            Assert.Equal("us-east-2", Single(checks, "AutoScalingGroup", "orders-worker-dr").Region);
            Assert.Contains("DescribeAutoScalingGroups us-east-2 orders-worker-dr", aws.Calls);
            Assert.Contains("DescribeAutoScalingGroups us-west-2 orders-web-dr", aws.Calls);
        }

        [Fact]
        public async Task Cancellation_stops_the_check()
        {
            var aws = Healthy();
            using var cts = new CancellationTokenSource();
            aws.Gate = async (_, ct) => { cts.Cancel(); await Task.Delay(Timeout.Infinite, ct); };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Check(aws, Plan(DrStrategy.PilotLight), ct: cts.Token));
        }

        [Theory]
        [InlineData(0, 0, 45, "45s")]
        [InlineData(0, 15, 0, "15m")]
        [InlineData(1, 30, 0, "1h 30m")]
        [InlineData(50, 0, 0, "2d 2h")]
        [InlineData(168, 0, 0, "7d")]
        public void Ages_read_like_an_admin_writes_them(int hours, int minutes, int seconds, string expected) =>
            Assert.Equal(expected, ReadinessChecker.FormatAge(new TimeSpan(hours, minutes, seconds)));
    }
}
