using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Aws.Rds
{
    /// <summary>A DB instance as DR sees it (the members of the RDS DBInstance shape that matter for failover and restore).</summary>
    public sealed record DbInstance
    {
        public string Identifier { get; init; } = "";
        public string? Arn { get; init; }
        public string? InstanceClass { get; init; }
        public string? Engine { get; init; }
        public string? EngineVersion { get; init; }
        /// <summary>available, creating, modifying, backing-up, deleting, failed, storage-full...</summary>
        public string Status { get; init; } = "";
        public string? AvailabilityZone { get; init; }
        public string? SecondaryAvailabilityZone { get; init; }
        public bool MultiAZ { get; init; }
        public string? EndpointAddress { get; init; }
        public int? EndpointPort { get; init; }
        public int? AllocatedStorage { get; init; }
        public string? StorageType { get; init; }
        public bool StorageEncrypted { get; init; }
        public string? KmsKeyId { get; init; }
        /// <summary>The source (id, or ARN when it is in another region) when this instance is a read replica.</summary>
        public string? ReadReplicaSource { get; init; }
        public IReadOnlyList<string> ReadReplicas { get; init; } = Array.Empty<string>();
        public bool IsReadReplica => !string.IsNullOrEmpty(ReadReplicaSource);
        public string? DBSubnetGroupName { get; init; }
        public string? VpcId { get; init; }
        public IReadOnlyList<string> VpcSecurityGroupIds { get; init; } = Array.Empty<string>();
        public int? BackupRetentionPeriod { get; init; }
        public DateTime? LatestRestorableTime { get; init; }
        public DateTime? InstanceCreateTime { get; init; }
        public bool DeletionProtection { get; init; }
        public string? DBClusterIdentifier { get; init; }
        /// <summary>A class change waiting for the maintenance window (or being applied).</summary>
        public string? PendingInstanceClass { get; init; }
        /// <summary>The instance's (first) DB parameter group, and whether it is applied ("in-sync") or waits for a reboot ("pending-reboot").</summary>
        public string? DBParameterGroupName { get; init; }
        public string? ParameterApplyStatus { get; init; }
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        /// <summary>The region the instance was read from.</summary>
        public string Region { get; init; } = "";

        internal static DbInstance Parse(XElement x, string region) => new()
        {
            Identifier = x.Child("DBInstanceIdentifier") ?? "",
            Arn = x.Child("DBInstanceArn"),
            InstanceClass = x.Child("DBInstanceClass"),
            Engine = x.Child("Engine"),
            EngineVersion = x.Child("EngineVersion"),
            Status = x.Child("DBInstanceStatus") ?? "",
            AvailabilityZone = x.Child("AvailabilityZone"),
            SecondaryAvailabilityZone = x.Child("SecondaryAvailabilityZone"),
            MultiAZ = x.Bool("MultiAZ"),
            EndpointAddress = x.Element("Endpoint")?.Child("Address"),
            EndpointPort = x.Element("Endpoint")?.Int("Port"),
            AllocatedStorage = x.Int("AllocatedStorage"),
            StorageType = x.Child("StorageType"),
            StorageEncrypted = x.Bool("StorageEncrypted"),
            KmsKeyId = x.Child("KmsKeyId"),
            ReadReplicaSource = x.Child("ReadReplicaSourceDBInstanceIdentifier"),
            ReadReplicas = x.Strings("ReadReplicaDBInstanceIdentifiers"),
            DBSubnetGroupName = x.Element("DBSubnetGroup")?.Child("DBSubnetGroupName"),
            VpcId = x.Element("DBSubnetGroup")?.Child("VpcId"),
            VpcSecurityGroupIds = x.Items("VpcSecurityGroups").Select(g => g.Child("VpcSecurityGroupId")).OfType<string>().ToList(),
            BackupRetentionPeriod = x.Int("BackupRetentionPeriod"),
            LatestRestorableTime = x.Date("LatestRestorableTime"),
            InstanceCreateTime = x.Date("InstanceCreateTime"),
            DeletionProtection = x.Bool("DeletionProtection"),
            DBClusterIdentifier = x.Child("DBClusterIdentifier"),
            PendingInstanceClass = x.Element("PendingModifiedValues")?.Child("DBInstanceClass"),
            DBParameterGroupName = x.Items("DBParameterGroups").Select(g => g.Child("DBParameterGroupName")).FirstOrDefault(),
            ParameterApplyStatus = x.Items("DBParameterGroups").Select(g => g.Child("ParameterApplyStatus")).FirstOrDefault(),
            Tags = x.Tags("TagList"),
            Region = region,
        };
    }

    /// <summary>A DB snapshot (manual, automated or copied).</summary>
    public sealed record DbSnapshot
    {
        public string Identifier { get; init; } = "";
        public string? Arn { get; init; }
        public string? DBInstanceIdentifier { get; init; }
        /// <summary>creating, available, copying, failed, deleted...</summary>
        public string Status { get; init; } = "";
        /// <summary>manual, automated, shared, public, awsbackup.</summary>
        public string? SnapshotType { get; init; }
        public DateTime? SnapshotCreateTime { get; init; }
        public DateTime? OriginalSnapshotCreateTime { get; init; }
        public int? PercentProgress { get; init; }
        public string? Engine { get; init; }
        public string? EngineVersion { get; init; }
        public int? AllocatedStorage { get; init; }
        public string? StorageType { get; init; }
        public string? AvailabilityZone { get; init; }
        public string? VpcId { get; init; }
        public int? Port { get; init; }
        public bool Encrypted { get; init; }
        public string? KmsKeyId { get; init; }
        /// <summary>For a cross-region copy: the region it was copied from.</summary>
        public string? SourceRegion { get; init; }
        public string? SourceDBSnapshotIdentifier { get; init; }
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        /// <summary>The region the snapshot was read from.</summary>
        public string Region { get; init; } = "";

        internal static DbSnapshot Parse(XElement x, string region) => new()
        {
            Identifier = x.Child("DBSnapshotIdentifier") ?? "",
            Arn = x.Child("DBSnapshotArn"),
            DBInstanceIdentifier = x.Child("DBInstanceIdentifier"),
            Status = x.Child("Status") ?? "",
            SnapshotType = x.Child("SnapshotType"),
            SnapshotCreateTime = x.Date("SnapshotCreateTime"),
            OriginalSnapshotCreateTime = x.Date("OriginalSnapshotCreateTime"),
            PercentProgress = x.Int("PercentProgress"),
            Engine = x.Child("Engine"),
            EngineVersion = x.Child("EngineVersion"),
            AllocatedStorage = x.Int("AllocatedStorage"),
            StorageType = x.Child("StorageType"),
            AvailabilityZone = x.Child("AvailabilityZone"),
            VpcId = x.Child("VpcId"),
            Port = x.Int("Port"),
            Encrypted = x.Bool("Encrypted"),
            KmsKeyId = x.Child("KmsKeyId"),
            SourceRegion = x.Child("SourceRegion"),
            SourceDBSnapshotIdentifier = x.Child("SourceDBSnapshotIdentifier"),
            Tags = x.Tags("TagList"),
            Region = region,
        };
    }

    /// <summary>
    /// The automated backups of a DB instance in one region (DBInstanceAutomatedBackup): the source region's own, or a
    /// replica of them in another region. <see cref="EarliestRestorableTime"/>..<see cref="LatestRestorableTime"/> is
    /// the window a point-in-time restore can reach.
    /// </summary>
    public sealed record DbAutomatedBackup
    {
        public string DBInstanceIdentifier { get; init; } = "";
        /// <summary>The DB instance's ARN (in the source region, also for a replicated backup).</summary>
        public string? DBInstanceArn { get; init; }
        public string? DbiResourceId { get; init; }
        /// <summary>The region of the DB instance the backups are of (AWS's Region member).</summary>
        public string? SourceRegion { get; init; }
        /// <summary>The ARN of these backups; a restore in another region names the replicated ones by it.</summary>
        public string? Arn { get; init; }
        /// <summary>active (instance exists), retained (instance deleted), creating, pending, replicating...</summary>
        public string Status { get; init; } = "";
        public DateTime? EarliestRestorableTime { get; init; }
        public DateTime? LatestRestorableTime { get; init; }
        public int? BackupRetentionPeriod { get; init; }
        public string? Engine { get; init; }
        public string? EngineVersion { get; init; }
        public int? AllocatedStorage { get; init; }
        public bool Encrypted { get; init; }
        public string? KmsKeyId { get; init; }
        /// <summary>ARNs of the replicas of these backups in other regions.</summary>
        public IReadOnlyList<string> Replications { get; init; } = Array.Empty<string>();
        /// <summary>The region the backups were read from.</summary>
        public string Region { get; init; } = "";
        /// <summary>A replica of another region's backups.</summary>
        public bool IsReplicated => SourceRegion != null && !string.Equals(SourceRegion, Region, StringComparison.Ordinal);

        internal static DbAutomatedBackup Parse(XElement x, string region) => new()
        {
            DBInstanceIdentifier = x.Child("DBInstanceIdentifier") ?? "",
            DBInstanceArn = x.Child("DBInstanceArn"),
            DbiResourceId = x.Child("DbiResourceId"),
            SourceRegion = x.Child("Region"),
            Arn = x.Child("DBInstanceAutomatedBackupsArn"),
            Status = x.Child("Status") ?? "",
            EarliestRestorableTime = x.Element("RestoreWindow")?.Date("EarliestTime"),
            LatestRestorableTime = x.Element("RestoreWindow")?.Date("LatestTime"),
            BackupRetentionPeriod = x.Int("BackupRetentionPeriod"),
            Engine = x.Child("Engine"),
            EngineVersion = x.Child("EngineVersion"),
            AllocatedStorage = x.Int("AllocatedStorage"),
            Encrypted = x.Bool("Encrypted"),
            KmsKeyId = x.Child("KmsKeyId"),
            Replications = x.Items("DBInstanceAutomatedBackupsReplications").Select(r => r.Child("DBInstanceAutomatedBackupsArn")).OfType<string>().ToList(),
            Region = region,
        };
    }

    /// <summary>
    /// RestoreDBInstanceToPointInTime, in the service's region: from a DB instance there (<see cref="SourceDBInstanceIdentifier"/>)
    /// or from automated backups replicated there (<see cref="SourceDBInstanceAutomatedBackupsArn"/>). Exactly one source,
    /// and exactly one of <see cref="RestoreTime"/> and <see cref="UseLatestRestorableTime"/>.
    /// </summary>
    public sealed record RestoreDbInstanceToPointInTimeRequest : NewDbInstanceSettings
    {
        public string? SourceDBInstanceIdentifier { get; init; }
        public string? SourceDBInstanceAutomatedBackupsArn { get; init; }
        public string TargetDBInstanceIdentifier { get; init; } = "";
        /// <summary>UTC (a local time is converted).</summary>
        public DateTime? RestoreTime { get; init; }
        public bool UseLatestRestorableTime { get; init; }
    }

    /// <summary>An RDS Describe* filter, e.g. ("engine", ["postgres"]) or ("db-instance-id", [arn]).</summary>
    public sealed record RdsFilter(string Name, IReadOnlyList<string> Values)
    {
        public RdsFilter(string name, params string[] values) : this(name, (IReadOnlyList<string>)values) { }
    }

    /// <summary>What DescribeDBSnapshots should return. All members optional.</summary>
    public sealed record DbSnapshotQuery
    {
        public string? DBSnapshotIdentifier { get; init; }
        public string? DBInstanceIdentifier { get; init; }
        /// <summary>automated, manual, shared, public, awsbackup.</summary>
        public string? SnapshotType { get; init; }
        public IReadOnlyList<RdsFilter>? Filters { get; init; }
    }

    /// <summary>
    /// CopyDBSnapshot. The copy is made in the service's region. When the source is in another region, give its ARN
    /// (the source region is read from it); the call then carries a pre-signed URL for the source region.
    /// </summary>
    public sealed record CopyDbSnapshotRequest
    {
        /// <summary>Snapshot id (same region) or snapshot ARN (any region).</summary>
        public string SourceSnapshot { get; init; } = "";
        public string TargetSnapshotIdentifier { get; init; } = "";
        /// <summary>KMS key in the DESTINATION region; required by AWS for encrypted cross-region copies.</summary>
        public string? KmsKeyId { get; init; }
        public bool? CopyTags { get; init; }
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
        public string? OptionGroupName { get; init; }
    }

    /// <summary>RestoreDBInstanceFromDBSnapshot: a new instance from a snapshot, in the service's region.</summary>
    public sealed record RestoreDbInstanceRequest : NewDbInstanceSettings
    {
        public string DBInstanceIdentifier { get; init; } = "";
        /// <summary>Snapshot id (or ARN of a shared snapshot).</summary>
        public string DBSnapshotIdentifier { get; init; } = "";
    }

    /// <summary>The settings of a DB instance a restore creates (from a snapshot or to a point in time); all optional.</summary>
    public abstract record NewDbInstanceSettings
    {
        public string? DBInstanceClass { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        public bool? MultiAZ { get; init; }
        public string? AvailabilityZone { get; init; }
        public bool? PubliclyAccessible { get; init; }
        public string? DBParameterGroupName { get; init; }
        public string? OptionGroupName { get; init; }
        public string? StorageType { get; init; }
        public bool? DeletionProtection { get; init; }
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
    }

    /// <summary>
    /// CreateDBInstanceReadReplica in the service's region. For a cross-region replica give the source's ARN (the
    /// source region is read from it); the call then carries a pre-signed URL for the source region.
    /// </summary>
    public sealed record CreateReadReplicaRequest
    {
        public string DBInstanceIdentifier { get; init; } = "";
        /// <summary>Source instance id (same region) or ARN (any region).</summary>
        public string SourceDBInstance { get; init; } = "";
        public string? DBInstanceClass { get; init; }
        public string? AvailabilityZone { get; init; }
        public bool? MultiAZ { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        /// <summary>KMS key in the DESTINATION region; required by AWS for an encrypted cross-region replica.</summary>
        public string? KmsKeyId { get; init; }
        public string? DBParameterGroupName { get; init; }
        public bool? PubliclyAccessible { get; init; }
        public bool? DeletionProtection { get; init; }
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
    }

    /// <summary>ModifyDBInstance: the changes DR makes (scale the class or storage of a promoted/restored instance).</summary>
    public sealed record ModifyDbInstanceRequest
    {
        public string DBInstanceIdentifier { get; init; } = "";
        public string? DBInstanceClass { get; init; }
        public int? AllocatedStorage { get; init; }
        public bool? MultiAZ { get; init; }
        public int? BackupRetentionPeriod { get; init; }
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        public bool? DeletionProtection { get; init; }
        /// <summary>Renames the instance (its endpoint changes with it); used to set a stale instance aside, never to delete it.</summary>
        public string? NewDBInstanceIdentifier { get; init; }
        /// <summary>Attaches this DB parameter group (e.g. a read-only one that fences the database); takes effect after a reboot.</summary>
        public string? DBParameterGroupName { get; init; }
        /// <summary>True: apply now (brief outage for a class change). False: at the next maintenance window. Always sent.</summary>
        public bool ApplyImmediately { get; init; }
    }

    /// <summary>What happens to the data when a DB instance is deleted. There is no default: the caller must choose.</summary>
    public sealed class DbFinalSnapshot
    {
        DbFinalSnapshot(string? identifier) { Identifier = identifier; }

        /// <summary>The final snapshot's id, or null when none is taken.</summary>
        public string? Identifier { get; }
        public bool Skip => Identifier == null;

        /// <summary>Take a final snapshot with this id before deleting.</summary>
        public static DbFinalSnapshot Take(string identifier) =>
            string.IsNullOrWhiteSpace(identifier) ? throw new ArgumentException("A final snapshot id is required.", nameof(identifier)) : new(identifier);

        /// <summary>Delete without a final snapshot: the instance's data is gone unless other snapshots exist.</summary>
        public static DbFinalSnapshot None { get; } = new(null);

        public override string ToString() => Skip ? "no final snapshot" : $"final snapshot '{Identifier}'";
    }
}
