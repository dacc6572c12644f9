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
    // "Id" is the default set and its -Id is optional (absent: the newest set): PowerShell binds piped objects to the
    // default set first, so with "Latest" as the default a piped BackupSet bound only its Repository and every piped
    // set tested the newest one.
    [Cmdlet(VerbsDiagnostic.Test, "DrRestore", HelpUri = HelpLinks.Cmdlets + "Test-DrRestore.md", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RestoreTestResult))]
    public sealed class TestDrRestoreCommand : BackupCmdlet, INotifyingCmdlet
    {
        [Parameter(Mandatory = true, ParameterSetName = "Latest", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "Random", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BackupSetIdCompleter))]
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

        /// <summary>Skips the confirmation prompt (-Confirm or $ConfirmPreference); -WhatIf still only shows.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter(ParameterSetName = "Latest")]
        [Parameter(ParameterSetName = "Id")]
        [Parameter(ParameterSetName = "Random")]
        public SwitchParameter VerifyOnly { get; set; }

        [Parameter(ParameterSetName = "Latest")]
        [Parameter(ParameterSetName = "Id")]
        [Parameter(ParameterSetName = "Random")]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        // ---- recovery point drills

        // Not mandatory: PowerShell would prioritize a set whose mandatory parameter takes ValueFromPipeline and then fail to bind BackupSet objects by property name.
        [Parameter(ParameterSetName = "RecoveryPoint", ValueFromPipeline = true)]
        public RecoveryPoint? RecoveryPoint { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "KindId")]
        public RecoveryPointKind Kind { get => (RecoveryPointKind)_kind; set => _kind = (int)value; }

        // Held as a number: a field of a DrTools.Core enum would make PowerShell load DrTools.Core while it lists the
        // module's types, before ModuleInitializer can say where DrTools.Core is.
        int _kind;

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        public ScriptBlock? Validation { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? SubnetId { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string[]? SecurityGroupId { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? InstanceType { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? AvailabilityZone { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? DBInstanceClass { get; set; }

        [Parameter(ParameterSetName = "RecoveryPoint")] [Parameter(ParameterSetName = "KindId")]
        [ValidateNotNullOrEmpty]
        public string? DBSubnetGroupName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateSnsTopicArn]
        public string? NotifyTopicArn { get; set; }

        [Parameter]
        public SwitchParameter NotifyOnSuccess { get; set; }

        /// <summary>-NotifyTopicArn: one alert for every test of the run.</summary>
        protected override void EndProcessing() => SendNotification();

        /// <summary>A test's outcome for the alert; the result itself is written as before.</summary>
        void EmitResult(RestoreTestResult result)
        {
            Emit(result);
            var (passed, item) = Core.Notifications.NotificationItems.For(result);
            if (passed) NoteSuccess(item.What);
            else NoteFailure(item.What, item.ErrorId, item.NextStep);
        }

        protected override void ProcessRecord()
        {
            if (IsRecoveryPointSet)
            {
                Drill();
                return;
            }
            var store = OpenStore(BackupPaths.Resolve(this, Repository));
            NotifyAbout(null, Repository);
            // One backup set (piped or named) is one item: a failed test does not stop the next.
            RunItem(async ct =>
            {
                var repo = await BackupRepository.OpenAsync(store, ct).ConfigureAwait(false);
                var id = Id != null ? await BackupSetIds.ResolveAsync(repo, Id, ct).ConfigureAwait(false) : null;
                BackupManifest manifest;
                try { manifest = await VerifyEngine.SelectAsync(repo, id, Random, Random ? Within : null, Reporter, ct).ConfigureAwait(false); }
                catch (Core.Diagnostics.DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError)
                {
                    // The set to test is damaged: a failed test of that set (non-terminating), never a pass of an older one.
                    var setId = id ?? ex.Target as string ?? "";
                    var error = id != null ? BackupRepository.DamagedSetError(id, ex, repo.Location) : ex;
                    // The result first: under $ErrorActionPreference = 'Stop' the error ends the cmdlet.
                    Emit(RestoreTestResult.ForDamagedSet(setId, repo.Location, VerifyOnly ? "VerifyOnly" : "Restore", error));
                    EmitError(error);
                    return;
                }
                var what = VerifyOnly ? "Verify every chunk of the backup set (reads only)"
                    : $"Restore the backup set into a scratch folder{(Keep ? " and keep it" : ", check every file, then remove it")}";
                if (!await ShouldProcessAsync($"backup set {manifest.Id} ({DisplayTime.Format(manifest.Time)}) in {repo.Location}", what).ConfigureAwait(false)) return;
                var engine = new VerifyEngine(repo, Reporter);
                EmitResult(VerifyOnly
                    ? await engine.VerifyAsync(manifest, ConcurrentRequests, ct).ConfigureAwait(false)
                    : await engine.TestRestoreAsync(manifest, new RestoreTestOptions { Keep = Keep, RtoTarget = RtoTarget, ConcurrentRequests = ConcurrentRequests }, ct).ConfigureAwait(false));
            });
        }

        void Drill()
        {
            var options = new RecoveryPointDrillOptions
            {
                Keep = Keep,
                RtoTarget = RtoTarget,
                Restore = new RecoveryPointRestoreRequest
                {
                    SubnetId = SubnetId, SecurityGroupIds = SecurityGroupId ?? Array.Empty<string>(), InstanceType = InstanceType,
                    AvailabilityZone = AvailabilityZone, DBInstanceClass = DBInstanceClass, DBSubnetGroupName = DBSubnetGroupName,
                },
            };
            if (Validation is { } script)
                // PowerShell runs scriptblocks only on the pipeline thread: marshal the call there, hand the answer back.
                options.Validation = (resource, _) => OnPipelineThreadAsync(() => RunValidation(script, resource));
            using var services = OpenRecoveryPointServices();
            // One recovery point is one item. A drill launches billable resources: -WhatIf shows it, -Confirm asks.
            RunItem(async ct =>
            {
                var rp = await RecoveryPointCmdlets.ResolveAsync(services, RecoveryPoint, Kind, Id, ct).ConfigureAwait(false);
                if (!await ShouldProcessAsync($"{rp.Kind} {rp.Id} in {rp.Region}", DrillDescription(rp, options)).ConfigureAwait(false)) return;
                var result = await new RecoveryPointDrill(services, Reporter).RunAsync(rp, options, ct).ConfigureAwait(false);
                foreach (var f in result.Failures) Reporter.Warning($"Drill of {rp.Id}: {f.Message}");
                NotifyAbout(null, $"{rp.Kind} {rp.Id} in {rp.Region}");
                EmitResult(result);
            });
        }

        static string DrillDescription(RecoveryPoint rp, RecoveryPointDrillOptions options) =>
            "Drill: " + (rp.Kind == RecoveryPointKind.DBSnapshot
                ? $"Create a temporary DB instance (drill-...) from DB snapshot {rp.Id} in {rp.Region}"
                : rp.Kind == RecoveryPointKind.DBClusterSnapshot
                    ? $"Create a temporary DB cluster (drill-...) from DB cluster snapshot {rp.Id} in {rp.Region} and one DB instance in it" +
                      (options.Restore.DBInstanceClass != null ? $" ({options.Restore.DBInstanceClass})" : "")
                    : RecoveryPointRestorer.Describe(rp, options.Restore)) +
            (options.Keep ? "; keep the restored resources" : "; validate, then delete the restored resources");

        /// <summary>The restored resource is $_ and the first argument; output $false (or a throw) fails the drill.</summary>
        static bool RunValidation(ScriptBlock script, RestoredResource resource)
        {
            var output = script.InvokeWithContext(null, new List<PSVariable> { new("_", resource) }, resource);
            return output.All(o => o == null || o.BaseObject is not bool b || b);
        }
    }
}
