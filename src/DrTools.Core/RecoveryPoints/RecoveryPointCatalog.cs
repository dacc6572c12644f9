using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>Finds recovery points in a region and answers "is my RPO met there?".</summary>
    public sealed class RecoveryPointCatalog
    {
        readonly IRecoveryPointServices _services;

        public RecoveryPointCatalog(IRecoveryPointServices services) => _services = services;

        /// <summary>The recovery points DrTools made in <paramref name="region"/> (originals and copies), newest first.</summary>
        /// <param name="sourceIds">Only those of these instances / DB instances / DB clusters; all when null or empty.</param>
        public async Task<IReadOnlyList<RecoveryPoint>> ListAsync(RecoveryPointKind kind, string region, IReadOnlyCollection<string>? sourceIds,
            CancellationToken cancellationToken)
        {
            var sources = sourceIds is { Count: > 0 } ? sourceIds.ToArray() : null;
            List<RecoveryPoint> points;
            if (kind == RecoveryPointKind.DBAutomatedBackup)
            {
                // AWS makes these (no DrTools tag): every instance's, and those replicated here from other regions.
                var backups = await _services.Rds(region).DescribeDBInstanceAutomatedBackupsAsync(null, null, cancellationToken).ConfigureAwait(false);
                points = backups.Select(RecoveryPoint.FromAutomatedBackup).ToList();
            }
            else if (kind == RecoveryPointKind.DBSnapshot)
            {
                var rds = _services.Rds(region);
                var snaps = await rds.DescribeDBSnapshotsAsync(new DbSnapshotQuery { SnapshotType = "manual" }, cancellationToken).ConfigureAwait(false);
                points = new List<RecoveryPoint>();
                foreach (var s in snaps)
                {
                    var snap = s;
                    // DescribeDBSnapshots includes TagList on AWS; some endpoints leave it out.
                    if (snap.Tags.Count == 0 && snap.Arn != null)
                        snap = snap with { Tags = await rds.ListTagsForResourceAsync(snap.Arn, cancellationToken).ConfigureAwait(false) };
                    if (snap.Tags.ContainsKey(RecoveryPointTags.CreatedBy)) points.Add(RecoveryPoint.FromDbSnapshot(snap));
                }
            }
            else if (kind == RecoveryPointKind.DBClusterSnapshot)
            {
                var rds = _services.Rds(region);
                var snaps = await _services.Clusters(region).DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { SnapshotType = "manual" }, cancellationToken)
                    .ConfigureAwait(false);
                points = new List<RecoveryPoint>();
                foreach (var s in snaps)
                {
                    var snap = s;
                    if (snap.Tags.Count == 0 && snap.Arn != null)
                        snap = snap with { Tags = await rds.ListTagsForResourceAsync(snap.Arn, cancellationToken).ConfigureAwait(false) };
                    if (snap.Tags.ContainsKey(RecoveryPointTags.CreatedBy)) points.Add(RecoveryPoint.FromClusterSnapshot(snap));
                }
            }
            else
            {
                var ec2 = _services.Ec2(region);
                var filters = new List<Ec2Filter> { new("tag:" + RecoveryPointTags.Kind, kind.ToString()) };
                if (sources != null) filters.Add(new Ec2Filter("tag:" + RecoveryPointTags.Source, sources));
                points = kind == RecoveryPointKind.Snapshot
                    ? (await ec2.DescribeSnapshotsAsync(null, filters, cancellationToken).ConfigureAwait(false)).Select(s => RecoveryPoint.FromSnapshot(s, region)).ToList()
                    : (await ec2.DescribeImagesAsync(null, filters, null, cancellationToken).ConfigureAwait(false)).Select(i => RecoveryPoint.FromImage(i, region)).ToList();
                points = points.Where(p => p.CreatedByDrTools).ToList();
            }
            if (sources != null) points = points.Where(p => sources.Contains(p.SourceId, StringComparer.OrdinalIgnoreCase)).ToList();
            return points.OrderByDescending(p => p.Created).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        }

        /// <summary>One recovery point by id, whoever created it (Remove-DrBackup checks the tag). Unknown id: DrTools.RecoveryPointNotFound.</summary>
        public async Task<RecoveryPoint> GetAsync(RecoveryPointKind kind, string id, string region, CancellationToken cancellationToken)
        {
            try
            {
                switch (kind)
                {
                    case RecoveryPointKind.Snapshot:
                        var s = (await _services.Ec2(region).DescribeSnapshotsAsync(new[] { id }, null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                        return s != null ? RecoveryPoint.FromSnapshot(s, region) : throw RecoveryPointErrors.NotFound(kind, id, region);
                    case RecoveryPointKind.Image:
                        var i = (await _services.Ec2(region).DescribeImagesAsync(new[] { id }, null, null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                        return i != null && i.State != "deregistered" ? RecoveryPoint.FromImage(i, region) : throw RecoveryPointErrors.NotFound(kind, id, region);
                    case RecoveryPointKind.DBAutomatedBackup:
                        var backups = await _services.Rds(region).DescribeDBInstanceAutomatedBackupsAsync(null, null, cancellationToken).ConfigureAwait(false);
                        var b = backups.FirstOrDefault(x => string.Equals(RecoveryPoint.FromAutomatedBackup(x).Id, id, StringComparison.Ordinal));
                        return b != null ? RecoveryPoint.FromAutomatedBackup(b) : throw RecoveryPointErrors.NotFound(kind, id, region);
                    case RecoveryPointKind.DBClusterSnapshot:
                        var c = await _services.Clusters(region).FindDBClusterSnapshotAsync(id, cancellationToken).ConfigureAwait(false)
                                ?? throw RecoveryPointErrors.NotFound(kind, id, region);
                        if (c.Tags.Count == 0 && c.Arn != null)
                            c = c with { Tags = await _services.Rds(region).ListTagsForResourceAsync(c.Arn, cancellationToken).ConfigureAwait(false) };
                        return RecoveryPoint.FromClusterSnapshot(c);
                    default:
                        var rds = _services.Rds(region);
                        var d = await rds.FindDBSnapshotAsync(id, cancellationToken).ConfigureAwait(false) ?? throw RecoveryPointErrors.NotFound(kind, id, region);
                        if (d.Tags.Count == 0 && d.Arn != null) d = d with { Tags = await rds.ListTagsForResourceAsync(d.Arn, cancellationToken).ConfigureAwait(false) };
                        return RecoveryPoint.FromDbSnapshot(d);
                }
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode is "InvalidSnapshot.NotFound" or "InvalidAMIID.NotFound" or "InvalidAMIID.Unavailable"
                                                  or "InvalidSnapshot.Malformed" or "InvalidAMIID.Malformed")
            {
                throw RecoveryPointErrors.NotFound(kind, id, region);
            }
        }

        /// <summary>
        /// Sets Rpo and RpoMet on every point: met when the newest usable point of the same source is younger than
        /// <paramref name="rpo"/>. Returns the sources (of <paramref name="expectedSources"/> and those listed) whose RPO is not met.
        /// </summary>
        public static IReadOnlyList<string> EvaluateRpo(IReadOnlyList<RecoveryPoint> points, TimeSpan rpo, DateTime nowUtc, IEnumerable<string>? expectedSources = null)
        {
            var missed = new List<string>();
            foreach (var group in points.GroupBy(p => p.SourceId, StringComparer.OrdinalIgnoreCase))
            {
                var newest = group.Where(p => p.IsUsable).OrderByDescending(p => p.Created).FirstOrDefault();
                var met = newest != null && nowUtc - newest.Created <= rpo;
                foreach (var p in group) { p.Rpo = rpo; p.RpoMet = met; }
                if (!met) missed.Add(group.Key);
            }
            foreach (var s in expectedSources ?? Enumerable.Empty<string>())
                if (!points.Any(p => string.Equals(p.SourceId, s, StringComparison.OrdinalIgnoreCase))) missed.Add(s);
            return missed;
        }
    }
}
