using System;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsLifecycle.Invoke, "DrBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BackupSet))]
    public sealed class InvokeDrBackupCommand : BackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter]
        public string[]? Exclude { get; set; }

        [Parameter]
        public string[]? Tag { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; } = 4;

        [Parameter]
        public SwitchParameter Strict { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KmsKeyId { get; set; }

        [Parameter]
        [ValidateSet("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", IgnoreCase = true)]
        public string? StorageClass { get; set; }

        [Parameter]
        public DateTime? RetainUntil { get; set; }

        [Parameter]
        [ValidateSet("GOVERNANCE", "COMPLIANCE", IgnoreCase = true)]
        public string? RetentionMode { get; set; }

        protected override void EndProcessing()
        {
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
                ConcurrentRequests = ConcurrentRequests,
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
