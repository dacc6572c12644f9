using System;
using System.Management.Automation;
using DrTools.Core.Backup;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsData.Restore, "DrBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Id")]
    [OutputType(typeof(RestoreResult))]
    public sealed class RestoreDrBackupCommand : BackupCmdlet
    {
        [Parameter(ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Id { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "PointInTime")]
        public DateTime PointInTime { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter]
        public string[]? Include { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        protected override void ProcessRecord()
        {
            var store = OpenStore(BackupPaths.Resolve(this, Repository));
            var destination = GetUnresolvedProviderPathFromPSPath(Destination);
            Run(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var manifest = await RestoreEngine.SelectAsync(repo, Id, ParameterSetName == "PointInTime" ? PointInTime : null, ct).ConfigureAwait(false);
                var what = $"Restore backup set {manifest.Id} ({manifest.Time:u}, {manifest.FileCount} files) to {destination}" + (Force ? ", replacing existing files" : "");
                if (!await ShouldProcessAsync(destination, what).ConfigureAwait(false)) return;
                var result = await new RestoreEngine(repo, Reporter).RestoreAsync(manifest, new RestoreOptions
                {
                    Destination = destination,
                    Include = Include ?? Array.Empty<string>(),
                    Force = Force,
                    ConcurrentRequests = ConcurrentRequests,
                }, ct).ConfigureAwait(false);
                foreach (var failure in result.Failures) EmitError(failure.Error);
                Emit(result);
            });
        }
    }
}
