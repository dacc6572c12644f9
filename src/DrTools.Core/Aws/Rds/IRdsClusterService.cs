using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Rds
{
    /// <summary>
    /// The Aurora calls DR needs, in one region (<see cref="Region"/>): DB clusters, their snapshots (also copied across
    /// regions), restores, Aurora Global Database switchover and failover, and waits. RdsService implements it on the
    /// same Query wire client as <see cref="IRdsService"/>. Every AWS failure is a <see cref="DrToolsException"/>.
    /// </summary>
    public interface IRdsClusterService
    {
        string Region { get; }

        /// <summary>All clusters matching the id (or ARN) and filters, across every page. An unknown id is DrTools.NotFound.</summary>
        Task<IReadOnlyList<DbCluster>> DescribeDBClustersAsync(string? dbClusterIdentifier = null, IReadOnlyList<RdsFilter>? filters = null,
            CancellationToken cancellationToken = default);

        /// <summary>One cluster, or null when it does not exist.</summary>
        Task<DbCluster?> FindDBClusterAsync(string dbClusterIdentifier, CancellationToken cancellationToken = default);

        /// <summary>Global databases (all, or the one named), across every page. An unknown id is DrTools.NotFound.</summary>
        Task<IReadOnlyList<GlobalCluster>> DescribeGlobalClustersAsync(string? globalClusterIdentifier = null, CancellationToken cancellationToken = default);

        /// <summary>One global database, or null when it does not exist.</summary>
        Task<GlobalCluster?> FindGlobalClusterAsync(string globalClusterIdentifier, CancellationToken cancellationToken = default);

        /// <summary>Planned switchover (no data loss): the secondary <paramref name="targetDbClusterArn"/> becomes the primary.</summary>
        Task<GlobalCluster> SwitchoverGlobalClusterAsync(string globalClusterIdentifier, string targetDbClusterArn, CancellationToken cancellationToken = default);

        /// <summary>
        /// Failover to the secondary <paramref name="targetDbClusterArn"/>. <paramref name="allowDataLoss"/> true: the
        /// unplanned failover (writes not yet replicated are lost); false: AWS's managed failover (the primary must be healthy).
        /// </summary>
        Task<GlobalCluster> FailoverGlobalClusterAsync(string globalClusterIdentifier, string targetDbClusterArn, bool allowDataLoss,
            CancellationToken cancellationToken = default);

        Task<DbCluster> RestoreDBClusterFromSnapshotAsync(RestoreDbClusterFromSnapshotRequest request, CancellationToken cancellationToken = default);

        Task<DbCluster> RestoreDBClusterToPointInTimeAsync(RestoreDbClusterToPointInTimeRequest request, CancellationToken cancellationToken = default);

        /// <summary>CreateDBInstance of an instance in a cluster (a restored cluster has none until this).</summary>
        Task<DbInstance> CreateDBClusterInstanceAsync(CreateDbClusterInstanceRequest request, CancellationToken cancellationToken = default);

        /// <summary>All cluster snapshots matching the query, across every page. An unknown snapshot id is DrTools.NotFound.</summary>
        Task<IReadOnlyList<DbClusterSnapshot>> DescribeDBClusterSnapshotsAsync(DbClusterSnapshotQuery? query = null, CancellationToken cancellationToken = default);

        /// <summary>One cluster snapshot, or null when it does not exist.</summary>
        Task<DbClusterSnapshot?> FindDBClusterSnapshotAsync(string dbClusterSnapshotIdentifier, CancellationToken cancellationToken = default);

        Task<DbClusterSnapshot> CreateDBClusterSnapshotAsync(string dbClusterIdentifier, string dbClusterSnapshotIdentifier,
            IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default);

        /// <summary>Copies a cluster snapshot into <see cref="Region"/>; across regions when the source ARN names another
        /// region (with SourceRegion and a pre-signed URL signed for the source region, as the API requires for encrypted copies).</summary>
        Task<DbClusterSnapshot> CopyDBClusterSnapshotAsync(CopyDbClusterSnapshotRequest request, CancellationToken cancellationToken = default);

        Task<DbClusterSnapshot> DeleteDBClusterSnapshotAsync(string dbClusterSnapshotIdentifier, CancellationToken cancellationToken = default);

        /// <summary>Deletes a cluster (its instances must be deleted first). <paramref name="finalSnapshot"/> is required.</summary>
        Task<DbCluster> DeleteDBClusterAsync(string dbClusterIdentifier, DbFinalSnapshot finalSnapshot, CancellationToken cancellationToken = default);

        /// <summary>Waits for status "available"; fails fast on failed and inaccessible-* states.</summary>
        Task<DbCluster> WaitForDBClusterAvailableAsync(string dbClusterIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);

        /// <summary>Waits until <paramref name="done"/> holds for the global database (e.g. its writer is the target and no failover is pending).</summary>
        Task<GlobalCluster> WaitForGlobalClusterAsync(string globalClusterIdentifier, Func<GlobalCluster, bool> done, string what, TimeSpan timeout,
            IOperationReporter? reporter = null, CancellationToken cancellationToken = default);

        /// <summary>Waits for status "available"; fails fast on "failed".</summary>
        Task<DbClusterSnapshot> WaitForDBClusterSnapshotAvailableAsync(string dbClusterSnapshotIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);

        /// <summary>Waits until the cluster no longer exists.</summary>
        Task WaitForDBClusterDeletedAsync(string dbClusterIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);
    }
}
