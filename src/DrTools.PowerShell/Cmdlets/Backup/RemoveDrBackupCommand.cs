using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsCommon.Remove, "DrBackup", HelpUri = HelpLinks.Cmdlets + "Remove-DrBackup.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
    [OutputType(typeof(PruneResult), ParameterSetName = new[] { "Id", "Policy" })]
    [OutputType(typeof(RecoveryPointRemoval), ParameterSetName = new[] { "RecoveryPoint", "KindId", "KindPolicy" })]
    public sealed class RemoveDrBackupCommand : BackupCmdlet
    {
        readonly Dictionary<string, List<string>> _ids = new(StringComparer.OrdinalIgnoreCase);

        [Parameter(Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "Policy", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BackupSetIdCompleter))]
        public string[] Id { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = "Policy")] [Parameter(ParameterSetName = "KindPolicy")]
        [ValidateRange(0, 100000)]
        public int KeepLast { get; set; }

        [Parameter(ParameterSetName = "Policy")] [Parameter(ParameterSetName = "KindPolicy")]
        [ValidateRange(0, 100000)]
        public int KeepDaily { get; set; }

        [Parameter(ParameterSetName = "Policy")] [Parameter(ParameterSetName = "KindPolicy")]
        [ValidateRange(0, 100000)]
        public int KeepWeekly { get; set; }

        [Parameter(ParameterSetName = "Policy")] [Parameter(ParameterSetName = "KindPolicy")]
        [ValidateRange(0, 100000)]
        public int KeepMonthly { get; set; }

        [Parameter(ParameterSetName = "Id")] [Parameter(ParameterSetName = "Policy")]
        public SwitchParameter NoGrace { get; set; }

        /// <summary>Delete chunks even while another process holds a live backup lock (risks that backup's data).</summary>
        [Parameter(ParameterSetName = "Id")] [Parameter(ParameterSetName = "Policy")]
        public SwitchParameter IgnoreLock { get; set; }

        /// <summary>Skips the confirmation prompt (ConfirmImpact High); -WhatIf still only shows.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        // ---- recovery points

        // Not mandatory: PowerShell would prioritize a set whose mandatory parameter takes ValueFromPipeline and then fail to bind BackupSet objects by property name.
        [Parameter(ParameterSetName = "RecoveryPoint", ValueFromPipeline = true)]
        public RecoveryPoint? RecoveryPoint { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "KindId")]
        [Parameter(Mandatory = true, ParameterSetName = "KindPolicy")]
        public RecoveryPointKind Kind { get => (RecoveryPointKind)_kind; set => _kind = (int)value; }

        // Held as a number: a field of a DrTools.Core enum would make PowerShell load DrTools.Core while it lists the
        // module's types, before ModuleInitializer can say where DrTools.Core is.
        int _kind;

        [Parameter(ParameterSetName = "KindPolicy")]
        public SwitchParameter Expired { get; set; }

        [Parameter(ParameterSetName = "KindPolicy")]
        [ValidateNotNullOrEmpty]
        public string[]? SourceId { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case "RecoveryPoint":
                    if (RecoveryPoint == null) ThrowTerminatingError(Infrastructure.ErrorRecords.From(RecoveryPointCmdlets.NoRecoveryPoint()));
                    RemoveById(RecoveryPoint!.Kind, new[] { RecoveryPoint.Id }, RecoveryPoint.Region);
                    return;
                case "KindId":
                    RemoveById(Kind, Id, Connection.Region);
                    return;
                case "KindPolicy":
                    RemoveByPolicy();
                    return;
            }
            // Sets piped from Get-DrBackup are gathered per repository and removed together, with one prune.
            var repository = BackupPaths.Resolve(this, Repository);
            if (!_ids.TryGetValue(repository, out var list)) _ids[repository] = list = new List<string>();
            list.AddRange(Id);
        }

        void RemoveById(RecoveryPointKind kind, IReadOnlyList<string> ids, string region)
        {
            using var services = OpenRecoveryPointServices();
            var remover = new RecoveryPointRemover(services, Reporter);
            var catalog = new RecoveryPointCatalog(services);
            Run(async ct =>
            {
                foreach (var id in ids)
                {
                    try
                    {
                        var p = await catalog.GetAsync(kind, id, region, ct).ConfigureAwait(false);
                        RecoveryPointRemover.EnsureCreatedByDrTools(p);
                        if (!await ShouldProcessAsync(RecoveryPointRemover.Describe(p, "asked by id"), "Remove recovery point").ConfigureAwait(false)) continue;
                        Emit(await remover.RemoveAsync(kind, id, region, "asked by id", ct).ConfigureAwait(false));
                    }
                    catch (DrToolsException ex)
                    {
                        EmitError(ex);
                    }
                }
            });
        }

        void RemoveByPolicy()
        {
            var policy = new RetentionPolicy { KeepLast = KeepLast, KeepDaily = KeepDaily, KeepWeekly = KeepWeekly, KeepMonthly = KeepMonthly };
            if (policy.IsEmpty && !Expired)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "Remove-DrBackup -Kind needs -Id, -Expired, or at least one of -KeepLast, -KeepDaily, -KeepWeekly, -KeepMonthly greater than 0.", null,
                    "Say which recovery points to remove (-Id) or which to keep (e.g. -KeepDaily 7 -KeepWeekly 4)."));
            var region = Connection.Region;
            using var services = OpenRecoveryPointServices();
            var remover = new RecoveryPointRemover(services, Reporter);
            Run(async ct =>
            {
                var plan = await remover.PlanAsync(Kind, region, policy.IsEmpty ? null : policy, Expired, SourceId, DateTime.UtcNow, ct).ConfigureAwait(false);
                Reporter.Verbose($"{(policy.IsEmpty ? "" : $"Policy {policy}")}{(Expired ? " expired only" : "")}: keeping {plan.Keep.Count} recovery point(s), removing {plan.Remove.Count} in {region}.");
                for (int i = 0; i < plan.Remove.Count; i++)
                {
                    var item = plan.Remove[i];
                    if (!await ShouldProcessAsync(RecoveryPointRemover.Describe(plan.RemovePoints[i], item.Reason), "Remove recovery point").ConfigureAwait(false)) continue;
                    try { Emit(await remover.RemoveAsync(item.Kind, item.Id, item.Region, item.Reason, ct).ConfigureAwait(false)); }
                    catch (DrToolsException ex) { EmitError(ex); }
                }
            });
        }

        protected override void EndProcessing()
        {
            if (IsRecoveryPointSet) return;
            RetentionPolicy? policy = null;
            if (ParameterSetName == "Policy")
            {
                policy = new RetentionPolicy { KeepLast = KeepLast, KeepDaily = KeepDaily, KeepWeekly = KeepWeekly, KeepMonthly = KeepMonthly };
                if (policy.IsEmpty)
                    ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                        "Remove-DrBackup needs -Id or at least one of -KeepLast, -KeepDaily, -KeepWeekly, -KeepMonthly greater than 0.", null,
                        "Say which backup sets to remove (-Id) or which to keep (e.g. -KeepDaily 7 -KeepWeekly 4)."));
            }
            var options = new PruneOptions { GracePeriod = NoGrace ? TimeSpan.Zero : TimeSpan.FromHours(1), IgnoreLocks = IgnoreLock };
            foreach (var kv in _ids)
            {
                var store = OpenStore(kv.Key);
                var given = kv.Value.Distinct().ToList();
                // One repository is one item: its failure does not stop the prune of the next repository.
                RunItem(async ct =>
                {
                    var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                    var ids = new List<string>();
                    if (policy == null)
                    {
                        var all = await repo.ListSetIdsAsync(ct).ConfigureAwait(false);
                        foreach (var id in given)
                        {
                            // An unknown or ambiguous id is that id's error; the other sets are still removed.
                            try { ids.Add(BackupSetIds.Resolve(id, all, repo.Location)); }
                            catch (DrToolsException ex) { EmitError(ex); }
                        }
                        if (ids.Count == 0) return;
                    }
                    var engine = new PruneEngine(repo, Reporter);
                    var plan = await engine.PlanAsync(policy == null ? ids.Distinct().ToList() : null, policy, options, ct).ConfigureAwait(false);
                    if (policy != null) Reporter.Verbose($"Policy {policy}: keeping {plan.Keep.Count} set(s), removing {plan.Remove.Count}.");
                    if (plan.Remove.Count == 0 && plan.ChunksToDelete == 0)
                    {
                        // Nothing to remove or delete: report that without touching the repository.
                        Emit(new PruneResult { Repository = repo.Location, KeptSets = plan.Keep.Count, ChunksInGrace = plan.ChunksInGrace });
                        return;
                    }
                    var confirmed = new List<string>();
                    foreach (var set in plan.Remove)
                        if (await ShouldProcessAsync($"backup set {set.Id} ({DisplayTime.Format(set.Time)}, {set.Files} files, {Bytes(set.Bytes)}) in {repo.Location}", "Remove backup set").ConfigureAwait(false))
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
