using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// Warm standby: a scaled-down copy already runs in the DR region. Recovery scales each group to production
    /// size (and launch template version) while it promotes and resizes the database, moves any Elastic IPs to
    /// their fixed instances, then switches DNS and waits until the groups and health checks are healthy.
    /// <code>
    /// [scale-*] || [promote-db -> resize-db] || [eip-*]  ->  change-dns -> wait-healthy -> record-active-side
    /// </code>
    /// </summary>
    public static class WarmStandby
    {
        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options)
        {
            var g = new StepGraph(plan, services, options);
            var scales = g.ScaleGroups();
            var launches = g.LaunchAppServers(); // a warm standby plan may still launch extra roles
            var db = g.Database(restore: false);
            var eips = g.ElasticIps();
            var before = scales.Concat(launches).Concat(eips).Concat(db != null ? new[] { db } : new IRecoveryStep[0]).ToList();
            var dns = g.Dns(DnsDirection.ToDr, StepKind.ChangeDns, before);
            g.WaitHealthy(DnsDirection.ToDr, groups: true, dns != null ? new[] { dns } : before);
            g.InsertApprovals();
            g.RecordFailover();
            return g.Steps;
        }
    }
}
