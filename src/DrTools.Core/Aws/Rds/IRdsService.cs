using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Rds
{
    /// <summary>
    /// The RDS calls DR needs, in one region (<see cref="Region"/>): find instances and snapshots, snapshot, copy
    /// (also across regions), restore, replicate, promote, resize, delete, tag, and wait for the result.
    /// Every AWS failure is a <see cref="DrToolsException"/> with the AWS code and request id.
    /// </summary>
    public interface IRdsService
    {
        /// <summary>The region every call goes to; copies and replicas are created here.</summary>
        string Region { get; }

        /// <summary>All instances matching the id (or ARN) and filters, across every page. An unknown id is DrTools.NotFound.</summary>
        Task<IReadOnlyList<DbInstance>> DescribeDBInstancesAsync(string? dbInstanceIdentifier = null, IReadOnlyList<RdsFilter>? filters = null,
            CancellationToken cancellationToken = default);

        /// <summary>One instance, or null when it does not exist.</summary>
        Task<DbInstance?> FindDBInstanceAsync(string dbInstanceIdentifier, CancellationToken cancellationToken = default);

        /// <summary>All snapshots matching the query, across every page. An unknown snapshot id is DrTools.NotFound.</summary>
        Task<IReadOnlyList<DbSnapshot>> DescribeDBSnapshotsAsync(DbSnapshotQuery? query = null, CancellationToken cancellationToken = default);

        /// <summary>One snapshot, or null when it does not exist.</summary>
        Task<DbSnapshot?> FindDBSnapshotAsync(string dbSnapshotIdentifier, CancellationToken cancellationToken = default);

        Task<DbSnapshot> CreateDBSnapshotAsync(string dbInstanceIdentifier, string dbSnapshotIdentifier,
            IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default);

        /// <summary>Copies a snapshot into <see cref="Region"/>; cross-region when the source ARN names another region.</summary>
        Task<DbSnapshot> CopyDBSnapshotAsync(CopyDbSnapshotRequest request, CancellationToken cancellationToken = default);

        Task<DbInstance> RestoreDBInstanceFromDBSnapshotAsync(RestoreDbInstanceRequest request, CancellationToken cancellationToken = default);

        /// <summary>
        /// A new instance from the automated backups of an instance in this region, or from backups replicated here,
        /// at a time inside the restorable window (or the latest restorable time).
        /// </summary>
        Task<DbInstance> RestoreDBInstanceToPointInTimeAsync(RestoreDbInstanceToPointInTimeRequest request, CancellationToken cancellationToken = default);

        /// <summary>The automated backups in this region (of instances here and replicated from other regions), across every page.</summary>
        /// <param name="dbInstanceIdentifier">Only this instance's (an id; null for all).</param>
        Task<IReadOnlyList<DbAutomatedBackup>> DescribeDBInstanceAutomatedBackupsAsync(string? dbInstanceIdentifier = null,
            IReadOnlyList<RdsFilter>? filters = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// Starts replicating the automated backups of the instance <paramref name="sourceDBInstanceArn"/> (in another
        /// region) into this region. <paramref name="kmsKeyId"/>: a key in THIS region, required for an encrypted instance.
        /// </summary>
        Task<DbAutomatedBackup> StartDBInstanceAutomatedBackupsReplicationAsync(string sourceDBInstanceArn, int? backupRetentionPeriod = null,
            string? kmsKeyId = null, CancellationToken cancellationToken = default);

        /// <summary>Creates a read replica in <see cref="Region"/>; cross-region when the source ARN names another region.</summary>
        Task<DbInstance> CreateDBInstanceReadReplicaAsync(CreateReadReplicaRequest request, CancellationToken cancellationToken = default);

        /// <summary>Makes a read replica a standalone, writable instance. <paramref name="backupRetentionPeriod"/> in days; null keeps the AWS default.</summary>
        Task<DbInstance> PromoteReadReplicaAsync(string dbInstanceIdentifier, int? backupRetentionPeriod = null, CancellationToken cancellationToken = default);

        Task<DbInstance> ModifyDBInstanceAsync(ModifyDbInstanceRequest request, CancellationToken cancellationToken = default);

        /// <summary>Reboots an instance (applies a new parameter group); the instance is "rebooting", then "available".</summary>
        Task<DbInstance> RebootDBInstanceAsync(string dbInstanceIdentifier, CancellationToken cancellationToken = default);

        /// <summary>Deletes an instance. <paramref name="finalSnapshot"/> is required: take one, or explicitly none.</summary>
        /// <param name="deleteAutomatedBackups">null = AWS default (automated backups are removed).</param>
        Task<DbInstance> DeleteDBInstanceAsync(string dbInstanceIdentifier, DbFinalSnapshot finalSnapshot, bool? deleteAutomatedBackups = null,
            CancellationToken cancellationToken = default);

        Task<DbSnapshot> DeleteDBSnapshotAsync(string dbSnapshotIdentifier, CancellationToken cancellationToken = default);

        /// <summary>Tags of an instance or snapshot, by ARN.</summary>
        Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken = default);
        Task AddTagsToResourceAsync(string resourceArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);
        Task RemoveTagsFromResourceAsync(string resourceArn, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken = default);

        /// <summary>Waits for status "available"; fails fast on failed, storage-full, incompatible-* and similar states.</summary>
        Task<DbInstance> WaitForDBInstanceAvailableAsync(string dbInstanceIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);

        /// <summary>Waits for status "available"; fails fast on "failed".</summary>
        Task<DbSnapshot> WaitForDBSnapshotAvailableAsync(string dbSnapshotIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);

        /// <summary>Waits until the instance no longer exists.</summary>
        Task WaitForDBInstanceDeletedAsync(string dbInstanceIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);
    }
}
