using System;
using System.Collections.Generic;
using System.Linq;

using DrTools.Core.Backup.Storage;

namespace DrTools.Core.Backup
{
    /// <summary>One backup set as Invoke-DrBackup and Get-DrBackup show it. Repository and Id bind by name downstream.</summary>
    public sealed class BackupSet
    {
        public string Id { get; init; } = "";
        public DateTime Time { get; init; }
        public TimeSpan Age { get; init; }
        public long Files { get; init; }
        public long Bytes { get; init; }
        public long NewBytes { get; init; }

        /// <summary>Bytes this backup stored in the repository: the new chunks after compression, plus trees and index.</summary>
        public long UploadedBytes { get; init; }
        public TimeSpan Duration { get; init; }
        public string Repository { get; init; } = "";
        public string[] Tags { get; init; } = Array.Empty<string>();
        public string Host { get; init; } = "";
        public string[] SourcePaths { get; init; } = Array.Empty<string>();

        /// <summary>Files that could not be read and are not in the set (locked, permission denied...).</summary>
        public string[] Warnings { get; init; } = Array.Empty<string>();

        public static BackupSet From(BackupManifest m, string repository) => new()
        {
            Id = m.Id,
            Time = m.Time,
            Age = DateTime.UtcNow - m.Time,
            Files = m.FileCount,
            Bytes = m.TotalBytes,
            NewBytes = m.NewBytes,
            UploadedBytes = m.UploadedBytes,
            Duration = m.Completed - m.Time,
            Repository = repository,
            Tags = m.Tags.ToArray(),
            Host = m.Host,
            SourcePaths = m.SourcePaths.ToArray(),
            Warnings = m.Warnings.ToArray(),
        };

        public override string ToString() => $"{Id} ({Time:u}, {Files} files)";
    }

    /// <summary>A backup set whose manifest cannot be read: its id, the time its id names, and the error.</summary>
    public sealed record DamagedSet(string Id, DateTime? Time, Diagnostics.DrToolsException Error);

    /// <summary>The sets of a repository: the readable ones (oldest first) and the damaged ones.</summary>
    public sealed class BackupCatalog
    {
        public List<BackupManifest> Sets { get; } = new();
        public List<DamagedSet> Damaged { get; } = new();

        /// <summary>
        /// The damaged set that is newer than <paramref name="newest"/> (and within the time window), if any: picking
        /// "the latest" must not pass over it silently.
        /// </summary>
        public DamagedSet? DamagedNewerThan(BackupManifest? newest, DateTime? notAfter = null, DateTime? notBefore = null) =>
            Damaged.Where(d => (notAfter == null || d.Time == null || d.Time <= notAfter) && (notBefore == null || d.Time == null || d.Time >= notBefore))
                .Where(d => newest == null || string.CompareOrdinal(d.Id, newest.Id) > 0)
                .OrderByDescending(d => d.Id, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>What Invoke-DrBackup backs up and how.</summary>
    public sealed class BackupOptions
    {
        public IReadOnlyList<string> Paths { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Exclude { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();

        /// <summary>Pack uploads (8 MiB each) in flight at once. Null: <see cref="DefaultConcurrency"/>.</summary>
        public int? ConcurrentRequests { get; set; }

        /// <summary>
        /// Each pack in flight costs about 20 MB (backing up 2.2 GB to a local S3 server: 2 in flight peaked at 266 MB,
        /// 4 at 310 MB, in the same time). Over a network more streams can help: raise -ConcurrentRequests there.
        /// </summary>
        public static int DefaultConcurrency(IRepositoryStore store) => store is S3Store ? 2 : 2;

        /// <summary>Pack size; tests make it small to get many packs from little data.</summary>
        internal int PackTargetSize { get; set; } = Packs.PackWriter.DefaultTargetSize;

        /// <summary>Fail the backup (no set written) when any file cannot be read.</summary>
        public bool Strict { get; set; }

        /// <summary>How long to wait for a running prune to finish before giving up.</summary>
        public TimeSpan PruneWaitTimeout { get; set; } = TimeSpan.FromMinutes(10);
    }

    internal static class Units
    {
        public static string Bytes(double b)
        {
            string[] u = { "B", "KB", "MB", "GB", "TB" };
            int i = 0;
            while (b >= 1024 && i < u.Length - 1) { b /= 1024; i++; }
            return i == 0 ? $"{b:0} {u[i]}" : $"{b:0.0} {u[i]}";
        }
    }
}
