using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DrTools.Core.Plans
{
    /// <summary>Collects issues while reading a plan tree.</summary>
    internal sealed class IssueList
    {
        public readonly List<PlanIssue> Items = new();
        public void Error(string path, string message) => Items.Add(new PlanIssue(PlanIssueSeverity.Error, path, message));
        public void Warn(string path, string message) => Items.Add(new PlanIssue(PlanIssueSeverity.Warning, path, message));
    }

    /// <summary>
    /// Reads one JSON object of a plan: typed getters that report a missing field or a wrong type at its JSON path
    /// and keep going, and <see cref="Finish"/> that warns about fields nobody read (typos). Keys match
    /// case-insensitively so PowerShell data files ("InstanceType") work too; paths use the schema's spelling.
    /// </summary>
    internal sealed class PlanObject
    {
        readonly Dictionary<string, (string Key, JsonElement Value)> _props = new(StringComparer.OrdinalIgnoreCase);
        readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);
        readonly IssueList _issues;

        public PlanObject(JsonElement element, string path, IssueList issues)
        {
            Path = path;
            _issues = issues;
            foreach (var p in element.EnumerateObject())
            {
                if (_props.TryGetValue(p.Name, out var existing))
                    issues.Error(Child(path, p.Name), $"appears twice (as '{existing.Key}' and '{p.Name}'); keep one");
                else _props[p.Name] = (p.Name, p.Value);
            }
        }

        public string Path { get; }
        public IssueList Issues => _issues;

        public static string Child(string path, string name) =>
            Regex.IsMatch(name, "^[A-Za-z_$][A-Za-z0-9_$]*$") ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'")}']";

        public static string Index(string path, int i) => $"{path}[{i}]";

        public string PathOf(string name) => Child(Path, name);

        public bool Has(string name) => _props.TryGetValue(name, out var v) && v.Value.ValueKind != JsonValueKind.Null;

        /// <summary>The raw value (null and absent count as missing, reported when <paramref name="required"/>).</summary>
        public JsonElement? Get(string name, bool required, string? missingHint = null)
        {
            _read.Add(name);
            if (_props.TryGetValue(name, out var v) && v.Value.ValueKind != JsonValueKind.Null) return v.Value;
            if (required) _issues.Error(PathOf(name), "is required but missing" + (missingHint != null ? $"; {missingHint}" : ""));
            return null;
        }

        /// <summary>Marks a field as known without reading it (used for fields only allowed in some variants).</summary>
        public void Forbid(string name, string why)
        {
            _read.Add(name);
            if (Has(name)) _issues.Error(PathOf(name), why);
        }

        public string? String(string name, bool required = false, Regex? pattern = null, string? expected = null, string? missingHint = null)
        {
            var v = Get(name, required, missingHint);
            if (v == null) return null;
            if (v.Value.ValueKind != JsonValueKind.String)
            {
                _issues.Error(PathOf(name), $"must be a string, not {Kind(v.Value)}");
                return null;
            }
            var s = v.Value.GetString()!.Trim();
            if (s.Length == 0)
            {
                if (required) _issues.Error(PathOf(name), "is required but empty");
                return null;
            }
            if (pattern != null && !pattern.IsMatch(s))
            {
                _issues.Error(PathOf(name), $"'{s}' is not {expected ?? "valid"}");
                return null;
            }
            return s;
        }

        public int? Int(string name, bool required = false, int min = int.MinValue, int max = int.MaxValue)
        {
            var v = Get(name, required);
            if (v == null) return null;
            if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetInt64(out var n))
            {
                _issues.Error(PathOf(name), v.Value.ValueKind == JsonValueKind.Number
                    ? $"must be a whole number, not {v.Value.GetRawText()}"
                    : $"must be a whole number, not {Kind(v.Value)}");
                return null;
            }
            if (n < min || n > max)
            {
                _issues.Error(PathOf(name), $"{n} is out of range; it must be {Range(min, max)}");
                return null;
            }
            return (int)n;
        }

        public bool? Bool(string name)
        {
            var v = Get(name, false);
            if (v == null) return null;
            if (v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.Value.GetBoolean();
            _issues.Error(PathOf(name), $"must be true or false, not {Kind(v.Value)}");
            return null;
        }

        public TimeSpan? Duration(string name, bool required = false, bool allowZero = false)
        {
            var v = Get(name, required, "use a duration such as \"PT1H\" or \"01:00:00\"");
            if (v == null) return null;
            if (v.Value.ValueKind != JsonValueKind.String)
            {
                _issues.Error(PathOf(name), $"must be a duration string such as \"PT1H\" or \"01:00:00\", not {Kind(v.Value)}");
                return null;
            }
            if (!Plans.Duration.TryParse(v.Value.GetString(), out var d, out var error))
            {
                _issues.Error(PathOf(name), "is not a duration: " + error);
                return null;
            }
            if (d < TimeSpan.Zero || (!allowZero && d == TimeSpan.Zero))
            {
                _issues.Error(PathOf(name), allowZero ? "must not be negative" : "must be longer than zero");
                return null;
            }
            return d;
        }

        /// <summary>An enum spelled UPPER_SNAKE (PILOT_LIGHT) or PascalCase (PilotLight), any case.</summary>
        public T? Enum<T>(string name, bool required = false) where T : struct, Enum
        {
            var names = System.Enum.GetNames(typeof(T));
            var s = String(name, required, missingHint: "one of " + string.Join(", ", names.Select(UpperSnake)));
            if (s == null) return null;
            var key = s.Replace("_", "").Replace("-", "");
            foreach (var n in names)
                if (string.Equals(n, key, StringComparison.OrdinalIgnoreCase)) return (T)System.Enum.Parse(typeof(T), n);
            _issues.Error(PathOf(name), $"'{s}' is not one of {string.Join(", ", names.Select(UpperSnake))}");
            return null;
        }

        public PlanObject? Object(string name, bool required = false, string? missingHint = null)
        {
            var v = Get(name, required, missingHint);
            if (v == null) return null;
            if (v.Value.ValueKind != JsonValueKind.Object)
            {
                _issues.Error(PathOf(name), $"must be an object ({{ ... }}), not {Kind(v.Value)}");
                return null;
            }
            return new PlanObject(v.Value, PathOf(name), _issues);
        }

        /// <summary>The items of an array with their paths; a single value where an array belongs is accepted (PowerShell unrolls one-item arrays).</summary>
        public List<(JsonElement Value, string Path)> Array(string name, bool required = false)
        {
            var v = Get(name, required);
            var list = new List<(JsonElement, string)>();
            if (v == null) return list;
            if (v.Value.ValueKind != JsonValueKind.Array)
            {
                if (v.Value.ValueKind is JsonValueKind.Object or JsonValueKind.String) list.Add((v.Value, Index(PathOf(name), 0)));
                else _issues.Error(PathOf(name), $"must be a list ([ ... ]), not {Kind(v.Value)}");
                return list;
            }
            var i = 0;
            foreach (var item in v.Value.EnumerateArray()) list.Add((item, Index(PathOf(name), i++)));
            if (required && list.Count == 0) _issues.Error(PathOf(name), "must have at least one entry");
            return list;
        }

        public List<PlanObject> Objects(string name, bool required = false)
        {
            var result = new List<PlanObject>();
            foreach (var (value, path) in Array(name, required))
            {
                if (value.ValueKind == JsonValueKind.Object) result.Add(new PlanObject(value, path, _issues));
                else _issues.Error(path, $"must be an object ({{ ... }}), not {Kind(value)}");
            }
            return result;
        }

        public List<string> Strings(string name, bool required = false, Regex? pattern = null, string? expected = null)
        {
            var result = new List<string>();
            foreach (var (value, path) in Array(name, required))
            {
                if (value.ValueKind != JsonValueKind.String) { _issues.Error(path, $"must be a string, not {Kind(value)}"); continue; }
                var s = value.GetString()!.Trim();
                if (pattern != null && !pattern.IsMatch(s)) { _issues.Error(path, $"'{s}' is not {expected ?? "valid"}"); continue; }
                if (result.Contains(s, StringComparer.OrdinalIgnoreCase)) { _issues.Warn(path, $"'{s}' is listed twice"); continue; }
                result.Add(s);
            }
            return result;
        }

        /// <summary>A string-to-string map (tags).</summary>
        public Dictionary<string, string> Map(string name)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var o = Get(name, false);
            if (o == null) return result;
            if (o.Value.ValueKind != JsonValueKind.Object)
            {
                _issues.Error(PathOf(name), $"must be an object of name/value pairs, not {Kind(o.Value)}");
                return result;
            }
            foreach (var p in o.Value.EnumerateObject())
            {
                var path = Child(PathOf(name), p.Name);
                if (p.Value.ValueKind == JsonValueKind.String) result[p.Name] = p.Value.GetString()!;
                else if (p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) result[p.Name] = p.Value.GetRawText();
                else _issues.Error(path, $"must be a string, not {Kind(p.Value)}");
            }
            return result;
        }

        /// <summary>Warns about every field that was not read: unknown to the schema, most likely a typo.</summary>
        public void Finish(params string[] ignored)
        {
            foreach (var kv in _props)
            {
                if (_read.Contains(kv.Key) || ignored.Contains(kv.Key, StringComparer.OrdinalIgnoreCase)) continue;
                var guess = _read.Select(k => (k, d: Distance(k.ToLowerInvariant(), kv.Key.ToLowerInvariant())))
                    .Where(x => x.d <= Math.Max(2, x.k.Length / 3)).OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();
                _issues.Warn(Child(Path, kv.Value.Key), "is not a field of the plan schema and is ignored" + (guess != null ? $"; did you mean '{guess}'?" : ""));
            }
        }

        public static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => $"the string \"{Truncate(e.GetString()!)}\"",
            JsonValueKind.Number => $"the number {e.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
            JsonValueKind.Array => "a list",
            JsonValueKind.Object => "an object",
            _ => "null",
        };

        static string Truncate(string s) => s.Length > 40 ? s.Substring(0, 37) + "..." : s;

        static string Range(int min, int max) =>
            max == int.MaxValue ? $"at least {min}" : min == int.MinValue ? $"at most {max}" : $"from {min} to {max}";

        public static string UpperSnake(string pascal) => Regex.Replace(pascal, "(?<=[a-z0-9])([A-Z])", "_$1").ToUpperInvariant();

        internal static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
                for (var j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}
