using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// Drills end to end on a two-region pilot light setup (see <see cref="Site"/>): the drill rehearses the recovery in
    /// the DR region and leaves production, the replica, the standby group and the Elastic IP as they were; afterwards
    /// nothing tagged with the drill's run id is left, also after a failed step, after cancellation, and after -Keep once
    /// Remove-DrDrill has run.
    /// </summary>
    public sealed class DrillLiveTests : IDisposable
    {
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-live-drills-" + Guid.NewGuid().ToString("N"));
        readonly Site _site = new();
        string? _zone;
        Ec2Address? _eip;

        public void Dispose()
        {
            var problems = _site.CleanUpAsync().GetAwaiter().GetResult();
            try { Directory.Delete(_journals, true); } catch (IOException) { }
            Assert.True(problems.Count == 0, "Cleanup failed: " + string.Join("; ", problems));
        }

        string App => "app." + _site.ZoneName;
        string DrillRecord => "drill.app." + _site.ZoneName;

        /// <summary>Primary database and cross-region replica, AMI, Elastic IP, a standby group and the production record.</summary>
        async Task SetUpAsync()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            await _site.AmiAsync();
            _eip = await _site.ElasticIpAsync();
            await _site.GroupAsync(1, 2, 1);
            _zone = await _site.ZoneAsync();
            await _site.UpsertAsync(_zone, new ResourceRecordSet { Name = App, Type = "A", Ttl = 60, Values = new[] { "198.51.100.10" } });
        }

        string WritePlan(string amiName) => _site.WritePlan(new
        {
            name = _site.PlanName, strategy = "PILOT_LIGHT", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT1H", rpo = "PT15M",
            resources = new
            {
                appServers = new[] { new { name = "web", ami = new { name = amiName }, instanceType = "t3.micro", count = 2 } },
                database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb, targetInstanceClass = "db.t3.small" },
                autoScalingGroups = new[] { new { name = _site.GroupName, standby = new { min = 1, max = 2, desired = 1 }, production = new { min = 2, max = 4, desired = 2 } } },
                elasticIps = new[] { new { allocationId = _eip!.AllocationId, appServer = "web", index = 0 } },
                dns = new
                {
                    hostedZoneName = _site.ZoneName, // by name: moto's zone ids do not have the AWS "Z..." form the plan schema checks
                    records = new[] { new { name = App, type = "A", routing = "SIMPLE", ttl = 60, primary = new { values = new[] { "198.51.100.10" } }, dr = new { elasticIps = new[] { _eip.AllocationId } } } },
                },
            },
            drill = new { dns = new { hostedZoneId = _zone, recordName = DrillRecord, appServer = "web", ttl = 60 } },
        });

        PsResult Drill(string plan, string extra) =>
            PsHarness.Run($"Invoke-DrDrill -Plan {PsHarness.Quote(plan)} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Force {extra}");

        static DrillResult Result(PsResult r) => Assert.IsType<DrillResult>(Assert.Single(r.Output).BaseObject);

        /// <summary>What exists tagged DrTools:Drill=runId (instances, DB instances, DB snapshots, groups), and the drill record.</summary>
        async Task<List<string>> TaggedAsync(string runId)
        {
            var left = new List<string>();
            foreach (var i in await _site.Ec2.DescribeInstancesAsync(null, new[] { new Ec2Filter("tag:" + DrillTags.Drill, runId) }, default))
                if (i.State is not ("terminated" or "shutting-down")) left.Add($"instance {i.InstanceId} {i.State}");
            foreach (var d in await _site.DrRds.DescribeDBInstancesAsync(null, null, default))
                if (d.Tags.TryGetValue(DrillTags.Drill, out var v) && v == runId && d.Status != "deleting") left.Add($"db {d.Identifier} {d.Status}");
            foreach (var s in await _site.DrRds.DescribeDBSnapshotsAsync(null, default))
                if (s.Tags.TryGetValue(DrillTags.Drill, out var v) && v == runId) left.Add($"snapshot {s.Identifier} {s.Status}");
            foreach (var g in await _site.Asg.DescribeAutoScalingGroupsAsync(null, default))
                if (g.Tags.TryGetValue(DrillTags.Drill, out var v) && v == runId) left.Add($"group {g.Name}");
            left.AddRange((await _site.Route53.ListRecordSetsAsync(_zone!, DrillRecord, "A")).Where(r => Route53Names.SameName(r.Name, DrillRecord)).Select(r => "record " + r.Name));
            return left;
        }

        /// <summary>The replica, the production record, the standby group and the Elastic IP are as the setup left them.</summary>
        async Task AssertProductionUntouchedAsync()
        {
            var replica = (await _site.DrRds.FindDBInstanceAsync(_site.ReplicaDb))!;
            Assert.Equal(_site.PrimaryDb, replica.ReadReplicaSource?.Split(':').Last());
            Assert.Equal(("available", "db.t3.micro"), (replica.Status, replica.InstanceClass));
            Assert.Contains(_site.ReplicaDb, (await _site.PrimaryRds.FindDBInstanceAsync(_site.PrimaryDb))!.ReadReplicas.Select(r => r.Split(':').Last()));
            var record = await _site.RecordAsync(_zone!, App, null);
            Assert.Equal(("198.51.100.10", 60L), (record.Values.Single(), record.Ttl));
            var group = (await _site.Asg.FindAutoScalingGroupAsync(_site.GroupName))!;
            Assert.Equal((1, 2, 1), (group.MinSize, group.MaxSize, group.DesiredCapacity));
            var address = (await _site.Ec2.DescribeAddressesAsync(new[] { _eip!.AllocationId! }, null, default)).Single();
            Assert.Null(address.InstanceId);
            Assert.Null(address.AssociationId);
        }

        [LiveFact]
        public async Task A_pilot_light_drill_passes_leaves_production_as_it_was_and_cleans_up_everything_it_tagged()
        {
            await SetUpAsync();
            var plan = WritePlan(_site.AmiName);
            var runId = "gd-" + Guid.NewGuid().ToString("N").Substring(0, 8);

            var r = Drill(plan, $"-RunId {runId} -Validation {{ $_.Instances['web'].Count -eq 2 -and $_.DatabaseEndpoint }}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Result(r);
            Assert.True(result.Passed, r.Describe());
            Assert.Equal(runId, result.RunId);
            Assert.True(result.CleanedUp, string.Join("; ", result.Leftovers));
            Assert.Empty(result.Leftovers);
            Assert.True(result.RtoMet);
            Assert.Contains(result.Validation, v => v.Name == "-Validation" && v.Passed);
            Assert.Contains(result.Steps, s => s.StepId == "restore-db" && s.Status == StepStatus.Succeeded);
            Assert.Contains(result.Steps, s => s.StepId == "launch-web" && s.Status == StepStatus.Succeeded);
            Assert.DoesNotContain(result.Steps, s => s.StepId.Contains("promote") || s.StepId.Contains("eip") || s.StepId == "change-dns");

            await AssertProductionUntouchedAsync();
            Assert.Empty(await TaggedAsync(runId));
            Assert.Empty(await _site.PlanInstancesAsync()); // nothing under the real plan's tag either

            var history = PsHarness.Run($"Get-DrDrill -Plan {PsHarness.Quote(plan)} -JournalPath {PsHarness.Quote(_journals)}");
            Assert.True(history.Terminating == null && history.Errors.Count == 0, history.Describe());
            var listed = Assert.IsType<DrillResult>(Assert.Single(history.Output).BaseObject);
            Assert.Equal((runId, true, true), (listed.RunId, listed.Passed, listed.CleanedUp));
        }

        [LiveFact]
        public async Task A_drill_with_a_failing_step_fails_and_still_cleans_up()
        {
            await SetUpAsync();
            var plan = WritePlan("drtools-live-no-such-ami-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var runId = "gf-" + Guid.NewGuid().ToString("N").Substring(0, 8);

            var r = Drill(plan, $"-RunId {runId}");
            var result = Result(r);
            Assert.False(result.Passed);
            Assert.Contains(result.Steps, s => s.StepId == "launch-web" && s.Status == StepStatus.Failed);
            Assert.Contains(r.Errors, e => e.TargetObject is DrillResult);
            Assert.True(result.CleanedUp, string.Join("; ", result.Leftovers));
            Assert.Null(result.AchievedRto);

            await AssertProductionUntouchedAsync();
            Assert.Empty(await TaggedAsync(runId));
        }

        [LiveFact]
        public async Task A_drill_cancelled_once_its_first_step_finished_cleans_up_and_says_so()
        {
            await SetUpAsync();
            var load = DrPlanLoader.LoadFile(WritePlan(_site.AmiName));
            var plan = load.Plan ?? throw new InvalidOperationException(string.Join("; ", load.Errors));
            var runId = "gc-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            using var cts = new CancellationTokenSource();
            // Ctrl+C as soon as a step has created something: the engine reports "Step <id> succeeded after ...".
            var reporter = new CancelOnStepDone(cts);
            using var services = RecoveryServices.Create(new AwsClientFactory(Live.Connection(Live.DrRegion)), plan, reporter);
            var drills = new DrillService(services, new RecoveryJournalStore(_journals), reporter) { CleanupPollInterval = TimeSpan.FromSeconds(0.2) };

            var ex = await Assert.ThrowsAsync<DrillCancelledException>(() => drills.RunAsync(plan, new DrillOptions { RunId = runId }, cts.Token));
            Assert.NotNull(reporter.FirstDone);
            var result = ex.Result;
            Assert.False(result.Passed);
            Assert.Equal("cancelled (Ctrl+C)", result.StopReason);
            Assert.Contains(result.Steps, s => s.StepId == reporter.FirstDone && s.Status == StepStatus.Succeeded);
            Assert.Contains(result.Steps, s => s.Status != StepStatus.Succeeded);
            Assert.True(result.CleanedUp, string.Join("; ", result.Leftovers));

            await AssertProductionUntouchedAsync();
            Assert.Empty(await TaggedAsync(runId));
        }

        [LiveFact]
        public async Task Keep_leaves_the_drill_environment_up_until_Remove_DrDrill_deletes_it()
        {
            await SetUpAsync();
            var plan = WritePlan(_site.AmiName);
            var runId = "gk-" + Guid.NewGuid().ToString("N").Substring(0, 8);

            var r = Drill(plan, $"-RunId {runId} -Keep");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Result(r);
            Assert.True(result.Passed && result.Kept && !result.CleanedUp, r.Describe());
            var kept = await TaggedAsync(runId);
            Assert.Equal(4, kept.Count(k => k.StartsWith("instance ", StringComparison.Ordinal))); // 2 app servers, 2 in the drill group (production size)
            Assert.Contains(kept, k => k.StartsWith($"db {_site.ReplicaDb}-drill-{runId} ", StringComparison.Ordinal));
            Assert.Contains(kept, k => k.StartsWith("group ", StringComparison.Ordinal));
            Assert.Contains(kept, k => k.StartsWith("record ", StringComparison.Ordinal));
            Assert.Equal(kept.Count, result.Leftovers.Count);

            var preview = PsHarness.Run($"Remove-DrDrill -Plan {PsHarness.Quote(plan)} -RunId {runId} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -WhatIf");
            Assert.True(preview.Terminating == null && preview.Errors.Count == 0, preview.Describe());
            Assert.Equal(kept.Count, (await TaggedAsync(runId)).Count);

            var removed = PsHarness.Run($"Remove-DrDrill -Plan {PsHarness.Quote(plan)} -RunId {runId} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Confirm:$false");
            Assert.True(removed.Terminating == null && removed.Errors.Count == 0, removed.Describe());
            Assert.Empty(removed.Output);
            Assert.Empty(await TaggedAsync(runId));
            await AssertProductionUntouchedAsync();
        }

        [LiveFact]
        public async Task Readme_runbook_game_day_drills_the_plan_reads_the_result_and_the_history()
        {
            await SetUpAsync();
            var dir = Path.Combine(_journals, "gameday");
            Directory.CreateDirectory(dir);
            File.Copy(WritePlan(_site.AmiName), Path.Combine(dir, "orders.json"));
            // Only the endpoint and the journal folder come from the test; the block runs as README.md has it.
            var defaults = RecoveryPointLiveTests.EndpointDefaults() + $"$PSDefaultParameterValues['*-DrDrill:JournalPath'] = {PsHarness.Quote(_journals)}\n";

            var r = PsHarness.Run($"$ExecutionContext.SessionState.Path.SetLocation({PsHarness.Quote(dir)}) | Out-Null\n{defaults}{RecoveryPointLiveTests.Runbook("gameday")}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("never promoted", r.HostText);
            var results = r.Output.Where(o => o != null).Select(o => o.BaseObject).OfType<DrillResult>().ToList();
            Assert.Equal(2, results.Count); // $drill, then Get-DrDrill's history of one
            var drill = results[0];
            Assert.True(drill.Passed && drill.RtoMet == true && drill.CleanedUp, r.Describe());
            Assert.Contains(drill.Rpo, c => c.Component == "database");
            Assert.Contains(drill.Validation, v => v.Name == "-Validation" && v.Passed);
            Assert.Equal((drill.RunId, true), (results[1].RunId, results[1].Passed));
            Assert.Contains(r.Output.Where(o => o != null).Select(o => o.BaseObject).OfType<DrillRpoComponent>(), c => c.Component == "database");
            Assert.Empty(r.Output.Where(o => o != null).Select(o => o.BaseObject).OfType<StepResult>()); // step 4 printed nothing
            await AssertProductionUntouchedAsync();
            Assert.Empty(await TaggedAsync(drill.RunId));

            // The same block when the drill fails (an AMI that does not exist): step 4 prints the failed step, and the drill is gone.
            File.Copy(WritePlan("drtools-live-no-such-ami-" + Guid.NewGuid().ToString("N").Substring(0, 8)), Path.Combine(dir, "orders.json"), overwrite: true);
            var f = PsHarness.Run($"$ExecutionContext.SessionState.Path.SetLocation({PsHarness.Quote(dir)}) | Out-Null\n{defaults}{RecoveryPointLiveTests.Runbook("gameday")}");
            Assert.Null(f.Terminating);
            Assert.All(f.Errors, e => Assert.StartsWith("DrTools.", e.FullyQualifiedErrorId));
            var failed = f.Output.Where(o => o != null).Select(o => o.BaseObject).OfType<DrillResult>().ToList();
            Assert.Equal(3, failed.Count); // $drill, then the history: the failed drill and the one before
            Assert.False(failed[0].Passed);
            Assert.True(failed[0].CleanedUp, string.Join("; ", failed[0].Leftovers));
            var printed = Assert.Single(f.Output.Where(o => o != null).Select(o => o.BaseObject).OfType<StepResult>());
            Assert.Equal(("launch-web", StepStatus.Failed), (printed.StepId, printed.Status));
            Assert.Equal((failed[0].RunId, drill.RunId), (failed[1].RunId, failed[2].RunId));
            Assert.Empty(await TaggedAsync(failed[0].RunId));
        }

        sealed class CancelOnStepDone : IOperationReporter
        {
            readonly CancellationTokenSource _cts;
            public CancelOnStepDone(CancellationTokenSource cts) => _cts = cts;
            public string? FirstDone { get; private set; }

            public void Verbose(string message)
            {
                var m = System.Text.RegularExpressions.Regex.Match(message, @"Step (\S+) succeeded after ");
                if (!m.Success) return;
                lock (this) FirstDone ??= m.Groups[1].Value;
                _cts.Cancel();
            }

            public void Warning(string message) { }
            public void Progress(ProgressUpdate update) { }
        }
    }
}
