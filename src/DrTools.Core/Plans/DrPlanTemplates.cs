using System;
using System.Collections.Generic;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Plans
{
    /// <summary>
    /// Full example plans, one per strategy (New-DrPlan and docs/examples/plans). The ids are placeholders in the
    /// right format; hostnames and addresses use the documentation ranges (example.com, 198.51.100.0/24, 203.0.113.0/24).
    /// </summary>
    public static class DrPlanTemplates
    {
        const string Subnet = "subnet-0123456789abcdef0";
        const string SecurityGroup = "sg-0123456789abcdef0";
        const string DrillSubnet = "subnet-0fedcba9876543210";
        const string DrillSecurityGroup = "sg-0fedcba9876543210";
        const string Eip = "eipalloc-0123456789abcdef0";
        const string Zone = "Z0123456789ABCDEFGHIJ";
        const string PrimaryHealthCheck = "11111111-2222-3333-4444-555555555555";
        const string DrHealthCheck = "66666666-7777-8888-9999-000000000000";

        /// <summary>A complete plan for <paramref name="strategy"/>; replace the placeholder ids with yours.</summary>
        /// <param name="name">Plan name; also used in resource names and tags of the example.</param>
        public static DrPlan Create(DrStrategy strategy, string name = "orders", string primaryRegion = "us-east-1", string drRegion = "us-west-2")
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A plan name is required.", nameof(name));
            var n = name.ToLowerInvariant();
            var zoneName = "example.com.";
            var record = $"{n}.{zoneName}";
            var tags = new Dictionary<string, string> { ["Application"] = name, ["drtools:plan"] = name };
            var options = new PlanOptions { MaxParallelism = 4, StepTimeout = TimeSpan.FromMinutes(30), ContinueOnError = false };
            var groupId = n.Replace('.', '-').Replace('_', '-');
            switch (strategy)
            {
                case DrStrategy.BackupAndRestore:
                    return new DrPlan
                    {
                        Name = name, Strategy = strategy, PrimaryRegion = primaryRegion, DrRegion = drRegion,
                        Description = $"{name}: restore the app servers from AMI copies and the database from its newest snapshot copy in {drRegion}.",
                        Rto = TimeSpan.FromHours(8), Rpo = TimeSpan.FromHours(24), Options = options,
                        Resources = new PlanResources
                        {
                            AppServers = new[] { AppServer("web", n, 2, "t3.large", tags) },
                            Database = new DatabaseSpec
                            {
                                Engine = "postgres", PrimaryInstanceId = $"{groupId}-db",
                                Restore = new DatabaseRestoreSpec { InstanceId = $"{groupId}-db-restored" },
                                TargetInstanceClass = "db.r6g.large",
                            },
                            ElasticIps = new[] { new ElasticIpSpec { AllocationId = Eip, AppServer = "web", Index = 0 } },
                            Dns = new DnsSpec
                            {
                                HostedZoneId = Zone, HostedZoneName = zoneName,
                                Records = new[] { SimpleRecord(record) },
                            },
                        },
                        Drill = Drill(groupId, record, withDns: true, maxAgeDays: 90),
                    };
                case DrStrategy.PilotLight:
                    return new DrPlan
                    {
                        Name = name, Strategy = strategy, PrimaryRegion = primaryRegion, DrRegion = drRegion,
                        Description = $"{name}: the database replicates to {drRegion}; app servers are launched from AMIs on recovery.",
                        Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(15), Options = options,
                        Resources = new PlanResources
                        {
                            AppServers = new[] { AppServer("web", n, 2, "t3.large", tags), AppServer("worker", n, 1, "c6i.large", tags) },
                            Database = ReplicaDatabase(groupId, "db.r6g.xlarge"),
                            ElasticIps = new[] { new ElasticIpSpec { AllocationId = Eip, AppServer = "web", Index = 0 } },
                            Dns = new DnsSpec
                            {
                                HostedZoneId = Zone, HostedZoneName = zoneName,
                                Records = new[] { SimpleRecord(record) },
                            },
                        },
                        Approvals = new[]
                        {
                            new ApprovalSpec { Before = StepKind.ChangeDns, Message = $"The {name} app servers in {drRegion} are up. Is the primary site fenced, and may DNS move to {drRegion}?" },
                        },
                        Drill = Drill(groupId, record, withDns: true, maxAgeDays: 30),
                    };
                case DrStrategy.WarmStandby:
                    return new DrPlan
                    {
                        Name = name, Strategy = strategy, PrimaryRegion = primaryRegion, DrRegion = drRegion,
                        Description = $"{name}: a scaled-down copy runs in {drRegion}; recovery scales it to production size.",
                        Rto = TimeSpan.FromMinutes(30), Rpo = TimeSpan.FromMinutes(5), Options = options,
                        Resources = new PlanResources
                        {
                            Database = ReplicaDatabase(groupId, "db.r6g.xlarge"),
                            AutoScalingGroups = new[]
                            {
                                new AutoScalingGroupSpec
                                {
                                    Name = $"{groupId}-web-dr", Region = drRegion, Standby = new GroupSize(1, 2, 1), Production = new GroupSize(2, 10, 4),
                                    InstanceType = "m6i.large", LaunchTemplateVersion = "$Latest",
                                },
                                new AutoScalingGroupSpec { Name = $"{groupId}-worker-dr", Region = drRegion, Standby = new GroupSize(0, 1, 0), Production = new GroupSize(1, 4, 2) },
                            },
                            Dns = new DnsSpec
                            {
                                HostedZoneId = Zone, HostedZoneName = zoneName,
                                Records = new[]
                                {
                                    new DnsRecordSpec
                                    {
                                        Name = record, Type = "A", Routing = DnsRouting.Failover, Ttl = 60,
                                        Sites = new[]
                                        {
                                            new DnsSiteSpec { SetIdentifier = primaryRegion, Failover = FailoverRole.Primary, HealthCheckId = PrimaryHealthCheck, Target = new RecordTarget { Values = new[] { "198.51.100.10" } } },
                                            new DnsSiteSpec { SetIdentifier = drRegion, Failover = FailoverRole.Secondary, HealthCheckId = DrHealthCheck, Target = new RecordTarget { Values = new[] { "203.0.113.10" } } },
                                        },
                                    },
                                },
                            },
                        },
                        Drill = Drill(groupId, record, withDns: false, maxAgeDays: 30),
                    };
                case DrStrategy.MultiSite:
                    return new DrPlan
                    {
                        Name = name, Strategy = strategy, PrimaryRegion = primaryRegion, DrRegion = drRegion,
                        Description = $"{name}: both sites serve traffic by weight; failover moves all traffic to {drRegion} and promotes its database.",
                        Rto = TimeSpan.FromMinutes(5), Rpo = TimeSpan.FromMinutes(1), Options = options,
                        Resources = new PlanResources
                        {
                            Database = ReplicaDatabase(groupId, null, maxLagMinutes: 1),
                            AutoScalingGroups = new[]
                            {
                                new AutoScalingGroupSpec { Name = $"{groupId}-web-dr", Region = drRegion, Standby = new GroupSize(2, 10, 4), Production = new GroupSize(4, 20, 8) },
                            },
                            Dns = new DnsSpec
                            {
                                HostedZoneId = Zone, HostedZoneName = zoneName,
                                Records = new[]
                                {
                                    new DnsRecordSpec
                                    {
                                        Name = record, Type = "A", Routing = DnsRouting.Weighted, Ttl = 60,
                                        Sites = new[]
                                        {
                                            new DnsSiteSpec { SetIdentifier = primaryRegion, Weight = 50, FailoverWeight = 0, HealthCheckId = PrimaryHealthCheck, Target = new RecordTarget { Values = new[] { "198.51.100.10" } } },
                                            new DnsSiteSpec { SetIdentifier = drRegion, Weight = 50, FailoverWeight = 100, HealthCheckId = DrHealthCheck, Target = new RecordTarget { Values = new[] { "203.0.113.10" } } },
                                        },
                                    },
                                },
                            },
                        },
                        Drill = Drill(groupId, record, withDns: false, maxAgeDays: 30),
                    };
                default:
                    throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown strategy.");
            }
        }

        /// <summary>
        /// Where drills put what they create: their own subnet and security groups (replace the ids), a drill-only DNS name
        /// next to the production record, probes against the drill servers and database, and how old the last passing drill may be.
        /// </summary>
        static DrillSpec Drill(string id, string record, bool withDns, int maxAgeDays) => new()
        {
            SubnetId = DrillSubnet, SecurityGroupIds = new[] { DrillSecurityGroup },
            DbSubnetGroupName = $"{id}-drill", DbSecurityGroupIds = new[] { DrillSecurityGroup }, DbInstanceClass = "db.t4g.medium",
            Dns = withDns ? new DrillDnsSpec { HostedZoneId = Zone, RecordName = "drill." + record, AppServer = "web", Ttl = 60 } : null,
            AutoScalingGroups = DrillGroupMode.Copy,
            Probes = withDns
                ? new[]
                {
                    new DrillProbeSpec { Name = "web", Url = "http://{web}/health", ExpectStatus = 200, Within = TimeSpan.FromMinutes(10) },
                    new DrillProbeSpec { Name = "database", Tcp = "{database}:{database.port}", Within = TimeSpan.FromMinutes(5) },
                }
                : new[] { new DrillProbeSpec { Name = "database", Tcp = "{database}:{database.port}", Within = TimeSpan.FromMinutes(5) } },
            StopAlarms = new[] { $"{id}-dr-errors" },
            MaxAge = TimeSpan.FromDays(maxAgeDays),
        };

        static AppServerSpec AppServer(string role, string plan, int count, string type, Dictionary<string, string> tags) => new()
        {
            Name = role,
            Ami = new AmiSelector { Name = $"{plan}-{role}-*", Tags = new Dictionary<string, string> { ["drtools:plan"] = plan, ["drtools:role"] = role } },
            InstanceType = type, SubnetId = Subnet, SecurityGroupIds = new[] { SecurityGroup }, KeyName = $"{plan}-dr", Count = count,
            Tags = new Dictionary<string, string>(tags) { ["Role"] = role }, MaxAmiAge = TimeSpan.FromDays(7),
        };

        static DatabaseSpec ReplicaDatabase(string id, string? targetClass, int maxLagMinutes = 5) => new()
        {
            Engine = "postgres", PrimaryInstanceId = $"{id}-db", ReplicaInstanceId = $"{id}-db-dr", TargetInstanceClass = targetClass,
            MaxReplicaLag = TimeSpan.FromMinutes(maxLagMinutes), AllowDataLoss = false,
        };

        static DnsRecordSpec SimpleRecord(string name) => new()
        {
            Name = name, Type = "A", Routing = DnsRouting.Simple, Ttl = 60,
            Primary = new RecordTarget { Values = new[] { "198.51.100.10" } },
            Dr = new RecordTarget { ElasticIps = new[] { Eip } },
        };
    }
}
