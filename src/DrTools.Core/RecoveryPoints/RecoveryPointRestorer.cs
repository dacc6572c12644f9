using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>How to restore a recovery point; each member applies to one kind and is ignored by the others.</summary>
    public sealed class RecoveryPointRestoreRequest
    {
        // Snapshot -> volume
        public string? AvailabilityZone { get; set; }
        public string? VolumeType { get; set; }
        public bool? Encrypted { get; set; }
        public string? KmsKeyId { get; set; }
        // Image -> instance
        /// <summary>Default: the source instance's type recorded on the image.</summary>
        public string? InstanceType { get; set; }
        public string? SubnetId { get; set; }
        /// <summary>EC2 security groups of the instance, or VPC security groups of the DB instance.</summary>
        public IList<string> SecurityGroupIds { get; set; } = new List<string>();
        public string? KeyName { get; set; }
        /// <summary>Makes a retried launch return the first launch's instance.</summary>
        public string? ClientToken { get; set; }
        // DB snapshot -> DB instance; DB cluster snapshot -> DB cluster and one instance in it
        /// <summary>
        /// DB snapshot: default the source DB instance's identifier (restoring in the DR region under the same name).
        /// DB cluster snapshot: the instance created in the restored cluster; default &lt;cluster&gt;-1.
        /// </summary>
        public string? DBInstanceIdentifier { get; set; }
        /// <summary>DB cluster snapshot: the restored cluster; default the source cluster's identifier.</summary>
        public string? DBClusterIdentifier { get; set; }
        /// <summary>DB cluster snapshot: default the writer's class recorded on the snapshot (DrTools:DBInstanceClass).</summary>
        public string? DBInstanceClass { get; set; }
        public string? DBSubnetGroupName { get; set; }
        public bool? MultiAZ { get; set; }
        // All
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public bool NoWait { get; set; }
    }

    /// <summary>
    /// A point-in-time restore of a DB instance from its automated backups: in the instance's own region, or in another
    /// (the DR region) from the backups replicated there. Exactly one of <see cref="PointInTime"/> and
    /// <see cref="UseLatestRestorableTime"/>.
    /// </summary>
    public sealed class PointInTimeRestoreRequest
    {
        /// <summary>The DB instance whose data is restored (its id, in <see cref="SourceRegion"/>).</summary>
        public string SourceDBInstanceIdentifier { get; set; } = "";
        /// <summary>The region the source instance runs in. Default: the services' home region.</summary>
        public string? SourceRegion { get; set; }
        /// <summary>Where the new instance is made. Default: the source region; another region restores from replicated backups.</summary>
        public string? Region { get; set; }
        public string TargetDBInstanceIdentifier { get; set; } = "";
        /// <summary>The time to restore to; a local time is converted to UTC; whole seconds (truncated).</summary>
        public DateTime? PointInTime { get; set; }
        public bool UseLatestRestorableTime { get; set; }
        public string? DBInstanceClass { get; set; }
        public string? DBSubnetGroupName { get; set; }
        public IList<string> SecurityGroupIds { get; set; } = new List<string>();
        public bool? MultiAZ { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public bool NoWait { get; set; }
    }

    /// <summary>Restores recovery points: a volume from a snapshot, an instance from an AMI, a DB instance from a DB snapshot.</summary>
    public sealed class RecoveryPointRestorer
    {
        readonly IRecoveryPointServices _services;
        readonly IOperationReporter _reporter;
        readonly RecoveryPointOptions _options;

        public RecoveryPointRestorer(IRecoveryPointServices services, IOperationReporter? reporter = null, RecoveryPointOptions? options = null)
        {
            _services = services;
            _reporter = reporter ?? NullReporter.Instance;
            _options = options ?? new RecoveryPointOptions();
        }

        /// <summary>What the restore will create, for ShouldProcess.</summary>
        public static string Describe(RecoveryPoint rp, RecoveryPointRestoreRequest r) => rp.Kind switch
        {
            RecoveryPointKind.Snapshot => $"Create a volume from snapshot {rp.Id} in {r.AvailabilityZone ?? rp.Region}",
            RecoveryPointKind.Image => $"Launch an instance from AMI {rp.Id} in {rp.Region}" + (r.SubnetId != null ? $", subnet {r.SubnetId}" : ""),
            RecoveryPointKind.DBClusterSnapshot => $"Create DB cluster {ClusterId(rp, r)} from DB cluster snapshot {rp.Id} in {rp.Region}, " +
                                                   $"and DB instance {ClusterInstanceId(rp, r)} ({ClusterInstanceClass(rp, r) ?? "class: -DBInstanceClass"}) in it",
            _ => $"Create DB instance {r.DBInstanceIdentifier ?? rp.SourceId} from DB snapshot {rp.Id} in {rp.Region}",
        };

        /// <summary>What the point-in-time restore will create, for ShouldProcess (-WhatIf shows it).</summary>
        public static string Describe(PointInTimeRestoreRequest r, string homeRegion)
        {
            var source = r.SourceRegion ?? homeRegion;
            var target = r.Region ?? source;
            var when = r.UseLatestRestorableTime ? "its latest restorable time" : r.PointInTime is { } t ? RecoveryPointTags.FormatTime(t) : "(no time given)";
            return $"Create DB instance {r.TargetDBInstanceIdentifier} in {target} with the data of DB instance {r.SourceDBInstanceIdentifier} " +
                   $"({source}) at {when}" + (target != source ? $", from its automated backups replicated to {target}" : "");
        }

        /// <summary>
        /// Restores <see cref="PointInTimeRestoreRequest.SourceDBInstanceIdentifier"/> to a new instance at a point in time.
        /// Checks the time against the automated backups' restorable window first, so a time outside it fails with
        /// DrTools.PointInTimeOutsideWindow naming the window, not with an AWS error after the call.
        /// </summary>
        public async Task<RestoredResource> RestorePointInTimeAsync(PointInTimeRestoreRequest r, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(r.SourceDBInstanceIdentifier))
                throw RecoveryPointErrors.Invalid("The DB instance to restore is required.", null, "Pass -DBInstanceIdentifier with the id of the DB instance whose data you need.");
            if (string.IsNullOrWhiteSpace(r.TargetDBInstanceIdentifier))
                throw RecoveryPointErrors.Invalid("The new DB instance's identifier is required.", r.SourceDBInstanceIdentifier,
                    "Pass -TargetDBInstanceIdentifier with a name no DB instance in the region has.");
            if ((r.PointInTime != null) == r.UseLatestRestorableTime)
                throw RecoveryPointErrors.Invalid("Give either a point in time or the latest restorable time.", r.SourceDBInstanceIdentifier,
                    "Pass -PointInTime <time> or -UseLatestRestorableTime.");
            var sourceRegion = r.SourceRegion ?? _services.HomeRegion;
            var region = r.Region ?? sourceRegion;
            var replicated = !string.Equals(region, sourceRegion, StringComparison.Ordinal);
            if (!replicated && string.Equals(r.SourceDBInstanceIdentifier, r.TargetDBInstanceIdentifier, StringComparison.OrdinalIgnoreCase))
                throw RecoveryPointErrors.Invalid($"The new DB instance cannot have the source's name '{r.SourceDBInstanceIdentifier}' in {region}: " +
                                                  "a point-in-time restore never replaces the source.", r.TargetDBInstanceIdentifier,
                    "Pass another -TargetDBInstanceIdentifier; switch clients to it, or rename the instances afterwards.");
            var rds = _services.Rds(region);
            var backup = await PointInTimeRestores.FindBackupAsync(rds, r.SourceDBInstanceIdentifier, sourceRegion, ct).ConfigureAwait(false);
            if (replicated)
            {
                if (backup == null) throw PointInTimeRestores.NotReplicated(r.SourceDBInstanceIdentifier, sourceRegion, region);
                PointInTimeRestores.RequireArn(backup, r.SourceDBInstanceIdentifier, region);
            }
            if (r.PointInTime is { } asked)
                PointInTimeRestores.CheckWindow(r.SourceDBInstanceIdentifier, asked, backup, region,
                    "Pass a -PointInTime inside that window, or restore an older DB snapshot (Get-DrBackup -Kind DBSnapshot).",
                    "Pass an earlier -PointInTime, or -UseLatestRestorableTime for the newest data (RDS usually lags 5 minutes; replicated backups more).");
            var tags = PointInTimeRestores.Tags(r.Tags, r.SourceDBInstanceIdentifier, sourceRegion, r.PointInTime);
            var db = await rds.RestoreDBInstanceToPointInTimeAsync(PointInTimeRestores.Request(r.SourceDBInstanceIdentifier, replicated, backup,
                r.TargetDBInstanceIdentifier, r.PointInTime, r.UseLatestRestorableTime, r.DBInstanceClass, r.DBSubnetGroupName, r.SecurityGroupIds, r.MultiAZ, tags),
                ct).ConfigureAwait(false);
            if (!r.NoWait) db = await rds.WaitForDBInstanceAvailableAsync(r.TargetDBInstanceIdentifier, _options.WaitTimeout, _reporter, ct).ConfigureAwait(false);
            return new RestoredResource
            {
                ResourceType = "DBInstance", Id = db.Identifier, Region = region, State = db.Status,
                RecoveryPointId = backup != null ? RecoveryPoint.FromAutomatedBackup(backup).Id : r.SourceDBInstanceIdentifier,
                Kind = RecoveryPointKind.DBAutomatedBackup, Address = db.EndpointAddress, Resource = db,
                PointInTime = r.PointInTime?.ToUniversalTime() ?? backup?.LatestRestorableTime,
            };
        }

        public async Task<RestoredResource> RestoreAsync(RecoveryPoint rp, RecoveryPointRestoreRequest r, CancellationToken ct)
        {
            if (rp.Kind == RecoveryPointKind.DBAutomatedBackup)
                throw RecoveryPointErrors.NotForAutomatedBackups(rp.Id, "Restoring a recovery point",
                    $"Restore to a point in time instead: Restore-DrBackup -DBInstanceIdentifier {rp.SourceId} -PointInTime <time> (or -UseLatestRestorableTime) -TargetDBInstanceIdentifier <new id>.");
            if (!rp.IsUsable)
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"{RecoveryPointErrors.Describe(rp.Kind)} {rp.Id} in {rp.Region} is '{rp.State}', not yet restorable.", rp.Id,
                    "Wait until it is completed/available (Get-DrBackup shows State), then re-run.");
            var tags = new Dictionary<string, string>(r.Tags, StringComparer.Ordinal)
            {
                [RecoveryPointTags.RestoredFrom] = RecoveryPointTags.Pair(rp.Region, rp.Id),
            };
            if (rp.SourceId.Length > 0) tags[RecoveryPointTags.Source] = rp.SourceId;
            return rp.Kind switch
            {
                RecoveryPointKind.Snapshot => await VolumeAsync(rp, r, tags, ct).ConfigureAwait(false),
                RecoveryPointKind.Image => await InstanceAsync(rp, r, tags, ct).ConfigureAwait(false),
                RecoveryPointKind.DBClusterSnapshot => await ClusterAsync(rp, r, tags, ct).ConfigureAwait(false),
                _ => await DbInstanceAsync(rp, r, tags, ct).ConfigureAwait(false),
            };
        }

        async Task<RestoredResource> VolumeAsync(RecoveryPoint rp, RecoveryPointRestoreRequest r, Dictionary<string, string> tags, CancellationToken ct)
        {
            var az = r.AvailabilityZone ?? throw RecoveryPointErrors.Invalid($"Restoring snapshot {rp.Id} needs -AvailabilityZone.", rp.Id,
                $"Pass the Availability Zone of the instance the volume will be attached to (e.g. {rp.Region}a).");
            var ec2 = _services.Ec2(rp.Region);
            var v = await ec2.CreateVolumeFromSnapshotAsync(new Ec2CreateVolumeRequest(rp.Id, az)
            {
                VolumeType = r.VolumeType, Encrypted = r.Encrypted ?? (r.KmsKeyId != null ? true : null), KmsKeyId = r.KmsKeyId, Tags = tags,
            }, ct).ConfigureAwait(false);
            if (!r.NoWait) v = await WaitForVolumeAvailableAsync(ec2, v.VolumeId, ct).ConfigureAwait(false);
            return new RestoredResource
            {
                ResourceType = "Volume", Id = v.VolumeId, Region = rp.Region, State = v.State, RecoveryPointId = rp.Id, Kind = rp.Kind,
                Address = v.AvailabilityZone, Resource = v,
            };
        }

        internal async Task<Ec2Volume> WaitForVolumeAvailableAsync(IEc2Service ec2, string volumeId, CancellationToken ct) =>
            (await Waiter.UntilAsync($"volume {volumeId} to be available",
                async t => (await ec2.DescribeVolumesAsync(new[] { volumeId }, null, t).ConfigureAwait(false)).FirstOrDefault(),
                v => v == null ? WaitCheck.Pending("not visible yet")
                    : v.State is "available" or "in-use" ? WaitCheck.Ready(v.State)
                    : v.State is "error" or "deleting" or "deleted" ? WaitCheck.Failure(v.State)
                    : WaitCheck.Pending(v.State),
                _options.WaitTimeout, _options.PollInterval, _reporter, ct).ConfigureAwait(false))!;

        async Task<RestoredResource> InstanceAsync(RecoveryPoint rp, RecoveryPointRestoreRequest r, Dictionary<string, string> tags, CancellationToken ct)
        {
            var type = r.InstanceType ?? (rp.Tags.TryGetValue(RecoveryPointTags.InstanceType, out var t) ? t : null)
                       ?? throw RecoveryPointErrors.Invalid($"AMI {rp.Id} does not record its source's instance type.", rp.Id, "Pass -InstanceType.");
            var ec2 = _services.Ec2(rp.Region);
            var launched = await ec2.RunInstancesAsync(new Ec2RunRequest(rp.Id, type)
            {
                SubnetId = r.SubnetId, SecurityGroupIds = r.SecurityGroupIds, KeyName = r.KeyName, Tags = tags, ClientToken = r.ClientToken,
            }, ct).ConfigureAwait(false);
            var i = launched.First();
            if (!r.NoWait) i = await ec2.WaitForInstanceRunningAsync(i.InstanceId, new Ec2WaitOptions(_options.WaitTimeout, _options.PollInterval), ct).ConfigureAwait(false);
            return new RestoredResource
            {
                ResourceType = "Instance", Id = i.InstanceId, Region = rp.Region, State = i.State, RecoveryPointId = rp.Id, Kind = rp.Kind,
                Address = i.PrivateIpAddress, Resource = i,
            };
        }

        async Task<RestoredResource> DbInstanceAsync(RecoveryPoint rp, RecoveryPointRestoreRequest r, Dictionary<string, string> tags, CancellationToken ct)
        {
            var id = r.DBInstanceIdentifier ?? rp.SourceId;
            var rds = _services.Rds(rp.Region);
            var db = await rds.RestoreDBInstanceFromDBSnapshotAsync(new RestoreDbInstanceRequest
            {
                DBInstanceIdentifier = id,
                DBSnapshotIdentifier = rp.Id,
                DBInstanceClass = r.DBInstanceClass,
                DBSubnetGroupName = r.DBSubnetGroupName,
                VpcSecurityGroupIds = r.SecurityGroupIds.Count > 0 ? r.SecurityGroupIds.ToList() : null,
                MultiAZ = r.MultiAZ,
                Tags = tags,
            }, ct).ConfigureAwait(false);
            if (!r.NoWait) db = await rds.WaitForDBInstanceAvailableAsync(id, _options.WaitTimeout, _reporter, ct).ConfigureAwait(false);
            return new RestoredResource
            {
                ResourceType = "DBInstance", Id = db.Identifier, Region = rp.Region, State = db.Status, RecoveryPointId = rp.Id, Kind = rp.Kind,
                Address = db.EndpointAddress, Resource = db,
            };
        }
    
        internal static string ClusterId(RecoveryPoint rp, RecoveryPointRestoreRequest r) => r.DBClusterIdentifier ?? rp.SourceId;
        internal static string ClusterInstanceId(RecoveryPoint rp, RecoveryPointRestoreRequest r) => r.DBInstanceIdentifier ?? ClusterId(rp, r) + "-1";
        static string? ClusterInstanceClass(RecoveryPoint rp, RecoveryPointRestoreRequest r) =>
            r.DBInstanceClass ?? (rp.Tags.TryGetValue(RecoveryPointTags.DBInstanceClass, out var c) && c.Length > 0 ? c : null);

        /// <summary>
        /// RestoreDBClusterFromSnapshot, wait until the cluster is available (an instance needs it), then one instance in
        /// it. Resumable: a cluster or instance of that name that this recovery point made (DrTools:RestoredFrom) is reused,
        /// so a re-run after a failed instance creates only the instance; one of that name from anything else is an error.
        /// </summary>
        async Task<RestoredResource> ClusterAsync(RecoveryPoint rp, RecoveryPointRestoreRequest r, Dictionary<string, string> tags, CancellationToken ct)
        {
            var clusterId = ClusterId(rp, r);
            var instanceId = ClusterInstanceId(rp, r);
            var instanceClass = ClusterInstanceClass(rp, r) ?? throw RecoveryPointErrors.Invalid(
                $"DB cluster snapshot {rp.Id} does not record its cluster's instance class, and a restored cluster needs an instance.", rp.Id,
                "Pass -DBInstanceClass (e.g. db.r6g.large) for the instance created in the restored cluster.");
            var clusters = _services.Clusters(rp.Region);
            var rds = _services.Rds(rp.Region);
            var origin = tags[RecoveryPointTags.RestoredFrom];
            var snapshot = await clusters.FindDBClusterSnapshotAsync(rp.Id, ct).ConfigureAwait(false) ?? throw RecoveryPointErrors.NotFound(rp.Kind, rp.Id, rp.Region);
            var engine = snapshot.Engine is { Length: > 0 } e ? e : throw RecoveryPointErrors.Invalid(
                $"RDS returned no engine for DB cluster snapshot {rp.Id}.", rp.Id, "Re-run; if it persists, check the snapshot with the AWS console.");

            var cluster = await clusters.FindDBClusterAsync(clusterId, ct).ConfigureAwait(false);
            if (cluster != null)
            {
                if (!(cluster.Tags.TryGetValue(RecoveryPointTags.RestoredFrom, out var from) && from == origin))
                    throw new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists,
                        $"DB cluster {clusterId} already exists in {rp.Region} and was not restored from {rp.Id}; nothing was changed.", clusterId,
                        "Pass -DBClusterIdentifier with a name no DB cluster in the region has.");
                _reporter.Verbose($"DB cluster {clusterId} was already restored from {rp.Id} by an earlier run; reusing it.");
            }
            else
            {
                cluster = await clusters.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
                {
                    DBClusterIdentifier = clusterId,
                    SnapshotIdentifier = rp.Id,
                    Engine = engine,
                    EngineVersion = snapshot.EngineVersion,
                    DBSubnetGroupName = r.DBSubnetGroupName,
                    VpcSecurityGroupIds = r.SecurityGroupIds.Count > 0 ? r.SecurityGroupIds.ToList() : null,
                    KmsKeyId = r.KmsKeyId,
                    Tags = tags,
                }, ct).ConfigureAwait(false);
                _reporter.Verbose($"Restoring DB cluster {clusterId} from DB cluster snapshot {rp.Id} in {rp.Region}.");
            }
            if (cluster.Status != "available")
                cluster = await clusters.WaitForDBClusterAvailableAsync(clusterId, _options.WaitTimeout, _reporter, ct).ConfigureAwait(false);

            var instance = await rds.FindDBInstanceAsync(instanceId, ct).ConfigureAwait(false);
            if (instance != null && !string.Equals(instance.DBClusterIdentifier, clusterId, StringComparison.OrdinalIgnoreCase))
                throw new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists,
                    $"DB cluster {clusterId} is restored in {rp.Region}, but DB instance {instanceId} already exists outside it; the cluster has no instance of DrTools yet.",
                    instanceId, $"Re-run with -DBInstanceIdentifier naming a free instance id (the restored cluster {clusterId} is reused), or delete the cluster.");
            if (instance == null)
            {
                try
                {
                    instance = await clusters.CreateDBClusterInstanceAsync(new CreateDbClusterInstanceRequest
                    {
                        DBInstanceIdentifier = instanceId, DBClusterIdentifier = clusterId, DBInstanceClass = instanceClass, Engine = engine, Tags = tags,
                    }, ct).ConfigureAwait(false);
                }
                catch (DrToolsException ex)
                {
                    throw new DrToolsException(ex.ErrorId, ex.Category,
                        $"DB cluster {clusterId} is restored in {rp.Region}, but creating its instance {instanceId} ({instanceClass}) failed: {ex.Message}", instanceId,
                        $"Fix the cause (e.g. a class the engine offers in {rp.Region}: -DBInstanceClass), then re-run the same restore: the cluster is reused.", ex)
                    { AwsErrorCode = ex.AwsErrorCode, RequestId = ex.RequestId, Service = ex.Service };
                }
                _reporter.Verbose($"Creating DB instance {instanceId} ({instanceClass}) in DB cluster {clusterId}.");
            }
            if (!r.NoWait)
            {
                instance = await rds.WaitForDBInstanceAvailableAsync(instanceId, _options.WaitTimeout, _reporter, ct).ConfigureAwait(false);
                cluster = await clusters.FindDBClusterAsync(clusterId, ct).ConfigureAwait(false) ?? cluster;
            }
            return new RestoredResource
            {
                ResourceType = "DBCluster", Id = cluster.Identifier, Region = rp.Region, State = cluster.Status, RecoveryPointId = rp.Id, Kind = rp.Kind,
                Address = cluster.EndpointAddress, Resource = cluster, InstanceIds = new[] { instance.Identifier },
            };
        }
    }
}
