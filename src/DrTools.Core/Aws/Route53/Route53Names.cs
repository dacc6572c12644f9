using System;
using System.Globalization;
using System.Text;

namespace DrTools.Core.Aws.Route53
{
    /// <summary>Route 53 naming rules: fully qualified names end with a dot, ids come back with path prefixes.</summary>
    public static class Route53Names
    {
        /// <summary>"Example.COM" -> "example.com."; Route 53 escapes (\052 for '*') are decoded so names compare as DNS does.</summary>
        public static string Normalise(string name)
        {
            var n = DecodeEscapes(name.Trim()).ToLowerInvariant();
            return n.EndsWith(".", StringComparison.Ordinal) ? n : n + ".";
        }

        /// <summary>Adds the trailing dot without changing anything else (what we send on the wire).</summary>
        public static string Qualify(string name)
        {
            var n = name.Trim();
            return n.EndsWith(".", StringComparison.Ordinal) ? n : n + ".";
        }

        public static bool SameName(string a, string b) => string.Equals(Normalise(a), Normalise(b), StringComparison.Ordinal);

        /// <summary>"/hostedzone/Z1" -> "Z1", "/change/C2" -> "C2", "/healthcheck/..." -> bare id (botocore does the same).</summary>
        public static string StripId(string id)
        {
            var s = id.Trim();
            var slash = s.LastIndexOf('/');
            return slash >= 0 ? s.Substring(slash + 1) : s;
        }

        /// <summary>Route 53 returns characters outside a-z0-9-_. as \ooo octal escapes (RFC 1035 style).</summary>
        static string DecodeEscapes(string s)
        {
            if (s.IndexOf('\\') < 0) return s;
            var sb = new StringBuilder(s.Length);
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] == '\\' && IsOctal(s, i + 1))
                {
                    sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                    i += 3;
                }
                else sb.Append(s[i]);
            }
            return sb.ToString();
        }

        static bool IsOctal(string s, int start)
        {
            if (start + 3 > s.Length) return false;
            for (int i = start; i < start + 3; i++)
                if (s[i] < '0' || s[i] > '7') return false;
            return true;
        }

        internal static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
    }
}
