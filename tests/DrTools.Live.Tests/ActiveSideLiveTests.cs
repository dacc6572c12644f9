using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reprotect;
using DrTools.Core.Status;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>After a failover: Get-DrStatus says to re-protect, and the README's plan-driven nightly backup backs up the promoted writer.</summary>
    public class ActiveSideLiveTests
    {
        [LiveFact]
        public async Task Readme_plan_driven_nightly_backup_follows_the_active_writer_after_a_failover()
        {
            var site = new Site();
            var dir = Path.Combine(Path.GetTempPath(), "drtools-live-sides-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var journal = Path.Combine(dir, "journals");
            Directory.CreateDirectory(dir);
            var created = new List<(RdsService Rds, string Id)>();
            try
            {
                await site.PrimaryDatabaseAsync();
                await site.ReplicaAsync();
                // The failover's database step and its last step: the replica is promoted and the record says the DR side is active.
                await site.DrRds.PromoteReadReplicaAsync(site.ReplicaDb);
                await new ActiveSideStore(new RecoveryJournalStore(journal)).SaveAsync(new ActiveSide
                {
                    Plan = site.PlanName, Active = PlanSide.Dr, Writer = new DatabaseLocation { Id = site.ReplicaDb, Region = Live.DrRegion },
                    ChangedAt = DateTimeOffset.UtcNow, Operation = "Failover", RunId = "live-failover-1",
                }, CancellationToken.None);
                File.WriteAllText(Path.Combine(dir, "orders.json"), $$"""
                    { "name": "{{site.PlanName}}", "strategy": "PILOT_LIGHT", "primaryRegion": "{{Live.Region}}", "drRegion": "{{Live.DrRegion}}", "rto": "PT1H", "rpo": "PT15M",
                      "resources": { "appServers": [ { "name": "web", "ami": { "id": "ami-12c6146b" }, "instanceType": "t3.micro" } ],
                                     "database": { "primaryInstanceId": "{{site.PrimaryDb}}", "replicaInstanceId": "{{site.ReplicaDb}}" } } }
                    """);

                var r = PsHarness.Run($"$ExecutionContext.SessionState.Path.SetLocation({PsHarness.Quote(dir)}) | Out-Null; " +
                                      $"$journal = {PsHarness.Quote(journal)}; $rdsKey = 'alias/aws/rds'\n" +
                                      RecoveryPointLiveTests.EndpointDefaults() + RecoveryPointLiveTests.Runbook("nightly-plan"));
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

                // The backup: a snapshot of the promoted writer in the DR region, copied to the primary region, tagged with the plan.
                var point = Assert.Single(r.Output.Select(o => o.BaseObject).OfType<RecoveryPoint>());
                Assert.Equal((RecoveryPointKind.DBSnapshot, site.ReplicaDb, Live.DrRegion, site.PlanName), (point.Kind, point.SourceId, point.Region, point.Plan));
                created.Add((site.DrRds, point.Id));
                var copy = await site.PrimaryRds.FindDBSnapshotAsync(point.Id);
                Assert.NotNull(copy);
                created.Add((site.PrimaryRds, point.Id));
                Assert.Equal((site.ReplicaDb, "available"), (copy!.DBInstanceIdentifier, copy.Status));

                // The status: failed over and not re-protected is Failing, and the next step is the re-protect.
                var rows = r.Output.Select(o => o.BaseObject).OfType<DrStatusRow>().ToList();
                var summary = Assert.IsType<DrStatusSummary>(r.Output.Last().BaseObject);
                var protection = Assert.Single(rows, x => x.Kind == "Protection");
                Assert.Equal((site.ReplicaDb, Live.DrRegion, DrStatusLevel.Failing), (protection.Component, protection.Region, protection.Status));
                Assert.Equal(DrStatusLevel.Failing, summary.Status);
                Assert.StartsWith($"Protection {site.ReplicaDb}:", summary.NextStep);
                Assert.EndsWith($"Next step: Invoke-DrReprotect -Plan '{Path.Combine(dir, "orders.json")}'", summary.NextStep);
                // The new writer's snapshot rows follow it: taken in the DR region, its copy on the primary side.
                Assert.Contains(rows, x => x.Kind == DrStatusKinds.DbSnapshot && x.Component == site.ReplicaDb && x.Region == Live.Region && x.Status == DrStatusLevel.Ok);
                Assert.DoesNotContain(rows, x => x.Kind is "DbReplica" or "ReplicaLag");
            }
            finally
            {
                foreach (var (rds, id) in created)
                    try { await rds.DeleteDBSnapshotAsync(id); } catch (Exception) { /* cleanup is best effort */ }
                var problems = await site.CleanUpAsync();
                try { Directory.Delete(dir, true); } catch (IOException) { }
                Assert.Empty(problems);
            }
        }
    }
}
