using System;
using System.IO;
using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reprotect;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    /// <summary>
    /// Invoke-DrBackup -Plan (parameter set Plan): the plan-driven nightly database backup. It backs up the plan's
    /// ACTIVE writer (the active side record in -JournalPath after a failover, else the plan's primaryInstanceId) in its
    /// region and copies it to the other side's region, tagged with the plan's name, so one runbook works on either side.
    /// </summary>
    public sealed partial class InvokeDrBackupCommand
    {
        const string PlanSet = "Plan";
        string? _planRegion;

        /// <summary>Where the plan's active side record is (as on Invoke-DrFailover); default the local journal folder.</summary>
        [Parameter(ParameterSetName = PlanSet)]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>With -Plan the connection defaults to the active writer's region (then the plan's DR region until it is known).</summary>
        protected override string? PlanRegion => _planRegion;

        /// <summary>
        /// The value of -Plan as a tag (-InstanceId / -DBInstanceIdentifier): a plan object, or the path of an existing
        /// .json/.psd1 plan file, gives the plan's name; any other text is the tag itself, as before plans were accepted.
        /// </summary>
        string? PlanTag()
        {
            var value = Plan is PSObject pso ? pso.BaseObject : Plan;
            switch (value)
            {
                case null:
                    return null;
                case string text when !IsPlanFile(text):
                    return text;
                default:
                    return PlanInput.Resolve(this, value).Name;
            }
        }

        bool IsPlanFile(string text)
        {
            if (!text.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !text.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)) return false;
            try { return File.Exists(GetUnresolvedProviderPathFromPSPath(text)); }
            catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException or PSArgumentException)
            {
                return false;
            }
        }

        void BackUpPlanDatabase()
        {
            if (RetainDays > 0 && ExpiresAfter != null)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-RetainDays and -ExpiresAfter both say when the recovery point expires.", RetainDays, "Pass one of them."));
            var plan = PlanInput.Resolve(this, Plan);
            _planRegion = plan.DrRegion;
            NotifyAbout(plan.Name);
            ActiveDatabase active;
            try
            {
                var store = new ActiveSideStore(OpenJournals(JournalPath));
                ActiveSide? record = null;
                Run(async ct => record = await store.LoadAsync(plan.Name, ct).ConfigureAwait(false));
                active = ActiveDatabaseBackup.Require(plan, record, "Invoke-DrBackup");
            }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }
            _planRegion = active.Writer.Region;

            var request = ActiveDatabaseBackup.SnapshotRequest(plan, active, KmsKeyId);
            request.NoWait = NoWait;
            request.ExpiresAfter = RetainDays > 0 ? DateTime.UtcNow.AddDays(RetainDays) : ExpiresAfter?.ToUniversalTime();
            request.ClientToken = ClientToken;
            var side = ActiveDatabaseBackup.SideText(plan, active);
            WriteVerbose($"Plan '{plan.Name}': the active writer is {active.Writer}; its snapshot is copied to {active.OtherRegion} ({side}).");
            if (!Confirmed($"{active.Writer.Id} in {active.Writer.Region}",
                    $"Create a DB snapshot and copy it to {active.OtherRegion}" + (request.KmsKeyId != null ? $" (KMS key {request.KmsKeyId})" : "") + $"; {side}"))
                return;
            // Region: the writer's, whatever the connection defaults to (-Region names the connection's default only).
            var connection = string.Equals(Connection.Region, active.Writer.Region, StringComparison.Ordinal) ? Connection : Connection.ForRegion(active.Writer.Region);
            using var services = new AwsRecoveryPointServices(new AwsClientFactory(connection), Reporter);
            var creator = new RecoveryPointCreator(services, Reporter);
            Run(async ct =>
            {
                try
                {
                    foreach (var p in await creator.CreateAsync(request, ct).ConfigureAwait(false))
                    {
                        Emit(p);
                        NoteSuccess($"{p.Kind} {p.Id} of {p.SourceId} in {p.Region}, copied to {active.OtherRegion}");
                    }
                }
                catch (DrToolsException ex)
                {
                    EmitError(ex);
                }
            });
        }
    }
}
