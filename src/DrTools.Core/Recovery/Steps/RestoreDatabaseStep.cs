using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Backup and restore: creates the DR database from the plan's snapshot, or from the newest available snapshot
    /// of the primary instance in the DR region (a cross-region copy), and waits until it is available.
    /// With <see cref="PointInTime"/> or <see cref="UseLatestRestorableTime"/> it restores the primary's automated
    /// backups instead (RestoreDBInstanceToPointInTime): those replicated to the step's region, or the instance's own
    /// when the primary lives in that region. Done when the target instance exists (it is then only waited for).
    /// A snapshot (or latest restorable time) older than the RPO is refused with DrTools.DataLossRisk unless data loss
    /// is allowed; a time outside the restorable window is DrTools.PointInTimeOutsideWindow.
    /// </summary>
    public sealed class RestoreDatabaseStep : RecoveryStepBase
    {
        readonly IRdsService _rds;

        public RestoreDatabaseStep(string id, IRdsService rds, string targetInstanceId, string? snapshotId, string? primaryInstanceId,
            TimeSpan rpo, bool allowDataLoss, string? instanceClass = null) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            if (snapshotId == null && primaryInstanceId == null)
                throw new ArgumentException("Either a snapshot id or the primary instance id is needed to find a snapshot.");
            TargetInstanceId = targetInstanceId;
            SnapshotId = snapshotId;
            PrimaryInstanceId = primaryInstanceId;
            Rpo = rpo;
            AllowDataLoss = allowDataLoss;
            InstanceClass = instanceClass;
        }

        public string TargetInstanceId { get; }
        public string? SnapshotId { get; }
        public string? PrimaryInstanceId { get; }
        public TimeSpan Rpo { get; }
        public bool AllowDataLoss { get; }
        public string? InstanceClass { get; }
        /// <summary>Restore to this moment (UTC) with RestoreDBInstanceToPointInTime instead of from a snapshot.</summary>
        public DateTime? PointInTime { get; init; }
        /// <summary>Restore to the latest restorable time with RestoreDBInstanceToPointInTime instead of from a snapshot.</summary>
        public bool UseLatestRestorableTime { get; init; }
        /// <summary>DB subnet group of the new instance (drills put it apart from production); null: the RDS default.</summary>
        public string? DBSubnetGroupName { get; init; }
        /// <summary>VPC security groups of the new instance; null or empty: the RDS default.</summary>
        public IReadOnlyList<string>? VpcSecurityGroupIds { get; init; }
        /// <summary>Tags added to the new instance besides the run tags (drills add DrTools:Drill).</summary>
        public IReadOnlyDictionary<string, string>? ExtraTags { get; init; }
        /// <summary>Only snapshots taken before this moment are used (drills' Ransomware scenario); null: the newest.</summary>
        public DateTimeOffset? SnapshotsBefore { get; init; }
        /// <summary>
        /// The primary instance's region (point-in-time restores). Null: the instance itself when it exists in the step's
        /// region, else the backups of that instance replicated into the step's region from whichever region they come from.
        /// </summary>
        public string? SourceRegion { get; init; }
        /// <summary>MultiAZ of the new instance; null: the RDS default (drills send false: a scratch copy needs no standby).</summary>
        public bool? MultiAZ { get; init; }
        /// <summary>DeletionProtection of the new instance; null: the RDS default (drills send false so cleanup can delete it).</summary>
        public bool? DeletionProtection { get; init; }
        /// <summary>True when the step restores automated backups (to <see cref="PointInTime"/> or the latest restorable time), not a snapshot.</summary>
        public bool IsPointInTime => PointInTime != null || UseLatestRestorableTime;
        /// <summary>The clock the snapshot's age is measured against (tests fix it).</summary>
        public Func<DateTime> UtcNow { get; init; } = () => DateTime.UtcNow;

        public override StepKind Kind => StepKind.RestoreDatabase;
        public override string Description => IsPointInTime
            ? $"Restore database {TargetInstanceId} in {_rds.Region} to {When} from the automated backups of {PrimaryInstanceId}" +
              (Replicated ? $" ({SourceRegion}) replicated to {_rds.Region}" : "")
            : $"Restore database {TargetInstanceId} in {_rds.Region} from " +
              (SnapshotId ?? $"the newest snapshot of {PrimaryInstanceId}" + (SnapshotsBefore is { } b ? $" taken before {b:u}" : ""));
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            IsPointInTime
                ? new StepResource("AWS::RDS::DBInstanceAutomatedBackup", $"{PrimaryInstanceId} at {When}", _rds.Region, "read")
                : new StepResource("AWS::RDS::DBSnapshot", SnapshotId ?? $"newest of {PrimaryInstanceId}", _rds.Region, "read"),
            new StepResource("AWS::RDS::DBInstance", TargetInstanceId, _rds.Region, "restore"),
        };

        string When => PointInTime is { } t ? "point in time " + RecoveryPointTags.FormatTime(t) : "its latest restorable point in time";
        string SourceRegionOrOwn => SourceRegion ?? _rds.Region;
        bool Replicated => PointInTimeRestores.IsReplicated(_rds.Region, SourceRegionOrOwn);

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var db = await _rds.FindDBInstanceAsync(TargetInstanceId, cancellationToken).ConfigureAwait(false);
            if (db == null) return null;
            if (db.Status != "available")
                db = await _rds.WaitForDBInstanceAvailableAsync(TargetInstanceId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"{TargetInstanceId} already exists and is available", db);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            if (IsPointInTime) return await RestoreToPointInTimeAsync(context, cancellationToken).ConfigureAwait(false);
            var snapshot = await FindSnapshotAsync(context, cancellationToken).ConfigureAwait(false);
            var taken = snapshot.OriginalSnapshotCreateTime ?? snapshot.SnapshotCreateTime;
            var age = taken is { } t ? UtcNow() - t.ToUniversalTime() : (TimeSpan?)null;
            if (age == null || age > Rpo)
            {
                var problem = age == null ? "its creation time is unknown" : $"it is {PromoteDatabaseStep.Text(age.Value)} old, more than the RPO of {PromoteDatabaseStep.Text(Rpo)}";
                if (!AllowDataLoss)
                    throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                        $"Not restoring {TargetInstanceId} from snapshot {snapshot.Identifier}: {problem}.", snapshot.Identifier,
                        "Copy a newer snapshot to the DR region and resume (-Resume), or accept the data loss with -AllowDataLoss.");
                context.Reporter.Warning($"Restoring from snapshot {snapshot.Identifier} although {problem} (data loss allowed).");
            }
            context.Reporter.Verbose($"RestoreDBInstanceFromDBSnapshot {TargetInstanceId} from {snapshot.Identifier} (taken {taken:u}).");
            await _rds.RestoreDBInstanceFromDBSnapshotAsync(new RestoreDbInstanceRequest
            {
                DBInstanceIdentifier = TargetInstanceId,
                DBSnapshotIdentifier = snapshot.Identifier,
                DBInstanceClass = InstanceClass,
                DBSubnetGroupName = DBSubnetGroupName,
                VpcSecurityGroupIds = VpcSecurityGroupIds is { Count: > 0 } ? VpcSecurityGroupIds : null,
                MultiAZ = MultiAZ,
                DeletionProtection = DeletionProtection,
                Tags = NewInstanceTags(context),
            }, cancellationToken).ConfigureAwait(false);
            var db = await _rds.WaitForDBInstanceAvailableAsync(TargetInstanceId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Restored {TargetInstanceId} from snapshot {snapshot.Identifier} (taken {taken:u})", db).WithOutput("snapshotId", snapshot.Identifier);
        }

        async Task<StepOutcome> RestoreToPointInTimeAsync(StepContext context, CancellationToken ct)
        {
            if (PrimaryInstanceId == null || SnapshotId != null || (PointInTime != null && UseLatestRestorableTime))
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Restoring {TargetInstanceId} to a point in time needs the primary instance, and either a time or the latest restorable time (not a snapshot).",
                    TargetInstanceId, "Give resources.database.primaryInstanceId and one of restore.pointInTime or restore.latestRestorable (Test-DrPlan).");
            var sourceId = PrimaryInstanceId;
            var sourceRegion = SourceRegion ?? await InferSourceRegionAsync(sourceId, ct).ConfigureAwait(false);
            var replicated = PointInTimeRestores.IsReplicated(_rds.Region, sourceRegion);
            var backup = await PointInTimeRestores.FindBackupAsync(_rds, sourceId, sourceRegion, ct).ConfigureAwait(false);
            if (replicated)
            {
                if (backup == null) throw PointInTimeRestores.NotReplicated(sourceId, sourceRegion, _rds.Region);
                PointInTimeRestores.RequireArn(backup, sourceId, _rds.Region);
            }
            DateTime? dataAsOf;
            if (PointInTime is { } asked)
            {
                // An explicit time is the point of the restore (before a mistake): the RPO does not apply, the window does.
                PointInTimeRestores.CheckWindow(sourceId, asked, backup, _rds.Region,
                    "Change resources.database.restore.pointInTime to a time inside that window (or restore a snapshot), then resume (-Resume).",
                    "Change resources.database.restore.pointInTime to an earlier time, or use \"latestRestorable\": true, then resume (-Resume).");
                dataAsOf = asked.ToUniversalTime();
            }
            else
            {
                dataAsOf = backup?.LatestRestorableTime;
                // Some endpoints describe the backups without a window; the instance itself knows its latest restorable time.
                if (dataAsOf == null && !replicated) dataAsOf = (await _rds.FindDBInstanceAsync(sourceId, ct).ConfigureAwait(false))?.LatestRestorableTime;
                var age = dataAsOf is { } t ? UtcNow() - t.ToUniversalTime() : (TimeSpan?)null;
                if (age == null || age > Rpo)
                {
                    var problem = age == null ? "its latest restorable time is unknown"
                        : $"its latest restorable time ({RecoveryPointTags.FormatTime(dataAsOf!.Value)}) is {PromoteDatabaseStep.Text(age.Value)} old, more than the RPO of {PromoteDatabaseStep.Text(Rpo)}";
                    if (!AllowDataLoss)
                        throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                            $"Not restoring {TargetInstanceId} from the automated backups of {sourceId} in {_rds.Region}: {problem}.", sourceId,
                            $"Check the replication (Get-DrBackup -Kind DBAutomatedBackup -Region {_rds.Region}; {PointInTimeRestores.EnableCommand(sourceId, sourceRegion, _rds.Region)}) " +
                            "and resume (-Resume), or accept the data loss with -AllowDataLoss.");
                    context.Reporter.Warning($"Restoring {TargetInstanceId} from the automated backups of {sourceId} although {problem} (data loss allowed).");
                }
            }
            var tags = PointInTimeRestores.Tags(NewInstanceTags(context), sourceId, sourceRegion, PointInTime);
            context.Reporter.Verbose($"RestoreDBInstanceToPointInTime {TargetInstanceId} to {When} from " +
                                     (replicated ? $"the replicated automated backups {backup!.Arn}" : $"DB instance {sourceId}") +
                                     (backup != null ? $" (restorable {PointInTimeRestores.Window(backup)})" : "") + ".");
            await _rds.RestoreDBInstanceToPointInTimeAsync(PointInTimeRestores.Request(sourceId, replicated, backup, TargetInstanceId, PointInTime,
                UseLatestRestorableTime, InstanceClass, DBSubnetGroupName, VpcSecurityGroupIds, MultiAZ, tags) with { DeletionProtection = DeletionProtection }, ct).ConfigureAwait(false);
            var db = await _rds.WaitForDBInstanceAvailableAsync(TargetInstanceId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, ct).ConfigureAwait(false);
            var outcome = Outcome($"Restored {TargetInstanceId} to {When} from the automated backups of {sourceId}" +
                                  (replicated ? $" replicated from {sourceRegion}" : "") +
                                  (dataAsOf is { } d && PointInTime == null ? $" (data as of {RecoveryPointTags.FormatTime(d)})" : ""), db);
            return dataAsOf is { } asOf ? outcome.WithOutput(PointInTimeOutput, RecoveryPointTags.FormatTime(asOf)) : outcome;
        }

        /// <summary>No SourceRegion given: the instance in this region, else the region its backups here were replicated from.</summary>
        async Task<string> InferSourceRegionAsync(string sourceId, CancellationToken ct)
        {
            if (await _rds.FindDBInstanceAsync(sourceId, ct).ConfigureAwait(false) != null) return _rds.Region;
            var replicas = await _rds.DescribeDBInstanceAutomatedBackupsAsync(null, null, ct).ConfigureAwait(false);
            return replicas.Where(b => b.IsReplicated && string.Equals(b.DBInstanceIdentifier, sourceId, StringComparison.OrdinalIgnoreCase))
                       .OrderByDescending(b => b.LatestRestorableTime ?? DateTime.MinValue).Select(b => b.SourceRegion).FirstOrDefault()
                   ?? throw new DrToolsException(RecoveryPointErrorIds.NoAutomatedBackups, DrErrorCategory.ObjectNotFound,
                       $"DB instance {sourceId} is not in {_rds.Region} and none of its automated backups are replicated to {_rds.Region}.", sourceId,
                       $"Start the replication (Enable-DrBackupReplication -DBInstanceIdentifier {sourceId} -SourceRegion <its region> -Region {_rds.Region}), " +
                       "or name the primary's region in the plan (database.primaryRegion), then resume (-Resume).");
        }

        /// <summary>The step output with the time (UTC, ISO 8601) the restored data is as of, for point-in-time restores.</summary>
        public const string PointInTimeOutput = "pointInTime";

        async Task<DbSnapshot> FindSnapshotAsync(StepContext context, CancellationToken ct)
        {
            if (SnapshotId != null)
            {
                var s = await _rds.FindDBSnapshotAsync(SnapshotId, ct).ConfigureAwait(false)
                    ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                        $"The snapshot {SnapshotId} does not exist in {_rds.Region}.", SnapshotId,
                        "Check resources.database.restore.snapshotId, or leave it out to use the newest snapshot of the primary.");
                if (s.Status != "available")
                    s = await _rds.WaitForDBSnapshotAvailableAsync(SnapshotId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, ct).ConfigureAwait(false);
                return s;
            }
            var all = await _rds.DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBInstanceIdentifier = PrimaryInstanceId }, ct).ConfigureAwait(false);
            return all.Where(s => s.Status == "available" && string.Equals(s.DBInstanceIdentifier, PrimaryInstanceId, StringComparison.Ordinal))
                       .Where(s => SnapshotsBefore == null || TakenAt(s) is { } t && new DateTimeOffset(t, TimeSpan.Zero) < SnapshotsBefore.Value)
                       .OrderByDescending(s => s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime ?? DateTime.MinValue)
                       .FirstOrDefault()
                   ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                       $"No available snapshot of {PrimaryInstanceId} exists in {_rds.Region}" + (SnapshotsBefore is { } b ? $" from before {b:u}." : "."), PrimaryInstanceId,
                       $"Copy a snapshot of {PrimaryInstanceId} to {_rds.Region} (Test-DrPlan -Live checks recovery points), or name one in resources.database.restore.snapshotId.");
        }

        static DateTime? TakenAt(DbSnapshot s) =>
            (s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime) is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;

        /// <summary>The run tags plus <see cref="ExtraTags"/>, for the instance a restore creates.</summary>
        Dictionary<string, string> NewInstanceTags(StepContext context)
        {
            var tags = RunTags(context).ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var kv in ExtraTags ?? new Dictionary<string, string>()) tags[kv.Key] = kv.Value;
            return tags;
        }

        static StepOutcome Outcome(string message, DbInstance db)
        {
            var outcome = new StepOutcome(message, new[] { db.Identifier }).WithOutput(PromoteDatabaseStep.InstanceIdOutput, db.Identifier);
            return db.EndpointAddress != null ? outcome.WithOutput("endpoint", db.EndpointAddress) : outcome;
        }
    }
}
