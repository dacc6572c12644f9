using System;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Backup;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsCommon.Get, "DrBackup")]
    [OutputType(typeof(BackupSet))]
    public sealed class GetDrBackupCommand : BackupCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Id { get; set; }

        [Parameter]
        public SwitchParameter Latest { get; set; }

        [Parameter]
        public DateTime? Before { get; set; }

        [Parameter]
        public DateTime? After { get; set; }

        [Parameter]
        public string[]? Tag { get; set; }

        protected override void ProcessRecord()
        {
            var store = OpenStore(BackupPaths.Resolve(this, Repository));
            Run(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var sets = Id is { Length: > 0 }
                    ? (await System.Threading.Tasks.Task.WhenAll(Id.Select(id => repo.ReadManifestAsync(id, ct))).ConfigureAwait(false)).ToList()
                    : await repo.ReadAllManifestsAsync(Reporter, ct).ConfigureAwait(false);
                var selected = sets.Where(m => (Before == null || m.Time < Before.Value.ToUniversalTime()) &&
                                               (After == null || m.Time > After.Value.ToUniversalTime()) &&
                                               (Tag is not { Length: > 0 } || m.Tags.Any(t => Tag.Contains(t, StringComparer.OrdinalIgnoreCase))))
                    .OrderBy(m => m.Time).ToList();
                if (Latest) selected = selected.Skip(Math.Max(0, selected.Count - 1)).ToList();
                foreach (var m in selected) Emit(BackupSet.From(m, repo.Location));
            });
        }
    }
}
