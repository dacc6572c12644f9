using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// Backup and restore: nothing runs in the DR region. Recovery restores the database from its newest snapshot
    /// copy (at the target class) while it launches the app servers from AMI copies; Elastic IPs follow the
    /// launches; DNS switches when everything is up.
    /// <code>
    /// [launch-*] || [restore-db]    launch-web -> eip-…    everything -> change-dns -> wait-healthy -> record-active-side
    /// </code>
    /// </summary>
    public static class BackupAndRestore
    {
        public static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryServices services, RecoveryOptions options)
        {
            var g = new StepGraph(plan, services, options);
            var launches = g.LaunchAppServers();
            var scales = g.ScaleGroups();
            var db = g.Database(restore: true);
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
