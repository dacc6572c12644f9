using System;
using System.Globalization;

namespace DrTools.Core.Diagnostics
{
    /// <summary>
    /// The one way DrTools shows a point in time to a person (tables, lists, -WhatIf, messages): UTC, marked with Z,
    /// e.g. 2026-03-01 02:15:00Z. Recovery spans regions and time zones; one unambiguous form can be compared and
    /// pasted back (-PointInTime '2026-03-01 02:15:00Z').
    /// </summary>
    public static class DisplayTime
    {
        /// <summary>The format string, also used by the module's format views: ToUniversalTime().ToString('u').</summary>
        public const string FormatString = "u";

        /// <summary>A time as UTC with Z; an Unspecified kind is taken as UTC (the AWS and manifest times are).</summary>
        public static string Format(DateTime time) =>
            (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).ToString(FormatString, CultureInfo.InvariantCulture);

        public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(FormatString, CultureInfo.InvariantCulture);
    }
}
