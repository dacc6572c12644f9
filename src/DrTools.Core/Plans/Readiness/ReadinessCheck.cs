using System;

namespace DrTools.Core.Plans.Readiness
{
    /// <summary>
    /// The outcome of one readiness check of a DR plan against the DR region (Test-DrPlan -Live), like one resource
    /// of a Route 53 ARC readiness check. <see cref="Reason"/> always says why, ready or not.
    /// </summary>
    public sealed class ReadinessCheck
    {
        /// <summary>The plan's name.</summary>
        public string Plan { get; init; } = "";
        /// <summary>What was checked; one of <see cref="ReadinessChecks"/>.</summary>
        public string Check { get; init; } = "";
        /// <summary>The resource as the plan names it (AMI selector, instance id, group name, record...).</summary>
        public string Resource { get; init; } = "";
        /// <summary>The region checked; "global" for Route 53.</summary>
        public string Region { get; init; } = "";
        public bool Ready { get; init; }
        public string Reason { get; init; } = "";
        /// <summary>What AWS reported (ids, status, sizes, ages); null when nothing could be read.</summary>
        public string? Observed { get; init; }
        /// <summary>The DrTools error id when the check could not ask AWS (e.g. DrTools.AccessDenied); null otherwise.</summary>
        public string? ErrorId { get; init; }
        public DateTimeOffset CheckedAt { get; init; }
        /// <summary>Age checks (AmiAge, AmiRecoveryPoint, DbRecoveryPoint, ReplicaLag, LastDrill): the measured age or lag; null for other checks or when unknown.</summary>
        public TimeSpan? Age { get; init; }
        /// <summary>Age checks: the limit the age is held against (maxAmiAge, rpo, maxReplicaLag or drill.maxAge); null for other checks.</summary>
        public TimeSpan? Limit { get; init; }
        /// <summary>Ready, but worth a person's look (a primary-side health check that fails): Get-DrStatus makes it a Warning.</summary>
        public bool Notice { get; init; }

        /// <summary>A copy with the measured age and its limit (age checks).</summary>
        internal ReadinessCheck WithAge(TimeSpan? age, TimeSpan limit) => new()
        {
            Plan = Plan, Check = Check, Resource = Resource, Region = Region, Ready = Ready, Reason = Reason, Observed = Observed, ErrorId = ErrorId,
            CheckedAt = CheckedAt, Age = age, Limit = limit, Notice = Notice,
        };

        /// <summary>A copy about <paramref name="resource"/>.</summary>
        internal ReadinessCheck ForResource(string resource) => new()
        {
            Plan = Plan, Check = Check, Resource = resource, Region = Region, Ready = Ready, Reason = Reason, Observed = Observed, ErrorId = ErrorId,
            CheckedAt = CheckedAt, Age = Age, Limit = Limit, Notice = Notice,
        };

        /// <summary>A copy marked <see cref="Notice"/>.</summary>
        internal ReadinessCheck AsNotice() => new()
        {
            Plan = Plan, Check = Check, Resource = Resource, Region = Region, Ready = Ready, Reason = Reason, Observed = Observed, ErrorId = ErrorId,
            CheckedAt = CheckedAt, Age = Age, Limit = Limit, Notice = true,
        };

        public override string ToString() => $"{(Ready ? "READY" : "NOT READY")} {Check} {Resource} ({Region}): {Reason}";
    }

    /// <summary>The names of the readiness checks (the <see cref="ReadinessCheck.Check"/> values).</summary>
    public static class ReadinessChecks
    {
        /// <summary>The DR region is a region of the account's partition and enabled for the account (opt-in regions).</summary>
        public const string RegionEnabled = "RegionEnabled";
        /// <summary>The app server's AMI (by id, or the newest matching the plan's filter) exists and is available in the DR region.</summary>
        public const string AmiExists = "AmiExists";
        /// <summary>That AMI is younger than the app server's maxAmiAge.</summary>
        public const string AmiAge = "AmiAge";
        /// <summary>BACKUP_AND_RESTORE: the AMI is the app server's recovery point, so it must be younger than the RPO.</summary>
        public const string AmiRecoveryPoint = "AmiRecoveryPoint";
        /// <summary>The read replica exists in the DR region, is available and still replicating (from the plan's primary).</summary>
        public const string DbReplica = "DbReplica";
        /// <summary>Restore plans: the snapshot to restore (the plan's, or the newest of the primary) exists and is available in the DR region.</summary>
        public const string DbSnapshot = "DbSnapshot";
        /// <summary>Restore plans: that snapshot is younger than the RPO.</summary>
        public const string DbRecoveryPoint = "DbRecoveryPoint";
        /// <summary>
        /// Point-in-time restore plans: the primary's automated backups are replicated to the DR region and their restorable
        /// window reaches within the RPO of now (latestRestorable) or contains the plan's pointInTime.
        /// </summary>
        public const string DbAutomatedBackups = "DbAutomatedBackups";
        /// <summary>Aurora: the primary DB cluster of the global database exists in the primary region (and is available).</summary>
        public const string DbPrimaryCluster = "DbPrimaryCluster";
        /// <summary>Aurora: the secondary DB cluster has instances to take over, of targetInstanceClass when the plan names one.</summary>
        public const string DbClusterInstances = "DbClusterInstances";
        /// <summary>The Auto Scaling group exists (and runs at least its standby size).</summary>
        public const string AutoScalingGroup = "AutoScalingGroup";
        /// <summary>The Elastic IP allocation exists in the DR region.</summary>
        public const string ElasticIp = "ElasticIp";
        /// <summary>The hosted zone exists (and has the plan's name).</summary>
        public const string HostedZone = "HostedZone";
        /// <summary>A SIMPLE record exists in the zone.</summary>
        public const string DnsRecord = "DnsRecord";
        /// <summary>A WEIGHTED or FAILOVER site (record set by SetIdentifier) exists with the plan's routing and health check.</summary>
        public const string DnsSite = "DnsSite";
        /// <summary>A health check named by the plan exists.</summary>
        public const string HealthCheck = "HealthCheck";
        /// <summary>The read replica's lag (CloudWatch ReplicaLag) is known and within maxReplicaLag (default the RPO).</summary>
        public const string ReplicaLag = "ReplicaLag";
        /// <summary>What Route 53's checkers report for a health check: a DR-side check must be healthy (a primary-side one is reported).</summary>
        public const string HealthCheckStatus = "HealthCheckStatus";
        /// <summary>A subnet that launches use (app servers, drill) exists in the DR region (with free addresses for the app servers).</summary>
        public const string Subnet = "Subnet";
        /// <summary>A security group that launches use (app servers, drill instances and database) exists in the DR region.</summary>
        public const string SecurityGroup = "SecurityGroup";
        /// <summary>A key pair the app servers launch with exists in the DR region.</summary>
        public const string KeyPair = "KeyPair";
        /// <summary>An Auto Scaling group's launch template and the versions it and the plan use exist, with their AMI.</summary>
        public const string LaunchTemplate = "LaunchTemplate";
        /// <summary>The EC2 On-Demand instance quota has room for what the plan launches (app servers, groups scaled to production).</summary>
        public const string InstanceQuota = "InstanceQuota";
        /// <summary>A CloudWatch alarm named in drill.stopAlarms exists in the DR region (a misspelt one would never stop a drill).</summary>
        public const string StopAlarm = "StopAlarm";
        /// <summary>drill.maxAge: the newest passing drill in the drill history (-JournalPath) is younger than maxAge.</summary>
        public const string LastDrill = "LastDrill";
        /// <summary>
        /// The plan's active side (the record failovers, re-protects and failbacks write in the journal store): not ready
        /// when the active writer has no replica in another region (failed over and not re-protected).
        /// </summary>
        public const string Protection = "Protection";
    }
}
