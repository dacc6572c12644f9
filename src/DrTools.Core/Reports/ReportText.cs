using System;
using System.Globalization;
using System.Linq;

namespace DrTools.Core.Reports
{
    /// <summary>How times, durations and sizes read in every rendering (culture-invariant, so a report reads the same everywhere).</summary>
    public static class ReportText
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>"2026-12-05 03:48:45 +02:00": local time of the report's zone with its offset.</summary>
        public static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss zzz", Inv);

        public static string Time(DateTimeOffset? t) => t is { } v ? Time(v) : "";

        /// <summary>"03:48:45": for timeline rows, where the date is in the run's header.</summary>
        public static string Clock(DateTimeOffset t) => t.ToString("HH:mm:ss", Inv);

        /// <summary>"45s", "12m 30s", "1h 02m 03s", "2d 03h 10m"; negative values get a minus sign.</summary>
        public static string Duration(TimeSpan d)
        {
            if (d < TimeSpan.Zero) return "-" + Duration(d.Negate());
            if (d < TimeSpan.FromSeconds(10) && d.Milliseconds != 0 && d.TotalSeconds > 0)
                return d.TotalSeconds.ToString("0.0", Inv) + "s";
            var s = (long)Math.Round(d.TotalSeconds, MidpointRounding.AwayFromZero);
            if (s < 60) return s.ToString(Inv) + "s";
            if (s < 3600) return $"{s / 60}m {s % 60:00}s";
            if (s < 86400) return $"{s / 3600}h {s / 60 % 60:00}m {s % 60:00}s";
            return $"{s / 86400}d {s / 3600 % 24:00}h {s / 60 % 60:00}m";
        }

        public static string Duration(TimeSpan? d) => d is { } v ? Duration(v) : "";

        /// <summary>"1.5 GiB": binary units, one decimal.</summary>
        public static string Size(long bytes)
        {
            string[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
            double v = bytes;
            var i = 0;
            while (v >= 1024 && i < units.Length - 1) { v /= 1024; i++; }
            return i == 0 ? bytes.ToString(Inv) + " B" : v.ToString("0.0", Inv) + " " + units[i];
        }

        /// <summary>"met", "MISSED", or "" without a target.</summary>
        public static string Met(bool? met) => met switch { true => "met", false => "MISSED", null => "" };

        /// <summary>"12m 30s of 30m 00s (met)"; "12m 30s (no target)".</summary>
        public static string Measure(ReportMeasure m)
        {
            if (m.Achieved == null) return m.Target is { } t ? $"not measured (target {Duration(t)})" : "not measured";
            if (m.Target == null) return Duration(m.Achieved) + " (no target)";
            return $"{Duration(m.Achieved)} of {Duration(m.Target)} ({Met(m.Met)})";
        }

        /// <summary>"; successful runs took 20m 00s to 34m 00s", "; the successful run took 34m 00s", or "".</summary>
        public static string TrendRange(ReportTrend t) =>
            t.BestRto is not { } best || t.WorstRto is not { } worst ? ""
            : best == worst && t.Points.Count(p => p.Outcome == "Succeeded") == 1 ? $"; the successful run took {Duration(best)}"
            : $"; successful runs took {Duration(best)} to {Duration(worst)}";

        /// <summary>"UTC" or "UTC+02:00 (Europe/Berlin)" at the given time.</summary>
        public static string Zone(TimeZoneInfo zone, DateTimeOffset at)
        {
            var offset = zone.GetUtcOffset(at);
            if (offset == TimeSpan.Zero && (zone.Id == "UTC" || zone.Id == "Etc/UTC" || zone.Id == "Coordinated Universal Time")) return "UTC";
            var sign = offset < TimeSpan.Zero ? "-" : "+";
            var abs = offset.Duration();
            return $"UTC{sign}{abs.Hours:00}:{abs.Minutes:00} ({zone.Id})";
        }
    }
}
