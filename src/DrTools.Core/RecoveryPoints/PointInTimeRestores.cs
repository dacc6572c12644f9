using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>
    /// The rules of a point-in-time restore that Restore-DrBackup (<see cref="RecoveryPointRestorer"/>), the plan's
    /// restore-db step and the readiness check share: which automated backups a restore in a region uses, what to do
    /// when there are none, the restorable window, and the request with its tags.
    /// </summary>
    internal static class PointInTimeRestores
    {
        /// <summary>
        /// The automated backups of <paramref name="sourceId"/> a restore in <paramref name="rds"/>'s region uses: those
        /// replicated there from <paramref name="sourceRegion"/>, or in the source's own region its own; the newest window
        /// when there are several (a deleted and re-created instance). Null when there are none.
        /// </summary>
        public static async Task<DbAutomatedBackup?> FindBackupAsync(IRdsService rds, string sourceId, string sourceRegion, CancellationToken ct)
        {
            var replicated = IsReplicated(rds.Region, sourceRegion);
            var backups = await rds.DescribeDBInstanceAutomatedBackupsAsync(replicated ? null : sourceId, null, ct).ConfigureAwait(false);
            // Replicated backups keep the source instance's id and name the source region; the region's own have no other region.
            return backups.Where(b => string.Equals(b.DBInstanceIdentifier, sourceId, StringComparison.OrdinalIgnoreCase)
                                      && (replicated ? string.Equals(b.SourceRegion, sourceRegion, StringComparison.Ordinal) : !b.IsReplicated))
                .OrderByDescending(b => b.LatestRestorableTime ?? DateTime.MinValue).FirstOrDefault();
        }

        public static bool IsReplicated(string region, string sourceRegion) => !string.Equals(region, sourceRegion, StringComparison.Ordinal);

        /// <summary>How to turn the replication on, for errors and readiness reasons.</summary>
        public static string EnableCommand(string sourceId, string sourceRegion, string region) =>
            $"Enable-DrBackupReplication -DBInstanceIdentifier {sourceId} -SourceRegion {sourceRegion} -Region {region}";

        /// <summary>No backups of the source are replicated to the region: DrTools.NoAutomatedBackups, with how to start the replication.</summary>
        public static DrToolsException NotReplicated(string sourceId, string sourceRegion, string region) =>
            new(RecoveryPointErrorIds.NoAutomatedBackups, DrErrorCategory.ObjectNotFound,
                $"No automated backups of DB instance {sourceId} ({sourceRegion}) are replicated to {region}.", sourceId,
                $"Start the replication ({EnableCommand(sourceId, sourceRegion, region)}, or 'aws rds start-db-instance-automated-backups-replication --region {region} " +
                $"--source-db-instance-arn <ARN of {sourceId}>'), wait until Get-DrBackup -Kind DBAutomatedBackup -Region {region} shows a window, then re-run.");

        /// <summary>Replicated backups are named by ARN in the restore; an answer without one cannot be used.</summary>
        public static void RequireArn(DbAutomatedBackup backup, string sourceId, string region)
        {
            if (!string.IsNullOrEmpty(backup.Arn)) return;
            throw new DrToolsException(RecoveryPointErrorIds.NoAutomatedBackups, DrErrorCategory.InvalidData,
                $"The automated backups of {sourceId} replicated to {region} have no ARN in the RDS answer; they cannot be named in a restore.",
                sourceId, "Re-run later; if it persists, restore in the source region or from a DB snapshot copy.");
        }

        /// <summary>
        /// A time outside a known window fails before any change (DrTools.PointInTimeOutsideWindow naming the window);
        /// with no window known (some endpoints omit it) RDS decides. The actions say what to change for each side.
        /// </summary>
        public static void CheckWindow(string sourceId, DateTime asked, DbAutomatedBackup? backup, string region, string tooEarlyAction, string tooLateAction)
        {
            if (backup == null) return;
            var t = asked.ToUniversalTime();
            if (backup.EarliestRestorableTime is { } earliest && t < earliest)
                throw new DrToolsException(RecoveryPointErrorIds.PointInTimeOutsideWindow, DrErrorCategory.InvalidArgument,
                    $"{RecoveryPointTags.FormatTime(t)} is before the earliest restorable time of DB instance {sourceId} in {region}: " +
                    $"its automated backups reach {Window(backup)}.", t, tooEarlyAction);
            if (backup.LatestRestorableTime is { } latest && t > latest)
                throw new DrToolsException(RecoveryPointErrorIds.PointInTimeOutsideWindow, DrErrorCategory.InvalidArgument,
                    $"{RecoveryPointTags.FormatTime(t)} is after the latest restorable time of DB instance {sourceId} in {region}: " +
                    $"its automated backups reach {Window(backup)}.", t, tooLateAction);
        }

        public static string Window(DbAutomatedBackup backup) => $"{Fmt(backup.EarliestRestorableTime)} to {Fmt(backup.LatestRestorableTime)}";

        static string Fmt(DateTime? t) => t is { } v ? RecoveryPointTags.FormatTime(v) : "(unknown)";

        /// <summary>The tags every point-in-time restore puts on the new instance: where its data came from and as of when.</summary>
        public static Dictionary<string, string> Tags(IEnumerable<KeyValuePair<string, string>> extra, string sourceId, string sourceRegion, DateTime? pointInTime)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in extra) tags[kv.Key] = kv.Value;
            tags[RecoveryPointTags.RestoredFrom] = RecoveryPointTags.Pair(sourceRegion, sourceId);
            tags[RecoveryPointTags.Source] = sourceId;
            tags[RecoveryPointTags.PointInTime] = pointInTime is { } pit ? RecoveryPointTags.FormatTime(pit) : "latest";
            return tags;
        }

        /// <summary>The RestoreDBInstanceToPointInTime call: from the replicated backups' ARN in another region, from the instance itself in its own.</summary>
        public static RestoreDbInstanceToPointInTimeRequest Request(string sourceId, bool replicated, DbAutomatedBackup? backup, string targetId,
            DateTime? pointInTime, bool useLatest, string? instanceClass, string? subnetGroup, IEnumerable<string>? securityGroups, bool? multiAz,
            IReadOnlyDictionary<string, string> tags) => new()
        {
            SourceDBInstanceIdentifier = replicated ? null : sourceId,
            SourceDBInstanceAutomatedBackupsArn = replicated ? backup!.Arn : null,
            TargetDBInstanceIdentifier = targetId,
            RestoreTime = pointInTime?.ToUniversalTime(),
            UseLatestRestorableTime = useLatest,
            DBInstanceClass = instanceClass,
            DBSubnetGroupName = subnetGroup,
            VpcSecurityGroupIds = securityGroups?.ToList() is { Count: > 0 } groups ? groups : null,
            MultiAZ = multiAz,
            Tags = tags,
        };
    }
}
