using System;
using System.Management.Automation;
using DrTools.Core.Backup;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsDiagnostic.Test, "DrRestore", DefaultParameterSetName = "Latest")]
    [OutputType(typeof(RestoreTestResult))]
    public sealed class TestDrRestoreCommand : BackupCmdlet
    {
        [Parameter(Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Id { get; set; }

        [Parameter(ParameterSetName = "Latest")]
        public SwitchParameter Latest { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Random")]
        public SwitchParameter Random { get; set; }

        [Parameter(ParameterSetName = "Random")]
        [ValidateRange(0.0, 36500.0)]
        public double Within { get; set; } = 30;

        [Parameter]
        public TimeSpan? RtoTarget { get; set; }

        [Parameter]
        public SwitchParameter Keep { get; set; }

        [Parameter]
        public SwitchParameter VerifyOnly { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        protected override void ProcessRecord()
        {
            var store = OpenStore(BackupPaths.Resolve(this, Repository));
            Run(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var manifest = await VerifyEngine.SelectAsync(repo, Id, Random, Random ? Within : null, Reporter, ct).ConfigureAwait(false);
                var engine = new VerifyEngine(repo, Reporter);
                Emit(VerifyOnly
                    ? await engine.VerifyAsync(manifest, ConcurrentRequests, ct).ConfigureAwait(false)
                    : await engine.TestRestoreAsync(manifest, new RestoreTestOptions { Keep = Keep, RtoTarget = RtoTarget, ConcurrentRequests = ConcurrentRequests }, ct).ConfigureAwait(false));
            });
        }
    }
}
