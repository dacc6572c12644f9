using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using DrTools.Core.Backup.Storage;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsCommon.Copy, "DrBackup", HelpUri = HelpLinks.Cmdlets + "Copy-DrBackup.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(CopyResult))]
    public sealed class CopyDrBackupCommand : BackupCmdlet
    {
        readonly Dictionary<string, List<string>> _ids = new(StringComparer.OrdinalIgnoreCase);

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BackupSetIdCompleter))]
        public string[]? Id { get; set; }

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? DestinationRegion { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KmsKeyId { get; set; }

        [Parameter]
        [ValidateSet("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", IgnoreCase = true)]
        public string? StorageClass { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        protected override void ProcessRecord()
        {
            var repository = BackupPaths.Resolve(this, Repository);
            if (!_ids.TryGetValue(repository, out var list)) _ids[repository] = list = new List<string>();
            if (Id != null) list.AddRange(Id);
        }

        protected override void EndProcessing()
        {
            var destination = BackupPaths.Resolve(this, Destination);
            foreach (var kv in _ids)
            {
                var source = OpenStore(kv.Key);
                var target = OpenStore(destination, new S3StoreOptions { KmsKeyId = KmsKeyId, StorageClass = StorageClass?.ToUpperInvariant() }, DestinationRegion);
                var given = kv.Value.Distinct().ToList();
                // One source repository is one item; an unknown id is that id's error, the other sets are copied.
                RunItem(async ct =>
                {
                    var repo = await BackupRepository.OpenAsync(source, ct).ConfigureAwait(false);
                    var ids = new List<string>();
                    if (given.Count > 0)
                    {
                        var all = await repo.ListSetIdsAsync(ct).ConfigureAwait(false);
                        foreach (var id in given)
                        {
                            try { ids.Add(BackupSetIds.Resolve(id, all, repo.Location)); }
                            catch (DrToolsException ex) { EmitError(ex); }
                        }
                        if (ids.Count == 0) return;
                    }
                    var engine = new CopyEngine(repo, target, Reporter);
                    foreach (var r in await engine.CopyAsync(ids, ConcurrentRequests,
                                 set => ShouldProcessAsync($"backup set {set.Id} ({DisplayTime.Format(set.Time)}, {set.Files} files) to {target.Location}", "Copy backup set"), ct).ConfigureAwait(false))
                        Emit(r);
                });
            }
        }
    }
}
