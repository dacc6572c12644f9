using System;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The plan-driven nightly backup (Invoke-DrBackup -Plan, Enable-DrBackupReplication -Plan): what to back up and
    /// where to copy it follows the active side, so one runbook works before and after a failover. The writer is
    /// backed up in its region and copied to the other side's region (<see cref="ActiveDatabase.OtherRegion"/>).
    /// </summary>
    public static class ActiveDatabaseBackup
    {
        /// <summary>The plan's writer database now, or DrTools.InvalidParameter saying why there is none to back up.</summary>
        public static ActiveDatabase Require(DrPlan plan, ActiveSide? record, string what)
        {
            var active = ActiveDatabase.Of(plan, record)
                         ?? throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                             $"Plan '{plan.Name}' names no database writer and its region (resources.database.primaryInstanceId, primaryRegion), and no failover " +
                             "recorded one, so there is nothing to back up.", plan.Name,
                             $"Add them to the plan, or {what} with -DBInstanceIdentifier instead of -Plan.");
            if (active.Writer.IsCluster)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Plan '{plan.Name}': the writer is Aurora {active.Writer}; -Plan backs up DB instances only.", plan.Name,
                    $"Back up the cluster with its own parameters ({what} -DBClusterIdentifier {active.Writer.Id} -Region {active.Writer.Region}).");
            if (active.OtherRegion == null)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Plan '{plan.Name}': the writer {active.Writer} has no other side to copy to (the plan's regions are the same or unknown).", plan.Name,
                    "Set the plan's primaryRegion and drRegion (or database.reprotect.region).");
            return active;
        }

        /// <summary>
        /// The key for the copy in <paramref name="copyRegion"/> (keys are regional): toward the DR region the caller's
        /// key; toward the other side after a failover the plan's database.reprotect.kmsKeyId when set (the key of that
        /// region), else the caller's (an alias such as alias/aws/rds exists in every region).
        /// </summary>
        public static string? KeyFor(DrPlan plan, string copyRegion, string? kmsKeyId) =>
            string.Equals(copyRegion, plan.DrRegion, StringComparison.OrdinalIgnoreCase) ? kmsKeyId
                : plan.Resources.Database?.Reprotect?.KmsKeyId ?? kmsKeyId;

        /// <summary>A DB snapshot of the writer in its region, copied to the other side and tagged with the plan's name.</summary>
        public static RecoveryPointRequest SnapshotRequest(DrPlan plan, ActiveDatabase active, string? kmsKeyId) =>
            new(RecoveryPointKind.DBSnapshot, active.Writer.Id)
            {
                CopyToRegion = active.OtherRegion,
                KmsKeyId = KeyFor(plan, active.OtherRegion!, kmsKeyId),
                Plan = plan.Name,
            };

        /// <summary>The writer's automated backups replicated to the other side.</summary>
        public static BackupReplicationRequest ReplicationRequest(DrPlan plan, ActiveDatabase active, string? kmsKeyId, int? retentionDays) => new()
        {
            DBInstanceIdentifier = active.Writer.Id,
            SourceRegion = active.Writer.Region,
            Region = active.OtherRegion!,
            KmsKeyId = KeyFor(plan, active.OtherRegion!, kmsKeyId),
            BackupRetentionPeriod = retentionDays,
        };

        /// <summary>"plan orders, DR side active (failed over at ... by run ...)" for confirmations and -WhatIf.</summary>
        public static string SideText(DrPlan plan, ActiveDatabase active) =>
            $"plan {plan.Name}, " + (active.FailedOver ? "DR side active" : "primary side active") +
            (active.Record != null ? $" ({ActiveDatabase.Describe(active.Record)})" : " (never failed over)");
    }
}
