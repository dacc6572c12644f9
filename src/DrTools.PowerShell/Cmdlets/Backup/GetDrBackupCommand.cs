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
    [Cmdlet(VerbsCommon.Get, "DrBackup", HelpUri = HelpLinks.Cmdlets + "Get-DrBackup.md", DefaultParameterSetName = "File")]
    [OutputType(typeof(BackupSet), ParameterSetName = new[] { "File" })]
    [OutputType(typeof(RecoveryPoint), ParameterSetName = new[] { "Kind" })]
    public sealed class GetDrBackupCommand : BackupCmdlet
    {
        [Parameter(Mandatory = true, ParameterSetName = "File", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(ParameterSetName = "File", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BackupSetIdCompleter))]
        public string[]? Id { get; set; }

        [Parameter(ParameterSetName = "File")]
        public SwitchParameter Latest { get; set; }

        [Parameter(ParameterSetName = "File")]
        public DateTime? Before { get; set; }

        [Parameter(ParameterSetName = "File")]
        public DateTime? After { get; set; }

        [Parameter(ParameterSetName = "File")]
        public string[]? Tag { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Kind")]
        public RecoveryPointKind Kind { get => (RecoveryPointKind)_kind; set => _kind = (int)value; }

        // Held as a number: a field of a DrTools.Core enum would make PowerShell load DrTools.Core while it lists the
        // module's types, before ModuleInitializer can say where DrTools.Core is.
        int _kind;

        [Parameter(ParameterSetName = "Kind")]
        [ValidateNotNullOrEmpty]
        public string[]? SourceId { get; set; }

        [Parameter(ParameterSetName = "Kind")]
        public TimeSpan? Rpo { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == "Kind")
            {
                ListRecoveryPoints();
                return;
            }
            var store = OpenStore(BackupPaths.Resolve(this, Repository));
            // One repository (piped or given) is one item; within it, each -Id that is unknown is its own error.
            RunItem(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var catalog = new BackupCatalog();
                if (Id is { Length: > 0 })
                {
                    var all = await repo.ListSetIdsAsync(ct).ConfigureAwait(false);
                    foreach (var given in Id)
                    {
                        string id;
                        try { id = BackupSetIds.Resolve(given, all, repo.Location); }
                        catch (DrToolsException ex) { EmitError(ex); continue; } // unknown or ambiguous: this id only
                        try { catalog.Sets.Add(await repo.ReadManifestHeaderAsync(id, ct).ConfigureAwait(false)); }
                        catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError)
                        {
                            catalog.Damaged.Add(new DamagedSet(id, BackupRepository.TimeOfSetId(id), BackupRepository.DamagedSetError(id, ex, repo.Location)));
                        }
                        catch (DrToolsException ex) { EmitError(ex); }
                    }
                }
                else catalog = await repo.ReadCatalogAsync(ct).ConfigureAwait(false);
                DateTime? before = Before?.ToUniversalTime(), after = After?.ToUniversalTime();
                var selected = catalog.Sets.Where(m => (before == null || m.Time < before.Value) &&
                                                       (after == null || m.Time > after.Value) &&
                                                       (Tag is not { Length: > 0 } || m.Tags.Any(t => Tag.Contains(t, StringComparer.OrdinalIgnoreCase))))
                    .OrderBy(m => m.Time).ToList();
                // A damaged set's tags are unknown, so a -Tag filter cannot rule it out; its time is in its id.
                var damaged = catalog.Damaged.Where(d => d.Time == null || ((before == null || d.Time < before) && (after == null || d.Time > after))).ToList();
                if (Latest)
                {
                    var newest = selected.LastOrDefault();
                    // The newest set is damaged: say so instead of handing on the one before it as "the latest".
                    var newer = damaged.Where(d => newest == null || string.CompareOrdinal(d.Id, newest.Id) > 0).OrderBy(d => d.Id, StringComparer.Ordinal).LastOrDefault();
                    if (newer != null) EmitError(newer.Error);
                    else if (newest != null) Emit(BackupSet.From(newest, repo.Location));
                    return;
                }
                foreach (var m in selected) Emit(BackupSet.From(m, repo.Location));
                foreach (var d in damaged) EmitError(d.Error);
            });
        }

        void ListRecoveryPoints()
        {
            if (Rpo is { } r && r <= TimeSpan.Zero)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(Core.Diagnostics.ErrorIds.InvalidParameter,
                    $"-Rpo {r} must be positive.", r, "Pass the recovery point objective, e.g. -Rpo 1.00:00:00 for 24 hours."));
            var region = Connection.Region;
            using var services = OpenRecoveryPointServices();
            Run(async ct =>
            {
                var points = await new RecoveryPointCatalog(services).ListAsync(Kind, region, SourceId, ct).ConfigureAwait(false);
                if (Rpo is { } rpo)
                    foreach (var source in RecoveryPointCatalog.EvaluateRpo(points, rpo, DateTime.UtcNow, SourceId))
                    {
                        var newest = points.Where(p => p.SourceId.Equals(source, StringComparison.OrdinalIgnoreCase) && p.IsUsable).OrderByDescending(p => p.Created).FirstOrDefault();
                        Reporter.Warning(newest == null
                            ? $"RPO not met for {source}: no usable {Kind} recovery point in {region}."
                            : $"RPO not met for {source}: the newest usable {Kind} recovery point in {region} ({newest.Id}) is {Age(newest.Age)} old; the RPO is {Age(rpo)}.");
                    }
                foreach (var p in points) Emit(p);
            });
        }

        static string Age(TimeSpan t) => t.TotalDays >= 1 ? $"{t.TotalDays:0.#} days" : t.TotalHours >= 1 ? $"{t.TotalHours:0.#} hours" : $"{t.TotalMinutes:0} minutes";
    }
}
