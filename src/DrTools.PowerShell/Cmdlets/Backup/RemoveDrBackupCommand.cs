using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsCommon.Remove, "DrBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
    [OutputType(typeof(PruneResult))]
    public sealed class RemoveDrBackupCommand : BackupCmdlet
    {
        readonly Dictionary<string, List<string>> _ids = new(StringComparer.OrdinalIgnoreCase);

        [Parameter(Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = "Policy")]
        [ValidateRange(0, 100000)]
        public int KeepLast { get; set; }

        [Parameter(ParameterSetName = "Policy")]
        [ValidateRange(0, 100000)]
        public int KeepDaily { get; set; }

        [Parameter(ParameterSetName = "Policy")]
        [ValidateRange(0, 100000)]
        public int KeepWeekly { get; set; }

        [Parameter(ParameterSetName = "Policy")]
        [ValidateRange(0, 100000)]
        public int KeepMonthly { get; set; }

        [Parameter]
        public SwitchParameter NoGrace { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            // Sets piped from Get-DrBackup are gathered per repository and removed together, with one prune.
            var repository = BackupPaths.Resolve(this, Repository);
            if (!_ids.TryGetValue(repository, out var list)) _ids[repository] = list = new List<string>();
            list.AddRange(Id);
        }

        protected override void EndProcessing()
        {
            RetentionPolicy? policy = null;
            if (ParameterSetName == "Policy")
            {
                policy = new RetentionPolicy { KeepLast = KeepLast, KeepDaily = KeepDaily, KeepWeekly = KeepWeekly, KeepMonthly = KeepMonthly };
                if (policy.IsEmpty)
                    ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                        "Remove-DrBackup needs -Id or at least one of -KeepLast, -KeepDaily, -KeepWeekly, -KeepMonthly greater than 0.", null,
                        "Say which backup sets to remove (-Id) or which to keep (e.g. -KeepDaily 7 -KeepWeekly 4)."));
            }
            var options = new PruneOptions { GracePeriod = NoGrace ? TimeSpan.Zero : TimeSpan.FromHours(1), IgnoreLocks = Force };
            foreach (var kv in _ids)
            {
                var store = OpenStore(kv.Key);
                var ids = kv.Value.Distinct().ToList();
                Run(async ct =>
                {
                    var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                    var engine = new PruneEngine(repo, Reporter);
                    var plan = await engine.PlanAsync(policy == null ? ids : null, policy, options, ct).ConfigureAwait(false);
                    if (policy != null) Reporter.Verbose($"Policy {policy}: keeping {plan.Keep.Count} set(s), removing {plan.Remove.Count}.");
                    if (plan.Remove.Count == 0 && plan.ChunksToDelete == 0)
                    {
                        // Nothing to remove or delete: report that without touching the repository.
                        Emit(new PruneResult { Repository = repo.Location, KeptSets = plan.Keep.Count, ChunksInGrace = plan.ChunksInGrace });
                        return;
                    }
                    var confirmed = new List<string>();
                    foreach (var set in plan.Remove)
                        if (await ShouldProcessAsync($"backup set {set.Id} ({set.Time:u}, {set.Files} files, {Bytes(set.Bytes)}) in {repo.Location}", "Remove backup set").ConfigureAwait(false))
                            confirmed.Add(set.Id);
                    var deleteChunks = plan.ChunksToDelete > 0 &&
                        await ShouldProcessAsync($"{plan.ChunksToDelete} unreferenced chunk(s), {Bytes(plan.BytesToDelete)}, in {repo.Location}", "Delete chunks").ConfigureAwait(false);
                    // Sets removed now may free chunks the plan did not count (still in grace): prune them too when confirmed.
                    if (confirmed.Count > 0 && plan.ChunksToDelete == 0) deleteChunks = true;
                    if (confirmed.Count == 0 && !deleteChunks) return;
                    Emit(await engine.ExecuteAsync(confirmed, deleteChunks, options, ct).ConfigureAwait(false));
                });
            }
        }

        static string Bytes(long b) => b >= 1 << 20 ? $"{b / 1048576.0:0.0} MB" : $"{b / 1024.0:0.0} KB";
    }
}
