using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>How a restore drill runs.</summary>
    public sealed class RecoveryPointDrillOptions
    {
        /// <summary>Where and how the scratch resource is made (subnet, AZ, class...); drill names and tags are added.</summary>
        public RecoveryPointRestoreRequest Restore { get; set; } = new();
        public TimeSpan? RtoTarget { get; set; }
        /// <summary>Leave the scratch resource in place (its id is in the result).</summary>
        public bool Keep { get; set; }
        /// <summary>Checks the restored resource: false or an exception fails the drill.</summary>
        public Func<RestoredResource, CancellationToken, Task<bool>>? Validation { get; set; }
        /// <summary>How long cleanup may take; it runs even after Ctrl+C, so it cannot use the caller's token.</summary>
        public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromMinutes(20);
    }

    /// <summary>
    /// Test restore of a recovery point: restore into a scratch resource tagged DrTools:Drill=true, wait until
    /// usable, validate, time it against the RTO, and delete the scratch resource, also after failure or Ctrl+C.
    /// </summary>
    public sealed class RecoveryPointDrill
    {
        public const string ValidationFailedId = "DrTools.ValidationFailed";
        readonly IRecoveryPointServices _services;
        readonly IOperationReporter _reporter;
        readonly RecoveryPointOptions _options;

        public RecoveryPointDrill(IRecoveryPointServices services, IOperationReporter? reporter = null, RecoveryPointOptions? options = null)
        {
            _services = services;
            _reporter = reporter ?? NullReporter.Instance;
            _options = options ?? new RecoveryPointOptions();
        }

        public async Task<RestoreTestResult> RunAsync(RecoveryPoint rp, RecoveryPointDrillOptions o, CancellationToken cancellationToken)
        {
            var drillId = Guid.NewGuid().ToString("N").Substring(0, 10);
            var src = o.Restore;
            if (rp.Kind == RecoveryPointKind.DBAutomatedBackup)
                throw RecoveryPointErrors.NotForAutomatedBackups(rp.Id, "Test-DrRestore",
                    "Test a DB snapshot (Get-DrBackup -Kind DBSnapshot), or restore to a point in time with Restore-DrBackup -PointInTime and remove the instance afterwards.");
            var request = new RecoveryPointRestoreRequest
            {
                AvailabilityZone = src.AvailabilityZone ?? rp.Region + "a",
                VolumeType = src.VolumeType, Encrypted = src.Encrypted, KmsKeyId = src.KmsKeyId,
                InstanceType = src.InstanceType, SubnetId = src.SubnetId, SecurityGroupIds = src.SecurityGroupIds, KeyName = src.KeyName,
                ClientToken = "drtools-drill-" + drillId,
                // A cluster drill: cluster drill-<source>-<id> and its instance drill-<source>-<id>-1.
                DBInstanceIdentifier = DrillDbId(rp.SourceId, drillId) + (rp.Kind == RecoveryPointKind.DBClusterSnapshot ? "-1" : ""),
                DBClusterIdentifier = rp.Kind == RecoveryPointKind.DBClusterSnapshot ? DrillDbId(rp.SourceId, drillId) : null,
                DBInstanceClass = src.DBInstanceClass, DBSubnetGroupName = src.DBSubnetGroupName, MultiAZ = false,
                Tags = new Dictionary<string, string>(src.Tags, StringComparer.Ordinal)
                {
                    ["Name"] = $"drtools-drill-{rp.Id}",
                    [RecoveryPointTags.Drill] = "true",
                    [RecoveryPointTags.DrillId] = drillId,
                },
            };
            _reporter.Verbose($"Drill {drillId}: restoring {RecoveryPointErrors.Describe(rp.Kind)} {rp.Id} in {rp.Region} into a scratch resource.");
            var failures = new List<RestoreFailure>();
            RestoredResource? restored = null;
            // Cleanup finds scratch DB resources by these names, so it also works when the restore call never returned.
            var clock = Stopwatch.StartNew();
            TimeSpan duration;
            try
            {
                try
                {
                    restored = await new RecoveryPointRestorer(_services, _reporter, _options).RestoreAsync(rp, request, cancellationToken).ConfigureAwait(false);
                    _reporter.Verbose($"Drill {drillId}: {restored.ResourceType} {restored.Id} is {restored.State} after {clock.Elapsed:hh\\:mm\\:ss}.");
                    if (o.Validation != null)
                    {
                        bool ok;
                        try { ok = await o.Validation(restored, cancellationToken).ConfigureAwait(false); }
                        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                        {
                            failures.Add(new RestoreFailure(restored.Id, new DrToolsException(ValidationFailedId, DrErrorCategory.InvalidData,
                                $"Validation of {restored.ResourceType} {restored.Id} failed: {ex.Message}", restored.Id,
                                "Fix what the validation found (or the validation script) and run the drill again.", ex)));
                            ok = true;
                        }
                        if (!ok)
                            failures.Add(new RestoreFailure(restored.Id, new DrToolsException(ValidationFailedId, DrErrorCategory.InvalidData,
                                $"Validation of {restored.ResourceType} {restored.Id} returned false.", restored.Id,
                                "Look at the restored resource (run with -Keep) to see why the validation failed.")));
                    }
                }
                catch (DrToolsException ex)
                {
                    failures.Add(new RestoreFailure(rp.Id, ex));
                }
                duration = clock.Elapsed;
            }
            finally
            {
                if (!o.Keep)
                    await CleanupAsync(rp, request, drillId, restored?.Id, o.CleanupTimeout, failures, cancellationToken.IsCancellationRequested).ConfigureAwait(false);
                else if (restored != null)
                    _reporter.Warning($"-Keep: scratch {restored.ResourceType} {restored.Id} in {rp.Region} is left running (tag {RecoveryPointTags.DrillId}={drillId}); delete it when done.");
            }
            bool? rtoMet = o.RtoTarget is { } target ? duration <= target : null;
            return new RestoreTestResult
            {
                Passed = failures.Count == 0 && rtoMet != false,
                BackupSetId = rp.Id,
                BackupTime = rp.Created,
                Repository = rp.Region,
                Mode = "Drill",
                Kind = rp.Kind.ToString(),
                RestoredId = restored?.Id,
                BytesChecked = (rp.SizeGiB ?? 0) * 1024L * 1024 * 1024,
                Duration = duration,
                RtoTarget = o.RtoTarget,
                RtoMet = rtoMet,
                Failures = failures.ToArray(),
                ScratchPath = o.Keep ? restored?.Id : null,
            };
        }

        /// <summary>RDS identifiers: 1-63 letters, digits, hyphens; start with a letter; no "--"; no trailing hyphen.</summary>
        static string DrillDbId(string source, string drillId)
        {
            var head = new string(source.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray());
            while (head.Contains("--")) head = head.Replace("--", "-");
            head = head.Trim('-');
            if (head.Length > 40) head = head.Substring(0, 40).TrimEnd('-');
            return $"drill-{(head.Length > 0 ? head + "-" : "")}{drillId}";
        }

        /// <summary>
        /// Deletes the scratch resource with its own bounded token (never the caller's: after Ctrl+C it must still run).
        /// Finds it by the drill tag when the restore call ended before returning its id.
        /// </summary>
        async Task CleanupAsync(RecoveryPoint rp, RecoveryPointRestoreRequest request, string drillId, string? restoredId, TimeSpan timeout,
            List<RestoreFailure> failures, bool cancelled)
        {
            using var cts = new CancellationTokenSource(timeout);
            var ct = cts.Token;
            var cleanupOptions = new RecoveryPointOptions { WaitTimeout = timeout, PollInterval = _options.PollInterval, CreatedBy = _options.CreatedBy };
            var byTag = new[] { new Ec2Filter("tag:" + RecoveryPointTags.DrillId, drillId) };
            string? what = restoredId;
            try
            {
                switch (rp.Kind)
                {
                    case RecoveryPointKind.Snapshot:
                    {
                        var ec2 = _services.Ec2(rp.Region);
                        var ids = restoredId != null ? new List<string> { restoredId }
                            : (await ec2.DescribeVolumesAsync(null, byTag, ct).ConfigureAwait(false)).Select(v => v.VolumeId).ToList();
                        foreach (var id in ids)
                        {
                            what = "volume " + id;
                            // A volume still "creating" cannot be deleted yet.
                            await new RecoveryPointRestorer(_services, NullReporter.Instance, cleanupOptions).WaitForVolumeAvailableAsync(ec2, id, ct).ConfigureAwait(false);
                            await ec2.DeleteVolumeAsync(id, ct).ConfigureAwait(false);
                            _reporter.Verbose($"Drill {drillId}: deleted scratch volume {id}.");
                        }
                        break;
                    }
                    case RecoveryPointKind.Image:
                    {
                        var ec2 = _services.Ec2(rp.Region);
                        var ids = restoredId != null ? new List<string> { restoredId }
                            : (await ec2.DescribeInstancesAsync(null, byTag, ct).ConfigureAwait(false)).Where(i => i.State != "terminated").Select(i => i.InstanceId).ToList();
                        if (ids.Count == 0) break;
                        what = "instance(s) " + string.Join(", ", ids);
                        await ec2.TerminateInstancesAsync(ids, ct).ConfigureAwait(false);
                        foreach (var id in ids)
                            await ec2.WaitForInstanceTerminatedAsync(id, new Ec2WaitOptions(timeout, _options.PollInterval), ct).ConfigureAwait(false);
                        _reporter.Verbose($"Drill {drillId}: terminated scratch {what}.");
                        break;
                    }
                    case RecoveryPointKind.DBClusterSnapshot:
                    {
                        // The instance first (a cluster with instances cannot be deleted), then the cluster; no final snapshot: it is a copy.
                        var rds = _services.Rds(rp.Region);
                        var clusters = _services.Clusters(rp.Region);
                        var instanceId = request.DBInstanceIdentifier!;
                        var clusterId = request.DBClusterIdentifier!;
                        what = "DB instance " + instanceId;
                        var db = await rds.FindDBInstanceAsync(instanceId, ct).ConfigureAwait(false);
                        if (db != null && db.Status != "deleting")
                        {
                            if (db.Status != "available" && db.Status != "failed")
                                await rds.WaitForDBInstanceAvailableAsync(instanceId, timeout, NullReporter.Instance, ct).ConfigureAwait(false);
                            await rds.DeleteDBInstanceAsync(instanceId, DbFinalSnapshot.None, deleteAutomatedBackups: true, ct).ConfigureAwait(false);
                            _reporter.Verbose($"Drill {drillId}: deleting scratch DB instance {instanceId}.");
                        }
                        if (db != null) await rds.WaitForDBInstanceDeletedAsync(instanceId, timeout, NullReporter.Instance, ct).ConfigureAwait(false);
                        what = "DB cluster " + clusterId;
                        var cluster = await clusters.FindDBClusterAsync(clusterId, ct).ConfigureAwait(false);
                        if (cluster == null || cluster.Status == "deleting") break;
                        if (cluster.Status != "available" && cluster.Status != "failed")
                            await clusters.WaitForDBClusterAvailableAsync(clusterId, timeout, NullReporter.Instance, ct).ConfigureAwait(false);
                        await clusters.DeleteDBClusterAsync(clusterId, DbFinalSnapshot.None, ct).ConfigureAwait(false);
                        _reporter.Verbose($"Drill {drillId}: deleting scratch DB cluster {clusterId} (no final snapshot; it is a copy).");
                        break;
                    }
                    default:
                    {
                        var rds = _services.Rds(rp.Region);
                        var id = request.DBInstanceIdentifier!;
                        what = "DB instance " + id;
                        var db = await rds.FindDBInstanceAsync(id, ct).ConfigureAwait(false);
                        if (db == null || db.Status == "deleting") break;
                        // RDS refuses to delete an instance that is still being created.
                        if (db.Status != "available" && db.Status != "failed")
                            await rds.WaitForDBInstanceAvailableAsync(id, timeout, NullReporter.Instance, ct).ConfigureAwait(false);
                        await rds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, deleteAutomatedBackups: true, ct).ConfigureAwait(false);
                        _reporter.Verbose($"Drill {drillId}: deleting scratch DB instance {id} (no final snapshot; it is a copy).");
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is DrToolsException or OperationCanceledException)
            {
                var message = $"Drill {drillId}: could not delete scratch {what ?? "resource"} in {rp.Region}: {ex.Message} Delete it by hand (tag {RecoveryPointTags.DrillId}={drillId}).";
                _reporter.Warning(message);
                if (!cancelled)
                    failures.Add(new RestoreFailure(what ?? drillId, ex as DrToolsException ?? new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                        message, what, "Delete the scratch resource by hand.", ex)));
            }
        }
    }
}
