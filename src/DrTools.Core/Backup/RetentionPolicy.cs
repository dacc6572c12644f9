using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Which backup sets to keep, like restic forget: the newest KeepLast sets, plus the newest set of each of the
    /// newest KeepDaily days, KeepWeekly ISO weeks and KeepMonthly months that have backups (UTC). A set kept by
    /// any rule is kept. Applied separately to each group of sets with the same host and source paths.
    /// </summary>
    public sealed class RetentionPolicy
    {
        public int KeepLast { get; set; }
        public int KeepDaily { get; set; }
        public int KeepWeekly { get; set; }
        public int KeepMonthly { get; set; }

        public bool IsEmpty => KeepLast <= 0 && KeepDaily <= 0 && KeepWeekly <= 0 && KeepMonthly <= 0;

        public override string ToString() =>
            string.Join(", ", new[] { ("last", KeepLast), ("daily", KeepDaily), ("weekly", KeepWeekly), ("monthly", KeepMonthly) }
                .Where(p => p.Item2 > 0).Select(p => $"keep {p.Item2} {p.Item1}"));

        /// <summary>The ids of the sets to keep.</summary>
        public HashSet<string> SelectKeep(IEnumerable<BackupManifest> sets) => SelectKeep(sets, m => m.Id, m => m.Time, GroupKey);

        /// <summary>
        /// The ids of the items to keep, for anything with an id, a time (UTC) and a group (e.g. recovery points of
        /// one server): the rules apply to each group separately.
        /// </summary>
        public HashSet<string> SelectKeep<T>(IEnumerable<T> items, Func<T, string> id, Func<T, DateTime> time, Func<T, string> group)
        {
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var g in items.GroupBy(group))
            {
                var newestFirst = g.OrderByDescending(time).ThenByDescending(id, StringComparer.Ordinal).ToList();
                Apply(newestFirst, KeepLast, id, keep, id);
                Apply(newestFirst, KeepDaily, m => time(m).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), keep, id);
                Apply(newestFirst, KeepWeekly, m => IsoWeek(time(m)), keep, id);
                Apply(newestFirst, KeepMonthly, m => time(m).ToString("yyyy-MM", CultureInfo.InvariantCulture), keep, id);
            }
            return keep;
        }

        static string GroupKey(BackupManifest m) =>
            m.Host.ToUpperInvariant() + "|" + string.Join("|", m.SourcePaths.Select(p => p.ToUpperInvariant()).OrderBy(p => p, StringComparer.Ordinal));

        static void Apply<T>(List<T> newestFirst, int count, Func<T, string> bucket, HashSet<string> keep, Func<T, string> id)
        {
            string? last = null;
            foreach (var m in newestFirst)
            {
                if (count <= 0) return;
                var b = bucket(m);
                if (b == last) continue;
                keep.Add(id(m));
                last = b;
                count--;
            }
        }

        static string IsoWeek(DateTime t)
        {
            // ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday.
            var day = (int)t.DayOfWeek;
            if (day == 0) day = 7;
            var thursday = t.Date.AddDays(4 - day);
            var week = (thursday.DayOfYear - 1) / 7 + 1;
            return $"{thursday.Year}-W{week:00}";
        }
    }
}
