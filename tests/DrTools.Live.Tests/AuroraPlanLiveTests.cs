using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Reprotect;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// An Aurora BACKUP_AND_RESTORE plan recovers through the failover core: restore-db restores a DB cluster in the DR
    /// region from the newest cluster snapshot of the plan's cluster there, and creates its instance.
    /// NEEDS THE AURORA WIRE CALLS (branch i-aurora-wire, RdsService.Clusters.cs): before they land, RdsService throws
    /// NotImplementedException for every cluster call and this test fails in its setup (it passed against moto with
    /// i-aurora-wire at 656e753 merged in a scratch copy). The source cluster lives in the
    /// DR region (as in PointInTimePlanLiveTests): its snapshot stands for the cross-region copy a real plan restores.
    /// </summary>
    [Trait("Needs", "aurora-wire")]
    public sealed class AuroraPlanLiveTests : IDisposable
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 2 : 60);
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-live-aurora-" + Guid.NewGuid().ToString("N"));
        readonly AwsClientFactory _dr = new(Live.Connection(Live.DrRegion));
        readonly string _source = Live.Name("aurorasrc");
        readonly string _snapshot = Live.Name("aurorasnap");
        readonly string _restored = Live.Name("aurorarst");

        public void Dispose()
        {
            // Best effort, newest first: the restored cluster's instance, the clusters, the snapshot.
            using var client = _dr.Rds();
            foreach (var (action, p) in new[]
                     {
                         ("DeleteDBInstance", new Dictionary<string, string> { ["DBInstanceIdentifier"] = DrPlanLoader.AuroraInstanceId(_restored, 1), ["SkipFinalSnapshot"] = "true" }),
                         ("DeleteDBCluster", new Dictionary<string, string> { ["DBClusterIdentifier"] = _restored, ["SkipFinalSnapshot"] = "true" }),
                         ("DeleteDBClusterSnapshot", new Dictionary<string, string> { ["DBClusterSnapshotIdentifier"] = _snapshot }),
                         ("DeleteDBCluster", new Dictionary<string, string> { ["DBClusterIdentifier"] = _source, ["SkipFinalSnapshot"] = "true" }),
                     })
                try { client.SendAsync(action, p, CancellationToken.None).GetAwaiter().GetResult(); } catch (Exception) { /* not created, or gone */ }
            try { Directory.Delete(_journals, true); } catch (IOException) { }
        }

        [LiveFact]
        public async Task An_Aurora_backup_and_restore_plan_restores_a_cluster_and_its_instance_in_the_DR_region()
        {
            using (var client = _dr.Rds())
                await client.SendAsync("CreateDBCluster", new Dictionary<string, string>
                {
                    ["DBClusterIdentifier"] = _source, ["Engine"] = "aurora-postgresql", ["MasterUsername"] = "drtools",
                    ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20),
                }, CancellationToken.None);
            using var rds = RdsService.Create(_dr, Live.DrRegion);
            rds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            IRdsClusterService clusters = rds;
            await clusters.WaitForDBClusterAvailableAsync(_source, Long);
            await clusters.CreateDBClusterSnapshotAsync(_source, _snapshot);
            await clusters.WaitForDBClusterSnapshotAvailableAsync(_snapshot, Long);

            var json = $$"""
                { "name": "{{Live.Name("aurora")}}", "strategy": "BACKUP_AND_RESTORE", "primaryRegion": "{{Live.Region}}", "drRegion": "{{Live.DrRegion}}",
                  "rto": "PT4H", "rpo": "PT1H",
                  "resources": { "database": { "engine": "aurora-postgresql", "clusterId": "{{_source}}", "primaryRegion": "{{Live.DrRegion}}",
                                               "restore": { "clusterId": "{{_restored}}", "instanceCount": 1 }, "targetInstanceClass": "db.r6g.large" } } }
                """;
            var load = DrPlanLoader.Parse(json);
            Assert.True(load.IsValid, string.Join("\n", load.Issues));
            var plan = load.Plan!;

            using var services = RecoveryServices.Create(_dr, plan);
            ((RdsService)services.Rds).PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            var recovery = new RecoveryService(services, new RecoveryJournalStore(_journals));
            var whatIf = recovery.Plan(plan, RecoveryOperation.Failover, new RecoveryOptions());
            // A failover ends by recording the DR side (the restored cluster is the writer).
            Assert.Equal(new[] { "restore-db", "record-active-side" }, whatIf.Steps.Select(s => s.Id));
            Assert.Equal(StepKind.RestoreCluster, whatIf.Steps[0].Kind);

            var result = await recovery.RunAsync(plan, RecoveryOperation.Failover, new RecoveryOptions(), CancellationToken.None);
            var step = Assert.Single(result.Steps, s => s.StepId == "restore-db");
            Assert.True(result.Succeeded, $"{step.StepId}: {step.Status} {step.Message} {step.ErrorId}");
            Assert.Equal(new[] { "restore-db", "record-active-side" }, result.Steps.Select(s => s.StepId));
            var side = (await new ActiveSideStore(new RecoveryJournalStore(_journals)).LoadAsync(plan.Name, CancellationToken.None))!;
            Assert.Equal((PlanSide.Dr, _restored, Live.DrRegion, true), (side.Active, side.Writer!.Id, side.Writer.Region, side.Writer.IsCluster));
            Assert.Contains($"Restored Aurora cluster {_restored} from cluster snapshot {_snapshot}", step.Message);
            var restored = (await clusters.FindDBClusterAsync(_restored))!;
            Assert.Equal("available", restored.Status);
            Assert.Equal("aurora-postgresql", restored.Engine);
            var instance = (await rds.FindDBInstanceAsync(DrPlanLoader.AuroraInstanceId(_restored, 1)))!;
            Assert.Equal(("available", "db.r6g.large"), (instance.Status, instance.InstanceClass));
            Assert.Equal(plan.Name, (await rds.ListTagsForResourceAsync(restored.Arn!))[RecoveryStepBase.TagPlan]);

            // A second run finds the cluster and its instance: nothing is restored again.
            var again = await recovery.RunAsync(plan, RecoveryOperation.Failover, new RecoveryOptions(), CancellationToken.None);
            Assert.True(again.Succeeded);
            Assert.Contains("already exist", Assert.Single(again.Steps, s => s.StepId == "restore-db").Message);
        }
    }
}
