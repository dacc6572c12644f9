using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Tests.Recovery.Steps;
using Xunit;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>Test-DrPlan -Live of Aurora plans: the global database's secondary and primary clusters, lag, instances; cluster restores.</summary>
    public class AuroraReadinessTests
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        const string Dr = "us-west-2";
        const string Primary = "us-east-1";

        static DrPlan Example() => DrPlanLoader.LoadFile(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "aurora-pilot-light.json")).GetPlanOrThrow();

        /// <summary>The example's global database in shape: a connected secondary with a db.r6g.large reader, lag 2 s.</summary>
        static FakeAws Healthy()
        {
            var aws = new FakeAws();
            var primary = aws.Aurora.ClustersIn(Primary);
            var dr = aws.Aurora.ClustersIn(Dr);
            primary.AddCluster("orders-aurora");
            var secondary = dr.AddCluster("orders-aurora-dr");
            dr.Clusters["orders-aurora-dr"] = secondary with { Members = new[] { new DbClusterMember("orders-aurora-dr-1", false) } };
            aws.Instances.Add(new DbInstance { Identifier = "orders-aurora-dr-1", Status = "available", InstanceClass = "db.r6g.large", Region = Dr, DBClusterIdentifier = "orders-aurora-dr" });
            dr.AddGlobal("orders-global", FakeClusters.Arn(Primary, "orders-aurora"), FakeClusters.Arn(Dr, "orders-aurora-dr"));
            aws.ClusterLag["orders-aurora-dr"] = TimeSpan.FromSeconds(2);
            return aws;
        }

        static async Task<Dictionary<string, ReadinessCheck>> Check(FakeAws aws, DrPlan? plan = null)
        {
            var checks = await new ReadinessChecker(aws.Services(), null, () => Now).CheckAsync(plan ?? Example());
            var db = checks.Where(c => c.Check is ReadinessChecks.DbReplica or ReadinessChecks.ReplicaLag or ReadinessChecks.DbClusterInstances or ReadinessChecks.DbPrimaryCluster
                or ReadinessChecks.DbSnapshot or ReadinessChecks.DbRecoveryPoint or ReadinessChecks.DbAutomatedBackups).ToList();
            return db.ToDictionary(c => c.Check);
        }

        [Fact]
        public async Task A_replicating_secondary_within_the_lag_limit_with_its_instance_class_and_an_available_primary_is_ready()
        {
            var checks = await Check(Healthy());
            Assert.Equal(new[] { ReadinessChecks.DbClusterInstances, ReadinessChecks.DbPrimaryCluster, ReadinessChecks.DbReplica, ReadinessChecks.ReplicaLag },
                checks.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.All(checks.Values, c => Assert.True(c.Ready, $"{c.Check}: {c.Reason}"));
            Assert.Equal(Primary, checks[ReadinessChecks.DbPrimaryCluster].Region);
            Assert.Contains("db.r6g.large", checks[ReadinessChecks.DbClusterInstances].Observed);
        }

        [Fact]
        public async Task A_missing_or_detached_secondary_a_lagging_one_and_a_missing_primary_are_not_ready_each_saying_why()
        {
            var missing = Healthy();
            missing.Aurora.ClustersIn(Dr).Clusters.Clear();
            missing.Aurora.ClustersIn(Primary).Clusters.Clear();
            missing.ClusterLag.Clear();
            var checks = await Check(missing);
            Assert.Contains("does not exist in us-west-2", checks[ReadinessChecks.DbReplica].Reason);
            Assert.Contains("does not exist in us-east-1", checks[ReadinessChecks.DbPrimaryCluster].Reason);
            Assert.Contains("unknown", checks[ReadinessChecks.ReplicaLag].Reason);
            Assert.All(checks.Values, c => Assert.False(c.Ready));

            var detached = Healthy();
            var g = detached.Aurora.GlobalClusters["orders-global"];
            detached.Aurora.GlobalClusters["orders-global"] = g with
            {
                Members = g.Members.Select(m => m.IsWriter ? m : m with { SynchronizationStatus = "pending-resync" }).ToList(),
            };
            detached.ClusterLag["orders-aurora-dr"] = TimeSpan.FromMinutes(3); // the example allows PT1M
            var d = await Check(detached);
            Assert.False(d[ReadinessChecks.DbReplica].Ready);
            Assert.Contains("'pending-resync', not 'connected'", d[ReadinessChecks.DbReplica].Reason);
            Assert.False(d[ReadinessChecks.ReplicaLag].Ready);
            Assert.Contains("3m behind; the plan allows 1m (maxReplicaLag)", d[ReadinessChecks.ReplicaLag].Reason);
        }

        [Fact]
        public async Task A_secondary_that_already_writes_or_has_no_instance_of_the_target_class_is_not_ready()
        {
            var failedOver = Healthy();
            failedOver.Aurora.ClustersIn(Dr).AddGlobal("orders-global", FakeClusters.Arn(Dr, "orders-aurora-dr"), FakeClusters.Arn(Primary, "orders-aurora"));
            Assert.Contains("already is the writer", (await Check(failedOver))[ReadinessChecks.DbReplica].Reason);

            var small = Healthy();
            small.Instances[0] = small.Instances[0] with { InstanceClass = "db.t4g.medium" };
            var c = (await Check(small))[ReadinessChecks.DbClusterInstances];
            Assert.False(c.Ready);
            Assert.Contains("no instance of class db.r6g.large", c.Reason);

            var headless = Healthy();
            var dr = headless.Aurora.ClustersIn(Dr);
            dr.Clusters["orders-aurora-dr"] = dr.Clusters["orders-aurora-dr"] with { Members = Array.Empty<DbClusterMember>() };
            Assert.Contains("headless", (await Check(headless))[ReadinessChecks.DbClusterInstances].Reason);
        }

        static DrPlan RestorePlan(string? snapshotId = null)
        {
            var t = DrPlanTemplates.Create(DrStrategy.BackupAndRestore);
            return new DrPlan
            {
                Name = t.Name, Strategy = t.Strategy, PrimaryRegion = t.PrimaryRegion, DrRegion = t.DrRegion, Rto = t.Rto, Rpo = TimeSpan.FromHours(1),
                Resources = new PlanResources
                {
                    Database = new DatabaseSpec
                    {
                        Engine = "aurora-postgresql", ClusterId = "orders-aurora", TargetInstanceClass = "db.r6g.large", PrimaryRegion = Primary,
                        Restore = new DatabaseRestoreSpec { ClusterId = "orders-restored", ClusterSnapshotId = snapshotId },
                    },
                },
            };
        }

        [Fact]
        public async Task A_cluster_restore_plan_needs_an_available_cluster_snapshot_of_the_primary_in_the_DR_region_within_the_RPO()
        {
            var aws = new FakeAws();
            var none = await Check(aws, RestorePlan());
            Assert.Contains("no DB cluster snapshot of orders-aurora in us-west-2", none[ReadinessChecks.DbSnapshot].Reason);
            Assert.False(none[ReadinessChecks.DbRecoveryPoint].Ready);

            aws.Aurora.ClustersIn(Dr).AddSnapshot("old-copy", "orders-aurora", Now.UtcDateTime.AddHours(-3));
            var stale = await Check(aws, RestorePlan());
            Assert.True(stale[ReadinessChecks.DbSnapshot].Ready);
            Assert.False(stale[ReadinessChecks.DbRecoveryPoint].Ready);

            aws.Aurora.ClustersIn(Dr).AddSnapshot("fresh-copy", "orders-aurora", Now.UtcDateTime.AddMinutes(-20));
            var fresh = await Check(aws, RestorePlan());
            Assert.True(fresh[ReadinessChecks.DbRecoveryPoint].Ready, fresh[ReadinessChecks.DbRecoveryPoint].Reason);
            Assert.Contains("fresh-copy", fresh[ReadinessChecks.DbSnapshot].Observed);

            var named = await Check(aws, RestorePlan("gone"));
            Assert.Contains("gone does not exist in us-west-2", named[ReadinessChecks.DbSnapshot].Reason);
        }
    }
}
