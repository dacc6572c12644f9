using System;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>Which DB instance's automated backups to replicate, from where to where (Enable-DrBackupReplication).</summary>
    public sealed class BackupReplicationRequest
    {
        /// <summary>The DB instance (its id in <see cref="SourceRegion"/>).</summary>
        public string DBInstanceIdentifier { get; set; } = "";
        /// <summary>The region the instance runs in (the primary region).</summary>
        public string SourceRegion { get; set; } = "";
        /// <summary>The region the backups are replicated to (the DR region).</summary>
        public string Region { get; set; } = "";
        /// <summary>A KMS key in <see cref="Region"/>; required when the instance is encrypted.</summary>
        public string? KmsKeyId { get; set; }
        /// <summary>Days the replicated backups are kept (1..35); null: the source's retention period.</summary>
        public int? BackupRetentionPeriod { get; set; }
    }

    /// <summary>
    /// Turns on the replication of a DB instance's automated backups to the DR region
    /// (StartDBInstanceAutomatedBackupsReplication), so that a point-in-time restore there needs nothing from the
    /// primary region. Already replicating is not an error: the existing replicated backups are returned.
    /// </summary>
    public sealed class AutomatedBackupReplicator
    {
        readonly IRecoveryPointServices _services;
        readonly IOperationReporter _reporter;

        public AutomatedBackupReplicator(IRecoveryPointServices services, IOperationReporter? reporter = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>What <see cref="EnableAsync"/> changes, for ShouldProcess (-WhatIf shows it).</summary>
        public static string Describe(BackupReplicationRequest r) =>
            $"Replicate the automated backups of DB instance {r.DBInstanceIdentifier} ({r.SourceRegion}) to {r.Region}" +
            (r.BackupRetentionPeriod is { } days ? $", kept {days} days" : "") + (r.KmsKeyId != null ? $", encrypted with KMS key {r.KmsKeyId}" : "");

        /// <summary>
        /// Checks the source (exists, has automated backups, encryption needs a key), returns the existing replication when
        /// there is one, else asks <paramref name="confirm"/> (ShouldProcess; false: nothing changes, null is returned)
        /// and starts the replication. Returns the replicated backups as a DBAutomatedBackup recovery point in the DR region.
        /// </summary>
        public async Task<RecoveryPoint?> EnableAsync(BackupReplicationRequest r, Func<string, Task<bool>> confirm, CancellationToken ct)
        {
            if (r == null) throw new ArgumentNullException(nameof(r));
            if (string.IsNullOrWhiteSpace(r.DBInstanceIdentifier))
                throw RecoveryPointErrors.Invalid("The DB instance is required.", null, "Pass -DBInstanceIdentifier with the id of the primary DB instance, or -Plan.");
            if (string.IsNullOrWhiteSpace(r.SourceRegion) || string.IsNullOrWhiteSpace(r.Region))
                throw RecoveryPointErrors.Invalid("Both the source region and the DR region are required.", r.DBInstanceIdentifier,
                    "Pass -SourceRegion (where the instance runs) and -Region (the DR region), or -Plan.");
            if (!PointInTimeRestores.IsReplicated(r.Region, r.SourceRegion))
                throw RecoveryPointErrors.Invalid($"Automated backups are replicated to another region, but the source and the DR region are both {r.Region}.",
                    r.DBInstanceIdentifier, "Pass -Region with the DR region (the connection's region is used when -Region is left out) and -SourceRegion with the instance's region.");
            if (r.BackupRetentionPeriod is < 1 or > 35)
                throw RecoveryPointErrors.Invalid($"-BackupRetentionPeriod must be 1 to 35 days, not {r.BackupRetentionPeriod}.", r.BackupRetentionPeriod,
                    "Pass a number of days from 1 to 35, or leave it out to keep the source's retention period.");

            var source = await _services.Rds(r.SourceRegion).FindDBInstanceAsync(r.DBInstanceIdentifier, ct).ConfigureAwait(false)
                         ?? throw RecoveryPointErrors.SourceNotFound("DB instance", r.DBInstanceIdentifier, r.SourceRegion);
            if (source.BackupRetentionPeriod == 0)
                throw new DrToolsException(RecoveryPointErrorIds.NoAutomatedBackups, DrErrorCategory.InvalidOperation,
                    $"DB instance {r.DBInstanceIdentifier} in {r.SourceRegion} has automated backups turned off (backup retention period 0): there is nothing to replicate.",
                    r.DBInstanceIdentifier,
                    $"Turn them on ('aws rds modify-db-instance --region {r.SourceRegion} --db-instance-identifier {r.DBInstanceIdentifier} --backup-retention-period 7 --apply-immediately'), then re-run.");

            var dr = _services.Rds(r.Region);
            var existing = await PointInTimeRestores.FindBackupAsync(dr, r.DBInstanceIdentifier, r.SourceRegion, ct).ConfigureAwait(false);
            if (existing != null && existing.Status is not ("retained" or "deleting"))
            {
                var ignored = r.KmsKeyId != null || r.BackupRetentionPeriod != null
                    ? " -KmsKeyId and -BackupRetentionPeriod apply only when a replication starts; to change them stop it " +
                      $"('aws rds stop-db-instance-automated-backups-replication --region {r.Region} --source-db-instance-arn {source.Arn ?? r.DBInstanceIdentifier}') and enable it again."
                    : "";
                _reporter.Warning($"The automated backups of {r.DBInstanceIdentifier} ({r.SourceRegion}) are already replicated to {r.Region} " +
                                  $"({existing.Status}, restorable {PointInTimeRestores.Window(existing)}); nothing was changed.{ignored}");
                return RecoveryPoint.FromAutomatedBackup(existing);
            }
            if (source.StorageEncrypted && r.KmsKeyId == null)
                throw new DrToolsException(RecoveryPointErrorIds.KmsKeyNotUsable, DrErrorCategory.InvalidArgument,
                    $"DB instance {r.DBInstanceIdentifier} is encrypted (KMS key {source.KmsKeyId ?? "unknown"} in {r.SourceRegion}): its backups can be replicated to {r.Region} " +
                    $"only encrypted with a KMS key in {r.Region}. Nothing was changed.", r.DBInstanceIdentifier,
                    $"KMS keys are regional: pass -KmsKeyId with the ARN of a key in {r.Region} that this identity may use (kms:CreateGrant, kms:DescribeKey), then re-run.");
            if (string.IsNullOrEmpty(source.Arn))
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidData,
                    $"RDS in {r.SourceRegion} answered without the ARN of DB instance {r.DBInstanceIdentifier}; the replication names the source by ARN.",
                    r.DBInstanceIdentifier, "Re-run; if it persists, start the replication with the AWS CLI (aws rds start-db-instance-automated-backups-replication).");

            if (!await confirm(Describe(r)).ConfigureAwait(false)) return null;
            DbAutomatedBackup started;
            try
            {
                started = await dr.StartDBInstanceAutomatedBackupsReplicationAsync(source.Arn!, r.BackupRetentionPeriod, r.KmsKeyId, ct).ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (RecoveryPointErrors.IsRegionNotEnabled(ex))
            {
                throw RecoveryPointErrors.RegionNotEnabled(r.Region, r.SourceRegion, "Nothing was changed.", ex);
            }
            catch (DrToolsException ex) when (RecoveryPointErrors.IsKmsError(ex, r.KmsKeyId))
            {
                throw RecoveryPointErrors.KmsKeyNotUsable(r.KmsKeyId, r.Region, "Nothing was changed.", ex);
            }
            _reporter.Verbose($"Started replicating the automated backups of {r.DBInstanceIdentifier} to {r.Region} ({started.Status}); " +
                              $"the first restorable window appears when the first backup has been copied (Get-DrBackup -Kind DBAutomatedBackup -Region {r.Region}).");
            // The answer describes the new replica of the backups; it may leave out the source's name and region.
            var replica = started with
            {
                DBInstanceIdentifier = string.IsNullOrEmpty(started.DBInstanceIdentifier) ? r.DBInstanceIdentifier : started.DBInstanceIdentifier,
                SourceRegion = started.SourceRegion ?? r.SourceRegion,
                Region = r.Region,
            };
            return RecoveryPoint.FromAutomatedBackup(replica);
        }
    }
}
