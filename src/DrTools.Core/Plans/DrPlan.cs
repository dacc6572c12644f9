using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Plans
{
    /// <summary>The four DR strategies, in AWS Resilience Hub's vocabulary (JSON: BACKUP_AND_RESTORE...).</summary>
    public enum DrStrategy
    {
        BackupAndRestore,
        PilotLight,
        WarmStandby,
        MultiSite,
    }

    /// <summary>How a Route 53 record is routed (JSON: SIMPLE, WEIGHTED, FAILOVER).</summary>
    public enum DnsRouting
    {
        Simple,
        Weighted,
        Failover,
    }

    /// <summary>The role of a record set in Route 53 failover routing (JSON: PRIMARY, SECONDARY).</summary>
    public enum FailoverRole
    {
        Primary,
        Secondary,
    }

    /// <summary>
    /// A DR plan: one application, where it runs, where it recovers to, how fast, and the resources involved.
    /// Load it with <see cref="DrPlanLoader"/> (never construct one from unvalidated input), scaffold one with
    /// <see cref="DrPlanTemplates"/>, write it with <see cref="DrPlanWriter"/>. The schema is docs/plan-schema.md.
    /// </summary>
    public sealed class DrPlan
    {
        /// <summary>Identifies the plan in journals, tags and results; letters, digits, '.', '_' and '-'.</summary>
        public string Name { get; init; } = "";
        public string? Description { get; init; }
        public DrStrategy Strategy { get; init; }
        /// <summary>The region the application normally runs in; null when the primary site is on premises.</summary>
        public string? PrimaryRegion { get; init; }
        /// <summary>The region the application recovers into.</summary>
        public string DrRegion { get; init; } = "";
        /// <summary>Recovery time objective: how long the recovery may take, from the start of the run.</summary>
        public TimeSpan Rto { get; init; }
        /// <summary>Recovery point objective: how much data (in time) may be lost.</summary>
        public TimeSpan Rpo { get; init; }
        public PlanResources Resources { get; init; } = new();
        /// <summary>Pauses for a human "go" before a kind of step.</summary>
        public IReadOnlyList<ApprovalSpec> Approvals { get; init; } = Array.Empty<ApprovalSpec>();
        public PlanOptions Options { get; init; } = new();
        /// <summary>How Invoke-DrDrill rehearses this plan in isolation; null: drills use the plan's own DR subnets and no DNS step.</summary>
        public DrillSpec? Drill { get; init; }
        /// <summary>Where the plan was read from (file path), for messages; not part of the schema.</summary>
        public string? Source { get; init; }

        /// <summary>
        /// The plan as a -Plan argument in a command the user is told to run: its file path in single quotes (quotes
        /// doubled), else <paramref name="fallback"/> (default: the plan's name).
        /// </summary>
        public string CommandArgument(string? fallback = null) => Source != null ? "'" + Source.Replace("'", "''") + "'" : fallback ?? Name;
    }

    /// <summary>Engine settings a plan may set; the cmdlets' parameters override them.</summary>
    public sealed class PlanOptions
    {
        /// <summary>How many independent steps may run at once (1..16).</summary>
        public int MaxParallelism { get; init; } = 4;
        /// <summary>How long one step may take before it fails with DrTools.Timeout.</summary>
        public TimeSpan StepTimeout { get; init; } = TimeSpan.FromMinutes(30);
        /// <summary>Keep running independent steps after one fails.</summary>
        public bool ContinueOnError { get; init; }
    }

    public sealed class PlanResources
    {
        public IReadOnlyList<AppServerSpec> AppServers { get; init; } = Array.Empty<AppServerSpec>();
        public DatabaseSpec? Database { get; init; }
        public IReadOnlyList<AutoScalingGroupSpec> AutoScalingGroups { get; init; } = Array.Empty<AutoScalingGroupSpec>();
        public IReadOnlyList<ElasticIpSpec> ElasticIps { get; init; } = Array.Empty<ElasticIpSpec>();
        public DnsSpec? Dns { get; init; }
    }

    /// <summary>App servers launched in the DR region (pilot light, backup and restore).</summary>
    public sealed class AppServerSpec
    {
        /// <summary>The role name ("web"); Elastic IPs and tags refer to it. Unique in the plan.</summary>
        public string Name { get; init; } = "";
        public AmiSelector Ami { get; init; } = new();
        public string InstanceType { get; init; } = "";
        public string? SubnetId { get; init; }
        public IReadOnlyList<string> SecurityGroupIds { get; init; } = Array.Empty<string>();
        public string? KeyName { get; init; }
        public int Count { get; init; } = 1;
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        /// <summary>The newest matching AMI must be younger than this (readiness check); null: no limit.</summary>
        public TimeSpan? MaxAmiAge { get; init; }
    }

    /// <summary>Which AMI in the DR region: a fixed id, or the newest image matching a name pattern and/or tags.</summary>
    public sealed class AmiSelector
    {
        public string? Id { get; init; }
        /// <summary>Image name pattern; '*' and '?' wildcards as in DescribeImages' name filter.</summary>
        public string? Name { get; init; }
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        /// <summary>Image owner (account id, "self", "amazon"); default "self".</summary>
        public string Owner { get; init; } = "self";

        public override string ToString() =>
            Id ?? string.Join(" ", new[] { Name != null ? $"name={Name}" : null, Tags.Count > 0 ? "tags=" + string.Join(",", Tags.Keys) : null }).Trim();
    }

    /// <summary>The RDS database: a cross-region read replica to promote, or a snapshot to restore.</summary>
    public sealed class DatabaseSpec
    {
        /// <summary>Informational engine name (mysql, postgres...); the service is always RDS.</summary>
        public string? Engine { get; init; }
        public string? PrimaryInstanceId { get; init; }
        /// <summary>Region of the primary instance; defaults to the plan's primaryRegion.</summary>
        public string? PrimaryRegion { get; init; }
        /// <summary>The read replica in the DR region to promote (pilot light, warm standby, multi-site).</summary>
        public string? ReplicaInstanceId { get; init; }
        /// <summary>Restore from a snapshot instead of promoting a replica (backup and restore).</summary>
        public DatabaseRestoreSpec? Restore { get; init; }
        /// <summary>Instance class to resize to after promotion/restore; null keeps the current class.</summary>
        public string? TargetInstanceClass { get; init; }
        /// <summary>Largest replica lag accepted before promoting without -AllowDataLoss; defaults to the plan's RPO.</summary>
        public TimeSpan? MaxReplicaLag { get; init; }
        /// <summary>The plan itself accepts promoting a lagging replica (the cmdlets' -AllowDataLoss does the same per run).</summary>
        public bool AllowDataLoss { get; init; }
        /// <summary>Aurora: the DB cluster in the primary region (the writer); instead of primaryInstanceId.</summary>
        public string? ClusterId { get; init; }
        /// <summary>Aurora: the secondary cluster in the DR region (a member of globalClusterId); instead of replicaInstanceId.</summary>
        public string? ReplicaClusterId { get; init; }
        /// <summary>Aurora Global Database: recovery switches over (no data loss) or fails over to replicaClusterId.</summary>
        public string? GlobalClusterId { get; init; }
        /// <summary>How Invoke-DrReprotect puts a replica back after a failover (and after a failback, the other way); null: defaults.</summary>
        public ReprotectSpec? Reprotect { get; init; }
        /// <summary>How a failback stops writes to the DR database before the primary-region replica takes over; null: stop the app servers.</summary>
        public FenceSpec? Fence { get; init; }
        /// <summary>True when the plan names an Aurora cluster (clusterId, replicaClusterId, globalClusterId or restore.clusterId).</summary>
        public bool IsAurora => ClusterId != null || ReplicaClusterId != null || GlobalClusterId != null || Restore?.ClusterId != null;
    }

    /// <summary>
    /// The plan's database.reprotect section: where the replica goes that protects the database again after a failover
    /// (a cross-region read replica of the promoted database), and after a failback the other way. Every member is optional.
    /// </summary>
    public sealed class ReprotectSpec
    {
        /// <summary>Region of the replica after a failover; null: the database's primary region (back where it came from).</summary>
        public string? Region { get; init; }
        /// <summary>
        /// Id of the replica created after a failover; null: the primary's own id (primaryInstanceId). An instance that
        /// already holds the id and is not a replica of the active database is renamed aside (never deleted) first.
        /// </summary>
        public string? InstanceId { get; init; }
        /// <summary>Class of the new replica; null: the class of the instance it replaces, else the active database's.</summary>
        public string? InstanceClass { get; init; }
        /// <summary>KMS key in the replica's region for an encrypted database; null: the key of the instance it replaces.</summary>
        public string? KmsKeyId { get; init; }
        public string? DbSubnetGroupName { get; init; }
        public IReadOnlyList<string> SecurityGroupIds { get; init; } = Array.Empty<string>();
        /// <summary>Invoke-DrFailover re-protects at the end of a successful failover (as -Reprotect does).</summary>
        public bool AfterFailover { get; init; }
    }

    /// <summary>How a failback stops writes on the DR database (JSON: STOP_APP_SERVERS, PARAMETER_GROUP).</summary>
    public enum FenceMode
    {
        /// <summary>Stop the DR app servers (instances the recovery launched) and scale the DR groups to zero.</summary>
        StopAppServers,
        /// <summary>Attach a read-only DB parameter group to the DR database and reboot it.</summary>
        ParameterGroup,
    }

    /// <summary>The plan's database.fence section.</summary>
    public sealed class FenceSpec
    {
        public FenceMode Mode { get; init; } = FenceMode.StopAppServers;
        /// <summary>PARAMETER_GROUP: a DB parameter group in the DR region that makes the engine read-only
        /// (read_only=1 for MySQL/MariaDB, default_transaction_read_only=on for PostgreSQL).</summary>
        public string? ParameterGroupName { get; init; }
    }

    public sealed class DatabaseRestoreSpec
    {
        /// <summary>Snapshot id or ARN in the DR region; null: the newest snapshot of the primary instance copied there.</summary>
        public string? SnapshotId { get; init; }
        /// <summary>The id of the DB instance the restore creates.</summary>
        public string InstanceId { get; init; } = "";
        /// <summary>Restore to this moment from the primary's automated backups (replicated to the DR region) instead of a snapshot.</summary>
        public DateTimeOffset? PointInTime { get; init; }
        /// <summary>Restore to the latest restorable time of the primary's automated backups (replicated to the DR region) instead of a snapshot.</summary>
        public bool LatestRestorable { get; init; }
        /// <summary>Aurora: the id of the DB cluster the restore creates (instead of instanceId); restored from a cluster snapshot or to a point in time.</summary>
        public string? ClusterId { get; init; }
        /// <summary>Aurora: cluster snapshot id or ARN in the DR region; null: the newest cluster snapshot of the primary cluster copied there.</summary>
        public string? ClusterSnapshotId { get; init; }
        /// <summary>Aurora: how many DB instances the restored cluster gets (class: targetInstanceClass); 1..16, default 1.</summary>
        public int InstanceCount { get; init; } = 1;
    }

    /// <summary>Minimum / maximum / desired capacity of an Auto Scaling group.</summary>
    public sealed record GroupSize(int Min, int Max, int Desired)
    {
        public override string ToString() => $"min {Min}, max {Max}, desired {Desired}";
    }

    /// <summary>An Auto Scaling group kept small in standby and scaled to production size on recovery.</summary>
    public sealed class AutoScalingGroupSpec
    {
        public string Name { get; init; } = "";
        /// <summary>Defaults to the plan's drRegion.</summary>
        public string Region { get; init; } = "";
        public GroupSize? Standby { get; init; }
        public GroupSize Production { get; init; } = new(0, 0, 0);
        /// <summary>Instance type to switch the group to for production; null keeps the current one.</summary>
        public string? InstanceType { get; init; }
        /// <summary>Launch template version for production ("$Latest", "$Default" or a number); null keeps the current one.</summary>
        public string? LaunchTemplateVersion { get; init; }
    }

    /// <summary>An Elastic IP to attach to a recovered instance.</summary>
    public sealed class ElasticIpSpec
    {
        public string AllocationId { get; init; } = "";
        /// <summary>Name of the app server role whose instance gets the address.</summary>
        public string? AppServer { get; init; }
        /// <summary>Which instance of the role (0-based) when the role has several.</summary>
        public int Index { get; init; }
        /// <summary>A fixed, already running instance instead of an app server role (warm standby).</summary>
        public string? InstanceId { get; init; }
    }

    public sealed class DnsSpec
    {
        public string? HostedZoneId { get; init; }
        /// <summary>Zone name with the trailing dot ("example.com.").</summary>
        public string? HostedZoneName { get; init; }
        public IReadOnlyList<DnsRecordSpec> Records { get; init; } = Array.Empty<DnsRecordSpec>();
    }

    /// <summary>One DNS name and how recovery changes it.</summary>
    public sealed class DnsRecordSpec
    {
        /// <summary>Fully qualified name with the trailing dot ("app.example.com.").</summary>
        public string Name { get; init; } = "";
        /// <summary>A, AAAA or CNAME.</summary>
        public string Type { get; init; } = "A";
        public DnsRouting Routing { get; init; }
        /// <summary>Seconds; null for alias targets (Route 53 uses the target's TTL).</summary>
        public int? Ttl { get; init; }
        /// <summary>SIMPLE: the record as it is in normal operation (used by failback).</summary>
        public RecordTarget? Primary { get; init; }
        /// <summary>SIMPLE: what the record points to after recovery.</summary>
        public RecordTarget? Dr { get; init; }
        /// <summary>WEIGHTED and FAILOVER: one entry per site (record set).</summary>
        public IReadOnlyList<DnsSiteSpec> Sites { get; init; } = Array.Empty<DnsSiteSpec>();
    }

    /// <summary>One record set of a weighted or failover record.</summary>
    public sealed class DnsSiteSpec
    {
        public string SetIdentifier { get; init; } = "";
        /// <summary>WEIGHTED: weight in normal operation (0..255).</summary>
        public int? Weight { get; init; }
        /// <summary>WEIGHTED: weight after failover to DR (0..255).</summary>
        public int? FailoverWeight { get; init; }
        /// <summary>FAILOVER: PRIMARY or SECONDARY.</summary>
        public FailoverRole? Failover { get; init; }
        public RecordTarget Target { get; init; } = new();
        public string? HealthCheckId { get; init; }
    }

    /// <summary>What a record set answers: literal values, the public IPs of Elastic IPs, or an alias.</summary>
    public sealed class RecordTarget
    {
        public IReadOnlyList<string> Values { get; init; } = Array.Empty<string>();
        /// <summary>Allocation ids whose public IPs become the values at run time.</summary>
        public IReadOnlyList<string> ElasticIps { get; init; } = Array.Empty<string>();
        public AliasTargetSpec? Alias { get; init; }

        public override string ToString() =>
            Alias != null ? $"alias {Alias.DnsName}" : ElasticIps.Count > 0 ? "EIP " + string.Join(", ", ElasticIps) : string.Join(", ", Values);
    }

    public sealed class AliasTargetSpec
    {
        public string DnsName { get; init; } = "";
        public string HostedZoneId { get; init; } = "";
        public bool EvaluateTargetHealth { get; init; }
    }

    /// <summary>A pause for a human "go" before the first step of a kind (e.g. before changing DNS).</summary>
    public sealed class ApprovalSpec
    {
        /// <summary>The kind of step to pause before (JSON: its name, e.g. "ChangeDns").</summary>
        public StepKind Before { get; init; }
        public string Message { get; init; } = "";
    }

    /// <summary>
    /// The plan's "drill" section: where a drill (Invoke-DrDrill) puts what it creates, so that it never touches what
    /// production or the standby depends on. Every member is optional.
    /// </summary>
    public sealed class DrillSpec
    {
        /// <summary>Subnet for drill instances; null: each app server's own subnet.</summary>
        public string? SubnetId { get; init; }
        /// <summary>Security groups for drill instances; empty: each app server's own.</summary>
        public IReadOnlyList<string> SecurityGroupIds { get; init; } = Array.Empty<string>();
        /// <summary>DB subnet group for the drill database; null: the RDS default.</summary>
        public string? DbSubnetGroupName { get; init; }
        /// <summary>VPC security groups for the drill database; empty: the RDS default.</summary>
        public IReadOnlyList<string> DbSecurityGroupIds { get; init; } = Array.Empty<string>();
        /// <summary>Instance class of the drill database; null: the plan's targetInstanceClass, else the source's class.</summary>
        public string? DbInstanceClass { get; init; }
        /// <summary>A drill-only DNS record pointing at the drill instances; null: drills change no DNS.</summary>
        public DrillDnsSpec? Dns { get; init; }
        /// <summary>Copy: create drill Auto Scaling groups from the standby groups' launch templates; Skip: no groups.</summary>
        public DrillGroupMode AutoScalingGroups { get; init; } = DrillGroupMode.Copy;
        /// <summary>HTTP/TCP checks run against the drill environment; every one must pass for the drill to pass.</summary>
        public IReadOnlyList<DrillProbeSpec> Probes { get; init; } = Array.Empty<DrillProbeSpec>();
        /// <summary>CloudWatch alarms (in the DR region) polled during every drill: one in ALARM stops the drill.</summary>
        public IReadOnlyList<string> StopAlarms { get; init; } = Array.Empty<string>();
        /// <summary>Readiness fails when the newest passing drill is older than this; null: not checked.</summary>
        public TimeSpan? MaxAge { get; init; }

        /// <summary>One line for Import-DrPlan | Format-List: where drills go and what they check.</summary>
        public override string ToString() => string.Join(", ", new[]
        {
            SubnetId != null ? "subnet " + SubnetId : "the app servers' subnets",
            Dns != null ? "DNS " + Dns.RecordName : "no DNS",
            AutoScalingGroups == DrillGroupMode.Skip ? "groups skipped" : null,
            Probes.Count > 0 ? $"{Probes.Count} probe{(Probes.Count == 1 ? "" : "s")} ({string.Join(", ", Probes.Select(p => p.Name))})" : "no probes",
            StopAlarms.Count > 0 ? $"{StopAlarms.Count} stop alarm{(StopAlarms.Count == 1 ? "" : "s")}" : null,
            MaxAge is { } age ? "maxAge " + Duration.ToIso(age) : null,
        }.Where(p => p != null));
    }

    /// <summary>What a drill does with the plan's Auto Scaling groups (JSON: COPY, SKIP).</summary>
    public enum DrillGroupMode
    {
        Copy,
        Skip,
    }

    /// <summary>A record only drills use (never one of the plan's production records).</summary>
    public sealed class DrillDnsSpec
    {
        public string HostedZoneId { get; init; } = "";
        /// <summary>Fully qualified name with the trailing dot ("drill.example.com."); must not be one of the plan's records.</summary>
        public string RecordName { get; init; } = "";
        /// <summary>The app server role whose drill instances the record points at (their private IPs); null: the first role.</summary>
        public string? AppServer { get; init; }
        public int Ttl { get; init; } = 60;
    }

    /// <summary>
    /// One validation probe. Targets may hold placeholders filled from the drill environment: {&lt;role&gt;} (the first
    /// drill instance of that app server role, private IP), {&lt;role&gt;.publicIp}, {database} (the drill database's
    /// endpoint address), {database.port}, {dns} (the drill record name without the trailing dot).
    /// </summary>
    public sealed class DrillProbeSpec
    {
        public string Name { get; init; } = "";
        /// <summary>http:// or https:// URL; passes on the expected status.</summary>
        public string? Url { get; init; }
        /// <summary>"host:port"; passes when a TCP connection opens.</summary>
        public string? Tcp { get; init; }
        /// <summary>HTTP status that passes; null: any 2xx or 3xx.</summary>
        public int? ExpectStatus { get; init; }
        /// <summary>How long the probe is retried (every 10 s) before it fails: new servers take time to boot.</summary>
        public TimeSpan Within { get; init; } = TimeSpan.FromMinutes(5);

        public override string ToString() => $"{Name}: {Url ?? "tcp " + Tcp}" + (ExpectStatus is { } s ? $" -> {s}" : "") + $" within {Duration.ToIso(Within)}";
    }
}
