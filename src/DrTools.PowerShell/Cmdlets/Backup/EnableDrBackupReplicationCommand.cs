using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.RecoveryPoints;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    /// <summary>
    /// Turns on the replication of a DB instance's automated backups to the DR region (-Region, the connection's region),
    /// so Restore-DrBackup -PointInTime and plans with restore.pointInTime / latestRestorable can restore there.
    /// Emits the replicated backups as a DBAutomatedBackup recovery point; already replicating is not an error.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Enable, "DrBackupReplication", HelpUri = HelpLinks.Cmdlets + "Enable-DrBackupReplication.md", SupportsShouldProcess = true,
        ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InstanceSet)]
    [OutputType(typeof(RecoveryPoint))]
    public sealed class EnableDrBackupReplicationCommand : DrCmdlet
    {
        const string InstanceSet = "Instance";
        const string PlanSet = "Plan";
        DrPlan? _current;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = InstanceSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string DBInstanceIdentifier { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = InstanceSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string SourceRegion { get; set; } = "";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PlanSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object Plan { get; set; } = null!;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KmsKeyId { get; set; }

        [Parameter]
        [ValidateRange(1, 35)]
        public int? BackupRetentionPeriod { get; set; }

        /// <summary>Skips the confirmation prompt; -WhatIf still only shows.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>With -Plan, the plan's DR region is the connection region unless -Region says otherwise.</summary>
        protected override string? PlanRegion => _current?.DrRegion;

        protected override void ProcessRecord()
        {
            BackupReplicationRequest request;
            if (ParameterSetName == PlanSet)
            {
                // One plan is one item: a bad plan does not stop the next one in the pipeline.
                var plan = PlanInput.ResolveItem(this, Plan);
                if (plan == null) return;
                _current = plan;
                var db = plan.Resources.Database;
                var sourceRegion = db?.PrimaryRegion ?? plan.PrimaryRegion;
                if (db?.PrimaryInstanceId == null || sourceRegion == null)
                {
                    WriteError(ErrorRecords.From(new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                        $"Plan '{plan.Name}' names no primary DB instance and its region (resources.database.primaryInstanceId, primaryRegion), so there is nothing to replicate.",
                        plan.Name, "Add them to the plan, or pass -DBInstanceIdentifier and -SourceRegion instead of -Plan.")));
                    return;
                }
                request = new BackupReplicationRequest { DBInstanceIdentifier = db.PrimaryInstanceId, SourceRegion = sourceRegion };
            }
            else request = new BackupReplicationRequest { DBInstanceIdentifier = DBInstanceIdentifier, SourceRegion = SourceRegion };
            // Piped plans may have different DR regions; the connection is resolved once, so each plan gets its own region.
            request.Region = Region ?? _current?.DrRegion ?? Connection.Region;
            request.KmsKeyId = KmsKeyId;
            request.BackupRetentionPeriod = BackupRetentionPeriod;
            var connection = Connection.Region == request.Region ? Connection : Connection.ForRegion(request.Region);
            using var services = new AwsRecoveryPointServices(new AwsClientFactory(connection), Reporter);
            RunItem(async ct =>
            {
                var target = $"DB instance {request.DBInstanceIdentifier} ({request.SourceRegion})";
                var point = await new AutomatedBackupReplicator(services, Reporter)
                    .EnableAsync(request, what => ShouldProcessAsync(target, what), ct).ConfigureAwait(false);
                if (point != null) Emit(point);
            });
        }
    }
}
