using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Aws.Rds
{
    /// <summary>An Aurora DB cluster as DR sees it (the members of the RDS DBCluster shape that matter).</summary>
    public sealed record DbCluster
    {
        public string Identifier { get; init; } = "";
        public string? Arn { get; init; }
        /// <summary>available, creating, modifying, backing-up, failing-over, promoting, deleting, failed, inaccessible-encryption-credentials...</summary>
        public string Status { get; init; } = "";
        public string? Engine { get; init; }
        public string? EngineVersion { get; init; }
        public string? EndpointAddress { get; init; }
        public string? ReaderEndpointAddress { get; init; }
        public int? Port { get; init; }
        public bool MultiAZ { get; init; }
        public bool StorageEncrypted { get; init; }
        public string? KmsKeyId { get; init; }
        /// <summary>The cluster's instances; <see cref="DbClusterMember.IsWriter"/> marks the writer.</summary>
        public IReadOnlyList<DbClusterMember> Members { get; init; } = Array.Empty<DbClusterMember>();
        /// <summary>The source cluster ARN when this is a cross-region read replica cluster.</summary>
        public string? ReplicationSourceIdentifier { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string> VpcSecurityGroupIds { get; init; } = Array.Empty<string>();
        public int? BackupRetentionPeriod { get; init; }
        public DateTime? EarliestRestorableTime { get; init; }
        public DateTime? LatestRestorableTime { get; init; }
        public DateTime? ClusterCreateTime { get; init; }
        public bool DeletionProtection { get; init; }
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public string Region { get; init; } = "";

        /// <summary>The RDS DBCluster shape (namespace-stripped); <paramref name="region"/> is where it was read.</summary>
        internal static DbCluster Parse(XElement x, string region) => new()
        {
            Identifier = x.Child("DBClusterIdentifier") ?? "",
            Arn = x.Child("DBClusterArn"),
            Status = x.Child("Status") ?? "",
            Engine = x.Child("Engine"),
            EngineVersion = x.Child("EngineVersion"),
            // In a DBCluster, Endpoint, ReaderEndpoint and DBSubnetGroup are plain strings (not structures as in a DBInstance).
            EndpointAddress = x.Child("Endpoint"),
            ReaderEndpointAddress = x.Child("ReaderEndpoint"),
            Port = x.Int("Port"),
            MultiAZ = x.Bool("MultiAZ"),
            StorageEncrypted = x.Bool("StorageEncrypted"),
            KmsKeyId = x.Child("KmsKeyId"),
            Members = x.Items("DBClusterMembers")
                .Select(m => new DbClusterMember(m.Child("DBInstanceIdentifier") ?? "", m.Bool("IsClusterWriter"))).ToList(),
            ReplicationSourceIdentifier = x.Child("ReplicationSourceIdentifier"),
            DBSubnetGroupName = x.Child("DBSubnetGroup"),
            VpcSecurityGroupIds = x.Items("VpcSecurityGroups").Select(g => g.Child("VpcSecurityGroupId")).OfType<string>().ToList(),
            BackupRetentionPeriod = x.Int("BackupRetentionPeriod"),
            EarliestRestorableTime = x.Date("EarliestRestorableTime"),
            LatestRestorableTime = x.Date("LatestRestorableTime"),
            ClusterCreateTime = x.Date("ClusterCreateTime"),
            DeletionProtection = x.Bool("DeletionProtection"),
            Tags = x.Tags("TagList"),
            Region = region,
        };
    }

    public sealed record DbClusterMember(string DBInstanceIdentifier, bool IsWriter);

    /// <summary>An Aurora Global Database.</summary>
    public sealed record GlobalCluster
    {
        public string Identifier { get; init; } = "";
        public string? Arn { get; init; }
        /// <summary>available, creating, modifying, failing-over, switching-over...</summary>
        public string Status { get; init; } = "";
        public string? Engine { get; init; }
        public string? EngineVersion { get; init; }
        public bool StorageEncrypted { get; init; }
        public IReadOnlyList<GlobalClusterMember> Members { get; init; } = Array.Empty<GlobalClusterMember>();
        /// <summary>A switchover or failover in progress; null when none.</summary>
        public GlobalClusterFailoverState? FailoverState { get; init; }

        /// <summary>The RDS GlobalCluster shape (namespace-stripped). Global: it has no region of its own.</summary>
        internal static GlobalCluster Parse(XElement x) => new()
        {
            Identifier = x.Child("GlobalClusterIdentifier") ?? "",
            Arn = x.Child("GlobalClusterArn"),
            Status = x.Child("Status") ?? "",
            Engine = x.Child("Engine"),
            EngineVersion = x.Child("EngineVersion"),
            StorageEncrypted = x.Bool("StorageEncrypted"),
            // GlobalClusterMemberList's members are <GlobalClusterMember>; Readers is a list of plain <member> ARNs.
            Members = x.Items("GlobalClusterMembers").Select(m => new GlobalClusterMember(m.Child("DBClusterArn") ?? "", m.Bool("IsWriter"),
                m.Strings("Readers"), m.Child("SynchronizationStatus"))).ToList(),
            FailoverState = x.Element("FailoverState") is { } f
                ? new GlobalClusterFailoverState(f.Child("Status"), f.Child("FromDbClusterArn"), f.Child("ToDbClusterArn"), f.Bool("IsDataLossAllowed"))
                : null,
        };
    }

    /// <summary>One regional cluster of a global database.</summary>
    /// <param name="SynchronizationStatus">connected or pending-resync (secondaries only).</param>
    public sealed record GlobalClusterMember(string DBClusterArn, bool IsWriter, IReadOnlyList<string> Readers, string? SynchronizationStatus);

    /// <param name="Status">pending, failing-over or cancelling.</param>
    public sealed record GlobalClusterFailoverState(string? Status, string? FromDbClusterArn, string? ToDbClusterArn, bool IsDataLossAllowed);

    /// <summary>A DB cluster snapshot (manual, automated or copied).</summary>
    public sealed record DbClusterSnapshot
    {
        public string Identifier { get; init; } = "";
        public string? Arn { get; init; }
        public string DBClusterIdentifier { get; init; } = "";
        /// <summary>available, creating, copying, failed...</summary>
        public string Status { get; init; } = "";
        /// <summary>manual, automated...</summary>
        public string? SnapshotType { get; init; }
        public DateTime? SnapshotCreateTime { get; init; }
        public DateTime? ClusterCreateTime { get; init; }
        public string? Engine { get; init; }
        public string? EngineVersion { get; init; }
        public int? PercentProgress { get; init; }
        public bool StorageEncrypted { get; init; }
        public string? KmsKeyId { get; init; }
        /// <summary>The snapshot this one was copied from (its ARN), for copies.</summary>
        public string? SourceDBClusterSnapshotArn { get; init; }
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public string Region { get; init; } = "";

        /// <summary>The RDS DBClusterSnapshot shape (namespace-stripped); <paramref name="region"/> is where it was read.</summary>
        internal static DbClusterSnapshot Parse(XElement x, string region) => new()
        {
            Identifier = x.Child("DBClusterSnapshotIdentifier") ?? "",
            Arn = x.Child("DBClusterSnapshotArn"),
            DBClusterIdentifier = x.Child("DBClusterIdentifier") ?? "",
            Status = x.Child("Status") ?? "",
            SnapshotType = x.Child("SnapshotType"),
            SnapshotCreateTime = x.Date("SnapshotCreateTime"),
            ClusterCreateTime = x.Date("ClusterCreateTime"),
            Engine = x.Child("Engine"),
            EngineVersion = x.Child("EngineVersion"),
            PercentProgress = x.Int("PercentProgress"),
            StorageEncrypted = x.Bool("StorageEncrypted"),
            KmsKeyId = x.Child("KmsKeyId"),
            SourceDBClusterSnapshotArn = x.Child("SourceDBClusterSnapshotArn"),
            Tags = x.Tags("TagList"),
            Region = region,
        };
    }

    public sealed record DbClusterSnapshotQuery
    {
        public string? DBClusterIdentifier { get; init; }
        public string? DBClusterSnapshotIdentifier { get; init; }
        /// <summary>manual, automated...; null: every type.</summary>
        public string? SnapshotType { get; init; }
        public IReadOnlyList<RdsFilter>? Filters { get; init; }
    }

    public sealed record CopyDbClusterSnapshotRequest
    {
        /// <summary>Id in this region, or the ARN of a snapshot in another region (a cross-region copy).</summary>
        public string SourceDBClusterSnapshotIdentifier { get; init; } = "";
        public string TargetDBClusterSnapshotIdentifier { get; init; } = "";
        /// <summary>KMS key in THIS region; required for a cross-region copy of an encrypted snapshot.</summary>
        public string? KmsKeyId { get; init; }
        public bool CopyTags { get; init; }
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
    }

    public sealed record RestoreDbClusterFromSnapshotRequest
    {
        public string DBClusterIdentifier { get; init; } = "";
        /// <summary>Cluster snapshot id or ARN.</summary>
        public string SnapshotIdentifier { get; init; } = "";
        /// <summary>Required by the API; from the snapshot.</summary>
        public string Engine { get; init; } = "";
        public string? EngineVersion { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        public string? KmsKeyId { get; init; }
        public bool? DeletionProtection { get; init; }
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
    }

    public sealed record RestoreDbClusterToPointInTimeRequest
    {
        public string DBClusterIdentifier { get; init; } = "";
        public string SourceDBClusterIdentifier { get; init; } = "";
        /// <summary>UTC; null with <see cref="UseLatestRestorableTime"/>.</summary>
        public DateTime? RestoreToTime { get; init; }
        public bool UseLatestRestorableTime { get; init; }
        /// <summary>"full-copy" or "copy-on-write" (a fast clone); null: full copy.</summary>
        public string? RestoreType { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        public string? KmsKeyId { get; init; }
        public bool? DeletionProtection { get; init; }
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
    }

    public sealed record CreateDbClusterInstanceRequest
    {
        public string DBInstanceIdentifier { get; init; } = "";
        public string DBClusterIdentifier { get; init; } = "";
        public string DBInstanceClass { get; init; } = "";
        /// <summary>Required by the API; the cluster's engine.</summary>
        public string Engine { get; init; } = "";
        public IReadOnlyDictionary<string, string>? Tags { get; init; }
    }
}
