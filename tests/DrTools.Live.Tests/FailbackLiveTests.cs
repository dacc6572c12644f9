using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Reprotect;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// Issue 15's "done when": a pilot-light plan in two regions fails over, is re-protected (a replica back in the
    /// primary region, a snapshot copied there), fails back without data loss, and the database ends where it started:
    /// primaryInstanceId writable in the primary region, replicaInstanceId a replica of it in the DR region, the
    /// instances renamed aside on the way still there, the active side record PRIMARY with its replica.
    /// </summary>
    public sealed class FailbackLiveTests : IDisposable
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 3 : 60);
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-live-failback-" + Guid.NewGuid().ToString("N"));
        readonly Site _site = new();
        readonly LagPublisher? _lag = Live.IsMoto ? new LagPublisher() : null;

        public void Dispose()
        {
            _lag?.Dispose();
            var problems = CleanUpAsync().GetAwaiter().GetResult();
            problems.AddRange(_site.CleanUpAsync().GetAwaiter().GetResult());
            try { Directory.Delete(_journals, true); } catch (IOException) { }
            Assert.True(problems.Count == 0, "Cleanup failed: " + string.Join("; ", problems));
        }

        PsResult RunCmdlet(string cmdlet, string planPath, string extra = "") =>
            PsHarness.Run($"{cmdlet} -Plan {PsHarness.Quote(planPath)} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Confirm:$false {extra}");

        static PSObject Result(PsResult r) => Assert.Single(r.Output, o => o.BaseObject is not string);
        static T Prop<T>(PSObject o, string name) => (T)o.Properties[name].Value;

        Task<ActiveSide?> ActiveSideAsync() => new ActiveSideStore(new RecoveryJournalStore(_journals)).LoadAsync(_site.PlanName, CancellationToken.None);

        [LiveFact]
        public async Task Fail_over_reprotect_and_fail_back_without_data_loss_ends_where_it_started()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            await _site.AmiAsync();
            var zone = await _site.ZoneAsync();
            var app = "app." + _site.ZoneName;
            await _site.UpsertAsync(zone, new ResourceRecordSet { Name = app, Type = "A", Ttl = 60, Values = new[] { "198.51.100.10" } });
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "PILOT_LIGHT", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT1H", rpo = "PT15M",
                resources = new
                {
                    appServers = new[] { new { name = "web", ami = new { name = _site.AmiName }, instanceType = "t3.micro", count = 1 } },
                    database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb, maxReplicaLag = "PT5M" },
                    dns = new
                    {
                        hostedZoneName = _site.ZoneName,
                        records = new[] { new { name = app, type = "A", routing = "SIMPLE", ttl = 60, primary = new { values = new[] { "198.51.100.10" } }, dr = new { values = new[] { "203.0.113.10" } } } },
                    },
                },
            });

            // moto publishes no ReplicaLag: publish what a replica that keeps up would (AWS/RDS ReplicaLag through moto's CloudWatch).
            if (_lag != null)
            {
                _lag.Set(Live.DrRegion, _site.ReplicaDb, 1);
                await WaitForLagAsync(Live.DrRegion, _site.ReplicaDb, lag => lag <= TimeSpan.FromSeconds(1)); // published before the promotion reads it
            }
            var failover = RunCmdlet("Invoke-DrFailover", plan);
            Assert.True(failover.Terminating == null && failover.Errors.Count == 0, failover.Describe());
            Assert.Equal("203.0.113.10", (await _site.RecordAsync(zone, app, null)).Values.Single());
            Assert.Equal(PlanSide.Dr, (await ActiveSideAsync())?.Active);

            // Re-protect: a replica of the DR writer back in the primary region under the primary's id; the stale old primary renamed aside.
            if (_lag != null)
            {
                _lag.Set(Live.Region, _site.PrimaryDb, 1);
                await WaitForLagAsync(Live.Region, _site.PrimaryDb, lag => lag <= TimeSpan.FromSeconds(1));
            }
            var reprotect = RunCmdlet("Invoke-DrReprotect", plan);
            Assert.True(reprotect.Terminating == null && reprotect.Errors.Count == 0, reprotect.Describe());
            var replicaBack = (await _site.PrimaryRds.FindDBInstanceAsync(_site.PrimaryDb))!;
            Assert.True(ReprotectNames.IsReplicaOf(replicaBack, new DatabaseLocation { Id = _site.ReplicaDb, Region = Live.DrRegion }), replicaBack.ReadReplicaSource);
            var oldPrimary = Assert.Single(await _site.PrimaryRds.DescribeDBInstancesAsync(), d => d.Identifier.StartsWith(_site.PrimaryDb + "-old-", StringComparison.Ordinal));
            Assert.Contains(await _site.PrimaryRds.DescribeDBSnapshotsAsync(), s => s.Identifier.StartsWith(_site.ReplicaDb + "-reprotect-", StringComparison.Ordinal));
            Assert.Equal(new DatabaseLocation { Id = _site.PrimaryDb, Region = Live.Region }, (await ActiveSideAsync())!.Replica);

            if (_lag != null)
            {
                // The lag gate: a replica an hour behind is not failed back to, and nothing is fenced.
                _lag.Set(Live.Region, _site.PrimaryDb, 3600);
                await WaitForLagAsync(Live.Region, _site.PrimaryDb, lag => lag > TimeSpan.FromMinutes(5));
                var refused = RunCmdlet("Invoke-DrFailback", plan, "-Approve FenceDatabase");
                Assert.Contains(refused.Errors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.DataLossRisk", StringComparison.Ordinal));
                Assert.Single(await _site.PlanInstancesAsync()); // the app server still runs: not fenced
                Assert.Equal("203.0.113.10", (await _site.RecordAsync(zone, app, null)).Values.Single());
                _lag.Set(Live.Region, _site.PrimaryDb, 0);
                await WaitForLagAsync(Live.Region, _site.PrimaryDb, lag => lag == TimeSpan.Zero);
            }

            // Fail back without -AllowDataLoss: fence (stop the app server), zero lag after the fence, promote, DNS, re-protect the other way.
            var failback = RunCmdlet("Invoke-DrFailback", plan, "-Approve FenceDatabase");
            Assert.True(failback.Terminating == null && failback.Errors.Count == 0, failback.Describe());
            var result = Result(failback);
            Assert.True(Prop<bool>(result, "Succeeded"), failback.Describe());
            var steps = Prop<IEnumerable<StepResult>>(result, "Steps").Select(s => s.StepId).ToList();
            foreach (var id in new[] { "check-primary", "approve-fence-database", "fence-db", "catch-up", "promote-db", "change-dns", "set-aside-db", "create-replica", "record-active-side" })
                Assert.Contains(id, steps);
            Assert.Empty(await _site.PlanInstancesAsync()); // stopped by the fence

            // Where it started: the primary writable in the primary region, the replica in the DR region replicating from it.
            var primary = (await _site.PrimaryRds.FindDBInstanceAsync(_site.PrimaryDb))!;
            Assert.Equal("available", primary.Status);
            if (!Live.IsMoto) Assert.False(primary.IsReadReplica); // moto does not detach a promoted replica
            var drReplica = (await _site.DrRds.FindDBInstanceAsync(_site.ReplicaDb))!;
            Assert.True(ReprotectNames.IsReplicaOf(drReplica, new DatabaseLocation { Id = _site.PrimaryDb, Region = Live.Region }), drReplica.ReadReplicaSource);
            Assert.Equal("198.51.100.10", (await _site.RecordAsync(zone, app, null)).Values.Single());
            // Nothing deleted: the old primary (and, on AWS, the fenced old DR writer) are still there under their set-aside names.
            Assert.NotNull(await _site.PrimaryRds.FindDBInstanceAsync(oldPrimary.Identifier));
            var side = (await ActiveSideAsync())!;
            Assert.Equal(PlanSide.Primary, side.Active);
            Assert.Equal(new DatabaseLocation { Id = _site.PrimaryDb, Region = Live.Region }, side.Writer);
            Assert.Equal(new DatabaseLocation { Id = _site.ReplicaDb, Region = Live.DrRegion }, side.Replica);
            Assert.Contains(side.SetAside, s => s.Id == oldPrimary.Identifier && s.Region == Live.Region);
            var oldDr = (await _site.DrRds.DescribeDBInstancesAsync()).Where(d => d.Identifier.StartsWith(_site.ReplicaDb + "-old-", StringComparison.Ordinal)).ToList();
            if (Live.IsMoto)
            {
                // moto's promote_read_replica keeps the promoted instance's source (ReadReplicaSourceDBInstanceIdentifier still names
                // the original primary, which now is the promoted primary's id): re-protect takes the fenced old DR writer for a
                // replica of the primary and keeps it under its id. On AWS it is standalone, so it is renamed aside (below).
                Assert.Empty(oldDr);
                return;
            }
            var aside = Assert.Single(oldDr);
            Assert.Contains(side.SetAside, s => s.Id == aside.Identifier && s.Region == Live.DrRegion);
        }

        /// <summary>Until the replica lag DrTools reads (CloudWatch, newest 1-minute maximum) satisfies <paramref name="ok"/>.</summary>
        async Task WaitForLagAsync(string region, string id, Func<TimeSpan, bool> ok)
        {
            var source = new CloudWatchReplicaLag(new AwsClientFactory(Live.Connection(region)));
            using var limit = new CancellationTokenSource(Long);
            while (true)
            {
                var reading = await source.GetLagAsync(region, id, limit.Token);
                if (reading.Lag is { } lag && ok(lag)) return;
                await Task.Delay(TimeSpan.FromSeconds(1), limit.Token);
            }
        }

        /// <summary>What the recovery left that the site does not know: instances renamed aside, re-protect snapshots, stopped app servers.</summary>
        async Task<List<string>> CleanUpAsync()
        {
            var problems = new List<string>();
            var prefixes = new[] { _site.PrimaryDb + "-old-", _site.ReplicaDb + "-old-" };
            foreach (var rds in new[] { _site.DrRds, _site.PrimaryRds })
            {
                try
                {
                    foreach (var d in (await rds.DescribeDBInstancesAsync()).Where(d => prefixes.Any(p => d.Identifier.StartsWith(p, StringComparison.Ordinal))))
                    {
                        // moto cannot delete a cross-region replica (it looks its source up by the wrong id); promoted, it can.
                        if (Live.IsMoto && d.IsReadReplica) await rds.PromoteReadReplicaAsync(d.Identifier);
                        try { await rds.DeleteDBInstanceAsync(d.Identifier, DbFinalSnapshot.None, deleteAutomatedBackups: true); }
                        catch (Exception)
                        {
                            if (await rds.FindDBInstanceAsync(d.Identifier) is not (null or { Status: "deleting" })) throw;
                        }
                    }
                    foreach (var s in (await rds.DescribeDBSnapshotsAsync()).Where(s => s.Identifier.Contains("-reprotect-") &&
                                 (s.Identifier.StartsWith(_site.PrimaryDb, StringComparison.Ordinal) || s.Identifier.StartsWith(_site.ReplicaDb, StringComparison.Ordinal))))
                        await rds.DeleteDBSnapshotAsync(s.Identifier);
                }
                catch (Exception ex) { problems.Add($"{rds.Region}: {ex.Message}"); }
            }
            try
            {
                var stopped = await _site.Ec2.DescribeInstancesAsync(null, new[] { new Ec2Filter("tag:DrTools:Plan", _site.PlanName), new Ec2Filter("instance-state-name", "stopping", "stopped") }, default);
                if (stopped.Count > 0) await _site.Ec2.TerminateInstancesAsync(stopped.Select(i => i.InstanceId), default);
            }
            catch (Exception ex) { problems.Add("stopped app servers: " + ex.Message); }
            return problems;
        }

        /// <summary>
        /// Publishes AWS/RDS ReplicaLag for the given instances every half second (moto's CloudWatch accepts the AWS/RDS
        /// namespace; real AWS does not, and needs none of this: RDS publishes it).
        /// </summary>
        sealed class LagPublisher : IDisposable
        {
            readonly ConcurrentDictionary<(string Region, string Id), double> _lags = new();
            readonly CancellationTokenSource _stop = new();
            readonly Task _loop;

            public LagPublisher() => _loop = Task.Run(LoopAsync);

            public void Set(string region, string id, double seconds) => _lags[(region, id)] = seconds;

            async Task LoopAsync()
            {
                while (!_stop.IsCancellationRequested)
                {
                    foreach (var kv in _lags)
                    {
                        try
                        {
                            using var cw = new AwsClientFactory(Live.Connection(kv.Key.Region)).CloudWatch(kv.Key.Region);
                            await cw.SendAsync("PutMetricData", new Dictionary<string, string>
                            {
                                ["Namespace"] = "AWS/RDS",
                                ["MetricData.member.1.MetricName"] = "ReplicaLag",
                                ["MetricData.member.1.Dimensions.member.1.Name"] = "DBInstanceIdentifier",
                                ["MetricData.member.1.Dimensions.member.1.Value"] = kv.Key.Id,
                                ["MetricData.member.1.Value"] = kv.Value.ToString(CultureInfo.InvariantCulture),
                                ["MetricData.member.1.Unit"] = "Seconds",
                                ["MetricData.member.1.Timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                            }, _stop.Token);
                        }
                        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
                        catch (Exception) { } // the next round publishes again; a reader waits for the value it needs
                    }
                    try { await Task.Delay(500, _stop.Token); } catch (OperationCanceledException) { return; }
                }
            }

            public void Dispose()
            {
                _stop.Cancel();
                try { _loop.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
                _stop.Dispose();
            }
        }
    }
}
