using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using DrTools.Core.Notifications;
using DrTools.Core.RecoveryPoints;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    [Cmdlet(VerbsLifecycle.Invoke, "DrBackup", HelpUri = HelpLinks.Cmdlets + "Invoke-DrBackup.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = "Path")]
    [OutputType(typeof(BackupSet), ParameterSetName = new[] { "Path", "LiteralPath" })]
    [OutputType(typeof(RecoveryPoint), ParameterSetName = new[] { "Instance", "DBInstance", "DBCluster", PlanSet })]
    public sealed partial class InvokeDrBackupCommand : BackupCmdlet, INotifyingCmdlet
    {
        readonly List<string> _sources = new();

        /// <summary>Files and folders to back up; wildcards allowed. Strings bind from the pipeline.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Paths taken as typed (no wildcards); Get-Item / Get-ChildItem output binds here by its PSPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = "Path", ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public override string Repository { get; set; } = "";

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
        public string[]? Exclude { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
        public string[]? Tag { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
        [ValidateRange(1, 64)]
        public int ConcurrentRequests { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
        public SwitchParameter Strict { get; set; }

        /// <summary>File backups: the SSE-KMS key of the S3 repository. Recovery points: the key in the DR region for the copy.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KmsKeyId { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
        [ValidateSet("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", IgnoreCase = true)]
        public string? StorageClass { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
        public DateTime? RetainUntil { get; set; }

        [Parameter(ParameterSetName = "Path")]
        [Parameter(ParameterSetName = "LiteralPath")]
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

        // Not from the pipeline by property name: RDS DB instance objects (Get-RDSDBInstance) carry a DBClusterIdentifier
        // too, empty outside a cluster, and binding it would break piping DB instances into the DBInstance set.
        [Parameter(Mandatory = true, ParameterSetName = "DBCluster")]
        [ValidateNotNullOrEmpty]
        public string[] DBClusterIdentifier { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [Parameter(ParameterSetName = "DBCluster")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Infrastructure.RegionCompleter))]
        public string? CopyToRegion { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [Parameter(ParameterSetName = "DBCluster")]
        [Parameter(ParameterSetName = PlanSet)]
        public SwitchParameter NoWait { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [Parameter(ParameterSetName = "DBCluster")]
        [Parameter(ParameterSetName = PlanSet)]
        [ValidateRange(1, 36500)]
        public int RetainDays { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [Parameter(ParameterSetName = "DBCluster")]
        [Parameter(ParameterSetName = PlanSet)]
        public DateTime? ExpiresAfter { get; set; }

        /// <summary>
        /// With -InstanceId / -DBInstanceIdentifier: the plan tag (a name; a plan file or object gives its name). Alone:
        /// the plan whose active writer database is backed up and copied to the other side (see InvokeDrBackupCommand.Plan.cs).
        /// </summary>
        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [Parameter(ParameterSetName = "DBCluster")]
        [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object? Plan { get; set; }

        [Parameter(ParameterSetName = "Instance")]
        [Parameter(ParameterSetName = "DBInstance")]
        [Parameter(ParameterSetName = "DBCluster")]
        [Parameter(ParameterSetName = PlanSet)]
        [ValidateNotNullOrEmpty]
        public string? ClientToken { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateSnsTopicArn]
        public string? NotifyTopicArn { get; set; }

        [Parameter]
        public SwitchParameter NotifyOnSuccess { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PlanSet)
            {
                BackUpPlanDatabase();
                return;
            }
            if (!IsRecoveryPointSet)
            {
                // Each path is one item: one that does not exist is its own error, the others are still backed up.
                if (ParameterSetName == "LiteralPath")
                    foreach (var p in LiteralPath) AddSource(GetUnresolvedProviderPathFromPSPath(p), p);
                else
                    foreach (var p in Path) AddSources(p);
                return;
            }
            if (RetainDays > 0 && ExpiresAfter != null)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-RetainDays and -ExpiresAfter both say when the recovery point expires.", RetainDays, "Pass one of them."));
            if (Reboot && !Image)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-Reboot applies to images (-Image); snapshot sets never reboot the instance.", null, "Add -Image or leave -Reboot out."));
            var kind = ParameterSetName switch
            {
                "DBInstance" => RecoveryPointKind.DBSnapshot,
                "DBCluster" => RecoveryPointKind.DBClusterSnapshot,
                _ => Image ? RecoveryPointKind.Image : RecoveryPointKind.Snapshot,
            };
            var sources = kind switch
            {
                RecoveryPointKind.DBSnapshot => DBInstanceIdentifier,
                RecoveryPointKind.DBClusterSnapshot => DBClusterIdentifier,
                _ => InstanceId,
            };
            DateTime? expires = RetainDays > 0 ? DateTime.UtcNow.AddDays(RetainDays) : ExpiresAfter?.ToUniversalTime();
            var planTag = PlanTag();
            var region = Connection.Region;
            NotifyAbout(planTag, $"{string.Join(", ", sources)} in {region}");
            using var services = OpenRecoveryPointServices();
            var creator = new RecoveryPointCreator(services, Reporter);
            foreach (var source in sources)
            {
                var what = kind switch
                {
                    RecoveryPointKind.Image => $"Create an AMI{(Reboot ? " (the instance reboots)" : " without reboot")}",
                    RecoveryPointKind.Snapshot => "Snapshot all volumes",
                    RecoveryPointKind.DBClusterSnapshot => "Create a DB cluster snapshot",
                    _ => "Create a DB snapshot",
                } + (CopyToRegion != null ? $" and copy it to {CopyToRegion}" : "");
                if (!Confirmed($"{source} in {region}", what)) continue;
                var request = new RecoveryPointRequest(kind, source)
                {
                    Reboot = Reboot, CopyToRegion = CopyToRegion, KmsKeyId = KmsKeyId, NoWait = NoWait, ExpiresAfter = expires, Plan = planTag, ClientToken = ClientToken,
                };
                Run(async ct =>
                {
                    // One failed source does not stop the others: each gets its own error.
                    try
                    {
                        foreach (var p in await creator.CreateAsync(request, ct).ConfigureAwait(false))
                        {
                            Emit(p);
                            NoteSuccess($"{p.Kind} {p.Id} of {p.SourceId} in {p.Region}");
                        }
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
            BackUpFiles();
            SendNotification();
        }

        void BackUpFiles()
        {
            if (IsRecoveryPointSet || ParameterSetName == PlanSet) return;
            if (RetentionMode != null && RetainUntil == null)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    "-RetentionMode needs -RetainUntil.", RetentionMode, "Add -RetainUntil with the date until which the backup must not be deleted."));
            if (RetainUntil is { } until && until.ToUniversalTime() <= DateTime.UtcNow)
                ThrowTerminatingError(Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    $"-RetainUntil {DisplayTime.Format(until)} is in the past.", until, "Pass a future date."));
            var paths = _sources.Distinct(StringComparer.Ordinal).ToArray();
            if (paths.Length == 0) return; // every path failed, each with its own error
            var repository = ResolveFolder(Repository);
            if (!Confirmed(repository, $"Back up {string.Join(", ", paths)}")) return;
            var store = OpenStore(repository, new S3StoreOptions
            {
                KmsKeyId = KmsKeyId,
                StorageClass = StorageClass?.ToUpperInvariant(),
                RetainUntil = RetainUntil?.ToUniversalTime(),
                RetentionMode = RetentionMode?.ToUpperInvariant(),
            });
            NotifyAbout(null, repository);
            var engine = new BackupEngine(store, Reporter);
            Run(async ct => EmitBackupSet(await engine.RunAsync(new BackupOptions
            {
                Paths = paths,
                Exclude = Exclude ?? Array.Empty<string>(),
                Tags = Tag ?? Array.Empty<string>(),
                ConcurrentRequests = MyInvocation.BoundParameters.ContainsKey(nameof(ConcurrentRequests)) ? ConcurrentRequests : null,
                Strict = Strict,
            }, ct).ConfigureAwait(false)));
        }

        void EmitBackupSet(BackupSet set)
        {
            Emit(set);
            NoteSuccess($"Backup set {set.Id}: {set.Files} files, {set.Bytes} bytes in {set.Repository}");
        }

        string ResolveFolder(string repository) => BackupPaths.Resolve(this, repository);

        /// <summary>-Path: wildcards expand to every match in the file system; a pattern that matches nothing is an error.</summary>
        void AddSources(string path)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path))
            {
                AddSource(GetUnresolvedProviderPathFromPSPath(path), path);
                return;
            }
            Collection<string> matches;
            try { matches = GetResolvedProviderPathFromPSPath(path, out _); }
            catch (ItemNotFoundException) { matches = new Collection<string>(); }
            if (matches.Count == 0)
            {
                WriteError(NotFound(path, $"No file or folder matches '{path}'."));
                return;
            }
            foreach (var m in matches) AddSource(m, path);
        }

        void AddSource(string full, string given)
        {
            if (File.Exists(full) || Directory.Exists(full)) _sources.Add(full);
            else WriteError(NotFound(given, $"The source path '{given}' does not exist."));
        }

        static ErrorRecord NotFound(string path, string message) => Infrastructure.ErrorRecords.From(new DrToolsException(
            BackupErrorIds.SourceNotFound, DrErrorCategory.ObjectNotFound, message, path,
            "Check the path (and that the volume or share is mounted); the other paths were backed up."));
    }

    internal static class BackupPaths
    {
        /// <summary>
        /// Relative folder repositories are relative to the PowerShell location, not the process directory. A location
        /// that is no valid repository (s3:/b, ftp://..., an https bucket URL, a drive that does not exist) ends the
        /// cmdlet with DrTools.InvalidParameter saying what a valid repository looks like.
        /// </summary>
        public static string Resolve(PSCmdlet cmdlet, string repository)
        {
            try
            {
                if (RepositoryLocation.LooksLikeUri(repository))
                {
                    RepositoryLocation.Parse(repository); // checked here, before any work, with the guidance above
                    return repository;
                }
                var path = cmdlet.GetUnresolvedProviderPathFromPSPath(repository);
                RepositoryLocation.Parse(path);
                return path;
            }
            catch (DrToolsException ex)
            {
                Infrastructure.DrCmdlet.ThrowTerminatingErrorOf(cmdlet, Infrastructure.ErrorRecords.From(ex));
            }
            catch (System.Management.Automation.DriveNotFoundException ex)
            {
                Infrastructure.DrCmdlet.ThrowTerminatingErrorOf(cmdlet, Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    $"'{repository}' is not a repository location: there is no drive '{ex.ItemName}:'.", repository, RepositoryLocation.ValidForms));
            }
            catch (Exception ex) when (ex is SessionStateException or ProviderInvocationException or PSArgumentException or NotSupportedException or ArgumentException)
            {
                // "Cannot find drive", a provider that is not the file system...: say what a repository is instead.
                Infrastructure.DrCmdlet.ThrowTerminatingErrorOf(cmdlet, Infrastructure.ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    $"'{repository}' is not a repository location: {ex.Message}", repository, RepositoryLocation.ValidForms));
            }
            return repository; // not reached
        }
    }
}
