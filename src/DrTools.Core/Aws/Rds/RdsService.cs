using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Rds
{
    /// <summary>
    /// <see cref="IRdsService"/> on the Query-protocol <see cref="RdsClient"/> (API 2014-10-31). Replacing the wire
    /// client with AWSSDK.RDS would change only this class.
    /// </summary>
    public sealed partial class RdsService : IRdsService, IRdsClusterService, IDisposable
    {
        const string Service = "RDS";
        const int PageSize = 100;

        // botocore's DBInstanceAvailable waiter fails on the first five; the rest never turn into "available" either.
        static readonly string[] InstanceFailedStates =
        {
            "deleted", "deleting", "failed", "incompatible-restore", "incompatible-parameters", "incompatible-network",
            "incompatible-option-group", "incompatible-credentials", "inaccessible-encryption-credentials",
            "inaccessible-encryption-credentials-recoverable", "storage-full", "restore-error",
        };
        static readonly string[] SnapshotFailedStates = { "failed", "deleted", "deleting" };
        // botocore's DBInstanceDeleted waiter: these mean the delete was not (or not yet) accepted.
        static readonly string[] NotDeletingStates = { "creating", "modifying", "rebooting", "resetting-master-credentials" };

        readonly RdsClient _client;
        readonly AwsConnection _connection;

        /// <param name="client">Client for <paramref name="connection"/>'s region; the service disposes it.</param>
        /// <param name="connection">The region, and the credentials that sign pre-signed URLs for cross-region calls.</param>
        public RdsService(RdsClient client, AwsConnection connection)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        }

        /// <summary>The service for <paramref name="region"/> (default: the connection's) with the factory's identity.</summary>
        public static RdsService Create(IAwsClientFactory clients, string? region = null)
        {
            var connection = region == null ? clients.Connection : clients.Connection.ForRegion(region);
            return new RdsService(clients.Rds(connection.Region), connection);
        }

        public string Region => _connection.Region;

        /// <summary>Time between polls of the waiters (botocore's RDS waiters use 30 s).</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

        public void Dispose() => _client.Dispose();

        // ---- Describe ----

        public async Task<IReadOnlyList<DbInstance>> DescribeDBInstancesAsync(string? dbInstanceIdentifier = null, IReadOnlyList<RdsFilter>? filters = null,
            CancellationToken cancellationToken = default)
        {
            var p = new QueryParams().Add("DBInstanceIdentifier", dbInstanceIdentifier);
            AddFilters(p, filters);
            var what = dbInstanceIdentifier != null ? InstanceName(dbInstanceIdentifier) : $"DB instances in {Region}";
            var pages = await PagesAsync("DescribeDBInstances", p, "DBInstances", what, dbInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return pages.Select(x => DbInstance.Parse(x, Region)).ToList();
        }

        public async Task<DbInstance?> FindDBInstanceAsync(string dbInstanceIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            try
            {
                return (await DescribeDBInstancesAsync(dbInstanceIdentifier, null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "DBInstanceNotFound")
            {
                return null;
            }
        }

        public async Task<IReadOnlyList<DbSnapshot>> DescribeDBSnapshotsAsync(DbSnapshotQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new DbSnapshotQuery();
            var p = new QueryParams()
                .Add("DBInstanceIdentifier", query.DBInstanceIdentifier)
                .Add("DBSnapshotIdentifier", query.DBSnapshotIdentifier)
                .Add("SnapshotType", query.SnapshotType);
            AddFilters(p, query.Filters);
            var what = query.DBSnapshotIdentifier != null ? SnapshotName(query.DBSnapshotIdentifier)
                : query.DBInstanceIdentifier != null ? $"snapshots of {InstanceName(query.DBInstanceIdentifier)}"
                : $"DB snapshots in {Region}";
            var pages = await PagesAsync("DescribeDBSnapshots", p, "DBSnapshots", what, query.DBSnapshotIdentifier ?? query.DBInstanceIdentifier,
                cancellationToken).ConfigureAwait(false);
            return pages.Select(x => DbSnapshot.Parse(x, Region)).ToList();
        }

        public async Task<DbSnapshot?> FindDBSnapshotAsync(string dbSnapshotIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbSnapshotIdentifier, "DB snapshot identifier");
            try
            {
                var found = await DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBSnapshotIdentifier = dbSnapshotIdentifier }, cancellationToken)
                    .ConfigureAwait(false);
                return found.FirstOrDefault();
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "DBSnapshotNotFound")
            {
                return null;
            }
        }

        // ---- Snapshots ----

        public async Task<DbSnapshot> CreateDBSnapshotAsync(string dbInstanceIdentifier, string dbSnapshotIdentifier,
            IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            Require(dbSnapshotIdentifier, "DB snapshot identifier");
            var p = new QueryParams()
                .Add("DBSnapshotIdentifier", dbSnapshotIdentifier)
                .Add("DBInstanceIdentifier", dbInstanceIdentifier)
                .AddTags("Tags", "Tag", tags);
            var r = await CallAsync("CreateDBSnapshot", p, $"{SnapshotName(dbSnapshotIdentifier)} of {InstanceName(dbInstanceIdentifier)}",
                dbSnapshotIdentifier, cancellationToken).ConfigureAwait(false);
            return DbSnapshot.Parse(Result(r, "DBSnapshot"), Region);
        }

        public async Task<DbSnapshot> CopyDBSnapshotAsync(CopyDbSnapshotRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.SourceSnapshot, "source DB snapshot");
            Require(request.TargetSnapshotIdentifier, "target DB snapshot identifier");
            var sourceRegion = SourceRegionOf(request.SourceSnapshot, "snapshot");
            var p = new QueryParams()
                .Add("SourceDBSnapshotIdentifier", request.SourceSnapshot)
                .Add("TargetDBSnapshotIdentifier", request.TargetSnapshotIdentifier)
                .Add("KmsKeyId", request.KmsKeyId)
                .AddTags("Tags", "Tag", request.Tags)
                .Add("CopyTags", request.CopyTags)
                .Add("OptionGroupName", request.OptionGroupName);
            var what = $"copy of {SnapshotName(request.SourceSnapshot)} to '{request.TargetSnapshotIdentifier}' in {Region}";
            if (sourceRegion != null)
            {
                // Cross-region: RDS in the destination region fetches the source snapshot with this URL, signed for the source region.
                var credentials = await CredentialsAsync("CopyDBSnapshot", what).ConfigureAwait(false);
                p.Add("PreSignedUrl", RdsPresigner.PresignCopyDBSnapshot(credentials, sourceRegion, Region, request.SourceSnapshot,
                    request.TargetSnapshotIdentifier, request.KmsKeyId));
            }
            var r = await CallAsync("CopyDBSnapshot", p, what, request.TargetSnapshotIdentifier, cancellationToken).ConfigureAwait(false);
            return DbSnapshot.Parse(Result(r, "DBSnapshot"), Region);
        }

        public async Task<DbSnapshot> DeleteDBSnapshotAsync(string dbSnapshotIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbSnapshotIdentifier, "DB snapshot identifier");
            var r = await CallAsync("DeleteDBSnapshot", new QueryParams().Add("DBSnapshotIdentifier", dbSnapshotIdentifier),
                SnapshotName(dbSnapshotIdentifier), dbSnapshotIdentifier, cancellationToken).ConfigureAwait(false);
            return DbSnapshot.Parse(Result(r, "DBSnapshot"), Region);
        }

        // ---- Instances ----

        /// <summary>The members both restores share (RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime).</summary>
        static void AddNewInstanceSettings(QueryParams p, NewDbInstanceSettings s) => p
            .Add("DBInstanceClass", s.DBInstanceClass)
            .Add("AvailabilityZone", s.AvailabilityZone)
            .Add("DBSubnetGroupName", s.DBSubnetGroupName)
            .Add("MultiAZ", s.MultiAZ)
            .Add("PubliclyAccessible", s.PubliclyAccessible)
            .Add("OptionGroupName", s.OptionGroupName)
            .AddTags("Tags", "Tag", s.Tags)
            .Add("StorageType", s.StorageType)
            .AddList("VpcSecurityGroupIds", "VpcSecurityGroupId", s.VpcSecurityGroupIds)
            .Add("DBParameterGroupName", s.DBParameterGroupName)
            .Add("DeletionProtection", s.DeletionProtection);

        public async Task<DbInstance> RestoreDBInstanceFromDBSnapshotAsync(RestoreDbInstanceRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.DBInstanceIdentifier, "DB instance identifier");
            Require(request.DBSnapshotIdentifier, "DB snapshot identifier");
            var p = new QueryParams()
                .Add("DBInstanceIdentifier", request.DBInstanceIdentifier)
                .Add("DBSnapshotIdentifier", request.DBSnapshotIdentifier);
            AddNewInstanceSettings(p, request);
            var r = await CallAsync("RestoreDBInstanceFromDBSnapshot", p,
                $"{InstanceName(request.DBInstanceIdentifier)} from {SnapshotName(request.DBSnapshotIdentifier)}",
                request.DBInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<DbInstance> RestoreDBInstanceToPointInTimeAsync(RestoreDbInstanceToPointInTimeRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.TargetDBInstanceIdentifier, "target DB instance identifier");
            var hasId = !string.IsNullOrWhiteSpace(request.SourceDBInstanceIdentifier);
            var hasArn = !string.IsNullOrWhiteSpace(request.SourceDBInstanceAutomatedBackupsArn);
            if (hasId == hasArn)
                throw Invalid("A point-in-time restore needs exactly one source: a DB instance in this region, or the ARN of automated backups replicated here.",
                    request.TargetDBInstanceIdentifier);
            if ((request.RestoreTime != null) == request.UseLatestRestorableTime)
                throw Invalid("A point-in-time restore needs either a restore time or the latest restorable time, not both or neither.",
                    request.TargetDBInstanceIdentifier);
            var source = hasId ? InstanceName(request.SourceDBInstanceIdentifier!) : $"automated backups '{request.SourceDBInstanceAutomatedBackupsArn}'";
            var p = new QueryParams()
                .Add("SourceDBInstanceIdentifier", request.SourceDBInstanceIdentifier)
                .Add("SourceDBInstanceAutomatedBackupsArn", request.SourceDBInstanceAutomatedBackupsArn)
                .Add("TargetDBInstanceIdentifier", request.TargetDBInstanceIdentifier)
                // Whole seconds, truncated: never later than asked (the point is usually "just before the mistake").
                .Add("RestoreTime", request.RestoreTime is { } t ? Timestamp(t) : null)
                .Add("UseLatestRestorableTime", request.UseLatestRestorableTime ? true : null);
            AddNewInstanceSettings(p, request);
            var when = request.RestoreTime is { } rt ? Timestamp(rt) : "the latest restorable time";
            var r = await CallAsync("RestoreDBInstanceToPointInTime", p,
                $"{InstanceName(request.TargetDBInstanceIdentifier)} from {source} at {when}",
                request.TargetDBInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<IReadOnlyList<DbAutomatedBackup>> DescribeDBInstanceAutomatedBackupsAsync(string? dbInstanceIdentifier = null,
            IReadOnlyList<RdsFilter>? filters = null, CancellationToken cancellationToken = default)
        {
            var p = new QueryParams().Add("DBInstanceIdentifier", dbInstanceIdentifier);
            AddFilters(p, filters);
            var what = dbInstanceIdentifier != null ? $"automated backups of {InstanceName(dbInstanceIdentifier)} in {Region}" : $"automated backups in {Region}";
            var pages = await PagesAsync("DescribeDBInstanceAutomatedBackups", p, "DBInstanceAutomatedBackups", what, dbInstanceIdentifier, cancellationToken)
                .ConfigureAwait(false);
            return pages.Select(x => DbAutomatedBackup.Parse(x, Region)).ToList();
        }

        public async Task<DbAutomatedBackup> StartDBInstanceAutomatedBackupsReplicationAsync(string sourceDBInstanceArn, int? backupRetentionPeriod = null,
            string? kmsKeyId = null, CancellationToken cancellationToken = default)
        {
            Require(sourceDBInstanceArn, "source DB instance ARN");
            if (backupRetentionPeriod is < 1 or > 35)
                throw Invalid($"Replicated backup retention must be 1 to 35 days, not {backupRetentionPeriod}.", sourceDBInstanceArn);
            var sourceRegion = sourceDBInstanceArn.StartsWith("arn:", StringComparison.Ordinal) ? SourceRegionOf(sourceDBInstanceArn, "db") : null;
            if (sourceRegion == null)
                throw Invalid($"Automated backups are replicated into another region: '{sourceDBInstanceArn}' must be the ARN of a DB instance in a region other than {Region}.",
                    sourceDBInstanceArn);
            var what = $"replication of the automated backups of '{sourceDBInstanceArn}' to {Region}";
            var p = new QueryParams()
                .Add("SourceDBInstanceArn", sourceDBInstanceArn)
                .Add("BackupRetentionPeriod", backupRetentionPeriod)
                .Add("KmsKeyId", kmsKeyId);
            // RDS in this region reads the source's backups with this URL, signed for the source region.
            var credentials = await CredentialsAsync("StartDBInstanceAutomatedBackupsReplication", what).ConfigureAwait(false);
            var signed = new Dictionary<string, string> { ["SourceDBInstanceArn"] = sourceDBInstanceArn };
            if (backupRetentionPeriod is { } days) signed["BackupRetentionPeriod"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(kmsKeyId)) signed["KmsKeyId"] = kmsKeyId!;
            p.Add("PreSignedUrl", RdsPresigner.Presign(credentials, AwsServices.Rds, "StartDBInstanceAutomatedBackupsReplication", sourceRegion, Region, signed));
            var r = await CallAsync("StartDBInstanceAutomatedBackupsReplication", p, what, sourceDBInstanceArn, cancellationToken).ConfigureAwait(false);
            return DbAutomatedBackup.Parse(Result(r, "DBInstanceAutomatedBackup"), Region);
        }

        public async Task<DbInstance> CreateDBInstanceReadReplicaAsync(CreateReadReplicaRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.DBInstanceIdentifier, "DB instance identifier");
            Require(request.SourceDBInstance, "source DB instance");
            var sourceRegion = SourceRegionOf(request.SourceDBInstance, "db");
            var p = new QueryParams()
                .Add("DBInstanceIdentifier", request.DBInstanceIdentifier)
                .Add("SourceDBInstanceIdentifier", request.SourceDBInstance)
                .Add("DBInstanceClass", request.DBInstanceClass)
                .Add("AvailabilityZone", request.AvailabilityZone)
                .Add("MultiAZ", request.MultiAZ)
                .Add("DBParameterGroupName", request.DBParameterGroupName)
                .Add("PubliclyAccessible", request.PubliclyAccessible)
                .AddTags("Tags", "Tag", request.Tags)
                .Add("DBSubnetGroupName", request.DBSubnetGroupName)
                .AddList("VpcSecurityGroupIds", "VpcSecurityGroupId", request.VpcSecurityGroupIds)
                .Add("KmsKeyId", request.KmsKeyId)
                .Add("DeletionProtection", request.DeletionProtection);
            var what = $"read replica {InstanceName(request.DBInstanceIdentifier)} of {InstanceName(request.SourceDBInstance)}";
            if (sourceRegion != null)
            {
                var credentials = await CredentialsAsync("CreateDBInstanceReadReplica", what).ConfigureAwait(false);
                var signed = new Dictionary<string, string>
                {
                    ["DBInstanceIdentifier"] = request.DBInstanceIdentifier,
                    ["SourceDBInstanceIdentifier"] = request.SourceDBInstance,
                };
                if (!string.IsNullOrEmpty(request.KmsKeyId)) signed["KmsKeyId"] = request.KmsKeyId!;
                p.Add("PreSignedUrl", RdsPresigner.Presign(credentials, AwsServices.Rds, "CreateDBInstanceReadReplica", sourceRegion, Region, signed));
            }
            var r = await CallAsync("CreateDBInstanceReadReplica", p, what, request.DBInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<DbInstance> PromoteReadReplicaAsync(string dbInstanceIdentifier, int? backupRetentionPeriod = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            if (backupRetentionPeriod is < 0 or > 35)
                throw Invalid($"Backup retention must be 0 to 35 days, not {backupRetentionPeriod}.", dbInstanceIdentifier);
            var p = new QueryParams().Add("DBInstanceIdentifier", dbInstanceIdentifier).Add("BackupRetentionPeriod", backupRetentionPeriod);
            var r = await CallAsync("PromoteReadReplica", p, InstanceName(dbInstanceIdentifier), dbInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<DbInstance> ModifyDBInstanceAsync(ModifyDbInstanceRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            Require(request.DBInstanceIdentifier, "DB instance identifier");
            var p = new QueryParams()
                .Add("DBInstanceIdentifier", request.DBInstanceIdentifier)
                .Add("AllocatedStorage", request.AllocatedStorage)
                .Add("DBInstanceClass", request.DBInstanceClass)
                .AddList("VpcSecurityGroupIds", "VpcSecurityGroupId", request.VpcSecurityGroupIds)
                .Add("ApplyImmediately", request.ApplyImmediately)
                .Add("BackupRetentionPeriod", request.BackupRetentionPeriod)
                .Add("MultiAZ", request.MultiAZ)
                .Add("DeletionProtection", request.DeletionProtection)
                .Add("NewDBInstanceIdentifier", request.NewDBInstanceIdentifier)
                .Add("DBParameterGroupName", request.DBParameterGroupName);
            var r = await CallAsync("ModifyDBInstance", p, InstanceName(request.DBInstanceIdentifier), request.DBInstanceIdentifier, cancellationToken)
                .ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<DbInstance> RebootDBInstanceAsync(string dbInstanceIdentifier, CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            var r = await CallAsync("RebootDBInstance", new QueryParams().Add("DBInstanceIdentifier", dbInstanceIdentifier), InstanceName(dbInstanceIdentifier),
                dbInstanceIdentifier, cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        public async Task<DbInstance> DeleteDBInstanceAsync(string dbInstanceIdentifier, DbFinalSnapshot finalSnapshot, bool? deleteAutomatedBackups = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            if (finalSnapshot == null)
                throw Invalid($"Deleting {InstanceName(dbInstanceIdentifier)} needs an explicit choice: a final snapshot id, or no final snapshot.",
                    dbInstanceIdentifier);
            var p = new QueryParams()
                .Add("DBInstanceIdentifier", dbInstanceIdentifier)
                .Add("SkipFinalSnapshot", finalSnapshot.Skip)
                .Add("FinalDBSnapshotIdentifier", finalSnapshot.Identifier)
                .Add("DeleteAutomatedBackups", deleteAutomatedBackups);
            var r = await CallAsync("DeleteDBInstance", p, $"{InstanceName(dbInstanceIdentifier)} ({finalSnapshot})", dbInstanceIdentifier,
                cancellationToken).ConfigureAwait(false);
            return DbInstance.Parse(Result(r, "DBInstance"), Region);
        }

        // ---- Tags ----

        public async Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken = default)
        {
            Require(resourceArn, "resource ARN");
            var r = await CallAsync("ListTagsForResource", new QueryParams().Add("ResourceName", resourceArn), $"tags of '{resourceArn}'",
                resourceArn, cancellationToken).ConfigureAwait(false);
            return r.Tags("TagList");
        }

        public Task AddTagsToResourceAsync(string resourceArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
        {
            Require(resourceArn, "resource ARN");
            if (tags == null || tags.Count == 0) throw Invalid("Give at least one tag to add.", resourceArn);
            var p = new QueryParams().Add("ResourceName", resourceArn).AddTags("Tags", "Tag", tags);
            return CallAsync("AddTagsToResource", p, $"tags of '{resourceArn}'", resourceArn, cancellationToken);
        }

        public Task RemoveTagsFromResourceAsync(string resourceArn, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken = default)
        {
            Require(resourceArn, "resource ARN");
            if (tagKeys == null || tagKeys.Count == 0) throw Invalid("Give at least one tag key to remove.", resourceArn);
            // TagKeys is a KeyList with no member locationName: "member".
            var p = new QueryParams().Add("ResourceName", resourceArn).AddList("TagKeys", "member", tagKeys);
            return CallAsync("RemoveTagsFromResource", p, $"tags of '{resourceArn}'", resourceArn, cancellationToken);
        }

        // ---- Waiters ----

        public async Task<DbInstance> WaitForDBInstanceAvailableAsync(string dbInstanceIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            return await Waiter.UntilAsync($"{InstanceName(dbInstanceIdentifier)} to be available",
                async ct => (await DescribeDBInstancesAsync(dbInstanceIdentifier, null, ct).ConfigureAwait(false)).Single(),
                db => db.Status == "available" ? WaitCheck.Ready(db.Status)
                    : InstanceFailedStates.Contains(db.Status) ? WaitCheck.Failure(db.Status) : WaitCheck.Pending(db.Status),
                timeout, PollInterval, reporter, cancellationToken).ConfigureAwait(false);
        }

        public async Task<DbSnapshot> WaitForDBSnapshotAvailableAsync(string dbSnapshotIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbSnapshotIdentifier, "DB snapshot identifier");
            return await Waiter.UntilAsync($"{SnapshotName(dbSnapshotIdentifier)} to be available",
                async ct => (await DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBSnapshotIdentifier = dbSnapshotIdentifier }, ct).ConfigureAwait(false)).Single(),
                s => s.Status == "available" ? WaitCheck.Ready(s.Status)
                    : SnapshotFailedStates.Contains(s.Status) ? WaitCheck.Failure(s.Status)
                    : WaitCheck.Pending(s.PercentProgress is { } pct ? $"{s.Status} {pct}%" : s.Status),
                timeout, PollInterval, reporter, cancellationToken).ConfigureAwait(false);
        }

        public Task WaitForDBInstanceDeletedAsync(string dbInstanceIdentifier, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default)
        {
            Require(dbInstanceIdentifier, "DB instance identifier");
            return Waiter.UntilAsync($"{InstanceName(dbInstanceIdentifier)} to be deleted",
                ct => FindDBInstanceAsync(dbInstanceIdentifier, ct),
                db => db == null ? WaitCheck.Ready("deleted")
                    : db.Status == "deleted" ? WaitCheck.Ready(db.Status)
                    : NotDeletingStates.Contains(db.Status) ? WaitCheck.Failure(db.Status) : WaitCheck.Pending(db.Status),
                timeout, PollInterval, reporter, cancellationToken);
        }

        // ---- Plumbing ----

        async Task<XElement> CallAsync(string action, QueryParams parameters, string resource, object? target, CancellationToken ct)
        {
            try
            {
                return await _client.SendAsync(action, parameters, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                throw AwsErrorMapper.Map(ex, Service, action, resource, target, _connection);
            }
        }

        /// <summary>Every page of a Marker-paged Describe call: the members of <paramref name="listName"/>.</summary>
        async Task<List<XElement>> PagesAsync(string action, QueryParams parameters, string listName, string resource, object? target, CancellationToken ct)
        {
            var items = new List<XElement>();
            string? marker = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            do
            {
                var p = parameters.Clone().Add("MaxRecords", PageSize).Add("Marker", marker);
                var page = await CallAsync(action, p, resource, target, ct).ConfigureAwait(false);
                items.AddRange(page.Items(listName));
                marker = page.Child("Marker");
                if (string.IsNullOrEmpty(marker)) marker = null;
                // A service that repeats a marker would otherwise loop forever.
                else if (!seen.Add(marker!))
                    throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.InvalidData,
                        $"RDS {action} returned the same page marker twice for {resource}; stopping instead of looping.", target,
                        "Re-run; if it persists, the endpoint is not paging correctly.") { Service = Service };
            } while (marker != null);
            return items;
        }

        async Task<Amazon.Runtime.ImmutableCredentials> CredentialsAsync(string operation, string resource)
        {
            try
            {
                return await _connection.Credentials.GetCredentialsAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw AwsErrorMapper.Map(ex, Service, operation, resource, null, _connection);
            }
        }

        /// <summary>The region named by an ARN source when it differs from ours (a cross-region call), else null.</summary>
        string? SourceRegionOf(string source, string resourceType)
        {
            if (!source.StartsWith("arn:", StringComparison.Ordinal)) return null;
            var parts = source.Split(':');
            if (parts.Length < 7 || parts[2] != "rds" || parts[5] != resourceType || parts[3].Length == 0)
                throw Invalid($"'{source}' is not an RDS {ArnKind(resourceType)} ARN " +
                              $"(arn:aws:rds:REGION:ACCOUNT:{resourceType}:NAME).", source);
            return string.Equals(parts[3], Region, StringComparison.Ordinal) ? null : parts[3];
        }

        static string ArnKind(string resourceType) => resourceType switch
        {
            "db" => "DB instance",
            "snapshot" => "DB snapshot",
            "cluster" => "DB cluster",
            "cluster-snapshot" => "DB cluster snapshot",
            _ => resourceType,
        };

        static XElement Result(XElement result, string name) => result.Element(name) ?? new XElement(name);

        static void AddFilters(QueryParams p, IReadOnlyList<RdsFilter>? filters) =>
            p.AddFilters("Filters", "Filter", "Value", filters?.Select(f => new KeyValuePair<string, IReadOnlyList<string>>(f.Name, f.Values)));

        static string Timestamp(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        static string InstanceName(string id) => $"DB instance '{id}'";
        static string SnapshotName(string id) => $"DB snapshot '{id}'";

        static void Require(string? value, string what)
        {
            if (string.IsNullOrWhiteSpace(value)) throw Invalid($"The {what} is required.", null);
        }

        static DrToolsException Invalid(string message, object? target) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, target, "Correct the value and re-run.") { Service = Service };
    }
}
