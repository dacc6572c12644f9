using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// The two rules for manifest paths ('/' separates folders in every manifest, whatever OS wrote it):
    /// <list type="bullet">
    /// <item><see cref="Problem"/>: traversal, refused on every OS for the whole set (nothing is restored): an empty
    /// path, a rooted path ('/'), an empty, '.' or '..' segment, a NUL character.</item>
    /// <item><see cref="NameProblem"/>: a name the restoring OS cannot create, refused for that file only. On Linux and
    /// macOS every other name is legal (a backslash or ':' is an ordinary character there). On Windows: a backslash,
    /// ':' (drive or alternate data stream), &lt; &gt; " | ? *, control characters, a reserved device name (CON, NUL,
    /// COM1, AUX.c...), or a name ending with a dot or space. Checked before the path is combined with the
    /// destination, so no such name is ever given to a Windows path API.</item>
    /// </list>
    /// </summary>
    public static class PathSafety
    {
        static readonly string[] Reserved =
        {
            "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
        };

        static readonly char[] WindowsInvalid = { '\\', ':', '<', '>', '"', '|', '?', '*' };

        /// <summary>True where this process runs on Windows (its name rules apply to restores here).</summary>
        public static bool WindowsNames { get; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Why <paramref name="relativePath"/> could leave the destination (refused on every OS), or null.</summary>
        public static string? Problem(string relativePath)
        {
            if (string.IsNullOrEmpty(relativePath)) return "the path is empty";
            if (relativePath.StartsWith("/", StringComparison.Ordinal)) return "the path is rooted";
            if (relativePath.IndexOf('\0') >= 0) return "the path contains a NUL character";
            foreach (var segment in relativePath.Split('/'))
            {
                if (segment.Length == 0) return "the path has an empty segment";
                if (segment == "." || segment == "..") return $"the path contains a '{segment}' segment";
            }
            return null;
        }

        /// <summary>Why the OS (Windows when <paramref name="windows"/>) cannot hold <paramref name="relativePath"/>'s names, or null.</summary>
        public static string? NameProblem(string relativePath, bool windows)
        {
            if (!windows) return null;
            foreach (var segment in relativePath.Split('/'))
            {
                if (segment.IndexOf('\\') >= 0) return $"'{segment}' contains a backslash, a folder separator on Windows";
                if (segment.IndexOf(':') >= 0) return $"'{segment}' contains ':' (a drive or alternate data stream on Windows)";
                var bad = segment.FirstOrDefault(c => c < 32 || Array.IndexOf(WindowsInvalid, c) >= 0);
                if (bad != default(char)) return bad < 32 ? $"'{segment}' contains a control character" : $"'{segment}' contains '{bad}'";
                var stem = segment.Split('.')[0].TrimEnd(' ');
                if (Reserved.Any(r => string.Equals(r, stem, StringComparison.OrdinalIgnoreCase))) return $"'{segment}' is a reserved device name on Windows";
                if (segment.EndsWith(".", StringComparison.Ordinal)) return $"'{segment}' ends with a dot, which Windows drops";
                if (segment.EndsWith(" ", StringComparison.Ordinal)) return $"'{segment}' ends with a space, which Windows drops";
            }
            return null;
        }

        /// <summary>The per-file error for a name this OS cannot create (DrTools.UnsafePath, the other files go on).</summary>
        public static DrToolsException NameRefused(string relativePath, string problem) =>
            new(BackupErrorIds.UnsafePath, DrErrorCategory.InvalidData,
                $"'{relativePath}' cannot be restored on Windows: {problem}.", relativePath,
                "Restore this file on Linux or macOS, where the name is legal, and rename it there; DrTools restores the other files.");

        /// <summary>The full path of <paramref name="relativePath"/> under <paramref name="destination"/>; DrTools.UnsafePath when it could leave it.</summary>
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
            if (problem != null) throw Unsafe(relativePath, setId, problem);
            return full!;
        }

        /// <summary>The whole-set refusal of a path that could leave the destination.</summary>
        public static DrToolsException Unsafe(string relativePath, string setId, string problem) =>
            new(BackupErrorIds.UnsafePath, DrErrorCategory.InvalidData,
                $"Backup set '{setId}' contains the path '{relativePath}', which DrTools refuses to restore: {problem}. Nothing was restored.",
                relativePath, "The manifest was crafted or damaged. Restore another backup set, or use -Include to restore only the files you need.");
    }
}
