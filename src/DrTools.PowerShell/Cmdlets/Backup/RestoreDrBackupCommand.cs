using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsData.Restore, "DrBackup", HelpUri = HelpLinks.Cmdlets + "Restore-DrBackup.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Id")]
    [OutputType(typeof(RestoreResult), ParameterSetName = new[] { "Id", "PointInTime" })]
    [OutputType(typeof(RestoredResource), ParameterSetName = new[] { "RecoveryPoint", "KindId", "DBPointInTime", "DBLatestRestorable" })]
    public sealed class RestoreDrBackupCommand : BackupCmdlet
    {
        [Parameter(Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "PointInTime", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BackupSetIdCompleter))]
        public string? Id { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "PointInTime")]
        [Parameter(Mandatory = true, ParameterSetName = "DBPointInTime")]
        public DateTime PointInTime { get; set; }

        // ---- point-in-time restore of a DB instance

        [Parameter(Mandatory = true, ParameterSetName = "DBLatestRestorable")]
        public SwitchParameter UseLatestRestorableTime { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "DBPointInTime")] [Parameter(Mandatory = true, ParameterSetName = "DBLatestRestorable")]
        [ValidateNotNullOrEmpty]
        public string? TargetDBInstanceIdentifier { get; set; }

        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        [ValidateNotNullOrEmpty]
        public string? SourceRegion { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        [Parameter(Mandatory = true, ParameterSetName = "PointInTime")]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter(ParameterSetName = "Id")]
        [Parameter(ParameterSetName = "PointInTime")]
        public string[]? Include { get; set; }

        /// <summary>Replace files that already exist in the destination with the backed-up version.</summary>
        [Parameter(ParameterSetName = "Id")]
        [Parameter(ParameterSetName = "PointInTime")]
        public SwitchParameter Overwrite { get; set; }

        /// <summary>Skips the confirmation prompt; -WhatIf still only shows.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter(ParameterSetName = "Id")]
        [Parameter(ParameterSetName = "PointInTime")]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        // ---- recovery points

        // Not mandatory: PowerShell would prioritize a set whose mandatory parameter takes ValueFromPipeline and then fail to bind BackupSet objects by property name.
        [Parameter(ParameterSetName = "RecoveryPoint", ValueFromPipeline = true)]
        public RecoveryPoint? RecoveryPoint { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "KindId")]
        public RecoveryPointKind Kind { get => (RecoveryPointKind)_kind; set => _kind = (int)value; }

        // Held as a number: a field of a DrTools.Core enum would make PowerShell load DrTools.Core while it lists the
        // module's types, before ModuleInitializer can say where DrTools.Core is.
        int _kind;

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? AvailabilityZone { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? VolumeType { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        public SwitchParameter Encrypted { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? KmsKeyId { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? InstanceType { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? SubnetId { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        [ValidateNotNullOrEmpty]
        public string[]? SecurityGroupId { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? KeyName { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(Mandatory = true, ParameterSetName = "DBPointInTime")] [Parameter(Mandatory = true, ParameterSetName = "DBLatestRestorable")]
        [ValidateNotNullOrEmpty]
        public string? DBInstanceIdentifier { get; set; }

        /// <summary>A DB cluster snapshot: the restored cluster's name (default: the source cluster's).</summary>
        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? DBClusterIdentifier { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        [ValidateNotNullOrEmpty]
        public string? DBInstanceClass { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        [ValidateNotNullOrEmpty]
        public string? DBSubnetGroupName { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        public SwitchParameter MultiAZ { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        public Hashtable? ResourceTag { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [Parameter(ParameterSetName = "DBPointInTime")] [Parameter(ParameterSetName = "DBLatestRestorable")]
        public SwitchParameter NoWait { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName is "DBPointInTime" or "DBLatestRestorable")
            {
                RestoreDBInstanceToPointInTime();
                return;
            }
            if (IsRecoveryPointSet)
            {
                RestoreRecoveryPoint();
                return;
            }
            var store = OpenStore(BackupPaths.Resolve(this, Repository));
            var destination = GetUnresolvedProviderPathFromPSPath(Destination);
            // One backup set (piped or named) is one item: its failure does not stop the next.
            RunItem(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var id = Id != null ? await BackupSetIds.ResolveAsync(repo, Id, ct).ConfigureAwait(false) : null;
                var manifest = await RestoreEngine.SelectAsync(repo, id, ParameterSetName == "PointInTime" ? PointInTime : null, ct).ConfigureAwait(false);
                var what = $"Restore backup set {manifest.Id} ({DisplayTime.Format(manifest.Time)}, {manifest.FileCount} files) to {destination}" + (Overwrite ? ", replacing existing files" : "");
                if (!await ShouldProcessAsync(destination, what).ConfigureAwait(false)) return;
                var result = await new RestoreEngine(repo, Reporter).RestoreAsync(manifest, new RestoreOptions
                {
                    Destination = destination,
                    Include = Include ?? Array.Empty<string>(),
                    Overwrite = Overwrite,
                    ConcurrentRequests = ConcurrentRequests,
                }, ct).ConfigureAwait(false);
                foreach (var failure in result.Failures) EmitError(failure.Error);
                Emit(result);
            });
        }

        void RestoreDBInstanceToPointInTime()
        {
            var request = new PointInTimeRestoreRequest
            {
                SourceDBInstanceIdentifier = DBInstanceIdentifier!, SourceRegion = SourceRegion, Region = Connection.Region,
                TargetDBInstanceIdentifier = TargetDBInstanceIdentifier!,
                PointInTime = ParameterSetName == "DBPointInTime" ? PointInTime : null, UseLatestRestorableTime = UseLatestRestorableTime,
                DBInstanceClass = DBInstanceClass, DBSubnetGroupName = DBSubnetGroupName, SecurityGroupIds = SecurityGroupId ?? Array.Empty<string>(),
                MultiAZ = MultiAZ ? true : null, Tags = RecoveryPointCmdlets.Tags(ResourceTag), NoWait = NoWait,
            };
            var home = Connection.Region;
            using var services = OpenRecoveryPointServices();
            RunItem(async ct =>
            {
                if (!await ShouldProcessAsync($"DB instance {request.TargetDBInstanceIdentifier} in {home}", RecoveryPointRestorer.Describe(request, home)).ConfigureAwait(false)) return;
                Emit(await new RecoveryPointRestorer(services, Reporter).RestorePointInTimeAsync(request, ct).ConfigureAwait(false));
            });
        }

        void RestoreRecoveryPoint()
        {
            var request = new RecoveryPointRestoreRequest
            {
                AvailabilityZone = AvailabilityZone, VolumeType = VolumeType, Encrypted = Encrypted ? true : null, KmsKeyId = KmsKeyId,
                InstanceType = InstanceType, SubnetId = SubnetId, SecurityGroupIds = SecurityGroupId ?? Array.Empty<string>(), KeyName = KeyName,
                DBInstanceIdentifier = DBInstanceIdentifier, DBClusterIdentifier = DBClusterIdentifier, DBInstanceClass = DBInstanceClass, DBSubnetGroupName = DBSubnetGroupName,
                MultiAZ = MultiAZ ? true : null, Tags = RecoveryPointCmdlets.Tags(ResourceTag), NoWait = NoWait,
            };
            using var services = OpenRecoveryPointServices();
            RunItem(async ct =>
            {
                var rp = await RecoveryPointCmdlets.ResolveAsync(services, RecoveryPoint, Kind, Id, ct).ConfigureAwait(false);
                if (!await ShouldProcessAsync($"{rp.Kind} {rp.Id} in {rp.Region}", RecoveryPointRestorer.Describe(rp, request)).ConfigureAwait(false)) return;
                Emit(await new RecoveryPointRestorer(services, Reporter).RestoreAsync(rp, request, ct).ConfigureAwait(false));
            });
        }
    }

    internal static class RecoveryPointCmdlets
    {
        /// <summary>The recovery point from the pipeline, or the one named by -Kind/-Id in the connection's region (re-read from AWS).</summary>
        public static async Task<RecoveryPoint> ResolveAsync(IRecoveryPointServices services, RecoveryPoint? piped, RecoveryPointKind kind, string? id, CancellationToken ct) =>
            piped == null && id == null ? throw NoRecoveryPoint()
            : piped != null
                ? await new RecoveryPointCatalog(services).GetAsync(piped.Kind, piped.Id, piped.Region, ct).ConfigureAwait(false)
                : await new RecoveryPointCatalog(services).GetAsync(kind, id!, services.HomeRegion, ct).ConfigureAwait(false);

        public static Core.Diagnostics.DrToolsException NoRecoveryPoint() =>
            new(Core.Diagnostics.ErrorIds.InvalidParameter, Core.Diagnostics.DrErrorCategory.InvalidArgument, "No recovery point given.", null,
                "Pipe recovery points from Get-DrBackup -Kind, or pass -Kind and -Id.");

        public static IDictionary<string, string> Tags(Hashtable? table)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            if (table == null) return tags;
            foreach (DictionaryEntry e in table) tags[e.Key?.ToString() ?? ""] = e.Value?.ToString() ?? "";
            return tags;
        }
    }
}
