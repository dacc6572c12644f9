using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DrTools.Core.Plans
{
    /// <summary>
    /// Durations in plans: ISO 8601 ("PT1H", "PT15M", "P1DT12H", "P2W", "PT0.5S") or .NET/PowerShell time spans
    /// ("01:00:00", "00:15:00", "1.12:00:00"). Years and months are refused: they have no fixed length.
    /// </summary>
    public static class Duration
    {
        static readonly Regex Iso = new(
            @"^P(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+)H)?(?:(?<m>\d+)M)?(?:(?<s>\d+(?:[.,]\d+)?)S)?)?$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>Parses either syntax; false (with the reason) when <paramref name="text"/> is neither.</summary>
        public static bool TryParse(string? text, out TimeSpan value, out string? error)
        {
            value = default;
            error = null;
            var t = text?.Trim() ?? "";
            if (t.Length == 0) { error = "is empty; expected a duration such as \"PT1H\" or \"01:00:00\""; return false; }
            if (t[0] == 'P' || t[0] == 'p')
            {
                var m = Iso.Match(t);
                if (!m.Success || t.EndsWith("T", StringComparison.OrdinalIgnoreCase) || t.Length == 1)
                {
                    error = Regex.IsMatch(t, @"^P(\d+Y|\d+M)", RegexOptions.IgnoreCase)
                        ? $"'{t}' uses years or months, which have no fixed length; use days or weeks (\"P30D\")"
                        : $"'{t}' is not an ISO 8601 duration such as \"PT1H\", \"PT15M\" or \"P1DT12H\"";
                    return false;
                }
                double Part(string g) => m.Groups[g].Success ? double.Parse(m.Groups[g].Value.Replace(',', '.'), CultureInfo.InvariantCulture) : 0;
                try
                {
                    value = TimeSpan.FromDays(Part("w") * 7 + Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m"))
                            + TimeSpan.FromTicks((long)Math.Round(Part("s") * TimeSpan.TicksPerSecond));
                    return true;
                }
                catch (OverflowException)
                {
                    error = $"'{t}' is too long";
                    return false;
                }
            }
            if (TimeSpan.TryParseExact(t, "c", CultureInfo.InvariantCulture, out value) && t.IndexOf(':') > 0) return true;
            error = $"'{t}' is not a duration; use ISO 8601 (\"PT1H\", \"PT15M\") or hh:mm:ss (\"01:00:00\")";
            return false;
        }

        /// <summary>Parses either syntax or throws <see cref="FormatException"/> with the reason.</summary>
        public static TimeSpan Parse(string text) =>
            TryParse(text, out var value, out var error) ? value : throw new FormatException($"Duration {error}.");

        /// <summary>The ISO 8601 form plans are written with ("PT1H30M", "P1D", "PT0S").</summary>
        public static string ToIso(TimeSpan value)
        {
            if (value < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), "Durations in plans are never negative.");
            if (value == TimeSpan.Zero) return "PT0S";
            var sb = new StringBuilder("P");
            if (value.Days > 0) sb.Append(value.Days).Append('D');
            var rest = value - TimeSpan.FromDays(value.Days);
            if (rest > TimeSpan.Zero)
            {
                sb.Append('T');
                if (rest.Hours > 0) sb.Append(rest.Hours).Append('H');
                if (rest.Minutes > 0) sb.Append(rest.Minutes).Append('M');
                var seconds = rest.Seconds + rest.Milliseconds / 1000.0 + (rest.Ticks % TimeSpan.TicksPerMillisecond) / (double)TimeSpan.TicksPerSecond;
                if (seconds > 0) sb.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('S');
            }
            return sb.ToString();
        }
    }
}
