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

        public static RepositoryLocation Parse(string value)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw BackupErrors.InvalidArgument("The repository location is empty.", value,
                    "Pass -Repository s3://bucket/prefix or a folder path such as D:\\DrBackup or \\\\server\\share\\DrBackup.");
            value = value.Trim();
            if (value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            {
                var rest = value.Substring(5);
                var slash = rest.IndexOf('/');
                var bucket = slash < 0 ? rest : rest.Substring(0, slash);
                var prefix = slash < 0 ? "" : rest.Substring(slash + 1).Trim('/');
                if (!IsValidBucket(bucket))
                    throw BackupErrors.InvalidArgument($"'{bucket}' in '{value}' is not a valid S3 bucket name.", value,
                        "Use s3://bucket/prefix with a bucket name of 3-63 lowercase letters, digits, dots and hyphens.");
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
                throw BackupErrors.InvalidArgument($"'{value}' is not a supported repository location.", value,
                    "Use s3://bucket/prefix, a local or UNC folder path, or a file:// URI.");
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

        static bool IsValidBucket(string b)
        {
            if (b.Length < 3 || b.Length > 63) return false;
            foreach (var c in b)
                if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '.' || c == '-' || c == '_' || c is >= 'A' and <= 'Z')) return false;
            return true;
        }
    }
}
