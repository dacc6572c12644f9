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
        /// <summary>Age checks (AmiAge, AmiRecoveryPoint, DbRecoveryPoint): the measured age; null for other checks or when unknown.</summary>
        public TimeSpan? Age { get; init; }
        /// <summary>Age checks: the limit the age is held against (maxAmiAge or rpo); null for other checks.</summary>
        public TimeSpan? Limit { get; init; }

        /// <summary>A copy with the measured age and its limit (age checks).</summary>
        internal ReadinessCheck WithAge(TimeSpan? age, TimeSpan limit) => new()
        {
            Plan = Plan, Check = Check, Resource = Resource, Region = Region, Ready = Ready, Reason = Reason, Observed = Observed, ErrorId = ErrorId,
            CheckedAt = CheckedAt, Age = age, Limit = limit,
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
    }
}
