using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// Multi-site (active/active): both sites already serve traffic. Failover scales the DR site's groups to take
    /// the full load and cuts the database over (promotes the replica), then shifts every weighted record to its
    /// failover weight in one atomic batch, and waits until the DR site is healthy.
    /// <code>
    /// [scale-*] || [promote-db (-> resize-db)]  ->  shift-traffic -> wait-healthy -> record-active-side
    /// </code>
    /// Traffic moves only after the database is writable, so no request reaches a read-only database.
    /// </summary>
    public static class MultiSite
    {
        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options)
        {
            var g = new StepGraph(plan, services, options);
            var scales = g.ScaleGroups();
            var db = g.Database(restore: false);
            var before = scales.Concat(db != null ? new[] { db } : new IRecoveryStep[0]).ToList();
            var dns = g.Dns(DnsDirection.ToDr, StepKind.ChangeTrafficWeights, before);
            g.WaitHealthy(DnsDirection.ToDr, groups: true, dns != null ? new[] { dns } : before);
            g.InsertApprovals();
            g.RecordFailover();
            return g.Steps;
        }
    }
}
