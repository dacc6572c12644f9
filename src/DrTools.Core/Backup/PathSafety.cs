using System;
using System.IO;
using System.Linq;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Refuses manifest paths that could land outside the restore destination or name a device: '..' or '.'
    /// segments, rooted paths, drive letters, backslashes, ':' (alternate data streams), \\?\ and \\.\ prefixes,
    /// control characters, and reserved Windows names (CON, NUL, COM1...), whatever the OS restoring them.
    /// </summary>
    public static class PathSafety
    {
        static readonly string[] Reserved =
        {
            "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
        };

        /// <summary>Why <paramref name="relativePath"/> is unsafe, or null when it is safe.</summary>
        public static string? Problem(string relativePath)
        {
            if (string.IsNullOrEmpty(relativePath)) return "the path is empty";
            if (relativePath.StartsWith("/", StringComparison.Ordinal) || relativePath.StartsWith("\\", StringComparison.Ordinal)) return "the path is rooted";
            if (relativePath.Length >= 2 && relativePath[1] == ':') return "the path names a drive";
            if (relativePath.IndexOf('\\') >= 0) return "the path contains a backslash";
            if (relativePath.IndexOf(':') >= 0) return "the path contains ':' (drive or alternate data stream)";
            if (relativePath.Any(c => c < 32)) return "the path contains control characters";
            foreach (var segment in relativePath.Split('/'))
            {
                if (segment.Length == 0) return "the path has an empty segment";
                if (segment == "." || segment == "..") return $"the path contains a '{segment}' segment";
                var stem = segment.Split('.')[0].TrimEnd(' ');
                if (Reserved.Any(r => string.Equals(r, stem, StringComparison.OrdinalIgnoreCase))) return $"'{segment}' is a reserved device name";
                if (segment.EndsWith(".", StringComparison.Ordinal) || segment.EndsWith(" ", StringComparison.Ordinal)) return $"'{segment}' ends with a dot or space";
            }
            return null;
        }

        public static string? NameProblem(string relativePath, bool windows) => null;

        /// <summary>The full path of <paramref name="relativePath"/> under <paramref name="destination"/>; DrTools.UnsafePath when it is unsafe.</summary>
        public static string Resolve(string destination, string relativePath, string setId)
        {
            var problem = Problem(relativePath);
            string? full = null;
            if (problem == null)
            {
                var root = Path.GetFullPath(destination).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
                full = Path.GetFullPath(Path.Combine(root, relativePath.Replace('/', Path.DirectorySeparatorChar)));
                if (!full.StartsWith(root, StringComparison.OrdinalIgnoreCase)) problem = "the path resolves outside the destination";
            }
            if (problem != null)
                throw new DrToolsException(BackupErrorIds.UnsafePath, DrErrorCategory.InvalidData,
                    $"Backup set '{setId}' contains the path '{relativePath}', which DrTools refuses to restore: {problem}. Nothing was restored.",
                    relativePath, "The manifest was crafted or damaged. Restore another backup set, or use -Include to restore only the files you need.");
            return full!;
        }

        }

    public sealed class RestoreTempName
    {
        public const string Prefix = ".drtmp-";
        public static bool IsMatch(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);
        public string Next() => Prefix + Guid.NewGuid().ToString("N");
    }
}
