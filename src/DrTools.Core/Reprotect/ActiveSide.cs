using System;

namespace DrTools.Core.Reprotect
{
    /// <summary>Which side of a plan serves the application (JSON: PRIMARY, DR).</summary>
    public enum PlanSide
    {
        /// <summary>The plan's primary region (or site): normal operation.</summary>
        Primary,
        /// <summary>The plan's DR region: after a failover, until a failback.</summary>
        Dr,
    }

    /// <summary>Where a database is: an instance (or Aurora cluster) id and its region.</summary>
    public sealed record DatabaseLocation
    {
        /// <summary>DB instance id, or the DB cluster id when <see cref="IsCluster"/>.</summary>
        public string Id { get; init; } = "";
        public string Region { get; init; } = "";
        public bool IsCluster { get; init; }

        public override string ToString() => $"{(IsCluster ? "cluster " : "")}{Id} ({Region})";
    }

    /// <summary>
    /// What the plan's application runs on now, as the last failover, re-protect or failback left it. Kept in the
    /// journal store (<see cref="ActiveSideStore"/>), so every cmdlet that takes -Plan knows which side is active
    /// and which database is the writer. No record means the plan has never failed over: the primary side is active.
    /// </summary>
    public sealed record ActiveSide
    {
        public const int CurrentFormatVersion = 1;
        public int FormatVersion { get; init; } = CurrentFormatVersion;
        public string Plan { get; init; } = "";
        public PlanSide Active { get; init; }
        /// <summary>The database that takes writes now; null when the plan has no database.</summary>
        public DatabaseLocation? Writer { get; init; }
        /// <summary>The replica that protects the writer from the loss of its region; null: not protected (re-protect it).</summary>
        public DatabaseLocation? Replica { get; init; }
        /// <summary>Instances that held a replica's id and were renamed aside by a re-protect (kept: delete them when no longer needed).</summary>
        public System.Collections.Generic.IReadOnlyList<DatabaseLocation> SetAside { get; init; } = Array.Empty<DatabaseLocation>();
        /// <summary>When the active side (or its protection) last changed, and by which run.</summary>
        public DateTimeOffset ChangedAt { get; init; }
        /// <summary>Failover, Failback or Reprotect.</summary>
        public string Operation { get; init; } = "";
        public string? RunId { get; init; }

        /// <summary>The database has a replica in another region (or the plan has no database).</summary>
        public bool IsProtected => Writer == null || Replica != null;
    }
}
