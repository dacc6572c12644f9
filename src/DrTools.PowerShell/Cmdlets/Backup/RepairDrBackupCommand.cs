using System;
using System.Collections.Generic;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    /// <summary>
    /// Rebuilds a repository's index from its packs' headers, drops entries of missing packs, records damaged blobs
    /// (found with -ReadData) so the next backup stores them again, and names what cannot be saved. The logic is in
    /// <see cref="RepairEngine"/>.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Repair, "DrBackup", HelpUri = HelpLinks.Cmdlets + "Repair-DrBackup.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RepairResult))]
    public sealed class RepairDrBackupCommand : BackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter]
        public SwitchParameter ReadData { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        /// <summary>Skips the confirmation prompt (as in AWS Tools); overrides nothing else.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        // Piped backup sets name their repository once each: repair each repository once, not once per set.
        readonly HashSet<string> _repaired = new(StringComparer.OrdinalIgnoreCase);

        protected override void ProcessRecord()
        {
            var location = BackupPaths.Resolve(this, Repository);
            if (!_repaired.Add(location)) return;
            var store = OpenStore(location);
            // One repository is one item: a failed repair of one does not stop the next.
            RunItem(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var engine = new RepairEngine(repo, Reporter);
                var options = new RepairOptions { ReadData = ReadData, ConcurrentRequests = ConcurrentRequests };
                var plan = await engine.PlanAsync(options, ct).ConfigureAwait(false);
                if (!await ShouldProcessAsync(repo.Location, plan.Describe()).ConfigureAwait(false)) return;
                var result = await engine.ExecuteAsync(plan, options, ct).ConfigureAwait(false);
                if (result.LostBlobs.Length > 0) Reporter.Warning(result.Summary);
                Emit(result);
            });
        }
    }
}
