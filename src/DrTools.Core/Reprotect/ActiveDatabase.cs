using System;
using System.Globalization;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The plan's database as it is now: the writer and its replica from the active side record when the plan has one,
    /// else the plan's static ids (primaryInstanceId in the primary region, replicaInstanceId in the DR region), and the
    /// region on the other side of the writer, where its backups are copied to and the next recovery would run. Used by
    /// every -Plan cmdlet that works on the database (readiness, status, the plan-driven backup and backup replication),
    /// so a runbook written once works on either side.
    /// </summary>
    public sealed record ActiveDatabase
    {
        /// <summary>The database that takes writes now.</summary>
        public DatabaseLocation Writer { get; init; } = new();
        /// <summary>The cross-region replica protecting it; null: none (the plan has none, or a failover left the writer alone).</summary>
        public DatabaseLocation? Replica { get; init; }
        /// <summary>The other side's region: where the writer's snapshots are copied and its automated backups replicated; null when unknown.</summary>
        public string? OtherRegion { get; init; }
        /// <summary>The record says the DR side is active (failed over, not yet failed back).</summary>
        public bool FailedOver { get; init; }
        /// <summary>The record this view comes from; null: the plan has never failed over (static ids).</summary>
        public ActiveSide? Record { get; init; }

        /// <summary>The plan's database now; null when the plan has no database or names no writer (and no record names one).</summary>
        public static ActiveDatabase? Of(DrPlan plan, ActiveSide? record)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var db = plan.Resources.Database;
            var primaryRegion = db?.PrimaryRegion ?? plan.PrimaryRegion;
            DatabaseLocation? writer, replica;
            if (record?.Writer != null)
            {
                writer = record.Writer;
                replica = record.Replica;
            }
            else
            {
                if (db == null) return null;
                var writerId = db.PrimaryInstanceId ?? db.ClusterId;
                writer = writerId != null && primaryRegion != null
                    ? new DatabaseLocation { Id = writerId, Region = primaryRegion, IsCluster = db.PrimaryInstanceId == null }
                    : null;
                var replicaId = db.ReplicaInstanceId ?? db.ReplicaClusterId;
                replica = replicaId != null
                    ? new DatabaseLocation { Id = replicaId, Region = plan.DrRegion, IsCluster = db.ReplicaInstanceId == null }
                    : null;
            }
            if (writer == null) return null;
            // The other side: the replica's region when it is elsewhere; else the DR region, or, from the DR region, back
            // where re-protect puts the replica (reprotect.region, default the primary region).
            var other = replica != null && !SameRegion(replica.Region, writer.Region) ? replica.Region
                : SameRegion(writer.Region, plan.DrRegion) ? db?.Reprotect?.Region ?? primaryRegion
                : plan.DrRegion;
            return new ActiveDatabase
            {
                Writer = writer, Replica = replica, OtherRegion = other is { Length: > 0 } && !SameRegion(other, writer.Region) ? other : null,
                FailedOver = record?.Active == PlanSide.Dr, Record = record,
            };
        }

        static bool SameRegion(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        /// <summary>"failed over at 2026-12-05 03:12Z by run 20261205-031200-ab12cd" (the record's last change).</summary>
        public static string Describe(ActiveSide record)
        {
            var verb = record.Operation switch
            {
                "Failover" => "failed over",
                "Failback" => "failed back",
                "Reprotect" => "re-protected",
                { Length: > 0 } other => other.ToLowerInvariant(),
                _ => "changed",
            };
            return $"{verb} at {record.ChangedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z" +
                   (record.RunId != null ? $" by run {record.RunId}" : "");
        }
    }

    /// <summary>Refusals that depend on which side of a plan is active.</summary>
    public static class ActiveSideGuard
    {
        /// <summary>
        /// A failover (or a drill) of a plan whose DR side is active already is refused: promoting or restoring again
        /// would split the data. -Resume of an unfinished failover run is not refused (the caller does not ask then).
        /// </summary>
        /// <param name="what">What was asked, as the user typed it ("Invoke-DrFailover").</param>
        /// <returns>Null when the primary side is active (or the plan never failed over).</returns>
        public static DrToolsException? RefuseFailover(DrPlan plan, ActiveSide? record, string what, string? recordPath = null)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            if (record == null || record.Active != PlanSide.Dr) return null;
            var planArgument = plan.CommandArgument();
            var since = record.Operation == "Failover" ? ActiveDatabase.Describe(record)
                : $"failed over earlier; last {ActiveDatabase.Describe(record)}";
            var writer = record.Writer != null ? $"; the writer is {record.Writer}" : "";
            return new DrToolsException(ErrorIds.WrongSide, DrErrorCategory.InvalidOperation,
                $"{what} refused: plan '{plan.Name}' already runs on its DR side ({since}{writer})" +
                (recordPath != null ? $", as recorded in {recordPath}." : "."), plan.Name,
                $"Fail back with Invoke-DrFailback -Plan {planArgument} when the primary side should serve again (re-protect first: Invoke-DrReprotect). " +
                "To continue an unfinished failover run, use -Resume.");
        }
    }
}
