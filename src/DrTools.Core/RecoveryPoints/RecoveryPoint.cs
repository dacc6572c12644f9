using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>
    /// What a recovery point is: EBS snapshot (one per volume of a server), AMI, RDS snapshot, the automated backups
    /// of an RDS instance (a restorable window, for point-in-time restores; AWS makes and removes them), or an Aurora
    /// DB cluster snapshot. New kinds go at the end: the numbers are what cmdlets hold.
    /// </summary>
    public enum RecoveryPointKind { Snapshot, Image, DBSnapshot, DBAutomatedBackup, DBClusterSnapshot }

    /// <summary>
    /// One restorable copy of a server's volume, a server image or a database, in one region. Kind, Id and Region
    /// identify it; Get-DrBackup emits these and Restore-DrBackup/Test-DrRestore/Remove-DrBackup take them from the pipeline.
    /// </summary>
    public sealed class RecoveryPoint
    {
        public RecoveryPointKind Kind { get; init; }
        public string Id { get; init; } = "";
        /// <summary>The instance, DB instance or DB cluster it was taken of.</summary>
        public string SourceId { get; init; } = "";
        /// <summary>For a snapshot: the volume it was taken of.</summary>
        public string? VolumeId { get; init; }
        public string Region { get; init; } = "";
        /// <summary>When the source data was captured (UTC); a copy keeps its original's time.</summary>
        public DateTime Created { get; init; }
        public TimeSpan Age => DateTime.UtcNow - Created;
        /// <summary>pending/completed (snapshot), pending/available (image), creating/copying/available (DB snapshot, DB cluster snapshot).</summary>
        public string State { get; init; } = "";
        /// <summary>Restorable now; DB automated backups are while they have a restorable window.</summary>
        public bool IsUsable => Kind == RecoveryPointKind.DBAutomatedBackup ? LatestRestorableTime != null && State is not ("pending" or "creating")
            : State is "completed" or "available";
        /// <summary>DB automated backups: the earliest time a point-in-time restore can reach (UTC).</summary>
        public DateTime? EarliestRestorableTime { get; init; }
        /// <summary>DB automated backups: the latest time a point-in-time restore can reach (UTC); also <see cref="Created"/>.</summary>
        public DateTime? LatestRestorableTime { get; init; }
        public int? SizeGiB { get; init; }
        public bool Encrypted { get; init; }
        public string? KmsKeyId { get; init; }
        /// <summary>"region:id" of the copy in the DR region, when one was made.</summary>
        public string? CopiedTo { get; init; }
        /// <summary>"region:id" of the original, when this point is a copy.</summary>
        public string? CopyOf { get; init; }
        public string? Plan { get; init; }
        public DateTime? ExpiresAfter { get; init; }
        /// <summary>The client token of the Invoke-DrBackup run that made it (re-runs with it resume instead of duplicating).</summary>
        public string? ClientToken { get; init; }
        /// <summary>For an image: the snapshots behind it.</summary>
        public IReadOnlyList<string> SnapshotIds { get; init; } = Array.Empty<string>();
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public bool CreatedByDrTools => Tags.ContainsKey(RecoveryPointTags.CreatedBy);
        /// <summary>Set by Get-DrBackup -Rpo: the RPO asked for.</summary>
        public TimeSpan? Rpo { get; set; }
        /// <summary>Set by Get-DrBackup -Rpo: the newest usable recovery point of this source in this region is younger than the RPO.</summary>
        public bool? RpoMet { get; set; }

        public override string ToString() => $"{Kind} {Id} of {SourceId} in {Region} ({Created:u})";

        internal static RecoveryPoint FromSnapshot(Ec2Snapshot s, string region)
        {
            var t = s.Tags;
            return new RecoveryPoint
            {
                Kind = RecoveryPointKind.Snapshot,
                Id = s.SnapshotId,
                SourceId = Tag(t, RecoveryPointTags.Source) ?? s.VolumeId ?? "",
                VolumeId = Tag(t, RecoveryPointTags.Volume) ?? (s.VolumeId is { } v && v != "vol-ffffffff" ? v : null),
                Region = region,
                Created = RecoveryPointTags.ParseTime(Tag(t, RecoveryPointTags.Created)) ?? s.StartTime?.ToUniversalTime() ?? DateTime.MinValue,
                State = s.State,
                SizeGiB = s.VolumeSize,
                Encrypted = s.Encrypted,
                KmsKeyId = s.KmsKeyId,
                Tags = t,
            }.WithCommon(t);
        }

        internal static RecoveryPoint FromImage(Ec2Image i, string region)
        {
            var t = i.Tags;
            return new RecoveryPoint
            {
                Kind = RecoveryPointKind.Image,
                Id = i.ImageId,
                SourceId = Tag(t, RecoveryPointTags.Source) ?? "",
                Region = region,
                Created = RecoveryPointTags.ParseTime(Tag(t, RecoveryPointTags.Created)) ?? i.CreationDate?.ToUniversalTime() ?? DateTime.MinValue,
                State = i.State,
                SnapshotIds = i.SnapshotIds,
                Tags = t,
            }.WithCommon(t);
        }

        internal static RecoveryPoint FromDbSnapshot(DbSnapshot s)
        {
            var t = s.Tags;
            return new RecoveryPoint
            {
                Kind = RecoveryPointKind.DBSnapshot,
                Id = s.Identifier,
                SourceId = Tag(t, RecoveryPointTags.Source) ?? s.DBInstanceIdentifier ?? "",
                Region = s.Region,
                Created = RecoveryPointTags.ParseTime(Tag(t, RecoveryPointTags.Created))
                          ?? (s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime)?.ToUniversalTime() ?? DateTime.MinValue,
                State = s.Status,
                SizeGiB = s.AllocatedStorage,
                Encrypted = s.Encrypted,
                KmsKeyId = s.KmsKeyId,
                Tags = t,
            }.WithCommon(t);
        }

        internal static RecoveryPoint FromClusterSnapshot(DbClusterSnapshot s)
        {
            var t = s.Tags;
            return new RecoveryPoint
            {
                Kind = RecoveryPointKind.DBClusterSnapshot,
                Id = s.Identifier,
                SourceId = Tag(t, RecoveryPointTags.Source) ?? s.DBClusterIdentifier,
                Region = s.Region,
                Created = RecoveryPointTags.ParseTime(Tag(t, RecoveryPointTags.Created)) ?? s.SnapshotCreateTime?.ToUniversalTime() ?? DateTime.MinValue,
                State = s.Status,
                Encrypted = s.StorageEncrypted,
                KmsKeyId = s.KmsKeyId,
                Tags = t,
            }.WithCommon(t);
        }

        /// <summary>
        /// Automated backups as a recovery point: Id is their ARN, Created the latest restorable time (so the RPO check
        /// measures how far the newest restorable data lags), CopyOf the source region and instance of replicated ones.
        /// </summary>
        internal static RecoveryPoint FromAutomatedBackup(DbAutomatedBackup b) => new()
        {
            Kind = RecoveryPointKind.DBAutomatedBackup,
            Id = b.Arn ?? b.DbiResourceId ?? b.DBInstanceIdentifier,
            SourceId = b.DBInstanceIdentifier,
            Region = b.Region,
            Created = b.LatestRestorableTime ?? DateTime.MinValue,
            State = b.Status,
            SizeGiB = b.AllocatedStorage,
            Encrypted = b.Encrypted,
            KmsKeyId = b.KmsKeyId,
            EarliestRestorableTime = b.EarliestRestorableTime,
            LatestRestorableTime = b.LatestRestorableTime,
            CopyOf = b.IsReplicated ? RecoveryPointTags.Pair(b.SourceRegion!, b.DBInstanceIdentifier) : null,
            CopiedTo = b.Replications.Count > 0 ? string.Join(", ", b.Replications) : null,
        };

        RecoveryPoint WithCommon(IReadOnlyDictionary<string, string> t) => new()
        {
            Kind = Kind, Id = Id, SourceId = SourceId, VolumeId = VolumeId, Region = Region, Created = Created, State = State, SizeGiB = SizeGiB,
            Encrypted = Encrypted, KmsKeyId = KmsKeyId, SnapshotIds = SnapshotIds, Tags = Tags,
            CopiedTo = Tag(t, RecoveryPointTags.CopiedTo),
            CopyOf = Tag(t, RecoveryPointTags.CopyOf),
            Plan = Tag(t, RecoveryPointTags.Plan),
            ExpiresAfter = RecoveryPointTags.ParseTime(Tag(t, RecoveryPointTags.ExpiresAfter)),
            ClientToken = Tag(t, RecoveryPointTags.Token),
        };

        static string? Tag(IReadOnlyDictionary<string, string> tags, string key) => tags.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
    }

    /// <summary>The tags DrTools puts on everything it creates. Remove-DrBackup only touches resources with <see cref="CreatedBy"/>.</summary>
    public static class RecoveryPointTags
    {
        public const string CreatedBy = "DrTools:CreatedBy";
        public const string Source = "DrTools:Source";
        public const string Created = "DrTools:Created";
        public const string Plan = "DrTools:Plan";
        public const string ExpiresAfter = "DrTools:ExpiresAfter";
        /// <summary>The client token: CreateSnapshots/CreateImage have no ClientToken, so a retry finds the first run's result by this tag.</summary>
        public const string Token = "DrTools:Token";
        /// <summary>Snapshot or Image: CreateImage tags the image's snapshots too, and those are not snapshot recovery points.</summary>
        public const string Kind = "DrTools:Kind";
        public const string Volume = "DrTools:Volume";
        public const string CopyOf = "DrTools:CopyOf";
        public const string CopiedTo = "DrTools:CopiedTo";
        /// <summary>On an image: the source instance's type, the default type of an instance restored from it.</summary>
        public const string InstanceType = "DrTools:InstanceType";
        public const string Drill = "DrTools:Drill";
        public const string DrillId = "DrTools:DrillId";
        public const string RestoredFrom = "DrTools:RestoredFrom";
        /// <summary>On a DB cluster snapshot: the class of the cluster's writer when it was taken, the default class of the instance a restore creates.</summary>
        public const string DBInstanceClass = "DrTools:DBInstanceClass";
        /// <summary>On a DB instance from a point-in-time restore: the time asked for, or "latest".</summary>
        public const string PointInTime = "DrTools:PointInTime";

        /// <summary>UTC ISO 8601 with seconds, e.g. 2024-05-01T02:00:00Z.</summary>
        public static string FormatTime(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public static DateTime? ParseTime(string? value) =>
            value != null && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                ? t : null;

        /// <summary>Who made it, so a stray snapshot can be traced to a machine and account.</summary>
        public static string DefaultCreatedBy() => $"DrTools ({Environment.UserName}@{Environment.MachineName})";

        internal static string Pair(string region, string id) => region + ":" + id;

        internal static (string Region, string Id)? SplitPair(string? value)
        {
            if (value == null) return null;
            var i = value.IndexOf(':');
            return i <= 0 ? null : (value.Substring(0, i), value.Substring(i + 1));
        }
    }

    /// <summary>A recovery point removed (or, with -WhatIf, that would be) by Remove-DrBackup.</summary>
    public sealed class RecoveryPointRemoval
    {
        public RecoveryPointKind Kind { get; init; }
        public string Id { get; init; } = "";
        public string SourceId { get; init; } = "";
        public string Region { get; init; } = "";
        public DateTime Created { get; init; }
        /// <summary>Why it goes: "not kept by keep last 3", "expired 2024-05-01T00:00:00Z", "asked by id".</summary>
        public string Reason { get; init; } = "";
        /// <summary>For an image: the snapshots deleted with it.</summary>
        public IReadOnlyList<string> DeletedSnapshotIds { get; init; } = Array.Empty<string>();
        public override string ToString() => $"{Kind} {Id} ({Reason})";
    }

    /// <summary>A resource Restore-DrBackup made from a recovery point.</summary>
    public sealed class RestoredResource
    {
        /// <summary>Volume, Instance, DBInstance or DBCluster.</summary>
        public string ResourceType { get; init; } = "";
        public string Id { get; init; } = "";
        public string Region { get; init; } = "";
        public string State { get; init; } = "";
        public string RecoveryPointId { get; init; } = "";
        public RecoveryPointKind Kind { get; init; }
        /// <summary>The AZ (volume), private IP (instance) or endpoint address (DB instance, DB cluster writer endpoint) to point clients at.</summary>
        public string? Address { get; init; }
        /// <summary>A point-in-time restore: the time restored to (UTC); for the latest restorable time, that time as known when the restore started (null when unknown).</summary>
        public DateTime? PointInTime { get; init; }
        /// <summary>The full AWS description: Ec2Volume, Ec2Instance, DbInstance or DbCluster.</summary>
        public object? Resource { get; init; }
        /// <summary>DB cluster: the instances created in it (a restored cluster has none until DrTools creates one).</summary>
        public IReadOnlyList<string> InstanceIds { get; init; } = Array.Empty<string>();
        public override string ToString() => $"{ResourceType} {Id} ({State})";

        internal static IEnumerable<string> Ids(IEnumerable<RestoredResource> r) => r.Select(x => x.Id);
    }
}
