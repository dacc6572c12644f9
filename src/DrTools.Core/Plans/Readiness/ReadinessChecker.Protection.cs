using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Reprotect;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        sealed partial class Run
        {
            string PlanArgument => _plan.CommandArgument();

            /// <summary>
            /// The database checks (DbReplica / DbSnapshot / DbAutomatedBackups and ReplicaLag) of the database as it is
            /// now. While the plan is failed over (record Active=DR) they are about the active writer and its replica from
            /// the record: the new replica (in its region, replicating from the writer) and its lag, or, without one, the
            /// writer's newest snapshot (or automated backups) in the other side's region. Otherwise the plan's static ids.
            /// </summary>
            public async Task<IReadOnlyList<ReadinessCheck>> ActiveDatabaseAsync(DatabaseSpec db)
            {
                await Task.Yield();
                ActiveSide? record = null;
                try { record = await Services.ActiveSideOfAsync(_plan.Name, _ct).ConfigureAwait(false); }
                catch (DrToolsException) { /* the Protection check reports it; the plan's static ids are checked */ }
                var active = record?.Active == PlanSide.Dr ? ActiveDatabase.Of(_plan, record) : null;
                if (active == null || active.Writer.IsCluster || active.Replica?.IsCluster == true || (active.Replica == null && active.OtherRegion == null))
                    return await Combine(DatabaseAsync(db), db.ReplicaInstanceId != null && Services.ReplicaLag != null ? ReplicaLagAsync(db, db.ReplicaInstanceId) : null)
                        .ConfigureAwait(false);

                var restore = db.Restore;
                var now = new DatabaseSpec
                {
                    Engine = db.Engine,
                    PrimaryInstanceId = active.Writer.Id,
                    PrimaryRegion = active.Writer.Region,
                    ReplicaInstanceId = active.Replica?.Id,
                    MaxReplicaLag = db.MaxReplicaLag,
                    // The plan's snapshot id and point in time are of the old primary: the new writer's newest recovery point counts.
                    Restore = restore == null ? null : new DatabaseRestoreSpec
                    {
                        InstanceId = restore.InstanceId, LatestRestorable = restore.LatestRestorable || restore.PointInTime != null,
                    },
                };
                var other = new Run(_owner, _plan, active.Replica?.Region ?? active.OtherRegion!, _ct);
                return await Combine(other.DatabaseAsync(now), now.ReplicaInstanceId != null && Services.ReplicaLag != null ? other.ReplicaLagAsync(now, now.ReplicaInstanceId) : null)
                    .ConfigureAwait(false);
            }

            static async Task<IReadOnlyList<ReadinessCheck>> Combine(Task<IReadOnlyList<ReadinessCheck>> first, Task<IReadOnlyList<ReadinessCheck>>? second) =>
                second == null ? await first.ConfigureAwait(false) : (await Task.WhenAll(first, second).ConfigureAwait(false)).SelectMany(c => c).ToList();

            /// <summary>
            /// Which side is active and whether the writer is protected by a replica in another region. A plan that failed
            /// over and has not been re-protected is not ready, with the next step Invoke-DrReprotect.
            /// </summary>
            public Task<IReadOnlyList<ReadinessCheck>> ProtectionAsync(DatabaseSpec db)
            {
                var planned = ActiveDatabase.Of(_plan, null)?.Writer;
                var resource = planned?.Id ?? _plan.Name;
                return Guard(new[] { (ReadinessChecks.Protection, resource) }, planned?.Region ?? Region, async () =>
                {
                    var record = await Services.ActiveSideOfAsync(_plan.Name, _ct).ConfigureAwait(false);
                    var path = Services.ActiveSides!.PathOf(_plan.Name);
                    var active = ActiveDatabase.Of(_plan, record);
                    if (active == null)
                        return One(Result(ReadinessChecks.Protection, resource, Region, true,
                            "The plan names no database writer (primaryInstanceId and its region), so there is no replica to check."));
                    var writer = active.Writer;
                    var replica = active.Replica;
                    var observed = (active.FailedOver ? "DR side active" : "primary side active")
                                   + (record != null ? $" ({ActiveDatabase.Describe(record)})" : " (no record: never failed over)")
                                   + $"; writer {writer}" + (replica != null ? $"; replica {replica}" : "; no replica");
                    ReadinessCheck Check(bool ready, string reason) => Result(ReadinessChecks.Protection, writer.Id, writer.Region, ready, reason, observed);

                    if (record == null)
                        return One(Check(true, $"Not failed over (no active side record in {path}): the primary side is active; the writer is {writer}"
                                               + (replica != null ? $", replicating to {replica}." : ".")));
                    if (record.Writer != null && replica == null)
                        return One(Check(false, $"Plan '{_plan.Name}' {ActiveDatabase.Describe(record)}: the writer {writer} has no replica in another region, "
                                                + $"so losing {writer.Region} would lose the data written since its last copied snapshot. "
                                                + $"Next step: Invoke-DrReprotect -Plan {PlanArgument}"));
                    if (active.FailedOver)
                        return One(Check(true, $"Failed over ({ActiveDatabase.Describe(record)}) and re-protected: the writer {writer} replicates to {replica} "
                                               + $"(its lag: see ReplicaLag). When the primary side should serve again: Invoke-DrFailback -Plan {PlanArgument}."));
                    return One(Check(true, $"The primary side is active ({ActiveDatabase.Describe(record)}); the writer {writer}"
                                           + (replica != null ? $" replicates to {replica}." : ".")));
                });
            }
        }
    }
}
