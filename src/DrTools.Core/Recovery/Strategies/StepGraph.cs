using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Reprotect;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// The building blocks the strategies share: one method per part of a recovery, each adding its steps with
    /// their dependencies. Step ids are stable across runs (the journal is keyed by them): launch-&lt;role&gt;,
    /// scale-&lt;group&gt;, promote-db, restore-db, resize-db, switchover-db, failover-db, eip-&lt;allocation&gt;, change-dns / shift-traffic,
    /// wait-healthy, approve-&lt;kind&gt;.
    /// </summary>
    internal sealed class StepGraph
    {
        readonly DrPlan _plan;
        readonly RecoveryServices _services;
        readonly RecoveryOptions _options;
        readonly List<IRecoveryStep> _steps = new();

        public StepGraph(DrPlan plan, RecoveryServices services, RecoveryOptions options)
        {
            _plan = plan ?? throw new ArgumentNullException(nameof(plan));
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _options = options ?? new RecoveryOptions();
        }

        public IReadOnlyList<IRecoveryStep> Steps => _steps;
        internal DrPlan Plan => _plan;
        internal RecoveryServices Services => _services;
        internal RecoveryOptions Options => _options;
        IEnumerable<string> Ids(IEnumerable<IRecoveryStep> steps) => steps.Select(s => s.Id);

        internal T Add<T>(T step) where T : IRecoveryStep
        {
            _steps.Add(step);
            return step;
        }

        public List<IRecoveryStep> LaunchAppServers() =>
            _plan.Resources.AppServers.Select(a => (IRecoveryStep)Add(new LaunchInstancesStep("launch-" + a.Name, _services.Ec2, a))).ToList();

        public List<IRecoveryStep> ScaleGroups(bool toStandby = false)
        {
            var list = new List<IRecoveryStep>();
            foreach (var g in _plan.Resources.AutoScalingGroups)
            {
                if (toStandby && g.Standby == null) continue;
                var asg = _services.AutoScalingFor(string.IsNullOrEmpty(g.Region) ? _plan.DrRegion : g.Region);
                list.Add(Add(toStandby
                    ? new ScaleGroupStep($"scale-{g.Name}-standby", asg, g.Name, g.Standby!)
                    : new ScaleGroupStep("scale-" + g.Name, asg, g.Name, g.Production, g.LaunchTemplateVersion, g.InstanceType)));
            }
            return list;
        }

        /// <summary>Promote (or restore) the database, then resize it (Aurora: switch over or restore the cluster); returns the last database step.</summary>
        public IRecoveryStep? Database(bool restore)
        {
            var db = _plan.Resources.Database;
            if (db == null) return null;
            var allowDataLoss = db.AllowDataLoss || _options.AllowDataLoss;
            if (db.IsAurora) return AuroraDatabase(db, restore, allowDataLoss);
            if (restore)
            {
                if (db.Restore == null) return null;
                // Restoring at the target class saves a resize (and its outage) afterwards.
                return Add(new RestoreDatabaseStep("restore-db", _services.Rds, db.Restore.InstanceId, db.Restore.SnapshotId, db.PrimaryInstanceId,
                    _plan.Rpo, allowDataLoss, db.TargetInstanceClass)
                {
                    // Point in time: from the primary's automated backups replicated to the DR region (or its own, when it lives there).
                    PointInTime = db.Restore.PointInTime?.UtcDateTime,
                    UseLatestRestorableTime = db.Restore.LatestRestorable,
                    SourceRegion = db.PrimaryRegion ?? _plan.PrimaryRegion,
                });
            }
            if (db.ReplicaInstanceId == null) return null;
            IRecoveryStep last = Add(new PromoteDatabaseStep("promote-db", _services.Rds, _services.ReplicaLag, db.ReplicaInstanceId,
                db.MaxReplicaLag ?? _plan.Rpo, allowDataLoss));
            if (db.TargetInstanceClass != null)
                last = Add((ResizeDatabaseStep)new ResizeDatabaseStep("resize-db", _services.Rds, db.ReplicaInstanceId, db.TargetInstanceClass).After(last.Id));
            return last;
        }

        /// <summary>
        /// Aurora: restore-db (a cluster and its instances) for backup and restore; otherwise switchover-db (planned, no
        /// data loss, when the primary cluster is healthy) then failover-db (data loss, only when allowed).
        /// </summary>
        IRecoveryStep? AuroraDatabase(DatabaseSpec db, bool restore, bool allowDataLoss)
        {
            var clusters = _services.Clusters ?? throw new InvalidOperationException("No Aurora service for the DR region.");
            if (restore)
            {
                if (db.Restore?.ClusterId is not { } target) return null;
                return Add(new RestoreClusterStep("restore-db", clusters, _services.Rds, target, db.Restore.ClusterSnapshotId, db.ClusterId,
                    _plan.Rpo, allowDataLoss, db.TargetInstanceClass ?? "", db.Restore.InstanceCount)
                {
                    PointInTime = db.Restore.PointInTime?.UtcDateTime,
                    UseLatestRestorableTime = db.Restore.LatestRestorable,
                    SourceClusterId = db.ReplicaClusterId,
                });
            }
            if (db.GlobalClusterId == null) return null;
            var maxLag = db.MaxReplicaLag ?? _plan.Rpo;
            var switchover = Add(new GlobalDatabaseStep("switchover-db", GlobalDatabaseMode.Switchover, clusters, _services.ClustersFor, _services.ReplicaLag,
                db.GlobalClusterId, db.ReplicaClusterId, maxLag, allowDataLoss));
            return Add((GlobalDatabaseStep)new GlobalDatabaseStep("failover-db", GlobalDatabaseMode.Failover, clusters, _services.ClustersFor, _services.ReplicaLag,
                db.GlobalClusterId, db.ReplicaClusterId, maxLag, allowDataLoss).After(switchover.Id));
        }

        public List<IRecoveryStep> ElasticIps()
        {
            var list = new List<IRecoveryStep>();
            foreach (var e in _plan.Resources.ElasticIps)
                list.Add(Add(new AssociateElasticIpStep("eip-" + e.AllocationId, _services.Ec2, e.AllocationId,
                    e.InstanceId == null ? "launch-" + e.AppServer : null, e.Index, e.InstanceId)));
            return list;
        }

        public IRecoveryStep? Dns(DnsDirection direction, StepKind kind, IEnumerable<IRecoveryStep> after)
        {
            var dns = _plan.Resources.Dns;
            if (dns == null || dns.Records.Count == 0) return null;
            var id = kind == StepKind.ChangeTrafficWeights ? "shift-traffic" : "change-dns";
            var step = new ChangeDnsStep(id, _services.Route53, _services.Ec2, dns, direction, kind);
            step.After(Ids(after));
            return Add(step);
        }

        /// <summary>The health checks of the side traffic goes to: DR sites on failover, primary sites on failback.</summary>
        public IReadOnlyList<string> HealthChecks(DnsDirection direction) => HealthChecks(_plan, direction);

        internal static IReadOnlyList<string> HealthChecks(DrPlan plan, DnsDirection direction)
        {
            var ids = new List<string>();
            foreach (var r in plan.Resources.Dns?.Records ?? Array.Empty<DnsRecordSpec>())
                foreach (var s in r.Sites)
                {
                    if (s.HealthCheckId == null) continue;
                    var serves = r.Routing switch
                    {
                        DnsRouting.Weighted => (direction == DnsDirection.ToDr ? s.FailoverWeight ?? s.Weight : s.Weight) > 0,
                        DnsRouting.Failover => s.Failover == (direction == DnsDirection.ToDr ? FailoverRole.Secondary : FailoverRole.Primary),
                        _ => false,
                    };
                    if (serves) ids.Add(s.HealthCheckId);
                }
            return ids.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        public IRecoveryStep? WaitHealthy(DnsDirection direction, bool groups, IEnumerable<IRecoveryStep> after)
        {
            var checks = HealthChecks(direction);
            // Groups outside the DR region are waited for by their own scale step.
            var sizes = groups ? WaitedGroups(_plan).Select(g => (g.Name, g.Production.Desired)).ToList() : new List<(string, int)>();
            if (checks.Count == 0 && sizes.Count == 0) return null;
            var step = new WaitHealthyStep("wait-healthy", checks.Count > 0 ? _services.Route53 : null, checks,
                sizes.Count > 0 ? _services.AutoScaling : null, sizes);
            if (step.HealthCheckIds.Count == 0 && step.Groups.Count == 0) return null;
            step.After(Ids(after));
            return Add(step);
        }

        /// <summary>The groups wait-healthy waits for after a failover: those in the DR region with a production size.</summary>
        internal static IEnumerable<AutoScalingGroupSpec> WaitedGroups(DrPlan plan) =>
            plan.Resources.AutoScalingGroups.Where(g => g.Production.Desired > 0 && (string.IsNullOrEmpty(g.Region) || g.Region == plan.DrRegion));

        /// <summary>
        /// The last step of a failover: records that the DR side is active and which database is the writer now (the
        /// promoted replica or the restored instance in the DR region; for Aurora the cluster), with no replica: the
        /// plan is not protected until Invoke-DrReprotect. Runs after every other step; none without a store.
        /// </summary>
        public IRecoveryStep? RecordFailover()
        {
            var store = _options.ActiveSides;
            if (store == null) return null;
            var writer = FailoverWriter(_plan);
            var replica = FailoverReplica(_plan);
            var summary = "active side: DR" + (writer == null ? "" : replica != null ? $"; writer {writer}; replica {replica}"
                : $"; writer {writer}, not protected until Invoke-DrReprotect");
            var step = new RecordActiveSideStep(RecordActiveSideId, store, _plan.Name, summary, (current, _) => new ActiveSide
            {
                Active = PlanSide.Dr,
                Writer = writer,
                Replica = replica,
                SetAside = current?.SetAside ?? Array.Empty<DatabaseLocation>(),
                Operation = "Failover",
            });
            step.After(Sinks());
            return Add(step);
        }

        public const string RecordActiveSideId = "record-active-side";

        /// <summary>The ids of the steps no other step waits for (the ends of the graph so far).</summary>
        internal IEnumerable<string> Sinks()
        {
            var needed = new HashSet<string>(_steps.SelectMany(s => s.DependsOn), StringComparer.Ordinal);
            return _steps.Where(s => !needed.Contains(s.Id)).Select(s => s.Id).ToList();
        }

        /// <summary>The database that takes writes after a failover of <paramref name="plan"/>; null: the plan has none.</summary>
        internal static DatabaseLocation? FailoverWriter(DrPlan plan)
        {
            var db = plan.Resources.Database;
            if (db == null) return null;
            if (plan.Strategy == DrStrategy.BackupAndRestore)
            {
                if (db.Restore == null) return null;
                return db.Restore.ClusterId != null
                    ? new DatabaseLocation { Id = db.Restore.ClusterId, Region = plan.DrRegion, IsCluster = true }
                    : new DatabaseLocation { Id = db.Restore.InstanceId, Region = plan.DrRegion };
            }
            if (db.ReplicaClusterId != null) return new DatabaseLocation { Id = db.ReplicaClusterId, Region = plan.DrRegion, IsCluster = true };
            return db.ReplicaInstanceId != null ? new DatabaseLocation { Id = db.ReplicaInstanceId, Region = plan.DrRegion } : null;
        }

        /// <summary>
        /// What protects the writer right after a failover: for an Aurora Global Database the old primary cluster, which
        /// stays a member of the global database as a secondary (a switchover makes it one at once; after a failover with
        /// data loss Aurora adds it back when its region recovers, and readiness checks that it replicates). Null for
        /// everything else: an RDS writer is protected only by Invoke-DrReprotect.
        /// </summary>
        internal static DatabaseLocation? FailoverReplica(DrPlan plan)
        {
            var db = plan.Resources.Database;
            var primaryRegion = db?.PrimaryRegion ?? plan.PrimaryRegion;
            if (plan.Strategy == DrStrategy.BackupAndRestore || db is not { GlobalClusterId: not null, ClusterId: { } primary } || primaryRegion == null) return null;
            return new DatabaseLocation { Id = primary, Region = primaryRegion, IsCluster = true };
        }

        public IRecoveryStep CheckPrimary()
        {
            var db = _plan.Resources.Database;
            return Add(new CheckPrimaryStep("check-primary", _services.Route53, HealthChecks(DnsDirection.ToPrimary), _services.PrimaryRds, db?.PrimaryInstanceId));
        }

        /// <summary>
        /// Inserts one ManualApprovalStep before the first steps of each kind the plan's approvals name: the approval
        /// takes over their dependencies and they wait for it. ChangeDns and ChangeTrafficWeights stand for each other.
        /// </summary>
        public void InsertApprovals()
        {
            var n = 0;
            foreach (var approval in _plan.Approvals)
            {
                // The failback of a database always asks before its fence (with the plan's message when it has one).
                if (approval.Before == StepKind.FenceDatabase && _steps.Any(s => s.Id == Failback.FenceApprovalId)) continue;
                var targets = _steps.OfType<RecoveryStepBase>().Where(s => Matches(s.Kind, approval.Before)).ToList();
                if (targets.Count == 0) continue; // this direction has no such step; plan validation warns when neither has one
                var baseId = "approve-" + Kebab(approval.Before.ToString());
                var id = _steps.Any(s => s.Id == baseId) ? $"{baseId}-{++n}" : baseId;
                var deps = targets.SelectMany(t => t.DependsOn).Distinct(StringComparer.Ordinal).ToList();
                var question = string.IsNullOrWhiteSpace(approval.Message) ? $"Continue with {approval.Before}?" : approval.Message;
                var step = new ManualApprovalStep(id, question, deps);
                _steps.Insert(_steps.IndexOf(targets[0]), step);
                foreach (var t in targets) t.After(id);
            }
        }

        internal static bool Matches(StepKind kind, StepKind before) =>
            kind == before || (IsDns(kind) && IsDns(before));

        static bool IsDns(StepKind k) => k is StepKind.ChangeDns or StepKind.ChangeTrafficWeights;

        static string Kebab(string s) =>
            string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }
}
