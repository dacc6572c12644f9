using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// The folders below a restore destination, prepared without ever following a link. The destination folder itself
    /// may be a link the user chose; below it, an existing symbolic link, junction or other reparse point is never
    /// written through: where a folder goes it is refused (per file) or, with -Overwrite, removed (the link itself, never
    /// its target) and replaced by a real folder. Folders are created one level at a time, and each level is checked
    /// again after it is created, so a link cannot be slipped in between the check and the creation of the next level.
    /// Links are told by their attributes (FileAttributes.ReparsePoint, which .NET sets for symbolic links on Unix and
    /// for every reparse point on Windows), read without following the link.
    /// </summary>
    internal sealed class RestoreDestination
    {
        readonly string _root;
        readonly bool _replaceLinks;
        readonly IOperationReporter _reporter;
        readonly ConcurrentDictionary<string, bool> _ready = new(StringComparer.Ordinal);
        readonly Dictionary<string, string?> _linkAbove = new(StringComparer.Ordinal);
        readonly object _gate = new();

        public RestoreDestination(string root, bool replaceLinks, IOperationReporter reporter)
        {
            _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            _replaceLinks = replaceLinks;
            _reporter = reporter;
        }

        /// <summary>The attributes of what is at <paramref name="path"/> (a link's own, not its target's), or null when nothing is.</summary>
        public static FileAttributes? Attributes(string path)
        {
            try { return File.GetAttributes(path); }
            catch (FileNotFoundException) { return null; }
            catch (DirectoryNotFoundException) { return null; }
        }

        public static bool IsLink(FileAttributes attributes) => (attributes & FileAttributes.ReparsePoint) != 0;

        /// <summary>Removes the link at <paramref name="path"/> itself; its target is not touched.</summary>
        public static void RemoveLink(string path, FileAttributes attributes)
        {
            // A directory link or junction: RemoveDirectory (Windows) and unlink (Unix) remove the link, not the folder it names.
            if ((attributes & FileAttributes.Directory) != 0) Directory.Delete(path, recursive: false);
            else File.Delete(path);
        }

        /// <summary>The first existing link at or above <paramref name="folder"/> (below the destination), or null; changes nothing.</summary>
        public string? FindLink(string folder)
        {
            if (_linkAbove.TryGetValue(folder, out var known)) return known;
            string? found = null;
            foreach (var level in Levels(folder))
            {
                var attributes = Attributes(level);
                if (attributes == null) break;
                if (IsLink(attributes.Value)) { found = level; break; }
                if ((attributes.Value & FileAttributes.Directory) == 0) break; // a file where a folder goes: the write fails on its own
            }
            _linkAbove[folder] = found;
            return found;
        }

        /// <summary>
        /// Makes <paramref name="folder"/> a real folder, level by level. A link in the way is replaced with -Overwrite, else
        /// DrTools.UnsafePath (for that file); file system errors are thrown as they are.
        /// </summary>
        public void Ensure(string folder)
        {
            if (_ready.ContainsKey(folder)) return;
            lock (_gate)
            {
                foreach (var level in Levels(folder))
                {
                    if (_ready.ContainsKey(level)) continue;
                    var attributes = Attributes(level);
                    if (attributes is { } a && IsLink(a))
                    {
                        if (!_replaceLinks) throw LinkRefused(level, null);
                        RemoveLink(level, a);
                        _reporter.Warning($"Replaced the link '{level}' in the restore destination with a folder (-Overwrite); the link's target was not touched.");
                        attributes = null;
                    }
                    if (attributes == null)
                    {
                        Directory.CreateDirectory(level); // its parent is a checked real folder: this creates one level
                        attributes = Attributes(level);
                        if (attributes is not { } created || IsLink(created) || (created & FileAttributes.Directory) == 0)
                            throw LinkRefused(level, "it changed while the restore created it");
                    }
                    else if ((attributes.Value & FileAttributes.Directory) == 0)
                    {
                        throw new IOException($"'{level}' is a file where the backup has a folder.");
                    }
                    _ready[level] = true;
                }
            }
        }

        /// <summary>The per-file refusal of a link where a folder goes.</summary>
        public static DrToolsException LinkRefused(string link, string? file) =>
            new(BackupErrorIds.UnsafePath, DrErrorCategory.InvalidData,
                (file != null ? $"'{file}' was not restored: " : "") +
                $"'{link}' in the restore destination is a link (symbolic link, junction or other reparse point), and a restore never writes through links.",
                link, "Remove the link or restore into another folder; add -Overwrite to replace the link with a real folder (the link's target is left untouched).");

        /// <summary>Each folder from the first level below the destination down to <paramref name="folder"/>.</summary>
        IEnumerable<string> Levels(string folder)
        {
            if (folder.Length <= _root.Length) yield break;
            var current = _root;
            foreach (var name in folder.Substring(_root.Length).Split(Path.DirectorySeparatorChar).Where(n => n.Length > 0))
            {
                current = current + Path.DirectorySeparatorChar + name;
                yield return current;
            }
        }
    }

    /// <summary>
    /// Names of the temporary files a restore writes next to each final name: ".drtmp-" and 8 lowercase hex digits
    /// (15 characters, whatever the final name), so a final name at the file system's limit (255 bytes) still
    /// restores. Unique within a restore (a counter from a random start). Leftovers of a stopped restore match
    /// <see cref="IsMatch"/>; repository temporaries (FolderStore: ".drtmp-" and 32 hex digits) do not.
    /// </summary>
    public sealed class RestoreTempName
    {
        public const string Prefix = ".drtmp-";
        const int HexDigits = 8;
        int _next = new Random().Next();

        /// <summary>True for a restore temporary's file name (a name, not a path).</summary>
        public static bool IsMatch(string fileName) =>
            fileName.Length == Prefix.Length + HexDigits && fileName.StartsWith(Prefix, StringComparison.Ordinal) &&
            fileName.Skip(Prefix.Length).All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

        public string Next() => Prefix + unchecked((uint)Interlocked.Increment(ref _next)).ToString("x8");
    }
}
