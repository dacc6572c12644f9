using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DrTools.Core.Backup.Chunking;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>config.json: identifies a repository and fixes how it chunks.</summary>
    public sealed class RepositoryConfig
    {
        /// <summary>2: blobs in packs with index files, trees per folder, zstd (1 was one object per chunk, DrTools 0.1 previews).</summary>
        public const int CurrentFormat = 2;
        public int FormatVersion { get; set; } = CurrentFormat;
        public string Id { get; set; } = "";
        public DateTime Created { get; set; }
        public ChunkerParameters Chunker { get; set; } = ChunkerParameters.Default;
    }

    /// <summary>
    /// snapshots/&lt;id&gt;.json: one backup set. Written last, after every blob it names (trees and chunks) is stored
    /// and indexed. The file list lives in one tree blob per folder (<see cref="Trees"/>); <see cref="Files"/> is
    /// only there once <see cref="BackupRepository.LoadFilesAsync"/> has read them.
    /// </summary>
    public sealed class BackupManifest
    {
        List<ManifestFile>? _files;

        public int FormatVersion { get; set; } = RepositoryConfig.CurrentFormat;
        public string Id { get; set; } = "";
        public DateTime Time { get; set; }
        public DateTime Completed { get; set; }
        public string Host { get; set; } = "";
        public string User { get; set; } = "";
        public List<string> SourcePaths { get; set; } = new();
        public List<string> Tags { get; set; } = new();
        public List<string> Excludes { get; set; } = new();
        public long FileCount { get; set; }
        public long TotalBytes { get; set; }
        public long NewBytes { get; set; }
        public long NewChunks { get; set; }

        /// <summary>Bytes this run stored in the repository (packs and index, after compression).</summary>
        public long UploadedBytes { get; set; }

        /// <summary>One tree blob per folder that has files: the folder's path in the set and the blob's name.</summary>
        public List<TreeRef> Trees { get; set; } = new();
        public List<string> Warnings { get; set; } = new();

        /// <summary>Every file in the set, sorted by path. Throws until the trees were read (a header-only read).</summary>
        [JsonIgnore]
        public List<ManifestFile> Files
        {
            get => _files ?? throw new InvalidOperationException($"The file list of backup set {Id} was not read (call BackupRepository.LoadFilesAsync).");
            set => _files = value;
        }

        [JsonIgnore]
        public bool FilesLoaded => _files != null;

        /// <summary>
        /// Folders whose tree blob could not be read when the file list was loaded (missing or damaged): their files are
        /// not in <see cref="Files"/>. Never serialized; a restore or verify reports each one.
        /// </summary>
        [JsonIgnore]
        public List<DamagedFolder> DamagedFolders { get; } = new();

        /// <summary>SHA-256 (hex) of this manifest's canonical JSON with this field absent.</summary>
        public string? Checksum { get; set; }
    }

    /// <summary>A folder of a backup set whose file list (tree blob) cannot be read, and why.</summary>
    public sealed class DamagedFolder
    {
        public DamagedFolder(string path, string tree, DrToolsException error)
        {
            Path = path;
            Tree = tree;
            Error = error;
        }

        /// <summary>The folder in the set ('/' separated, "" for the single files of a set).</summary>
        public string Path { get; }
        public string Tree { get; }
        public DrToolsException Error { get; }
    }

    public sealed class ManifestFile
    {
        /// <summary>Relative, '/' separated; the first segment is the source folder's (or file's) name.</summary>
        public string Path { get; set; } = "";
        public long Size { get; set; }
        public DateTime MTime { get; set; }
        public int Attributes { get; set; }
        public string Sha256 { get; set; } = "";
        public List<string> Chunks { get; set; } = new();
    }

    public sealed class TreeRef
    {
        /// <summary>The folder, relative and '/' separated like file paths ("" for a set of single files).</summary>
        public string Path { get; set; } = "";

        /// <summary>The tree blob: SHA-256 of its JSON (an array of <see cref="TreeEntry"/>).</summary>
        public string Tree { get; set; } = "";
    }

    /// <summary>One file in a tree blob. Chunks is omitted when the file is the one chunk named by its Sha256.</summary>
    public sealed class TreeEntry
    {
        public string Name { get; set; } = "";
        public long Size { get; set; }
        public DateTime MTime { get; set; }
        public int Attributes { get; set; }
        public string Sha256 { get; set; } = "";
        public List<string>? Chunks { get; set; }
    }

    /// <summary>locks/&lt;id&gt;.json: a backup, read or prune in progress (see docs/repository-format.md for the rules).</summary>
    public sealed class RepositoryLock
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Host { get; set; } = "";

        /// <summary>The computer's full host name and machine id (BackupRepository.LocalHostId): only a lock of this very computer is ever taken over.</summary>
        public string? HostId { get; set; }

        public int ProcessId { get; set; }

        /// <summary>The owning process's start time (UTC): with the id it tells a running owner from a dead one on the same host. Null in locks written by earlier DrTools builds (those fall back to staleness).</summary>
        public DateTime? ProcessStart { get; set; }

        public DateTime Created { get; set; }
        public DateTime Refreshed { get; set; }
    }

    internal static class Json
    {
        public static readonly JsonSerializerOptions Options = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };

        public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

        public static T Deserialize<T>(byte[] data, string what)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(data, Options) ?? throw new JsonException("null document");
            }
            catch (JsonException ex)
            {
                throw BackupErrors.Integrity($"{what} is not valid JSON: {ex.Message}", what, ex);
            }
        }

        public static string Sha256Hex(byte[] data, int length)
        {
            using var sha = SHA256.Create();
            return Hex(sha.ComputeHash(data, 0, length));
        }

        public static string Hex(byte[] hash) => Hex(hash, 0, hash.Length);

        public static string Hex(byte[] data, int offset, int count)
        {
            var sb = new StringBuilder(count * 2);
            for (int i = offset; i < offset + count; i++) sb.Append(data[i].ToString("x2"));
            return sb.ToString();
        }

        public static byte[] FromHex(string hex)
        {
            var bytes = new byte[hex.Length / 2];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(hex.Substring(i * 2, 2), 16);
            return bytes;
        }

        /// <summary>Serializes a manifest with its checksum filled in.</summary>
        public static byte[] SealManifest(BackupManifest m)
        {
            m.Checksum = null;
            var body = Serialize(m);
            m.Checksum = Sha256Hex(body, body.Length);
            return Serialize(m);
        }

        /// <summary>Parses a manifest and checks its checksum and id; any mismatch is an integrity error.</summary>
        public static BackupManifest OpenManifest(byte[] data, string expectedId)
        {
            var what = $"Manifest of backup set '{expectedId}'";
            var m = Deserialize<BackupManifest>(data, what);
            var claimed = m.Checksum;
            m.Checksum = null;
            var body = Serialize(m);
            var actual = Sha256Hex(body, body.Length);
            if (!string.Equals(claimed, actual, StringComparison.OrdinalIgnoreCase))
                throw BackupErrors.Integrity($"{what} fails its checksum (stored {claimed ?? "none"}, computed {actual}): it was modified or damaged.", expectedId);
            if (m.Id != expectedId)
                throw BackupErrors.Integrity($"{what} names itself '{m.Id}'.", expectedId);
            var invalid = InvalidManifestField(m);
            if (invalid != null)
                throw BackupErrors.Integrity($"{what} is not a valid backup set: {invalid}.", expectedId);
            m.Checksum = claimed;
            return m;
        }

        /// <summary>
        /// What makes a parsed manifest unusable (a crafted or mis-written file with a valid checksum), or null. Checked
        /// on read so no reader meets a null list, a negative count or a malformed blob name.
        /// </summary>
        static string? InvalidManifestField(BackupManifest m)
        {
            if (m.FormatVersion != RepositoryConfig.CurrentFormat) return $"formatVersion is {m.FormatVersion}, not {RepositoryConfig.CurrentFormat}";
            if (m.FileCount < 0) return $"fileCount is {m.FileCount}";
            if (m.TotalBytes < 0) return $"totalBytes is {m.TotalBytes}";
            if (m.NewBytes < 0 || m.NewChunks < 0 || m.UploadedBytes < 0) return "a byte or chunk count is negative";
            if (m.SourcePaths == null || m.SourcePaths.Any(s => s == null)) return "sourcePaths is missing or holds null";
            if (m.Tags == null || m.Tags.Any(s => s == null)) return "tags is missing or holds null";
            if (m.Excludes == null || m.Excludes.Any(s => s == null)) return "excludes is missing or holds null";
            if (m.Warnings == null || m.Warnings.Any(s => s == null)) return "warnings is missing or holds null";
            if (m.Host == null || m.User == null) return "host or user is null";
            if (m.Trees == null) return "trees is missing";
            var paths = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in m.Trees)
            {
                if (t == null) return "trees holds null";
                if (t.Path == null) return "a tree has no path";
                if (!IsBlobId(t.Tree)) return $"the tree of folder '{t.Path}' is not a SHA-256 name ('{t.Tree}')";
                if (!paths.Add(t.Path)) return $"folder '{t.Path}' is listed twice";
            }
            return null;
        }

        /// <summary>What makes a tree blob's entries unusable, or null (names, sizes and chunk names checked).</summary>
        public static string? InvalidTree(List<TreeEntry>? entries)
        {
            if (entries == null) return "it is not a list of files";
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in entries)
            {
                if (e == null) return "it holds a null entry";
                if (string.IsNullOrEmpty(e.Name) || e.Name.IndexOf('/') >= 0) return $"a file name is empty or holds '/' ('{e.Name}')";
                if (!names.Add(e.Name)) return $"'{e.Name}' is listed twice";
                if (e.Size < 0) return $"'{e.Name}' has size {e.Size}";
                if (!IsBlobId(e.Sha256)) return $"'{e.Name}' has no valid SHA-256 ('{e.Sha256}')";
                if (e.Chunks != null && e.Chunks.Any(c => !IsBlobId(c))) return $"'{e.Name}' names a chunk that is null or not a SHA-256";
            }
            return null;
        }

        /// <summary>A blob name: 64 lower-case hex digits.</summary>
        public static bool IsBlobId(string? id)
        {
            if (id == null || id.Length != 64) return false;
            foreach (var c in id)
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
            return true;
        }
    }
}
