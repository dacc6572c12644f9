using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using Xunit;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>The deeper readiness checks: replica lag, health-check status, launch resources, launch templates, instance quota.</summary>
    public class DeeperReadinessTests
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        const string PrimaryHc = "11111111-2222-3333-4444-555555555555";
        const string DrHc = "66666666-7777-8888-9999-000000000000";

        static FakeAws Healthy() => ReadinessCheckerTests.HealthyAccount();

        static async Task<IReadOnlyList<ReadinessCheck>> Check(FakeAws aws, DrPlan plan)
        {
            using var services = aws.Services();
            return await new ReadinessChecker(services, null, () => Now).CheckAsync(plan);
        }

        static ReadinessCheck Single(IReadOnlyList<ReadinessCheck> checks, string check, string? resource = null) =>
            checks.Single(c => c.Check == check && (resource == null || c.Resource.Contains(resource, StringComparison.Ordinal)));

        static DrPlan Plan(DrStrategy s) => DrPlanTemplates.Create(s);

        // ---------------------------------------------------------------- replica lag

        [Fact]
        public async Task Replica_lag_within_maxReplicaLag_is_ready_and_says_how_far_behind()
        {
            var aws = Healthy();
            aws.Lag["orders-db-dr"] = TimeSpan.FromSeconds(40);
            var check = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "ReplicaLag");
            Assert.True(check.Ready);
            Assert.Equal("orders-db-dr is 40s behind; the plan allows 5m (maxReplicaLag).", check.Reason);
            // The lag and its limit travel with the check, as an age check's do (Get-DrStatus's 80% rule uses them).
            Assert.Equal((TimeSpan.FromSeconds(40), TimeSpan.FromMinutes(5)), (check.Age, check.Limit));
            Assert.Contains("us-west-2", aws.Calls.Single(c => c.StartsWith("GetMetricStatistics")));
        }

        [Fact]
        public async Task Replica_lag_above_the_limit_is_not_ready()
        {
            var aws = Healthy();
            aws.Lag["orders-db-dr"] = TimeSpan.FromMinutes(7);
            var check = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "ReplicaLag");
            Assert.False(check.Ready);
            Assert.StartsWith("orders-db-dr is 7m behind; the plan allows 5m (maxReplicaLag). Find why replication lags", check.Reason);
        }

        [Fact]
        public async Task Unknown_replica_lag_is_not_ready_with_the_reason()
        {
            var aws = Healthy();
            aws.Lag.Clear();
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "ReplicaLag");
            Assert.False(check.Ready);
            Assert.Null(check.ErrorId);
            Assert.Contains("is unknown (CloudWatch AWS/RDS ReplicaLag has no data point in the last 10 min)", check.Reason);
            Assert.Contains("-AllowDataLoss", check.Reason);
            Assert.Equal(((TimeSpan?)null, TimeSpan.FromMinutes(5)), (check.Age, check.Limit));
        }

        // ---------------------------------------------------------------- health-check status

        [Fact]
        public async Task An_unhealthy_DR_side_health_check_is_not_ready_and_names_the_regions_that_see_it_fail()
        {
            var aws = Healthy();
            aws.Observations[DrHc] = ReadinessCheckerTests.Reports(("us-east-1", true), ("eu-west-1", false), ("eu-west-1", false), ("eu-west-1", false), ("ap-southeast-1", false), ("ap-southeast-1", false));
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            var dr = Single(checks, "HealthCheckStatus", DrHc);
            Assert.False(dr.Ready);
            Assert.StartsWith($"DR-side health check {DrHc} is unhealthy (1 of 6 checkers report healthy; failing from eu-west-1, ap-southeast-1).", dr.Reason);
            Assert.Equal("ap-southeast-1: 0/2 healthy (Failure: Connection timed out. The endpoint or the internet connection is down.); "
                         + "eu-west-1: 0/3 healthy (Failure: Connection timed out. The endpoint or the internet connection is down.); us-east-1: 1/1 healthy", dr.Observed);
            Assert.Equal("global", dr.Region);
            Assert.True(Single(checks, "HealthCheckStatus", PrimaryHc).Ready);
        }

        [Fact]
        public async Task A_failing_primary_side_health_check_is_reported_but_ready()
        {
            var aws = Healthy();
            aws.Observations[PrimaryHc] = ReadinessCheckerTests.Reports(("us-east-1", false), ("eu-west-1", false));
            var check = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "HealthCheckStatus", PrimaryHc);
            Assert.True(check.Ready);
            Assert.StartsWith($"Primary-side health check {PrimaryHc} is unhealthy (0 of 2 checkers report healthy)", check.Reason);
        }

        [Fact]
        public async Task In_multi_site_the_site_that_takes_traffic_after_failover_is_the_DR_side()
        {
            var aws = Healthy();
            aws.Observations[DrHc] = ReadinessCheckerTests.Reports(("us-east-1", false));
            aws.Observations[PrimaryHc] = ReadinessCheckerTests.Reports(("us-east-1", false));
            ReadinessCheckerTests.MakeWeighted(aws);
            var checks = await Check(aws, Plan(DrStrategy.MultiSite));
            Assert.False(Single(checks, "HealthCheckStatus", DrHc).Ready);   // failoverWeight 100
            Assert.True(Single(checks, "HealthCheckStatus", PrimaryHc).Ready); // failoverWeight 0
        }

        [Fact]
        public async Task A_DR_side_health_check_without_reports_is_not_ready()
        {
            var aws = Healthy();
            aws.Observations.Remove(DrHc);
            var check = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "HealthCheckStatus", DrHc);
            Assert.False(check.Ready);
            Assert.Contains("has no checker reports yet", check.Reason);
            Assert.Equal("no checker reports", check.Observed);
        }

        // ---------------------------------------------------------------- subnets, security groups, key pairs

        [Fact]
        public async Task Launch_resources_are_checked_once_each_and_name_what_uses_them()
        {
            var checks = await Check(Healthy(), Plan(DrStrategy.PilotLight));
            var subnet = Single(checks, "Subnet", "(web, worker)");
            Assert.Equal(("subnet-0123456789abcdef0 (web, worker)", true), (subnet.Resource, subnet.Ready));
            Assert.Equal("vpc-0dr, us-west-2a, available, 250 free addresses", subnet.Observed);
            Assert.Equal("sg-0123456789abcdef0 (web, worker)", Single(checks, "SecurityGroup", "(web, worker)").Resource);
            Assert.Equal("orders-dr (web, worker)", Single(checks, "KeyPair").Resource);
        }

        [Fact]
        public async Task Missing_subnet_security_group_or_key_pair_is_not_ready_and_says_what_to_do()
        {
            var aws = Healthy();
            aws.Subnets.Clear();
            aws.SecurityGroups.Clear();
            aws.KeyPairs.Clear();
            var checks = await Check(aws, Plan(DrStrategy.PilotLight));
            Assert.Equal("Subnet subnet-0123456789abcdef0 does not exist in us-west-2. Create it (or put a subnet of the DR VPC in the plan).", Single(checks, "Subnet", "(web, worker)").Reason);
            Assert.StartsWith("Security group sg-0123456789abcdef0 does not exist in us-west-2. Security groups are regional", Single(checks, "SecurityGroup", "(web, worker)").Reason);
            Assert.StartsWith("Key pair orders-dr does not exist in us-west-2. Key pairs are regional: import the public key there", Single(checks, "KeyPair").Reason);
            Assert.All(checks.Where(c => c.Check is "Subnet" or "SecurityGroup" or "KeyPair"), c => Assert.Equal((false, (string?)null), (c.Ready, c.ErrorId)));
        }

        [Fact]
        public async Task A_subnet_without_enough_free_addresses_for_the_app_servers_is_not_ready()
        {
            var aws = Healthy();
            aws.Subnets[0] = aws.Subnets[0] with { AvailableIpAddressCount = 2 };
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "Subnet", "(web, worker)");
            Assert.False(check.Ready);
            Assert.StartsWith("Subnet subnet-0123456789abcdef0 has 2 free addresses; the plan launches 3 instances into it.", check.Reason);
        }

        [Fact]
        public async Task The_drill_sections_subnet_and_security_groups_are_checked()
        {
            var plan = Plan(DrStrategy.PilotLight);
            plan = new DrPlan
            {
                Name = plan.Name, Strategy = plan.Strategy, PrimaryRegion = plan.PrimaryRegion, DrRegion = plan.DrRegion, Rto = plan.Rto, Rpo = plan.Rpo,
                Resources = plan.Resources,
                Drill = new DrillSpec { SubnetId = "subnet-0d0000000000000ff", SecurityGroupIds = new[] { "sg-0123456789abcdef0" }, DbSecurityGroupIds = new[] { "sg-0d0000000000000db" } },
            };
            var aws = Healthy();
            aws.SecurityGroups.Add(new Ec2SecurityGroup("sg-0d0000000000000db", "drill-db", "vpc-0drill"));
            var checks = await Check(aws, plan);
            Assert.False(Single(checks, "Subnet", "subnet-0d0000000000000ff (drill)").Ready);
            Assert.True(Single(checks, "SecurityGroup", "sg-0123456789abcdef0 (web, worker, drill)").Ready);
            Assert.True(Single(checks, "SecurityGroup", "sg-0d0000000000000db (drill database)").Ready);
        }

        // ---------------------------------------------------------------- launch templates

        [Fact]
        public async Task A_groups_launch_template_and_the_plans_production_version_must_exist_with_their_AMI()
        {
            var aws = Healthy();
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            var web = Single(checks, "LaunchTemplate", "orders-web-dr");
            Assert.True(web.Ready, web.Reason);
            Assert.Equal("lt-0123456789abcdef0 v1 (default): ami-00000000000000003, t3.micro; lt-0123456789abcdef0 v2: ami-00000000000000003, m6i.large", web.Observed);
            Assert.Contains("DescribeLaunchTemplateVersions us-west-2 lt-0123456789abcdef0 $Latest", aws.Calls);

            aws = Healthy();
            aws.Images.RemoveAll(i => i.ImageId == "ami-00000000000000003");
            var gone = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "LaunchTemplate", "orders-web-dr");
            Assert.False(gone.Ready);
            Assert.StartsWith("orders-web-dr: version 1 (the group's) launches ami-00000000000000003, which does not exist in us-west-2", gone.Reason);
        }

        [Fact]
        public async Task A_missing_launch_template_or_version_is_not_ready()
        {
            var aws = Healthy();
            aws.TemplateVersions.RemoveAll(v => v.VersionNumber == 2); // $Latest is now v1; remove the template for the worker instead
            aws.Groups[1] = aws.Groups[1] with { LaunchTemplate = new LaunchTemplateRef { LaunchTemplateId = "lt-0ffffffffffffffff", Version = "3" } };
            var checks = await Check(aws, Plan(DrStrategy.WarmStandby));
            Assert.True(Single(checks, "LaunchTemplate", "orders-web-dr").Ready);
            var worker = Single(checks, "LaunchTemplate", "orders-worker-dr");
            Assert.False(worker.Ready);
            Assert.StartsWith("orders-worker-dr: launch template lt-0ffffffffffffffff version 3 (the group's) does not exist in us-west-2.", worker.Reason);
        }

        // ---------------------------------------------------------------- instance quota

        [Fact]
        public async Task The_quota_is_compared_in_vCPUs_with_what_the_plan_launches_plus_what_runs()
        {
            var aws = Healthy();
            aws.VCpuQuota = 10;
            aws.RunningInstances.Add(Running("m5.xlarge"));  // 4 vCPUs in use
            aws.RunningInstances.Add(Running("p3.2xlarge")); // another quota: not counted
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "InstanceQuota");
            // web 2 x t3.large (4) + worker 1 x c6i.large (2) = 6 > 10 - 4.
            Assert.True(check.Ready, check.Reason);
            Assert.Equal("quota 10 vCPUs, 4 in use, 6 free; the plan launches 6 vCPUs (web 2 x t3.large = 4, worker 1 x c6i.large = 2)", check.Observed);

            aws.RunningInstances.Add(Running("t3.micro"));
            check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "InstanceQuota");
            Assert.False(check.Ready);
            Assert.StartsWith("The plan launches 6 vCPUs of standard instances but only 4 of the 10-vCPU quota are free in us-west-2. Request an increase of L-1216C47A", check.Reason);
            Assert.Contains("GetServiceQuota us-west-2 ec2 L-1216C47A", aws.Calls);
        }

        [Fact]
        public async Task Groups_count_their_growth_to_production_with_the_type_they_will_launch()
        {
            var aws = Healthy();
            aws.VCpuQuota = 100;
            var check = Single(await Check(aws, Plan(DrStrategy.WarmStandby)), "InstanceQuota");
            // web: desired 4 now, production 4: no growth; worker: desired 0 -> 2 with the $Default version's t3.micro.
            Assert.True(check.Ready, check.Reason);
            Assert.EndsWith("the plan launches 4 vCPUs (orders-worker-dr 2 x t3.micro = 4)", check.Observed);
        }

        [Fact]
        public async Task Without_Service_Quotas_the_check_falls_back_to_EC2s_max_instances()
        {
            var aws = Healthy();
            aws.VCpuQuota = null; // NoSuchResourceException, as moto answers for ec2
            aws.MaxInstances = "4";
            aws.RunningInstances.Add(Running("t3.micro"));
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "InstanceQuota");
            Assert.True(check.Ready, check.Reason);
            Assert.Equal("max-instances 4, 1 running, 3 free; the plan launches 3 instances (web 2, worker 1)", check.Observed);
            Assert.Contains("Service Quotas could not be read (DrTools.NotFound", check.Reason);

            aws.RunningInstances.Add(Running("t3.micro"));
            check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "InstanceQuota");
            Assert.False(check.Ready);
            Assert.StartsWith("The plan launches 3 instances but only 2 of max-instances 4 are free in us-west-2", check.Reason);
        }

        [Fact]
        public async Task An_unknown_quota_is_not_ready_with_the_reason_never_an_error()
        {
            var aws = Healthy();
            aws.Fail["GetServiceQuota"] = FakeAws.AwsError(ErrorIds.AccessDenied, "AccessDeniedException", "ServiceQuotas");
            aws.Fail["DescribeAccountAttributes"] = FakeAws.AwsError(ErrorIds.AccessDenied, "UnauthorizedOperation");
            var check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "InstanceQuota");
            Assert.False(check.Ready);
            Assert.Equal(ErrorIds.AccessDenied, check.ErrorId);
            Assert.StartsWith("Could not check: Service Quotas could not be read (DrTools.AccessDenied", check.Reason);
            Assert.Contains("Allow servicequotas:GetServiceQuota (or ec2:DescribeAccountAttributes)", check.Reason);

            aws = Healthy();
            aws.VCpus.Remove("c6i.large");
            check = Single(await Check(aws, Plan(DrStrategy.PilotLight)), "InstanceQuota");
            Assert.False(check.Ready);
            Assert.StartsWith("Could not tell how many vCPUs worker (c6i.large) will use", check.Reason);
        }

        [Theory]
        [InlineData("t3.large", true)]
        [InlineData("m6i.large", true)]
        [InlineData("z1d.large", true)]
        [InlineData("inf2.xlarge", false)]
        [InlineData("p4d.24xlarge", false)]
        [InlineData("x2idn.16xlarge", false)]
        [InlineData("trn1.2xlarge", false)]
        [InlineData("mac2.metal", false)]
        [InlineData("dl1.24xlarge", false)]
        public void Standard_instance_types_are_those_the_standard_quota_counts(string type, bool standard) =>
            Assert.Equal(standard, ReadinessChecker.IsStandardInstanceType(type));

        static Ec2Instance Running(string type) => new("i-" + Guid.NewGuid().ToString("N").Substring(0, 17), "running", type, null, null, null, null, null, null, null, null,
            Array.Empty<string>(), Array.Empty<string>(), new Dictionary<string, string>());
    }
}
