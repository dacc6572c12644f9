using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// Pilot light: only the data runs in the DR region. Recovery launches the app servers from their AMIs (and
    /// scales any groups) while it promotes and resizes the database; Elastic IPs follow the launches; DNS switches
    /// once the servers, addresses and database are ready; then it waits until healthy.
    /// <code>
    /// [launch-web, launch-worker, scale-*] || [promote-db -> resize-db]
    /// launch-web -> eip-…      everything -> change-dns -> wait-healthy -> record-active-side
    /// </code>
    /// </summary>
    public static class PilotLight
    {
        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options)
        {
            var g = new StepGraph(plan, services, options);
            var launches = g.LaunchAppServers();
            var scales = g.ScaleGroups();
            var db = g.Database(restore: false);
            var eips = g.ElasticIps();
            var before = launches.Concat(scales).Concat(eips).Concat(db != null ? new[] { db } : new IRecoveryStep[0]).ToList();
            var dns = g.Dns(DnsDirection.ToDr, StepKind.ChangeDns, before);
            g.WaitHealthy(DnsDirection.ToDr, groups: true, dns != null ? new[] { dns } : before);
            g.InsertApprovals();
            g.RecordFailover();
            return g.Steps;
        }
    }
}
