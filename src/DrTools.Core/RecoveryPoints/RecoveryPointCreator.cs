using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>What Invoke-DrBackup takes of one server or database.</summary>
    public sealed class RecoveryPointRequest
    {
        public RecoveryPointRequest(RecoveryPointKind kind, string sourceId) { Kind = kind; SourceId = sourceId; }
        public RecoveryPointKind Kind { get; }
        /// <summary>Instance id (Snapshot, Image), DB instance identifier (DBSnapshot) or DB cluster identifier (DBClusterSnapshot).</summary>
        public string SourceId { get; }
        /// <summary>Image only: reboot the instance for an application-consistent image (default: no reboot).</summary>
        public bool Reboot { get; set; }
        /// <summary>The DR region to copy the recovery point to.</summary>
        public string? CopyToRegion { get; set; }
        /// <summary>A KMS key in <see cref="CopyToRegion"/> for the copy (keys are regional).</summary>
        public string? KmsKeyId { get; set; }
        /// <summary>Do not wait for completion (a copy still waits for its source to complete: AWS copies only completed snapshots).</summary>
        public bool NoWait { get; set; }
        public DateTime? ExpiresAfter { get; set; }
        public string? Plan { get; set; }
        /// <summary>Re-running with the same token resumes the first run instead of taking a second snapshot. Generated when null.</summary>
        public string? ClientToken { get; set; }
        public string? Description { get; set; }
    }

    /// <summary>Timeouts and identity for recovery point operations.</summary>
    public sealed class RecoveryPointOptions
    {
        public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromHours(4);
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>The value of the DrTools:CreatedBy tag.</summary>
        public string CreatedBy { get; set; } = RecoveryPointTags.DefaultCreatedBy();
        internal Ec2WaitOptions Ec2Wait => new(WaitTimeout, PollInterval);
    }

    /// <summary>
    /// Takes recovery points (EBS snapshot sets, AMIs, RDS snapshots), tags them, copies them to the DR region and
    /// waits. Idempotent by client token: a re-run finds what the first run made (by tag, or by the DB snapshot's
    /// name) and only does what is missing.
    /// </summary>
    public sealed class RecoveryPointCreator
    {
        readonly IRecoveryPointServices _services;
        readonly IOperationReporter _reporter;
        readonly RecoveryPointOptions _options;

        public RecoveryPointCreator(IRecoveryPointServices services, IOperationReporter? reporter = null, RecoveryPointOptions? options = null)
        {
            _services = services;
            _reporter = reporter ?? NullReporter.Instance;
            _options = options ?? new RecoveryPointOptions();
        }

        /// <summary>A token that is readable, sortable and valid inside RDS identifiers and EC2 client tokens.</summary>
        public static string NewClientToken() => DateTime.UtcNow.ToString("yyyyMMdd'-'HHmmss") + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);

        /// <summary>Creates (or, for a known token, completes) the recovery points of one source; returns them in the source region.</summary>
        public Task<IReadOnlyList<RecoveryPoint>> CreateAsync(RecoveryPointRequest request, CancellationToken cancellationToken)
        {
            var region = _services.HomeRegion;
            if (string.IsNullOrWhiteSpace(request.SourceId))
                throw RecoveryPointErrors.Invalid("The source id is empty.", request.SourceId, "Pass an instance id or DB instance identifier.");
            if (request.CopyToRegion != null && string.Equals(request.CopyToRegion, region, StringComparison.OrdinalIgnoreCase))
                throw RecoveryPointErrors.Invalid($"-CopyToRegion {request.CopyToRegion} is the region the backup is taken in.", request.CopyToRegion,
                    "Pass the DR region (another region) or leave -CopyToRegion out.");
            if (request.KmsKeyId != null && request.CopyToRegion == null)
                throw RecoveryPointErrors.Invalid("-KmsKeyId is the key for the copy in the DR region and needs -CopyToRegion.", request.KmsKeyId,
                    "Add -CopyToRegion, or leave -KmsKeyId out (snapshots keep their volume's encryption).");
            if (request.ExpiresAfter is { } e && e.ToUniversalTime() <= DateTime.UtcNow)
                throw RecoveryPointErrors.Invalid($"The expiry {RecoveryPointTags.FormatTime(e)} is in the past.", e, "Pass a future time or a positive -RetainDays.");
            var token = request.ClientToken is { Length: > 0 } t ? t : NewClientToken();
            if (token.Length > 48 || token.Any(c => c > 127 || char.IsWhiteSpace(c)))
                throw RecoveryPointErrors.Invalid($"The client token '{token}' must be at most 48 ASCII characters without spaces.", token, "Pass a shorter token.");
            if (request.Kind == RecoveryPointKind.DBAutomatedBackup)
                throw RecoveryPointErrors.NotForAutomatedBackups(request.SourceId, "Creating a recovery point",
                    "Automated backups are on while the DB instance's backup retention period is above 0; take a DB snapshot with -Kind DBSnapshot.");
            return request.Kind switch
            {
                RecoveryPointKind.Snapshot => SnapshotAsync(request, region, token, cancellationToken),
                RecoveryPointKind.Image => ImageAsync(request, region, token, cancellationToken),
                RecoveryPointKind.DBClusterSnapshot => ClusterSnapshotAsync(request, region, token, cancellationToken),
                _ => DbSnapshotAsync(request, region, token, cancellationToken),
            };
        }

        Dictionary<string, string> BaseTags(RecoveryPointRequest r, RecoveryPointKind kind, string token)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RecoveryPointTags.CreatedBy] = _options.CreatedBy,
                [RecoveryPointTags.Source] = r.SourceId,
                [RecoveryPointTags.Created] = RecoveryPointTags.FormatTime(DateTime.UtcNow),
                [RecoveryPointTags.Token] = token,
                [RecoveryPointTags.Kind] = kind.ToString(),
            };
            if (r.Plan is { Length: > 0 } plan) tags[RecoveryPointTags.Plan] = plan;
            if (r.ExpiresAfter is { } exp) tags[RecoveryPointTags.ExpiresAfter] = RecoveryPointTags.FormatTime(exp);
            return tags;
        }

        /// <summary>The copy carries the original's DrTools tags (same source, time, plan, expiry) and says what it is a copy of.</summary>
        static Dictionary<string, string> CopyTags(IReadOnlyDictionary<string, string> sourceTags, string sourceRegion, string sourceId, string? volumeId)
        {
            var tags = sourceTags.Where(kv => kv.Key.StartsWith("DrTools:", StringComparison.Ordinal) && kv.Key != RecoveryPointTags.CopiedTo)
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            tags[RecoveryPointTags.CopyOf] = RecoveryPointTags.Pair(sourceRegion, sourceId);
            if (volumeId != null) tags[RecoveryPointTags.Volume] = volumeId;
            return tags;
        }

        static Ec2Filter[] TokenFilters(string token, string source, RecoveryPointKind kind) => new[]
        {
            new Ec2Filter("tag:" + RecoveryPointTags.Token, token),
            new Ec2Filter("tag:" + RecoveryPointTags.Source, source),
            new Ec2Filter("tag:" + RecoveryPointTags.Kind, kind.ToString()),
        };

        async Task<Ec2Instance> FindInstanceAsync(IEc2Service ec2, string instanceId, CancellationToken ct)
        {
            try
            {
                var found = await ec2.DescribeInstancesAsync(new[] { instanceId }, null, ct).ConfigureAwait(false);
                var i = found.FirstOrDefault(x => x.InstanceId == instanceId);
                if (i == null || i.State == "terminated") throw RecoveryPointErrors.SourceNotFound("Instance", instanceId, ec2.Region);
                return i;
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
            {
                throw RecoveryPointErrors.SourceNotFound("Instance", instanceId, ec2.Region, ex);
            }
        }

        // ------------------------------------------------------------------ EBS snapshot sets

        async Task<IReadOnlyList<RecoveryPoint>> SnapshotAsync(RecoveryPointRequest r, string region, string token, CancellationToken ct)
        {
            var ec2 = _services.Ec2(region);
            await FindInstanceAsync(ec2, r.SourceId, ct).ConfigureAwait(false);
            var snaps = (await ec2.DescribeSnapshotsAsync(null, TokenFilters(token, r.SourceId, RecoveryPointKind.Snapshot), ct).ConfigureAwait(false)).ToList();
            if (snaps.Count > 0)
                _reporter.Verbose($"Client token {token}: reusing snapshots {Ids(snaps)} of {r.SourceId} from an earlier run; no new snapshot is taken.");
            else
            {
                snaps = (await ec2.CreateSnapshotsAsync(new Ec2CreateSnapshotsRequest(r.SourceId)
                {
                    Description = r.Description ?? $"DrTools recovery point of {r.SourceId}",
                    Tags = BaseTags(r, RecoveryPointKind.Snapshot, token),
                }, ct).ConfigureAwait(false)).ToList();
                _reporter.Verbose($"Took crash-consistent snapshots {Ids(snaps)} of all volumes of {r.SourceId} (client token {token}).");
            }

            // AWS copies only completed snapshots, so a copy waits for its source even with -NoWait.
            if (!r.NoWait || r.CopyToRegion != null)
                snaps = (await Task.WhenAll(snaps.Select(s => s.State == "completed" ? Task.FromResult(s)
                    : ec2.WaitForSnapshotCompletedAsync(s.SnapshotId, _options.Ec2Wait, ct))).ConfigureAwait(false)).ToList();

            if (r.CopyToRegion is { } dr)
            {
                var drEc2 = _services.Ec2(dr);
                var copies = new Dictionary<string, string>(StringComparer.Ordinal);
                string State(string? failing) =>
                    $"Exists: snapshot(s) {Ids(snaps)} of {r.SourceId} in {region}" +
                    (copies.Count > 0 ? $", and their copies {string.Join(", ", copies.Select(kv => $"{kv.Value} (of {kv.Key})"))} in {dr}" : "") +
                    $". Not copied to {dr}: {string.Join(", ", snaps.Select(s => s.SnapshotId).Where(id => !copies.ContainsKey(id)))}." +
                    $" Re-run with -ClientToken {token} to complete the copy without taking new snapshots.";
                await GuardCopyAsync(dr, region, r.KmsKeyId, () => State(null), async () =>
                {
                    foreach (var s in snaps)
                    {
                        var existing = await drEc2.DescribeSnapshotsAsync(null, new[] { new Ec2Filter("tag:" + RecoveryPointTags.CopyOf, RecoveryPointTags.Pair(region, s.SnapshotId)) }, ct)
                            .ConfigureAwait(false);
                        var tags = CopyTags(s.Tags, region, s.SnapshotId, s.VolumeId);
                        string copyId;
                        if (existing.FirstOrDefault() is { } e)
                        {
                            copyId = e.SnapshotId;
                            _reporter.Verbose($"Snapshot {s.SnapshotId} already has its copy {copyId} in {dr}.");
                        }
                        else
                        {
                            copyId = await ec2.CopySnapshotToRegionAsync(new Ec2CopySnapshotRequest(s.SnapshotId, dr)
                            {
                                Description = $"DrTools copy of {s.SnapshotId} ({s.VolumeId} of {r.SourceId}) from {region}",
                                Encrypted = r.KmsKeyId != null || s.Encrypted ? true : null,
                                KmsKeyId = r.KmsKeyId,
                                Tags = tags,
                            }, ct).ConfigureAwait(false);
                            // Tag again: not every endpoint applies TagSpecifications on CopySnapshot, and retention depends on these tags.
                            await drEc2.CreateTagsAsync(new[] { copyId }, tags, ct).ConfigureAwait(false);
                        }
                        copies[s.SnapshotId] = copyId;
                        await ec2.CreateTagsAsync(new[] { s.SnapshotId },
                            new Dictionary<string, string> { [RecoveryPointTags.CopiedTo] = RecoveryPointTags.Pair(dr, copyId) }, ct).ConfigureAwait(false);
                    }
                    if (!r.NoWait)
                        await Task.WhenAll(copies.Values.Select(id => drEc2.WaitForSnapshotCompletedAsync(id, _options.Ec2Wait, ct))).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            var final = await ec2.DescribeSnapshotsAsync(snaps.Select(s => s.SnapshotId), null, ct).ConfigureAwait(false);
            return final.Select(s => RecoveryPoint.FromSnapshot(s, region)).OrderBy(p => p.VolumeId, StringComparer.Ordinal).ToList();
        }

        // ------------------------------------------------------------------ AMIs

        async Task<IReadOnlyList<RecoveryPoint>> ImageAsync(RecoveryPointRequest r, string region, string token, CancellationToken ct)
        {
            var ec2 = _services.Ec2(region);
            var instance = await FindInstanceAsync(ec2, r.SourceId, ct).ConfigureAwait(false);
            var existing = await ec2.DescribeImagesAsync(null, TokenFilters(token, r.SourceId, RecoveryPointKind.Image), null, ct).ConfigureAwait(false);
            var image = existing.FirstOrDefault(i => i.State is not ("deregistered" or "failed"));
            string imageId;
            if (image != null)
            {
                imageId = image.ImageId;
                _reporter.Verbose($"Client token {token}: reusing image {imageId} of {r.SourceId} from an earlier run; no new image is created.");
            }
            else
            {
                var tags = BaseTags(r, RecoveryPointKind.Image, token);
                if (instance.InstanceType != null) tags[RecoveryPointTags.InstanceType] = instance.InstanceType;
                var name = $"drtools-{instance.Name ?? r.SourceId}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{token}";
                imageId = await ec2.CreateImageAsync(new Ec2CreateImageRequest(r.SourceId, ImageName(name))
                {
                    Description = r.Description ?? $"DrTools recovery point of {r.SourceId}",
                    NoReboot = !r.Reboot,
                    Tags = tags,
                    // The image's snapshots are tagged once they are known (below): not every endpoint takes snapshot TagSpecifications here.
                    TagSnapshots = false,
                }, ct).ConfigureAwait(false);
                if (r.Reboot) _reporter.Warning($"Instance {r.SourceId} reboots for an application-consistent image.");
            }

            if ((!r.NoWait || r.CopyToRegion != null) && image?.State != "available")
                image = await ec2.WaitForImageAvailableAsync(imageId, _options.Ec2Wait, ct).ConfigureAwait(false);
            // Tag the snapshots behind the image as part of it (DrTools:Kind=Image), so they are traceable and never listed as snapshot recovery points.
            if (image is { State: "available", SnapshotIds.Count: > 0 } && !image.Tags.ContainsKey(RecoveryPointTags.CopiedTo))
                await ec2.CreateTagsAsync(image.SnapshotIds, image.Tags.Where(kv => kv.Key.StartsWith("DrTools:", StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key, kv => kv.Value), ct).ConfigureAwait(false);

            if (r.CopyToRegion is { } dr)
            {
                var drEc2 = _services.Ec2(dr);
                string? copyId = null;
                string State() => $"Exists: image {imageId} of {r.SourceId} in {region}" +
                                  (copyId != null ? $", and its copy {copyId} in {dr} (not yet verified available)." : $". Not in {dr}: its copy.") +
                                  $" Re-run with -ClientToken {token} to complete the copy without creating a new image.";
                var source = image ?? (await ec2.DescribeImagesAsync(new[] { imageId }, null, null, ct).ConfigureAwait(false)).First();
                await GuardCopyAsync(dr, region, r.KmsKeyId, State, async () =>
                {
                    var found = await drEc2.DescribeImagesAsync(null, new[] { new Ec2Filter("tag:" + RecoveryPointTags.CopyOf, RecoveryPointTags.Pair(region, imageId)) }, null, ct)
                        .ConfigureAwait(false);
                    var tags = CopyTags(source.Tags, region, imageId, null);
                    if (found.FirstOrDefault(i => i.State is not ("deregistered" or "failed")) is { } e)
                    {
                        copyId = e.ImageId;
                        _reporter.Verbose($"Image {imageId} already has its copy {copyId} in {dr}.");
                    }
                    else
                    {
                        copyId = await ec2.CopyImageToRegionAsync(new Ec2CopyImageRequest(imageId, dr, source.Name ?? ImageName("drtools-" + imageId))
                        {
                            Description = $"DrTools copy of {imageId} ({r.SourceId}) from {region}",
                            Encrypted = r.KmsKeyId != null ? true : null,
                            KmsKeyId = r.KmsKeyId,
                            // CopyImage is idempotent by client token in the destination region.
                            ClientToken = token,
                            Tags = tags,
                        }, ct).ConfigureAwait(false);
                        await drEc2.CreateTagsAsync(new[] { copyId }, tags, ct).ConfigureAwait(false);
                    }
                    await ec2.CreateTagsAsync(new[] { imageId },
                        new Dictionary<string, string> { [RecoveryPointTags.CopiedTo] = RecoveryPointTags.Pair(dr, copyId) }, ct).ConfigureAwait(false);
                    if (!r.NoWait) await drEc2.WaitForImageAvailableAsync(copyId, _options.Ec2Wait, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            var final = (await ec2.DescribeImagesAsync(new[] { imageId }, null, null, ct).ConfigureAwait(false)).First();
            return new[] { RecoveryPoint.FromImage(final, region) };
        }

        /// <summary>AMI names: 3-128 characters of letters, digits, ()[] ./-'@_ and must be unique in the region.</summary>
        static string ImageName(string name)
        {
            var sb = new StringBuilder();
            foreach (var c in name) sb.Append(char.IsLetterOrDigit(c) && c < 128 || "()[] ./-'@_".IndexOf(c) >= 0 ? c : '-');
            return sb.Length > 128 ? sb.ToString(0, 128) : sb.ToString();
        }

        // ------------------------------------------------------------------ RDS snapshots

        /// <summary>RDS snapshot ids are unique per region, so the token is part of the name: a re-run finds it.</summary>
        public static string DbSnapshotId(string dbInstanceIdentifier, string token)
        {
            var raw = $"drtools-{dbInstanceIdentifier}-{token}".ToLowerInvariant();
            var sb = new StringBuilder();
            foreach (var c in raw)
            {
                var ch = c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-';
                if (ch == '-' && sb.Length > 0 && sb[sb.Length - 1] == '-') continue;
                sb.Append(ch);
            }
            var id = sb.Length > 255 ? sb.ToString(0, 255) : sb.ToString();
            return id.TrimEnd('-');
        }

        async Task<IReadOnlyList<RecoveryPoint>> DbSnapshotAsync(RecoveryPointRequest r, string region, string token, CancellationToken ct)
        {
            var rds = _services.Rds(region);
            var db = await rds.FindDBInstanceAsync(r.SourceId, ct).ConfigureAwait(false)
                     ?? throw RecoveryPointErrors.SourceNotFound("DB instance", r.SourceId, region);
            var id = DbSnapshotId(db.Identifier, token);
            var snap = await rds.FindDBSnapshotAsync(id, ct).ConfigureAwait(false);
            if (snap != null)
                _reporter.Verbose($"Client token {token}: reusing DB snapshot {id} of {r.SourceId} from an earlier run; no new snapshot is taken.");
            else
            {
                snap = await rds.CreateDBSnapshotAsync(db.Identifier, id, BaseTags(r, RecoveryPointKind.DBSnapshot, token), ct).ConfigureAwait(false);
                _reporter.Verbose($"Creating DB snapshot {id} of {r.SourceId} (client token {token}).");
            }
            var timeout = _options.WaitTimeout;
            if ((!r.NoWait || r.CopyToRegion != null) && snap.Status != "available")
                snap = await rds.WaitForDBSnapshotAvailableAsync(id, timeout, _reporter, ct).ConfigureAwait(false);

            if (r.CopyToRegion is { } dr)
            {
                var drRds = _services.Rds(dr);
                var source = snap;
                var tags = source.Tags.Count > 0 ? source.Tags
                    : source.Arn != null ? await rds.ListTagsForResourceAsync(source.Arn, ct).ConfigureAwait(false) : new Dictionary<string, string>();
                DbSnapshot? copy = null;
                string State() => $"Exists: DB snapshot {id} of {r.SourceId} in {region}" +
                                  (copy != null ? $", and its copy {copy.Identifier} in {dr} ({copy.Status})." : $". Not in {dr}: its copy.") +
                                  $" Re-run with -ClientToken {token} to complete the copy without taking a new snapshot.";
                await GuardCopyAsync(dr, region, r.KmsKeyId, State, async () =>
                {
                    copy = await drRds.FindDBSnapshotAsync(id, ct).ConfigureAwait(false);
                    if (copy != null) _reporter.Verbose($"DB snapshot {id} already has its copy in {dr}.");
                    else
                        copy = await drRds.CopyDBSnapshotAsync(new CopyDbSnapshotRequest
                        {
                            SourceSnapshot = source.Arn ?? throw RecoveryPointErrors.Invalid($"RDS returned no ARN for {id}.", id, "Re-run."),
                            TargetSnapshotIdentifier = id,
                            KmsKeyId = r.KmsKeyId,
                            Tags = CopyTags(tags, region, id, null),
                        }, ct).ConfigureAwait(false);
                    if (source.Arn != null)
                        await rds.AddTagsToResourceAsync(source.Arn, new Dictionary<string, string> { [RecoveryPointTags.CopiedTo] = RecoveryPointTags.Pair(dr, id) }, ct)
                            .ConfigureAwait(false);
                    if (!r.NoWait && copy.Status != "available") copy = await drRds.WaitForDBSnapshotAvailableAsync(id, timeout, _reporter, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            var final = await rds.FindDBSnapshotAsync(id, ct).ConfigureAwait(false) ?? snap;
            if (final.Tags.Count == 0 && final.Arn != null)
                final = final with { Tags = await rds.ListTagsForResourceAsync(final.Arn, ct).ConfigureAwait(false) };
            return new[] { RecoveryPoint.FromDbSnapshot(final) };
        }

        // ------------------------------------------------------------------ Aurora DB cluster snapshots

        /// <summary>
        /// Like a DB snapshot: named by token (<see cref="DbSnapshotId"/>; cluster snapshot ids are their own namespace),
        /// waited for, copied under the same name to the DR region (the pre-signed URL a cross-region copy needs is the
        /// wire call's business), tagged. The writer's class goes into a tag so a restore or drill can default to it.
        /// </summary>
        async Task<IReadOnlyList<RecoveryPoint>> ClusterSnapshotAsync(RecoveryPointRequest r, string region, string token, CancellationToken ct)
        {
            var clusters = _services.Clusters(region);
            var rds = _services.Rds(region);
            var cluster = await clusters.FindDBClusterAsync(r.SourceId, ct).ConfigureAwait(false)
                          ?? throw RecoveryPointErrors.SourceNotFound("DB cluster", r.SourceId, region);
            var id = DbSnapshotId(cluster.Identifier, token);
            var snap = await clusters.FindDBClusterSnapshotAsync(id, ct).ConfigureAwait(false);
            if (snap != null)
                _reporter.Verbose($"Client token {token}: reusing DB cluster snapshot {id} of {r.SourceId} from an earlier run; no new snapshot is taken.");
            else
            {
                var tags = BaseTags(r, RecoveryPointKind.DBClusterSnapshot, token);
                if (cluster.Members.FirstOrDefault(m => m.IsWriter) is { } writer
                    && (await rds.FindDBInstanceAsync(writer.DBInstanceIdentifier, ct).ConfigureAwait(false))?.InstanceClass is { Length: > 0 } cls)
                    tags[RecoveryPointTags.DBInstanceClass] = cls;
                snap = await clusters.CreateDBClusterSnapshotAsync(cluster.Identifier, id, tags, ct).ConfigureAwait(false);
                _reporter.Verbose($"Creating DB cluster snapshot {id} of {r.SourceId} (client token {token}).");
            }
            var timeout = _options.WaitTimeout;
            if ((!r.NoWait || r.CopyToRegion != null) && snap.Status != "available")
                snap = await clusters.WaitForDBClusterSnapshotAvailableAsync(id, timeout, _reporter, ct).ConfigureAwait(false);

            if (r.CopyToRegion is { } dr)
            {
                var drClusters = _services.Clusters(dr);
                var source = snap;
                var tags = source.Tags.Count > 0 ? source.Tags
                    : source.Arn != null ? await rds.ListTagsForResourceAsync(source.Arn, ct).ConfigureAwait(false) : new Dictionary<string, string>();
                DbClusterSnapshot? copy = null;
                string State() => $"Exists: DB cluster snapshot {id} of {r.SourceId} in {region}" +
                                  (copy != null ? $", and its copy {copy.Identifier} in {dr} ({copy.Status})." : $". Not in {dr}: its copy.") +
                                  $" Re-run with -ClientToken {token} to complete the copy without taking a new snapshot.";
                await GuardCopyAsync(dr, region, r.KmsKeyId, State, async () =>
                {
                    copy = await drClusters.FindDBClusterSnapshotAsync(id, ct).ConfigureAwait(false);
                    if (copy != null) _reporter.Verbose($"DB cluster snapshot {id} already has its copy in {dr}.");
                    else
                        copy = await drClusters.CopyDBClusterSnapshotAsync(new CopyDbClusterSnapshotRequest
                        {
                            SourceDBClusterSnapshotIdentifier = source.Arn ?? throw RecoveryPointErrors.Invalid($"RDS returned no ARN for {id}.", id, "Re-run."),
                            TargetDBClusterSnapshotIdentifier = id,
                            KmsKeyId = r.KmsKeyId,
                            Tags = CopyTags(tags, region, id, null),
                        }, ct).ConfigureAwait(false);
                    if (source.Arn != null)
                        await rds.AddTagsToResourceAsync(source.Arn, new Dictionary<string, string> { [RecoveryPointTags.CopiedTo] = RecoveryPointTags.Pair(dr, id) }, ct)
                            .ConfigureAwait(false);
                    if (!r.NoWait && copy.Status != "available") copy = await drClusters.WaitForDBClusterSnapshotAvailableAsync(id, timeout, _reporter, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            var final = await clusters.FindDBClusterSnapshotAsync(id, ct).ConfigureAwait(false) ?? snap;
            if (final.Tags.Count == 0 && final.Arn != null)
                final = final with { Tags = await rds.ListTagsForResourceAsync(final.Arn, ct).ConfigureAwait(false) };
            return new[] { RecoveryPoint.FromClusterSnapshot(final) };
        }

        // ------------------------------------------------------------------ faults of the copy

        /// <summary>
        /// Runs the copy phase and turns its failures into errors that say what exists where: the region is not
        /// enabled, the KMS key is not usable there, or the copy failed; a re-run with the same token completes it.
        /// </summary>
        static async Task GuardCopyAsync(string drRegion, string sourceRegion, string? kmsKeyId, Func<string> state, Func<Task> copy)
        {
            try
            {
                await copy().ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (ex.ErrorId is not (RecoveryPointErrorIds.RegionNotEnabled or RecoveryPointErrorIds.KmsKeyNotUsable or RecoveryPointErrorIds.CopyFailed))
            {
                if (RecoveryPointErrors.IsRegionNotEnabled(ex)) throw RecoveryPointErrors.RegionNotEnabled(drRegion, sourceRegion, state(), ex);
                if (RecoveryPointErrors.IsKmsError(ex, kmsKeyId)) throw RecoveryPointErrors.KmsKeyNotUsable(kmsKeyId, drRegion, state(), ex);
                throw RecoveryPointErrors.CopyFailed(drRegion, state(), ex);
            }
        }

        static string Ids(IEnumerable<Ec2Snapshot> s) => string.Join(", ", s.Select(x => x.VolumeId != null ? $"{x.SnapshotId} ({x.VolumeId})" : x.SnapshotId));
    }
}
