using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reprotect;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// A pilot-light plan in two regions fails over, then Invoke-DrReprotect puts a replica of the promoted database back
    /// in the primary region under primaryInstanceId: the old primary is renamed aside and still there, the first
    /// snapshot is copied, and the active side record says DR with the replica. (The failback branch builds the whole
    /// round trip on top of this.)
    /// </summary>
    public sealed class ReprotectLiveTests : IDisposable
    {
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-live-reprotect-" + Guid.NewGuid().ToString("N"));
        readonly Site _site = new();
        readonly List<Func<Task>> _cleanup = new();

        public void Dispose()
        {
            var problems = new List<string>();
            foreach (var c in _cleanup)
                try { c().GetAwaiter().GetResult(); } catch (Exception ex) { problems.Add(ex.Message); }
            problems.AddRange(_site.CleanUpAsync().GetAwaiter().GetResult());
            try { Directory.Delete(_journals, true); } catch (IOException) { }
            Assert.True(problems.Count == 0, "Cleanup failed: " + string.Join("; ", problems));
        }

        PsResult RunCmdlet(string cmdlet, string planPath, string extra = "") =>
            PsHarness.Run($"{cmdlet} -Plan {PsHarness.Quote(planPath)} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Confirm:$false {extra}");

        static T Prop<T>(PSObject o, string name) => (T)o.Properties[name].Value;

        /// <summary>moto publishes no ReplicaLag: put one data point (AWS/RDS, as RDS would) so wait-replica has a lag to report.</summary>
        static async Task PutReplicaLagAsync(string region, string instanceId, double seconds)
        {
            using var cw = new AwsClientFactory(Live.Connection(region)).CloudWatch(region);
            await cw.SendAsync("PutMetricData", new Dictionary<string, string>
            {
                ["Namespace"] = "AWS/RDS",
                ["MetricData.member.1.MetricName"] = "ReplicaLag",
                ["MetricData.member.1.Dimensions.member.1.Name"] = "DBInstanceIdentifier",
                ["MetricData.member.1.Dimensions.member.1.Value"] = instanceId,
                ["MetricData.member.1.Value"] = seconds.ToString(CultureInfo.InvariantCulture),
                ["MetricData.member.1.Unit"] = "Seconds",
            }, CancellationToken.None);
        }

        [LiveFact]
        public async Task After_a_failover_reprotect_puts_a_replica_back_in_the_primary_region_and_sets_the_old_primary_aside()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            await _site.AmiAsync();
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "PILOT_LIGHT", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT1H", rpo = "PT15M",
                resources = new
                {
                    appServers = new[] { new { name = "web", ami = new { name = _site.AmiName, tags = new Dictionary<string, string> { ["drtools:role"] = "web" } }, instanceType = "t3.micro", count = 1 } },
                    database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb, allowDataLoss = Live.IsMoto },
                },
            });

            var failover = RunCmdlet("Invoke-DrFailover", plan);
            Assert.True(failover.Terminating == null && failover.Errors.Count == 0, failover.Describe());
            Assert.True(Prop<bool>(Assert.Single(failover.Output), "Succeeded"), failover.Describe());
            var sides = new ActiveSideStore(new RecoveryJournalStore(_journals));
            var afterFailover = (await sides.LoadAsync(_site.PlanName, CancellationToken.None))!;
            Assert.Equal((PlanSide.Dr, _site.ReplicaDb, Live.DrRegion), (afterFailover.Active, afterFailover.Writer!.Id, afterFailover.Writer.Region));
            Assert.Null(afterFailover.Replica);

            if (Live.IsMoto) await PutReplicaLagAsync(Live.Region, _site.PrimaryDb, 2);
            var r = RunCmdlet("Invoke-DrReprotect", plan);
            var runId = r.Output.Count == 1 ? Prop<string>(r.Output[0], "RunId") : "";
            var aside = ReprotectNames.SetAsideId(_site.PrimaryDb, runId);
            var snapshot = ReprotectNames.SnapshotId(_site.ReplicaDb, runId);
            _cleanup.Add(async () => { if (await _site.PrimaryRds.FindDBInstanceAsync(aside) != null) await _site.PrimaryRds.DeleteDBInstanceAsync(aside, DbFinalSnapshot.None, true); });
            _cleanup.Add(async () => { if (await _site.PrimaryRds.FindDBSnapshotAsync(snapshot) != null) await _site.PrimaryRds.DeleteDBSnapshotAsync(snapshot); });
            _cleanup.Add(async () => { if (await _site.DrRds.FindDBSnapshotAsync(snapshot) != null) await _site.DrRds.DeleteDBSnapshotAsync(snapshot); });
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = (RecoveryResult)Assert.Single(r.Output).BaseObject;
            Assert.True(result.Succeeded, r.Describe());
            Assert.Equal(_site.PlanName + ".reprotect", result.Plan);

            // The replica back in the primary region, under the primary's id, replicating the promoted database.
            var replica = (await _site.PrimaryRds.FindDBInstanceAsync(_site.PrimaryDb))!;
            Assert.Equal("available", replica.Status);
            Assert.True(ReprotectNames.IsReplicaOf(replica, new DatabaseLocation { Id = _site.ReplicaDb, Region = Live.DrRegion }), replica.ReadReplicaSource);
            // The old primary renamed aside and still there.
            Assert.Equal("available", (await _site.PrimaryRds.FindDBInstanceAsync(aside))!.Status);
            // The first snapshot of the new writer, and its copy in the primary region.
            Assert.Equal("available", (await _site.DrRds.FindDBSnapshotAsync(snapshot))!.Status);
            Assert.Equal("available", (await _site.PrimaryRds.FindDBSnapshotAsync(snapshot))!.Status);
            if (Live.IsMoto) Assert.Contains("lag 2 s", result.Steps.Single(s => s.StepId == "wait-replica").Message);
            // The record: DR active, the replica, the instance set aside.
            var record = (await sides.LoadAsync(_site.PlanName, CancellationToken.None))!;
            Assert.Equal(PlanSide.Dr, record.Active);
            Assert.Equal(new DatabaseLocation { Id = _site.PrimaryDb, Region = Live.Region }, record.Replica);
            Assert.Equal(new DatabaseLocation { Id = aside, Region = Live.Region }, Assert.Single(record.SetAside));

            // Again: nothing to do, and it says so.
            var again = RunCmdlet("Invoke-DrReprotect", plan);
            Assert.True(again.Terminating == null && again.Errors.Count == 0, again.Describe());
            Assert.Contains("already protected", ((RecoveryResult)Assert.Single(again.Output).BaseObject).Steps.Single().Message);
        }
    }
}
