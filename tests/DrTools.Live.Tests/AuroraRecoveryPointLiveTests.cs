using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Backup;
using DrTools.Core.Connection;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// Aurora DB cluster snapshots as recovery points end to end through the cmdlets (Live.Region -> Live.DrRegion): take and
    /// copy, re-run by token, list with the RPO, restore a cluster and its instance, drill (scratch cluster deleted), keep policy.
    /// Needs the cluster wire calls (RdsService.Clusters.cs); moto implements clusters and cluster snapshots.
    /// </summary>
    public class AuroraRecoveryPointLiveTests
    {
        static readonly CancellationToken None = CancellationToken.None;

        [LiveFact]
        public async Task Cluster_snapshots_are_taken_copied_listed_restored_drilled_and_expired_through_the_cmdlets()
        {
            var factory = new AwsClientFactory(Live.Connection(Live.Region));
            var drFactory = new AwsClientFactory(Live.Connection(Live.DrRegion));
            using var rds = RdsService.Create(factory);
            using var drRds = RdsService.Create(drFactory);
            rds.PollInterval = drRds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            var name = Live.Name("aur");
            string p = Live.Params(), pd = Live.Params(Live.DrRegion);
            var restored = new List<RestoredResource>();
            try
            {
                using (var client = factory.Rds())
                {
                    await client.SendAsync("CreateDBCluster", new Dictionary<string, string>
                    {
                        ["DBClusterIdentifier"] = name, ["Engine"] = "aurora-postgresql", ["MasterUsername"] = "drtools",
                        ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20),
                    });
                    await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
                    {
                        ["DBInstanceIdentifier"] = name + "-w", ["DBClusterIdentifier"] = name, ["DBInstanceClass"] = "db.r6g.large", ["Engine"] = "aurora-postgresql",
                    });
                }
                await rds.WaitForDBClusterAvailableAsync(name, TimeSpan.FromMinutes(30));

                // Take and copy; -WhatIf takes nothing; a re-run with the token takes nothing new.
                var whatIf = PsHarness.Run($"Invoke-DrBackup -DBClusterIdentifier {name} -CopyToRegion {Live.DrRegion} -WhatIf {p}");
                Assert.Contains($"\"Create a DB cluster snapshot and copy it to {Live.DrRegion}\" on target \"{name} in {Live.Region}\"", whatIf.HostText);
                Assert.Empty(await rds.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterIdentifier = name, SnapshotType = "manual" }));
                var take = $"Invoke-DrBackup -DBClusterIdentifier {name} -CopyToRegion {Live.DrRegion} -RetainDays 7 -Plan {name} -ClientToken {name}-1 {p}";
                var first = PsHarness.Run(take);
                Assert.True(first.Terminating == null && first.Errors.Count == 0, first.Describe());
                var point = (RecoveryPoint)Assert.Single(first.Output).BaseObject;
                Assert.Equal((RecoveryPointKind.DBClusterSnapshot, name, "available", $"{Live.DrRegion}:{point.Id}", name),
                    (point.Kind, point.SourceId, point.State, point.CopiedTo, point.Plan));
                Assert.Equal("db.r6g.large", point.Tags[RecoveryPointTags.DBInstanceClass]);
                var again = PsHarness.Run(take);
                Assert.Equal(point.Id, ((RecoveryPoint)Assert.Single(again.Output).BaseObject).Id);
                Assert.Single(await rds.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterIdentifier = name, SnapshotType = "manual" }));

                // Listed in the DR region with the RPO.
                var list = PsHarness.Run($"Get-DrBackup -Kind DBClusterSnapshot -SourceId {name} -Rpo 1.00:00:00 {pd}");
                Assert.True(list.Terminating == null && list.Errors.Count == 0, list.Describe());
                var copy = (RecoveryPoint)Assert.Single(list.Output).BaseObject;
                Assert.Equal((point.Id, Live.DrRegion, $"{Live.Region}:{point.Id}", true), (copy.Id, copy.Region, copy.CopyOf, copy.RpoMet));

                // Restore the DR copy: a cluster and one instance, both available.
                var restore = PsHarness.Run($"@(Get-DrBackup -Kind DBClusterSnapshot -SourceId {name} {pd})[0] | Restore-DrBackup -DBClusterIdentifier {name}-dr -Confirm:$false {pd}");
                restored.AddRange(restore.Output.Select(o => o.BaseObject).OfType<RestoredResource>());
                Assert.True(restore.Terminating == null && restore.Errors.Count == 0, restore.Describe());
                var cluster = Assert.Single(restored);
                Assert.Equal(("DBCluster", name + "-dr", "available", Live.DrRegion), (cluster.ResourceType, cluster.Id, cluster.State, cluster.Region));
                Assert.Equal(new[] { name + "-dr-1" }, cluster.InstanceIds);
                Assert.Equal(name + "-dr", (await drRds.FindDBInstanceAsync(name + "-dr-1"))!.DBClusterIdentifier);

                // Drill the DR copy: passes, and the scratch cluster and instance are gone afterwards.
                var drill = PsHarness.Run($"@(Get-DrBackup -Kind DBClusterSnapshot -SourceId {name} {pd})[0] | Test-DrRestore -RtoTarget 01:00:00 -Confirm:$false {pd}");
                Assert.True(drill.Terminating == null && drill.Errors.Count == 0, drill.Describe());
                var result = (RestoreTestResult)Assert.Single(drill.Output).BaseObject;
                Assert.True(result.Passed, string.Join("; ", result.Failures.Select(f => f.Message)));
                Assert.StartsWith("drill-", result.RestoredId);
                var scratchInstance = await drRds.FindDBInstanceAsync(result.RestoredId + "-1");
                var scratchCluster = await drRds.FindDBClusterAsync(result.RestoredId!);
                Assert.True(scratchInstance == null || scratchInstance.Status == "deleting", scratchInstance?.Status);
                Assert.True(scratchCluster == null || scratchCluster.Status == "deleting", scratchCluster?.Status);

                // A second snapshot; keep the newest one: -WhatIf lists the older, then it goes.
                Assert.True(PsHarness.Run($"Invoke-DrBackup -DBClusterIdentifier {name} -ClientToken {name}-2 {p}").Errors.Count == 0);
                var plan = PsHarness.Run($"Remove-DrBackup -Kind DBClusterSnapshot -SourceId {name} -KeepLast 1 -WhatIf {p}");
                Assert.True(plan.Terminating == null && plan.Errors.Count == 0, plan.Describe());
                Assert.Contains($"DB cluster snapshot {point.Id} of {name} in {Live.Region}", plan.HostText);
                var removed = PsHarness.Run($"Remove-DrBackup -Kind DBClusterSnapshot -SourceId {name} -KeepLast 1 -Force {p}");
                Assert.True(removed.Terminating == null && removed.Errors.Count == 0, removed.Describe());
                Assert.Equal(point.Id, ((RecoveryPointRemoval)Assert.Single(removed.Output).BaseObject).Id);
                Assert.Null(await rds.FindDBClusterSnapshotAsync(point.Id));
            }
            finally
            {
                foreach (var region in new[] { Live.Region, Live.DrRegion })
                    PsHarness.Run($"Get-DrBackup -Kind DBClusterSnapshot -SourceId {name} {Live.Params(region)} | Remove-DrBackup -Force {Live.Params(region)}");
                foreach (var x in restored)
                    try
                    {
                        foreach (var id in x.InstanceIds) await drRds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, true);
                        await drRds.DeleteDBClusterAsync(x.Id, DbFinalSnapshot.None);
                    }
                    catch (Exception) { }
                try { await rds.DeleteDBInstanceAsync(name + "-w", DbFinalSnapshot.None, true); } catch (Exception) { }
                try { await rds.DeleteDBClusterAsync(name, DbFinalSnapshot.None); } catch (Exception) { }
            }
        }
    }
}
