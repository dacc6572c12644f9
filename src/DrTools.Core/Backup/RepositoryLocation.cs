using System;
using System.IO;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Where a repository lives: <c>s3://bucket/prefix</c>, or a folder given as a local path, a UNC path
    /// (<c>\\server\share\dr</c>) or a <c>file://</c> URI.
    /// </summary>
    public sealed class RepositoryLocation
    {
        RepositoryLocation(string display, string? folder, string? bucket, string prefix)
        {
            Display = display;
            Folder = folder;
            Bucket = bucket;
            Prefix = prefix;
        }

        public bool IsS3 => Bucket != null;

        /// <summary>The full folder path for a folder repository.</summary>
        public string? Folder { get; }

        public string? Bucket { get; }

        /// <summary>Key prefix inside the bucket, empty or ending in '/'.</summary>
        public string Prefix { get; }

        /// <summary>The canonical text form (s3://bucket/prefix or the full folder path); what output objects carry.</summary>
        public string Display { get; }

        public override string ToString() => Display;

        /// <summary>What a valid repository looks like; every location error says it.</summary>
        public const string ValidForms =
            "A repository is s3://bucket/prefix (the bucket name: 3-63 lowercase letters, digits, dots and hyphens), a local or UNC " +
            "folder (D:\\DrBackup, \\\\server\\share\\DrBackup, ./backup) or a file:// URI (file:///D:/DrBackup).";

        /// <summary>
        /// True when <paramref name="value"/> is meant as a URI or an S3 location (s3:..., scheme://...) rather than a
        /// folder path: such text is checked by <see cref="Parse"/> and never handed to a file system or PowerShell drive.
        /// </summary>
        public static bool LooksLikeUri(string value)
        {
            value = (value ?? "").Trim();
            return value.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
                   || value.IndexOf("://", StringComparison.Ordinal) > 0;
        }

        public static RepositoryLocation Parse(string value)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw BackupErrors.InvalidArgument("The repository location is empty.", value, ValidForms);
            value = value.Trim();
            if (value.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            {
                var rest = value.Substring(3).TrimStart('/');
                throw BackupErrors.InvalidArgument($"'{value}' is not a valid S3 location: it needs two slashes after 's3:'.", value,
                    $"Write it as s3://{(rest.Length > 0 ? rest : "bucket/prefix")}. {ValidForms}");
            }
            if (value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            {
                var rest = value.Substring(5);
                var slash = rest.IndexOf('/');
                var bucket = slash < 0 ? rest : rest.Substring(0, slash);
                var prefix = slash < 0 ? "" : rest.Substring(slash + 1).Trim('/');
                if (bucket.Length == 0)
                    throw BackupErrors.InvalidArgument($"'{value}' names no bucket.", value, $"Write s3://bucket/prefix, e.g. s3://corp-dr-backups/fs01. {ValidForms}");
                if (!IsValidBucket(bucket))
                    throw BackupErrors.InvalidArgument($"'{bucket}' in '{value}' is not a valid S3 bucket name.", value,
                        $"Use s3://bucket/prefix with a bucket name of 3-63 lowercase letters, digits, dots and hyphens. {ValidForms}");
                if (prefix.Length > 0) prefix += "/";
                return new RepositoryLocation($"s3://{bucket}/{prefix}".TrimEnd('/'), null, bucket, prefix);
            }
            string path = value;
            if (value.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !uri.IsFile)
                    throw BackupErrors.InvalidArgument($"'{value}' is not a valid file:// URI.", value, "Use file:///D:/DrBackup, file://server/share/DrBackup or a plain path.");
                path = uri.IsUnc ? uri.LocalPath : Uri.UnescapeDataString(uri.AbsolutePath);
                if (Path.DirectorySeparatorChar == '\\') path = path.TrimStart('/').Replace('/', '\\');
                if (uri.IsUnc && !path.StartsWith(@"\\", StringComparison.Ordinal)) path = @"\\" + uri.Host + path;
            }
            else if (value.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                if (S3UrlAsLocation(value) is { } s3)
                    throw BackupErrors.InvalidArgument($"'{value}' is an S3 web address; DrTools names an S3 repository as s3://bucket/prefix.", value,
                        $"Use -Repository {s3} (and -Region for the bucket's region). {ValidForms}");
                throw BackupErrors.InvalidArgument($"'{value}' is not a supported repository location ({value.Substring(0, value.IndexOf(':'))}:// is not).", value, ValidForms);
            }
            string full;
            try { full = Path.GetFullPath(path); }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw BackupErrors.InvalidArgument($"'{value}' is not a valid folder path: {ex.Message}", value,
                    "Use s3://bucket/prefix or a folder path such as D:\\DrBackup.");
            }
            var trimmed = full.Length > Path.GetPathRoot(full)!.Length ? full.TrimEnd('/', '\\') : full;
            return new RepositoryLocation(trimmed, trimmed, null, "");
        }

        /// <summary>https://bucket.s3[.region].amazonaws.com/prefix or https://s3[.region].amazonaws.com/bucket/prefix as s3://bucket/prefix.</summary>
        static string? S3UrlAsLocation(string value)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http")) return null;
            var host = uri.Host.ToLowerInvariant();
            if (!host.EndsWith(".amazonaws.com", StringComparison.Ordinal)) return null;
            var path = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
            var s3 = host.IndexOf(".s3.", StringComparison.Ordinal) is var i and > 0 ? i : host.IndexOf(".s3-", StringComparison.Ordinal);
            if (s3 > 0) return ("s3://" + host.Substring(0, s3) + "/" + path).TrimEnd('/');
            if (host.StartsWith("s3.", StringComparison.Ordinal) || host.StartsWith("s3-", StringComparison.Ordinal))
                return path.Length > 0 ? "s3://" + path : "s3://bucket/prefix";
            return null;
        }

        static bool IsValidBucket(string b)
        {
            if (b.Length < 3 || b.Length > 63) return false;
            foreach (var c in b)
                if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '.' || c == '-' || c == '_' || c is >= 'A' and <= 'Z')) return false;
            return true;
        }
    }
}
