using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>What a keep policy would remove and keep.</summary>
    public sealed class RecoveryPointRemovalPlan
    {
        public IReadOnlyList<RecoveryPointRemoval> Remove { get; init; } = Array.Empty<RecoveryPointRemoval>();
        /// <summary>The recovery points behind <see cref="Remove"/>, in the same order.</summary>
        public IReadOnlyList<RecoveryPoint> RemovePoints { get; init; } = Array.Empty<RecoveryPoint>();
        public IReadOnlyList<RecoveryPoint> Keep { get; init; } = Array.Empty<RecoveryPoint>();
    }

    /// <summary>
    /// Removes recovery points. Only ever touches resources tagged DrTools:CreatedBy (re-read from AWS just before
    /// deleting); deregistering an AMI also deletes the snapshots behind it.
    /// </summary>
    public sealed class RecoveryPointRemover
    {
        readonly IRecoveryPointServices _services;
        readonly IOperationReporter _reporter;

        public RecoveryPointRemover(IRecoveryPointServices services, IOperationReporter? reporter = null)
        {
            _services = services;
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>
        /// The plan for a keep policy (applied per server volume, image source or database) and/or expiry: a point goes
        /// when no keep rule keeps it and, with <paramref name="expiredOnly"/>, its DrTools:ExpiresAfter has passed.
        /// </summary>
        public async Task<RecoveryPointRemovalPlan> PlanAsync(RecoveryPointKind kind, string region, RetentionPolicy? policy, bool expiredOnly,
            IReadOnlyCollection<string>? sourceIds, DateTime nowUtc, CancellationToken cancellationToken)
        {
            if (kind == RecoveryPointKind.DBAutomatedBackup)
                throw RecoveryPointErrors.NotForAutomatedBackups(region, "Remove-DrBackup", "Change the DB instance's backup retention period to keep fewer days.");
            if ((policy == null || policy.IsEmpty) && !expiredOnly)
                throw RecoveryPointErrors.Invalid("A removal plan needs a keep rule or -Expired.", kind,
                    "Say which recovery points to keep (e.g. -KeepDaily 7 -KeepWeekly 4) or pass -Expired.");
            var points = await new RecoveryPointCatalog(_services).ListAsync(kind, region, sourceIds, cancellationToken).ConfigureAwait(false);
            var keepIds = policy is { IsEmpty: false }
                ? policy.SelectKeep(points, p => p.Id, p => p.Created, p => p.SourceId + "|" + (kind == RecoveryPointKind.Snapshot ? p.VolumeId : ""))
                : new HashSet<string>(StringComparer.Ordinal);
            var remove = new List<RecoveryPointRemoval>();
            var removePoints = new List<RecoveryPoint>();
            var keep = new List<RecoveryPoint>();
            foreach (var p in points)
            {
                var expired = p.ExpiresAfter is { } e && e <= nowUtc;
                if (keepIds.Contains(p.Id) || (expiredOnly && !expired) || !p.IsUsable && p.State is "pending" or "creating" or "copying")
                {
                    keep.Add(p);
                    continue;
                }
                var reason = expiredOnly && policy is { IsEmpty: false } ? $"expired {RecoveryPointTags.FormatTime(p.ExpiresAfter!.Value)}, not kept by {policy}"
                    : expiredOnly ? $"expired {RecoveryPointTags.FormatTime(p.ExpiresAfter!.Value)}"
                    : $"not kept by {policy}";
                remove.Add(Removal(p, reason, Array.Empty<string>()));
                removePoints.Add(p);
            }
            return new RecoveryPointRemovalPlan { Remove = remove, RemovePoints = removePoints, Keep = keep };
        }

        /// <summary>Removes one recovery point after re-reading it: refuses (DrTools.NotCreatedByDrTools) anything DrTools did not tag.</summary>
        public async Task<RecoveryPointRemoval> RemoveAsync(RecoveryPointKind kind, string id, string region, string reason, CancellationToken cancellationToken)
        {
            if (kind == RecoveryPointKind.DBAutomatedBackup)
                throw RecoveryPointErrors.NotForAutomatedBackups(id, "Remove-DrBackup", "Change the DB instance's backup retention period to keep fewer days.");
            var p = await new RecoveryPointCatalog(_services).GetAsync(kind, id, region, cancellationToken).ConfigureAwait(false);
            EnsureCreatedByDrTools(p);
            IReadOnlyList<string> deletedSnapshots = Array.Empty<string>();
            switch (kind)
            {
                case RecoveryPointKind.Snapshot:
                    await _services.Ec2(region).DeleteSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                    break;
                case RecoveryPointKind.Image:
                {
                    var ec2 = _services.Ec2(region);
                    var snapshots = await ec2.DeregisterImageAsync(id, cancellationToken).ConfigureAwait(false);
                    var done = new List<string>();
                    foreach (var s in snapshots)
                    {
                        try
                        {
                            await ec2.DeleteSnapshotAsync(s, cancellationToken).ConfigureAwait(false);
                            done.Add(s);
                        }
                        catch (DrToolsException ex) when (ex.AwsErrorCode == "InvalidSnapshot.NotFound")
                        {
                            done.Add(s);
                        }
                        catch (DrToolsException ex)
                        {
                            var left = snapshots.Except(done).ToList();
                            throw new DrToolsException(ex.ErrorId, ex.Category,
                                $"AMI {id} in {region} is deregistered, but deleting its snapshot {s} failed: {ex.Message} Snapshots left: {string.Join(", ", left)}.", s,
                                $"Delete the snapshots {string.Join(", ", left)} with Remove-DrBackup -Kind Snapshot -Id ... or the AWS console; they are no longer used by an AMI.", ex)
                            { AwsErrorCode = ex.AwsErrorCode, RequestId = ex.RequestId, Service = ex.Service };
                        }
                    }
                    deletedSnapshots = done;
                    break;
                }
                case RecoveryPointKind.DBClusterSnapshot:
                    await _services.Clusters(region).DeleteDBClusterSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await _services.Rds(region).DeleteDBSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                    break;
            }
            _reporter.Verbose($"Removed {RecoveryPointErrors.Describe(kind)} {id} in {region}" +
                              (deletedSnapshots.Count > 0 ? $" and its snapshots {string.Join(", ", deletedSnapshots)}." : "."));
            return Removal(p, reason, deletedSnapshots);
        }

        /// <summary>DrTools.NotCreatedByDrTools unless the point carries the DrTools:CreatedBy tag.</summary>
        public static void EnsureCreatedByDrTools(RecoveryPoint p)
        {
            if (!p.CreatedByDrTools) throw RecoveryPointErrors.NotCreatedByDrTools(p.Kind, p.Id, p.Region);
        }

        /// <summary>The ShouldProcess text for one removal: what goes, including an AMI's snapshots.</summary>
        public static string Describe(RecoveryPoint p, string reason) =>
            $"{RecoveryPointErrors.Describe(p.Kind)} {p.Id} of {p.SourceId} in {p.Region} ({RecoveryPointTags.FormatTime(p.Created)}, {reason})" +
            (p.Kind == RecoveryPointKind.Image && p.SnapshotIds.Count > 0 ? $" and its snapshots {string.Join(", ", p.SnapshotIds)}" : "");

        static RecoveryPointRemoval Removal(RecoveryPoint p, string reason, IReadOnlyList<string> snapshots) => new()
        {
            Kind = p.Kind, Id = p.Id, SourceId = p.SourceId, Region = p.Region, Created = p.Created, Reason = reason, DeletedSnapshotIds = snapshots,
        };
    }
}
