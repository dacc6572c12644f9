using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using DrTools.Core.Aws.Route53;

namespace DrTools.Core.Traffic
{
    /// <summary>A site's health as its Route 53 health check reports it; None when the record has no health check.</summary>
    public enum SiteHealth { None, Unknown, Healthy, Unhealthy }

    /// <summary>
    /// One site of a weighted record: the weighted record set whose SetIdentifier is the site name. Property names bind
    /// by name to Set-DrTrafficWeight (ZoneId, RecordName, RecordType).
    /// </summary>
    public sealed record TrafficWeight
    {
        /// <summary>The zone name, with the trailing dot.</summary>
        public string Zone { get; init; } = "";
        public string ZoneId { get; init; } = "";
        public string RecordName { get; init; } = "";
        public string RecordType { get; init; } = "";
        /// <summary>The SetIdentifier of the weighted record.</summary>
        public string Site { get; init; } = "";
        public long Weight { get; init; }
        /// <summary>Percent of the record's traffic this site gets (weight / sum of weights); equal shares when all are 0, as Route 53 does.</summary>
        public double Share { get; init; }
        public IReadOnlyList<string> Values { get; init; } = Array.Empty<string>();
        /// <summary>The alias target's DNS name, for alias records (no Values, no TTL).</summary>
        public string? AliasTarget { get; init; }
        public long? Ttl { get; init; }
        public string? HealthCheckId { get; init; }
        public SiteHealth Health { get; init; }
        /// <summary>The record set exactly as Route 53 returned it.</summary>
        public ResourceRecordSet RecordSet { get; init; } = new();

        public override string ToString() => $"{RecordName} {RecordType} '{Site}' weight {Weight} ({Share.ToString("0.#", CultureInfo.InvariantCulture)}%)";
    }

    /// <summary>What a traffic change does to one site.</summary>
    public sealed record TrafficSiteChange
    {
        public string Site { get; init; } = "";
        public long Before { get; init; }
        public long After { get; init; }
        public double ShareBefore { get; init; }
        public double ShareAfter { get; init; }
        public SiteHealth Health { get; init; }
        public bool Changed => Before != After;

        public override string ToString() =>
            $"{Site}: {Before} -> {After} ({Pct(ShareBefore)} -> {Pct(ShareAfter)})" + (Changed ? "" : " unchanged") +
            (Health == SiteHealth.None ? "" : $", health {Health}");

        internal static string Pct(double v) => v.ToString("0.#", CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>Options of a traffic change.</summary>
    public sealed record TrafficChangeOptions
    {
        /// <summary>The record type; needed only when the name has weighted records of more than one type.</summary>
        public string? RecordType { get; init; }
        /// <summary>Override the safety rules (all weights zero, traffic to an unhealthy site).</summary>
        public bool OverrideSafety { get; init; }
        /// <summary>The change batch comment; a description of the change when omitted.</summary>
        public string? Comment { get; init; }
    }

    /// <summary>
    /// A traffic change worked out but not made: every site's weight before and after, the exact UPSERT batch, the
    /// safety verdict, and the record sets as they were read (to detect a change made by someone else in between).
    /// </summary>
    public sealed record TrafficChangePlan
    {
        public string Zone { get; init; } = "";
        public string ZoneId { get; init; } = "";
        public string RecordName { get; init; } = "";
        public string RecordType { get; init; } = "";
        public IReadOnlyList<TrafficSiteChange> Sites { get; init; } = Array.Empty<TrafficSiteChange>();
        /// <summary>The ONE ChangeResourceRecordSets batch: an UPSERT per changed site, every other field kept.</summary>
        public IReadOnlyList<RecordChange> Changes { get; init; } = Array.Empty<RecordChange>();
        /// <summary>The weighted record sets as read when planning.</summary>
        public IReadOnlyList<ResourceRecordSet> Observed { get; init; } = Array.Empty<ResourceRecordSet>();
        public string Comment { get; init; } = "";
        /// <summary>The safety rules' verdict in words.</summary>
        public string SafetyVerdict { get; init; } = "";
        /// <summary>Safety problems -OverrideSafety overrode (empty when none).</summary>
        public IReadOnlyList<string> OverriddenSafetyProblems { get; init; } = Array.Empty<string>();
        public DateTimeOffset PlannedAt { get; init; }
        public bool HasChanges => Changes.Count > 0;

        /// <summary>The plan in words, one site a line: what -WhatIf and -Confirm show.</summary>
        public string Describe()
        {
            var sb = new StringBuilder();
            sb.Append($"Weighted record {RecordName} {RecordType} in hosted zone {Zone} ({ZoneId}):");
            var width = Sites.Count == 0 ? 0 : Sites.Max(s => s.Site.Length);
            foreach (var s in Sites)
                sb.Append("\n  ").Append(s.Site.PadRight(width)).Append("  weight ")
                  .Append(s.Before.ToString(CultureInfo.InvariantCulture)).Append(" -> ").Append(s.After.ToString(CultureInfo.InvariantCulture))
                  .Append($"  (share {TrafficSiteChange.Pct(s.ShareBefore)} -> {TrafficSiteChange.Pct(s.ShareAfter)})")
                  .Append(s.Changed ? "" : "  unchanged")
                  .Append(s.Health == SiteHealth.None ? "  no health check" : $"  health {s.Health}");
            sb.Append('\n');
            sb.Append(HasChanges
                ? $"  {Changes.Count} UPSERT(s) in ONE atomic Route 53 change batch (all or nothing); TTL, values, alias and health checks kept."
                : "  No weight changes: nothing would be sent.");
            sb.Append("\n  Safety: ").Append(SafetyVerdict);
            return sb.ToString();
        }

        public override string ToString() => Describe();
    }

    /// <summary>The outcome of a traffic change.</summary>
    public sealed record TrafficChangeResult
    {
        public string Zone { get; init; } = "";
        public string ZoneId { get; init; } = "";
        public string RecordName { get; init; } = "";
        public string RecordType { get; init; } = "";
        /// <summary>The Route 53 change id; null when nothing needed changing.</summary>
        public string? ChangeId { get; init; }
        /// <summary>INSYNC, PENDING (when not waited for) or NoChange.</summary>
        public string Status { get; init; } = "";
        public DateTimeOffset? SubmittedAt { get; init; }
        /// <summary>When DrTools saw the change INSYNC; null when it did not wait.</summary>
        public DateTimeOffset? InSyncAt { get; init; }
        public IReadOnlyList<TrafficSiteChange> Sites { get; init; } = Array.Empty<TrafficSiteChange>();
        /// <summary>Site -> weight before the change.</summary>
        public IReadOnlyDictionary<string, long> Before { get; init; } = new Dictionary<string, long>();
        /// <summary>Site -> weight after the change.</summary>
        public IReadOnlyDictionary<string, long> After { get; init; } = new Dictionary<string, long>();

        public override string ToString() => $"{RecordName} {RecordType}: {string.Join(", ", Sites.Select(s => $"{s.Site} {s.Before}->{s.After}"))} ({Status})";
    }
}
