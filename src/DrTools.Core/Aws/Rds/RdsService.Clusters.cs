using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Rds
{
    // Placeholder until the Aurora wire calls land (same branch of work as IRdsClusterService).
    public sealed partial class RdsService
    {
        public Task<IReadOnlyList<DbCluster>> DescribeDBClustersAsync(string? dbClusterIdentifier = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbCluster?> FindDBClusterAsync(string dbClusterIdentifier, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<IReadOnlyList<GlobalCluster>> DescribeGlobalClustersAsync(string? globalClusterIdentifier = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<GlobalCluster?> FindGlobalClusterAsync(string globalClusterIdentifier, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<GlobalCluster> SwitchoverGlobalClusterAsync(string globalClusterIdentifier, string targetDbClusterArn, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<GlobalCluster> FailoverGlobalClusterAsync(string globalClusterIdentifier, string targetDbClusterArn, bool allowDataLoss, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbCluster> RestoreDBClusterFromSnapshotAsync(RestoreDbClusterFromSnapshotRequest request, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbCluster> RestoreDBClusterToPointInTimeAsync(RestoreDbClusterToPointInTimeRequest request, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbInstance> CreateDBClusterInstanceAsync(CreateDbClusterInstanceRequest request, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<IReadOnlyList<DbClusterSnapshot>> DescribeDBClusterSnapshotsAsync(DbClusterSnapshotQuery? query = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbClusterSnapshot?> FindDBClusterSnapshotAsync(string dbClusterSnapshotIdentifier, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbClusterSnapshot> CreateDBClusterSnapshotAsync(string dbClusterIdentifier, string dbClusterSnapshotIdentifier, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbClusterSnapshot> CopyDBClusterSnapshotAsync(CopyDbClusterSnapshotRequest request, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbClusterSnapshot> DeleteDBClusterSnapshotAsync(string dbClusterSnapshotIdentifier, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbCluster> DeleteDBClusterAsync(string dbClusterIdentifier, DbFinalSnapshot finalSnapshot, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbCluster> WaitForDBClusterAvailableAsync(string dbClusterIdentifier, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<GlobalCluster> WaitForGlobalClusterAsync(string globalClusterIdentifier, Func<GlobalCluster, bool> done, string what, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task<DbClusterSnapshot> WaitForDBClusterSnapshotAvailableAsync(string dbClusterSnapshotIdentifier, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");

        public Task WaitForDBClusterDeletedAsync(string dbClusterIdentifier, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default)
            => throw new NotImplementedException("Aurora wire calls: being implemented");
    }
}
