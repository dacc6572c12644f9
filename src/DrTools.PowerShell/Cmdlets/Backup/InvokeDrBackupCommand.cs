using System;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsLifecycle.Invoke, "DrBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = "Path")]
    [OutputType(typeof(BackupSet), ParameterSetName = new[] { "Path" })]
    [OutputType(typeof(RecoveryPoint), ParameterSetName = new[] { "Instance", "DBInstance" })]
    public sealed class InvokeDrBackupCommand : BackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = "Path", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(ParameterSetName = "Path")]
        public string[]? Exclude { get; set; }

        [Parameter(ParameterSetName = "Path")]
        public string[]? Tag { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; }

        [Parameter(ParameterSetName = "Path")]
        public SwitchParameter Strict { get; set; }

        /// <summary>File backups: the SSE-KMS key of the S3 repository. Recovery points: the key in the DR region for the copy.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KmsKeyId { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [ValidateSet("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", IgnoreCase = true)]
        public string? StorageClass { get; set; }

        [Parameter(ParameterSetName = "Path")]
        public DateTime? RetainUntil { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [ValidateSet("GOVERNANCE", "COMPLIANCE", IgnoreCase = true)]
        public string? RetentionMode { get; set; }

        // ---- recovery points of servers and databases

        [Parameter(Mandatory = true, ParameterSetName = "Instance", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] InstanceId { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = "Instance")]
        public SwitchParameter Image { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        public SwitchParameter Reboot { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "DBInstance", ValueFromPipelineByPropertyName = true)]
        [Alias("Identifier")]
        [ValidateNotNullOrEmpty]
        public string[] DBInstanceIdentifier { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [ValidateNotNullOrEmpty]
        public string? CopyToRegion { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        public SwitchParameter NoWait { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [ValidateRange(1, 36500)]
        public int RetainDays { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        public DateTime? ExpiresAfter { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [ValidateNotNullOrEmpty]
        public string? Plan { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [ValidateNotNullOrEmpty]
        public string? ClientToken { get; set; }

        protected override void ProcessRecord()
        {
            if (!IsRecoveryPointSet) return;
            if (RetainDays > 0 && ExpiresAfter != null)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-RetainDays and -ExpiresAfter both say when the recovery point expires.", RetainDays, "Pass one of them."));
            if (Reboot && !Image)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-Reboot applies to images (-Image); snapshot sets never reboot the instance.", null, "Add -Image or leave -Reboot out."));
            var kind = ParameterSetName == "DBInstance" ? RecoveryPointKind.DBSnapshot : Image ? RecoveryPointKind.Image : RecoveryPointKind.Snapshot;
            var sources = kind == RecoveryPointKind.DBSnapshot ? DBInstanceIdentifier : InstanceId;
            DateTime? expires = RetainDays > 0 ? DateTime.UtcNow.AddDays(RetainDays) : ExpiresAfter?.ToUniversalTime();
            var region = Connection.Region;
            using var services = OpenRecoveryPointServices();
            var creator = new RecoveryPointCreator(services, Reporter);
            foreach (var source in sources)
            {
                var what = kind switch
                {
                    RecoveryPointKind.Image => $"Create an AMI{(Reboot ? " (the instance reboots)" : " without reboot")}",
                    RecoveryPointKind.Snapshot => "Snapshot all volumes",
                    _ => "Create a DB snapshot",
                } + (CopyToRegion != null ? $" and copy it to {CopyToRegion}" : "");
                if (!ShouldProcess($"{source} in {region}", what)) continue;
                var request = new RecoveryPointRequest(kind, source)
                {
                    Reboot = Reboot, CopyToRegion = CopyToRegion, KmsKeyId = KmsKeyId, NoWait = NoWait, ExpiresAfter = expires, Plan = Plan, ClientToken = ClientToken,
                };
                Run(async ct =>
                {
                    // One failed source does not stop the others: each gets its own error.
                    try
                    {
                        foreach (var p in await creator.CreateAsync(request, ct).ConfigureAwait(false)) Emit(p);
                    }
                    catch (DrToolsException ex)
                    {
                        EmitError(ex);
                    }
                });
            }
        }

        protected override void EndProcessing()
        {
            if (IsRecoveryPointSet) return;
            if (RetentionMode != null && RetainUntil == null)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-RetentionMode needs -RetainUntil.", RetentionMode, "Add -RetainUntil with the date until which the backup must not be deleted."));
            if (RetainUntil is { } until && until.ToUniversalTime() <= DateTime.UtcNow)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    $"-RetainUntil {until:u} is in the past.", until, "Pass a future date."));
            var paths = new string[Path.Length];
            for (int i = 0; i < Path.Length; i++) paths[i] = GetUnresolvedProviderPathFromPSPath(Path[i]);
            var repository = ResolveFolder(Repository);
            if (!ShouldProcess(repository, $"Back up {string.Join(", ", paths)}")) return;
            var store = OpenStore(repository, new S3StoreOptions
            {
                KmsKeyId = KmsKeyId,
                StorageClass = StorageClass?.ToUpperInvariant(),
                RetainUntil = RetainUntil?.ToUniversalTime(),
                RetentionMode = RetentionMode?.ToUpperInvariant(),
            });
            var engine = new BackupEngine(store, Reporter);
            Run(async ct => Emit(await engine.RunAsync(new BackupOptions
            {
                Paths = paths,
                Exclude = Exclude ?? Array.Empty<string>(),
                Tags = Tag ?? Array.Empty<string>(),
                ConcurrentRequests = MyInvocation.BoundParameters.ContainsKey(nameof(ConcurrentRequests)) ? ConcurrentRequests : null,
                Strict = Strict,
            }, ct).ConfigureAwait(false)));
        }

        string ResolveFolder(string repository) => BackupPaths.Resolve(this, repository);
    }

    internal static class BackupPaths
    {
        /// <summary>Relative folder repositories are relative to the PowerShell location, not the process directory.</summary>
        public static string Resolve(PSCmdlet cmdlet, string repository)
        {
            if (repository.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || repository.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
                return repository;
            return cmdlet.GetUnresolvedProviderPathFromPSPath(repository);
        }
    }
}
