using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DrTools.Core.Backup.Chunking;

namespace DrTools.Core.Backup
{
    /// <summary>config.json: identifies a repository and fixes how it chunks.</summary>
    public sealed class RepositoryConfig
    {
        public const int CurrentFormat = 1;
        public int FormatVersion { get; set; } = CurrentFormat;
        public string Id { get; set; } = "";
        public DateTime Created { get; set; }
        public ChunkerParameters Chunker { get; set; } = ChunkerParameters.Default;
    }

    /// <summary>snapshots/&lt;id&gt;.json: one backup set. Written last, after every chunk it names is stored.</summary>
    public sealed class BackupManifest
    {
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
        public List<ManifestFile> Files { get; set; } = new();
        public List<string> Warnings { get; set; } = new();

        /// <summary>SHA-256 (hex) of this manifest's canonical JSON with this field absent.</summary>
        public string? Checksum { get; set; }
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

    /// <summary>locks/&lt;id&gt;.json: a backup or prune in progress (see docs/repository-format.md for the rule).</summary>
    public sealed class RepositoryLock
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Host { get; set; } = "";
        public int ProcessId { get; set; }
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

        public static string Hex(byte[] hash)
        {
            var sb = new StringBuilder(hash.Length * 2);
            foreach (var b in hash) sb.Append(b.ToString("x2"));
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
            m.Checksum = claimed;
            return m;
        }
    }
}
