using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reprotect;
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

        /// <summary>With -Plan: where the plan's active side record is (as on Invoke-DrFailover); default the local journal folder.</summary>
        [Parameter(ParameterSetName = PlanSet)]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

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
                // The active writer (after a failover: the record's, in the DR region) replicates to the other side.
                try
                {
                    var store = new ActiveSideStore(OpenJournals(JournalPath));
                    ActiveSide? record = null;
                    if (!RunItem(async ct => record = await store.LoadAsync(plan.Name, ct).ConfigureAwait(false))) return;
                    var active = ActiveDatabaseBackup.Require(plan, record, "Enable-DrBackupReplication");
                    request = ActiveDatabaseBackup.ReplicationRequest(plan, active, KmsKeyId, BackupRetentionPeriod);
                    WriteVerbose($"Plan '{plan.Name}': the active writer is {active.Writer}; its automated backups replicate to {active.OtherRegion} "
                                 + $"({ActiveDatabaseBackup.SideText(plan, active)}).");
                }
                catch (DrToolsException ex)
                {
                    WriteError(ErrorRecords.From(ex));
                    return;
                }
                // -Region still names the destination when given.
                if (Region != null && Region != request.Region)
                {
                    request.Region = Region;
                    request.KmsKeyId = ActiveDatabaseBackup.KeyFor(plan, Region, KmsKeyId);
                }
            }
            else
            {
                request = new BackupReplicationRequest { DBInstanceIdentifier = DBInstanceIdentifier, SourceRegion = SourceRegion };
                // Piped plans may have different DR regions; the connection is resolved once, so each plan gets its own region.
                request.Region = Region ?? Connection.Region;
                request.KmsKeyId = KmsKeyId;
                request.BackupRetentionPeriod = BackupRetentionPeriod;
            }
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
