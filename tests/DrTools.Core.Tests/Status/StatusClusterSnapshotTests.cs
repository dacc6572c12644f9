using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Status;
using DrTools.Core.Tests.Plans.Readiness;
using DrTools.Core.Tests.RecoveryPoints;
using Xunit;

namespace DrTools.Core.Tests.Status
{
    /// <summary>Get-DrStatus of an Aurora plan: the newest DrTools cluster snapshot of database.clusterId against the RPO, from the catalog.</summary>
    public sealed class StatusClusterSnapshotTests
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

        /// <summary>The readiness fake's RDS for instance calls, the recovery point fake's clusters for cluster calls: one object, as RdsService is.</summary>
        public interface IRdsWithClusters : IRdsService, IRdsClusterService { }

        public class Both : DispatchProxy
        {
            internal IRdsService Rds = null!;
            internal IRdsClusterService Clusters = null!;
            protected override object? Invoke(MethodInfo? method, object?[]? args) =>
                method!.DeclaringType == typeof(IRdsClusterService) ? method.Invoke(Clusters, args) : method.Invoke(Rds, args);
        }

        static StatusServices Services(FakeAws aws, FakeCloud cloud)
        {
            var inner = aws.Services();
            IRdsService Rds(string region)
            {
                var proxy = DispatchProxy.Create<IRdsWithClusters, Both>();
                ((Both)(object)proxy).Rds = inner.Rds(region);
                ((Both)(object)proxy).Clusters = cloud.ClustersFor(region);
                return proxy;
            }
            return new StatusServices(new ReadinessServices(inner.Ec2, Rds, inner.AutoScaling, inner.Route53, r => inner.ServiceQuotas(r)!, inner.ReplicaLag, r => inner.CloudWatch(r)!));
        }

        static DrPlan AuroraPlan(string? replicaClusterId = null) => new()
        {
            Name = "orders", Strategy = DrStrategy.BackupAndRestore, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
            Rto = TimeSpan.FromHours(4), Rpo = TimeSpan.FromHours(24),
            Resources = new PlanResources { Database = new DatabaseSpec { Engine = "aurora-postgresql", ClusterId = "orders-aurora", ReplicaClusterId = replicaClusterId } },
        };

        static DbClusterSnapshot Snap(string id, string region, TimeSpan age, bool drTools = true) => new()
        {
            Identifier = id, DBClusterIdentifier = "orders-aurora", Status = "available", SnapshotType = "manual", Region = region,
            SnapshotCreateTime = (Now - age).UtcDateTime,
            Tags = drTools
                ? new Dictionary<string, string> { [RecoveryPointTags.CreatedBy] = "DrTools (test)", [RecoveryPointTags.Source] = "orders-aurora", [RecoveryPointTags.Plan] = "orders" }
                : new Dictionary<string, string>(),
        };

        [Fact]
        public async Task An_Aurora_plan_shows_the_newest_cluster_snapshot_in_each_region_and_the_DR_copy_counts_for_the_RPO()
        {
            var cloud = new FakeCloud();
            cloud.ClustersFor("us-east-1").Snapshots["drtools-orders-aurora-a"] = Snap("drtools-orders-aurora-a", "us-east-1", TimeSpan.FromHours(2));
            // In the DR region the newest DrTools copy is 30 hours old (an untagged, newer one is not DrTools'): the RPO of 24 hours is missed.
            cloud.ClustersFor("us-west-2").Snapshots["drtools-orders-aurora-old"] = Snap("drtools-orders-aurora-old", "us-west-2", TimeSpan.FromHours(30));
            cloud.ClustersFor("us-west-2").Snapshots["manual-1"] = Snap("manual-1", "us-west-2", TimeSpan.FromHours(1), drTools: false);
            using var services = Services(new FakeAws(), cloud);
            var report = await new StatusService(services, null, () => Now).GetAsync(AuroraPlan());

            var rows = report.Rows.Where(r => r.Kind == DrStatusKinds.DbClusterSnapshot).ToList();
            var primary = rows.Single(r => r.Region == "us-east-1");
            Assert.Equal(("orders-aurora (primary)", DrStatusLevel.Ok, "2h", false), (primary.Component, primary.Status, primary.Value, primary.CountsForRpo));
            var copy = rows.Single(r => r.Region == "us-west-2");
            Assert.Equal(("orders-aurora", DrStatusLevel.Failing, "1d 6h", "<= 1d", true), (copy.Component, copy.Status, copy.Value, copy.Target, copy.CountsForRpo));
            Assert.Contains("drtools-orders-aurora-old", copy.Reason);
            Assert.Contains("Invoke-DrBackup -DBClusterIdentifier orders-aurora -Region us-east-1 -CopyToRegion us-west-2", copy.Reason);
            Assert.Equal(DrStatusMetrics.RecoveryPointAge, copy.Metric);
            Assert.False(report.Summary.MeetsRpo);
        }

        [Fact]
        public async Task With_a_replica_cluster_the_copy_is_shown_but_does_not_count_for_the_RPO()
        {
            var cloud = new FakeCloud();
            cloud.ClustersFor("us-west-2").Snapshots["drtools-orders-aurora-old"] = Snap("drtools-orders-aurora-old", "us-west-2", TimeSpan.FromHours(30));
            using var services = Services(new FakeAws(), cloud);
            var report = await new StatusService(services, null, () => Now).GetAsync(AuroraPlan(replicaClusterId: "orders-aurora-dr"));
            var copy = report.Rows.Single(r => r.Kind == DrStatusKinds.DbClusterSnapshot && r.Region == "us-west-2");
            Assert.Equal((DrStatusLevel.Failing, false), (copy.Status, copy.CountsForRpo));
            Assert.DoesNotContain(report.Rows, r => r.Kind == DrStatusKinds.DbClusterSnapshot && r.Region == "us-east-1"); // none taken there: no row
        }
    }
}
