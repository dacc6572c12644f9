using System;
using System.Collections.Generic;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The steps that protect a writer database with a new cross-region read replica: a first snapshot of the writer,
    /// copied to the replica's region; the instance that holds the replica's id set aside (renamed, never deleted)
    /// when it is not already a replica of the writer; the replica created (plan KMS key, class, tags) and waited for
    /// until it replicates, its lag reported. Used by Invoke-DrReprotect (after a failover) and by the failback
    /// (re-protecting the other way at its end).
    /// </summary>
    internal static class ReprotectSteps
    {
        /// <summary>Adds the steps to <paramref name="graph"/> after <paramref name="after"/>; returns the last one.</summary>
        /// <param name="writer">The database to protect.</param>
        /// <param name="replicaRegion">Where the replica goes (another region than the writer's).</param>
        /// <param name="replicaId">The replica's instance id.</param>
        public static IRecoveryStep Add(StepGraph graph, DrPlan plan, RecoveryServices services, DatabaseLocation writer, string replicaRegion,
            string replicaId, IEnumerable<IRecoveryStep> after)
        {
            // Contract for the failback branch; the re-protect branch implements it.
            throw new NotImplementedException("ReprotectSteps.Add");
        }
    }
}
