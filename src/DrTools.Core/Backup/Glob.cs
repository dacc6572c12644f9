using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Path globs for -Exclude/-Include, matched case-insensitively against '/'-separated relative paths:
    /// <c>*</c> and <c>?</c> stay inside one path segment, <c>**</c> crosses segments. A pattern without '/' also
    /// matches any single name (so <c>*.tmp</c> excludes every .tmp file at any depth).
    /// </summary>
    public sealed class GlobSet
    {
        readonly List<(Regex Regex, bool NameOnly)> _patterns;
        readonly List<string> _sources;

        public GlobSet(IEnumerable<string>? patterns)
        {
            _sources = (patterns ?? Enumerable.Empty<string>()).Where(p => !string.IsNullOrWhiteSpace(p))
                .Select(p => p.Trim().Replace('\\', '/').TrimStart('/').TrimEnd('/')).ToList();
            _patterns = _sources.Select(p => (ToRegex(p), p.IndexOf('/') < 0)).ToList();
        }

        public bool IsEmpty => _patterns.Count == 0;

        /// <summary>True when <paramref name="relativePath"/> or (for name-only patterns) its last segment matches.</summary>
        public bool Matches(string relativePath)
        {
            var name = relativePath.Substring(relativePath.LastIndexOf('/') + 1);
            foreach (var (regex, nameOnly) in _patterns)
                if (regex.IsMatch(relativePath) || (nameOnly && regex.IsMatch(name))) return true;
            return false;
        }

        /// <summary>True when the path or any of its parent folders matches (an included folder includes its files).</summary>
        public bool MatchesSelfOrParent(string relativePath)
        {
            if (Matches(relativePath)) return true;
            for (var i = relativePath.LastIndexOf('/'); i > 0; i = relativePath.LastIndexOf('/', i - 1))
                if (Matches(relativePath.Substring(0, i))) return true;
            return false;
        }

        /// <summary>
        /// True when some pattern could match a file directly in <paramref name="folder"/> (whose file names are not
        /// known, e.g. its file list is damaged): the folder or a parent matches, a pattern is a bare name, or a
        /// pattern's folder part matches it.
        /// </summary>
        public bool CouldMatchInside(string folder)
        {
            if (folder.Length > 0 && MatchesSelfOrParent(folder)) return true;
            foreach (var glob in _sources)
            {
                var slash = glob.LastIndexOf('/');
                if (slash < 0 || glob.Contains("**")) return true; // a bare name, or ** that reaches any folder
                if (ToRegex(glob.Substring(0, slash)).IsMatch(folder)) return true;
            }
            return false;
        }

        static Regex ToRegex(string glob)
        {
            var sb = new StringBuilder("^");
            for (int i = 0; i < glob.Length; i++)
            {
                var c = glob[i];
                if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
                {
                    i++;
                    if (i + 1 < glob.Length && glob[i + 1] == '/') { i++; sb.Append("(?:.*/)?"); }
                    else sb.Append(".*");
                }
                else if (c == '*') sb.Append("[^/]*");
                else if (c == '?') sb.Append("[^/]");
                else sb.Append(Regex.Escape(c.ToString()));
            }
            sb.Append('$');
            return new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }
}
