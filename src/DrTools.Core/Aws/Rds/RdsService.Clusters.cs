using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Rds
{
    /// <summary>
    /// <see cref="IRdsClusterService"/>: Aurora DB clusters, their snapshots, restores and Aurora Global Database
    /// switchover/failover, on the same Query wire client and plumbing as the DB instance calls.
    /// </summary>
    public sealed partial class RdsService
    {
        // botocore's DBClusterAvailable waiter fails on the first five; the others never turn into "available" by themselves.
        static readonly string[] ClusterFailedStates =
        {
            "deleted", "deleting", "failed", "incompatible-restore", "incompatible-parameters", "incompatible-network",
            "inaccessible-encryption-credentials", "inaccessible-encryption-credentials-recoverable", "migration-failed",
        };
        // botocore's DBClusterSnapshotAvailable waiter.
        static readonly string[] ClusterSnapshotFailedStates = { "failed", "deleted", "deleting", "incompatible-restore", "incompatible-parameters" };

        // ---- Describe ----

        public async Task<IReadOnlyList<DbCluster>> DescribeDBClustersAsync(string? dbClusterIdentifier = null, IReadOnlyList<RdsFilter>? filters = null,
            CancellationToken cancellationToken = default)
        {
            var p = new QueryParams().Add("DBClusterIdentifier", dbClusterIdentifier);
            AddFilters(p, filters);
            var what = dbClusterIdentifier != null ? ClusterName(dbClusterIdentifier) : $"DB clusters in {Region}";
            var pages = await PagesAsync("DescribeDBClusters", p, "DBClusters", what, dbClusterIdentifier, cancellationToken).ConfigureAwait(false);
            return pages.Select(x => DbCluster.Parse(x, Region)).ToList();
        }

        public async Task<DbCluster?> FindDBClusterAsync(string dbClusterIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbClusterIdentifier, "DB cluster identifier");
            try
            {
                return (await DescribeDBClustersAsync(dbClusterIdentifier, null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "DBClusterNotFoundFault")
            {
                return null;
            }
        }

        public async Task<IReadOnlyList<GlobalCluster>> DescribeGlobalClustersAsync(string? globalClusterIdentifier = null, CancellationToken cancellationToken = default)
        {
            var p = new QueryParams().Add("GlobalClusterIdentifier", globalClusterIdentifier);
            var what = globalClusterIdentifier != null ? GlobalName(globalClusterIdentifier) : "global databases";
            var pages = await PagesAsync("DescribeGlobalClusters", p, "GlobalClusters", what, globalClusterIdentifier, cancellationToken).ConfigureAwait(false);
            var all = pages.Select(GlobalCluster.Parse);
            // An endpoint that ignores the identifier (moto answers every global database) must not make another one "found".
            // Global database ids are case-insensitive; the identifier may also be the ARN.
            return globalClusterIdentifier == null ? all.ToList()
                : all.Where(g => string.Equals(g.Identifier, globalClusterIdentifier, StringComparison.OrdinalIgnoreCase)
                                 || string.Equals(g.Arn, globalClusterIdentifier, StringComparison.Ordinal)).ToList();
        }

        public async Task<GlobalCluster?> FindGlobalClusterAsync(string globalClusterIdentifier, CancellationToken cancellationToken = default)
        {
            Require(globalClusterIdentifier, "global database identifier");
            try
            {
                return (await DescribeGlobalClustersAsync(globalClusterIdentifier, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "GlobalClusterNotFoundFault")
            {
                return null;
            }
        }

        // ---- Aurora Global Database ----

        public async Task<GlobalCluster> SwitchoverGlobalClusterAsync(string globalClusterIdentifier, string targetDbClusterArn,
            CancellationToken cancellationToken = default)
        {
            Require(globalClusterIdentifier, "global database identifier");
            RequireClusterArn(targetDbClusterArn, globalClusterIdentifier);
            var p = new QueryParams()
                .Add("GlobalClusterIdentifier", globalClusterIdentifier)
                .Add("TargetDbClusterIdentifier", targetDbClusterArn);
            var r = await CallAsync("SwitchoverGlobalCluster", p, $"switchover of {GlobalName(globalClusterIdentifier)} to '{targetDbClusterArn}'",
                globalClusterIdentifier, cancellationToken).ConfigureAwait(false);
            return GlobalCluster.Parse(Result(r, "GlobalCluster"));
        }

        public async Task<GlobalCluster> FailoverGlobalClusterAsync(string globalClusterIdentifier, string targetDbClusterArn, bool allowDataLoss,
            CancellationToken cancellationToken = default)
        {
            Require(globalClusterIdentifier, "global database identifier");
            RequireClusterArn(targetDbClusterArn, globalClusterIdentifier);
            // AllowDataLoss and Switchover are exclusive; without either AWS defaults to a switchover. Say which one is meant.
            var p = new QueryParams()
                .Add("GlobalClusterIdentifier", globalClusterIdentifier)
                .Add("TargetDbClusterIdentifier", targetDbClusterArn)
                .Add(allowDataLoss ? "AllowDataLoss" : "Switchover", true);
            var kind = allowDataLoss ? "failover (data loss allowed)" : "managed failover (switchover)";
            var r = await CallAsync("FailoverGlobalCluster", p, $"{kind} of {GlobalName(globalClusterIdentifier)} to '{targetDbClusterArn}'",
                globalClusterIdentifier, cancellationToken).ConfigureAwait(false);
            return GlobalCluster.Parse(Result(r, "GlobalCluster"));
        }

        // ---- Restores and instances ----

        public async Task<DbCluster> RestoreDBClusterFromSnapshotAsync(RestoreDbClusterFromSnapshotRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.DBClusterIdentifier, "DB cluster identifier");
            Require(request.SnapshotIdentifier, "DB cluster snapshot identifier");
            Require(request.Engine, "engine (the snapshot's, e.g. aurora-postgresql)");
            var p = new QueryParams()
                .Add("DBClusterIdentifier", request.DBClusterIdentifier)
                .Add("SnapshotIdentifier", request.SnapshotIdentifier)
                .Add("Engine", request.Engine)
                .Add("EngineVersion", request.EngineVersion)
                .Add("DBSubnetGroupName", request.DBSubnetGroupName)
                .AddList("VpcSecurityGroupIds", "VpcSecurityGroupId", request.VpcSecurityGroupIds)
                .AddTags("Tags", "Tag", request.Tags)
                .Add("KmsKeyId", request.KmsKeyId)
                .Add("DeletionProtection", request.DeletionProtection);
            var r = await CallAsync("RestoreDBClusterFromSnapshot", p,
                $"{ClusterName(request.DBClusterIdentifier)} from {ClusterSnapshotName(request.SnapshotIdentifier)}",
                request.DBClusterIdentifier, cancellationToken).ConfigureAwait(false);
            return DbCluster.Parse(Result(r, "DBCluster"), Region);
        }

        public async Task<DbCluster> RestoreDBClusterToPointInTimeAsync(RestoreDbClusterToPointInTimeRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.DBClusterIdentifier, "DB cluster identifier");
            Require(request.SourceDBClusterIdentifier, "source DB cluster identifier");
            if ((request.RestoreToTime != null) == request.UseLatestRestorableTime)
                throw Invalid("A point-in-time restore needs either a restore time or the latest restorable time, not both or neither.",
                    request.DBClusterIdentifier);
            if (request.RestoreType is { } type && type != "full-copy" && type != "copy-on-write")
                throw Invalid($"The restore type must be 'full-copy' or 'copy-on-write', not '{type}'.", request.DBClusterIdentifier);
            var p = new QueryParams()
                .Add("DBClusterIdentifier", request.DBClusterIdentifier)
                .Add("RestoreType", request.RestoreType)
                .Add("SourceDBClusterIdentifier", request.SourceDBClusterIdentifier)
                // Whole seconds, truncated: never later than asked (as for DB instances).
                .Add("RestoreToTime", request.RestoreToTime is { } t ? Timestamp(t) : null)
                .Add("UseLatestRestorableTime", request.UseLatestRestorableTime ? true : null)
                .Add("DBSubnetGroupName", request.DBSubnetGroupName)
                .AddList("VpcSecurityGroupIds", "VpcSecurityGroupId", request.VpcSecurityGroupIds)
                .AddTags("Tags", "Tag", request.Tags)
                .Add("KmsKeyId", request.KmsKeyId)
                .Add("DeletionProtection", request.DeletionProtection);
            var when = request.RestoreToTime is { } rt ? Timestamp(rt) : "the latest restorable time";
            var r = await CallAsync("RestoreDBClusterToPointInTime", p,
                $"{ClusterName(request.DBClusterIdentifier)} from {ClusterName(request.SourceDBClusterIdentifier)} at {when}",
                request.DBClusterIdentifier, cancellationToken).ConfigureAwait(false);
            return DbCluster.Parse(Result(r, "DBCluster"), Region);
        }

        public async Task<DbInstance> CreateDBClusterInstanceAsync(CreateDbClusterInstanceRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.DBInstanceIdentifier, "DB instance identifier");
            Require(request.DBClusterIdentifier, "DB cluster identifier");
            Require(request.DBInstanceClass, "DB instance class");
            Require(request.Engine, "engine (the cluster's, e.g. aurora-postgresql)");
            var p = new QueryParams()
                .Add("DBInstanceIdentifier", request.DBInstanceIdentifier)
                .Add("DBInstanceClass", request.DBInstanceClass)
                .Add("Engine", request.Engine)
                .Add("DBClusterIdentifier", request.DBClusterIdentifier)
                .AddTags("Tags", "Tag", request.Tags);
            var r = await CallAsync("CreateDBInstance", p, $"{InstanceName(request.DBInstanceIdentifier)} in {ClusterName(request.DBClusterIdentifier)}",
                request.DBInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<DbCluster> DeleteDBClusterAsync(string dbClusterIdentifier, DbFinalSnapshot finalSnapshot, CancellationToken cancellationToken = default)
        {
            Require(dbClusterIdentifier, "DB cluster identifier");
            if (finalSnapshot == null)
                throw Invalid($"Deleting {ClusterName(dbClusterIdentifier)} needs an explicit choice: a final snapshot id, or no final snapshot.",
                    dbClusterIdentifier);
            var p = new QueryParams()
                .Add("DBClusterIdentifier", dbClusterIdentifier)
                .Add("SkipFinalSnapshot", finalSnapshot.Skip)
                .Add("FinalDBSnapshotIdentifier", finalSnapshot.Identifier);
            var r = await CallAsync("DeleteDBCluster", p, $"{ClusterName(dbClusterIdentifier)} ({finalSnapshot})", dbClusterIdentifier, cancellationToken)
                .ConfigureAwait(false);
            return DbCluster.Parse(Result(r, "DBCluster"), Region);
        }

        // ---- Cluster snapshots ----

        public async Task<IReadOnlyList<DbClusterSnapshot>> DescribeDBClusterSnapshotsAsync(DbClusterSnapshotQuery? query = null,
            CancellationToken cancellationToken = default)
        {
            query ??= new DbClusterSnapshotQuery();
            var p = new QueryParams()
                .Add("DBClusterIdentifier", query.DBClusterIdentifier)
                .Add("DBClusterSnapshotIdentifier", query.DBClusterSnapshotIdentifier)
                .Add("SnapshotType", query.SnapshotType);
            AddFilters(p, query.Filters);
            var what = query.DBClusterSnapshotIdentifier != null ? ClusterSnapshotName(query.DBClusterSnapshotIdentifier)
                : query.DBClusterIdentifier != null ? $"snapshots of {ClusterName(query.DBClusterIdentifier)}"
                : $"DB cluster snapshots in {Region}";
            var pages = await PagesAsync("DescribeDBClusterSnapshots", p, "DBClusterSnapshots", what,
                query.DBClusterSnapshotIdentifier ?? query.DBClusterIdentifier, cancellationToken).ConfigureAwait(false);
            return pages.Select(x => DbClusterSnapshot.Parse(x, Region)).ToList();
        }

        public async Task<DbClusterSnapshot?> FindDBClusterSnapshotAsync(string dbClusterSnapshotIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbClusterSnapshotIdentifier, "DB cluster snapshot identifier");
            try
            {
                var found = await DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterSnapshotIdentifier = dbClusterSnapshotIdentifier },
                    cancellationToken).ConfigureAwait(false);
                return found.FirstOrDefault();
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "DBClusterSnapshotNotFoundFault")
            {
                return null;
            }
        }

        public async Task<DbClusterSnapshot> CreateDBClusterSnapshotAsync(string dbClusterIdentifier, string dbClusterSnapshotIdentifier,
            IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
        {
            Require(dbClusterIdentifier, "DB cluster identifier");
            Require(dbClusterSnapshotIdentifier, "DB cluster snapshot identifier");
            var p = new QueryParams()
                .Add("DBClusterSnapshotIdentifier", dbClusterSnapshotIdentifier)
                .Add("DBClusterIdentifier", dbClusterIdentifier)
                .AddTags("Tags", "Tag", tags);
            var r = await CallAsync("CreateDBClusterSnapshot", p, $"{ClusterSnapshotName(dbClusterSnapshotIdentifier)} of {ClusterName(dbClusterIdentifier)}",
                dbClusterSnapshotIdentifier, cancellationToken).ConfigureAwait(false);
            return DbClusterSnapshot.Parse(Result(r, "DBClusterSnapshot"), Region);
        }

        public async Task<DbClusterSnapshot> CopyDBClusterSnapshotAsync(CopyDbClusterSnapshotRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.SourceDBClusterSnapshotIdentifier, "source DB cluster snapshot");
            Require(request.TargetDBClusterSnapshotIdentifier, "target DB cluster snapshot identifier");
            var sourceRegion = SourceRegionOf(request.SourceDBClusterSnapshotIdentifier, "cluster-snapshot");
            var p = new QueryParams()
                .Add("SourceDBClusterSnapshotIdentifier", request.SourceDBClusterSnapshotIdentifier)
                .Add("TargetDBClusterSnapshotIdentifier", request.TargetDBClusterSnapshotIdentifier)
                .Add("KmsKeyId", request.KmsKeyId)
                .Add("CopyTags", request.CopyTags ? true : null)
                .AddTags("Tags", "Tag", request.Tags);
            var what = $"copy of {ClusterSnapshotName(request.SourceDBClusterSnapshotIdentifier)} to '{request.TargetDBClusterSnapshotIdentifier}' in {Region}";
            if (sourceRegion != null)
            {
                // Cross-region: RDS in this (the destination) region fetches the source snapshot with this URL, signed for the source region.
                var credentials = await CredentialsAsync("CopyDBClusterSnapshot", what).ConfigureAwait(false);
                p.Add("PreSignedUrl", RdsPresigner.PresignCopyDBClusterSnapshot(credentials, sourceRegion, Region, request.SourceDBClusterSnapshotIdentifier,
                    request.TargetDBClusterSnapshotIdentifier, request.KmsKeyId));
            }
            var r = await CallAsync("CopyDBClusterSnapshot", p, what, request.TargetDBClusterSnapshotIdentifier, cancellationToken).ConfigureAwait(false);
            return DbClusterSnapshot.Parse(Result(r, "DBClusterSnapshot"), Region);
        }

        public async Task<DbClusterSnapshot> DeleteDBClusterSnapshotAsync(string dbClusterSnapshotIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbClusterSnapshotIdentifier, "DB cluster snapshot identifier");
            var r = await CallAsync("DeleteDBClusterSnapshot", new QueryParams().Add("DBClusterSnapshotIdentifier", dbClusterSnapshotIdentifier),
                ClusterSnapshotName(dbClusterSnapshotIdentifier), dbClusterSnapshotIdentifier, cancellationToken).ConfigureAwait(false);
            return DbClusterSnapshot.Parse(Result(r, "DBClusterSnapshot"), Region);
        }

        // ---- Waiters ----

        public async Task<DbCluster> WaitForDBClusterAvailableAsync(string dbClusterIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbClusterIdentifier, "DB cluster identifier");
            return await Waiter.UntilAsync($"{ClusterName(dbClusterIdentifier)} to be available",
                async ct => (await DescribeDBClustersAsync(dbClusterIdentifier, null, ct).ConfigureAwait(false)).Single(),
                c => c.Status == "available" ? WaitCheck.Ready(c.Status)
                    : ClusterFailedStates.Contains(c.Status) ? WaitCheck.Failure(c.Status) : WaitCheck.Pending(c.Status),
                timeout, PollInterval, reporter, cancellationToken).ConfigureAwait(false);
        }

        public async Task<GlobalCluster> WaitForGlobalClusterAsync(string globalClusterIdentifier, Func<GlobalCluster, bool> done, string what, TimeSpan timeout,
            IOperationReporter? reporter = null, CancellationToken cancellationToken = default)
        {
            Require(globalClusterIdentifier, "global database identifier");
            if (done == null) throw new ArgumentNullException(nameof(done));
            Require(what, "description of what to wait for");
            return await Waiter.UntilAsync($"{GlobalName(globalClusterIdentifier)} {what}",
                async ct => (await DescribeGlobalClustersAsync(globalClusterIdentifier, ct).ConfigureAwait(false)).Single(),
                g => done(g) ? WaitCheck.Ready(g.Status) : WaitCheck.Pending(GlobalStatus(g)),
                timeout, PollInterval, reporter, cancellationToken).ConfigureAwait(false);
        }

        public async Task<DbClusterSnapshot> WaitForDBClusterSnapshotAvailableAsync(string dbClusterSnapshotIdentifier, TimeSpan timeout,
            IOperationReporter? reporter = null, CancellationToken cancellationToken = default)
        {
            Require(dbClusterSnapshotIdentifier, "DB cluster snapshot identifier");
            return await Waiter.UntilAsync($"{ClusterSnapshotName(dbClusterSnapshotIdentifier)} to be available",
                async ct => (await DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterSnapshotIdentifier = dbClusterSnapshotIdentifier }, ct)
                    .ConfigureAwait(false)).Single(),
                s => s.Status == "available" ? WaitCheck.Ready(s.Status)
                    : ClusterSnapshotFailedStates.Contains(s.Status) ? WaitCheck.Failure(s.Status)
                    : WaitCheck.Pending(s.PercentProgress is { } pct ? $"{s.Status} {pct}%" : s.Status),
                timeout, PollInterval, reporter, cancellationToken).ConfigureAwait(false);
        }

        public Task WaitForDBClusterDeletedAsync(string dbClusterIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbClusterIdentifier, "DB cluster identifier");
            return Waiter.UntilAsync($"{ClusterName(dbClusterIdentifier)} to be deleted",
                ct => FindDBClusterAsync(dbClusterIdentifier, ct),
                c => c == null ? WaitCheck.Ready("deleted")
                    : c.Status == "deleted" ? WaitCheck.Ready(c.Status)
                    : NotDeletingStates.Contains(c.Status) ? WaitCheck.Failure(c.Status) : WaitCheck.Pending(c.Status),
                timeout, PollInterval, reporter, cancellationToken);
        }

        // ---- Plumbing ----

        /// <summary>"switching-over (failover pending: a → b)": the status and any switchover/failover under way.</summary>
        static string GlobalStatus(GlobalCluster g) =>
            g.FailoverState is { } f ? $"{g.Status} ({(f.IsDataLossAllowed ? "failover" : "switchover")} {f.Status}: {f.FromDbClusterArn} -> {f.ToDbClusterArn})" : g.Status;

        /// <summary>The target of a global switchover/failover: the ARN of a DB cluster (AWS takes no bare id there).</summary>
        void RequireClusterArn(string? value, string globalClusterIdentifier)
        {
            Require(value, "target DB cluster ARN");
            if (!value!.StartsWith("arn:", StringComparison.Ordinal))
                throw Invalid($"The target of a switchover or failover of {GlobalName(globalClusterIdentifier)} must be the ARN of the secondary DB cluster " +
                              $"(arn:aws:rds:REGION:ACCOUNT:cluster:NAME), not '{value}'.", value);
            SourceRegionOf(value, "cluster"); // validates the form
        }

        static string ClusterName(string id) => $"DB cluster '{id}'";
        static string ClusterSnapshotName(string id) => $"DB cluster snapshot '{id}'";
        static string GlobalName(string id) => $"global database '{id}'";
    }
}
