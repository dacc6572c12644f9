using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.EC2;
using Amazon.EC2.Model;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// Each strategy end to end from a plan file, through the cmdlets, across two regions: the setup creates the
    /// primary database, a cross-region replica (or snapshot copy), an AMI, an Elastic IP and an Auto Scaling group at
    /// standby size in the DR region, and a hosted zone with the plan's records; the test then checks EC2, RDS, Auto
    /// Scaling and Route 53, and deletes everything in finally. Against real AWS this costs money (RDS, EC2).
    /// </summary>
    public sealed class RecoveryLiveTests : IDisposable
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 2 : 40);
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-live-journals-" + Guid.NewGuid().ToString("N"));
        readonly Site _site = new();

        public void Dispose()
        {
            var problems = _site.CleanUpAsync().GetAwaiter().GetResult();
            try { Directory.Delete(_journals, true); } catch (IOException) { }
            Assert.True(problems.Count == 0, "Cleanup failed: " + string.Join("; ", problems));
        }

        PsResult RunCmdlet(string cmdlet, string planPath, string extra = "") =>
            PsHarness.Run($"{cmdlet} -Plan {PsHarness.Quote(planPath)} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Confirm:$false {extra}");

        static PSObject Result(PsResult r) => Assert.Single(r.Output);
        static T Prop<T>(PSObject o, string name) => (T)o.Properties[name].Value;

        [LiveFact]
        public async Task Pilot_light_launches_promotes_resizes_moves_the_eip_and_switches_dns_and_resumes_after_a_refused_promotion()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            var ami = await _site.AmiAsync();
            var eip = await _site.ElasticIpAsync();
            var zone = await _site.ZoneAsync();
            await _site.UpsertAsync(zone, new ResourceRecordSet { Name = "app." + _site.ZoneName, Type = "A", Ttl = 60, Values = new[] { "198.51.100.10" } });
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "PILOT_LIGHT", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT1H", rpo = "PT15M",
                resources = new
                {
                    appServers = new[] { new { name = "web", ami = new { name = _site.AmiName, tags = new Dictionary<string, string> { ["drtools:role"] = "web" } }, instanceType = "t3.micro", count = 2 } },
                    database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb, targetInstanceClass = "db.t3.small" },
                    elasticIps = new[] { new { allocationId = eip.AllocationId, appServer = "web", index = 0 } },
                    dns = new
                    {
                        hostedZoneName = _site.ZoneName, // by name: moto's zone ids do not have the AWS "Z..." form the plan schema checks
                        records = new[] { new { name = "app." + _site.ZoneName, type = "A", routing = "SIMPLE", ttl = 60, primary = new { values = new[] { "198.51.100.10" } }, dr = new { elasticIps = new[] { eip.AllocationId } } } },
                    },
                },
            });

            var first = RunCmdlet("Start-DrPilotLight", plan);
            string? runId = null;
            if (Live.IsMoto)
            {
                // moto publishes no ReplicaLag metric: the lag is unknown, so the promotion is refused and DNS is not touched.
                var refused = Result(first);
                Assert.False(Prop<bool>(refused, "Succeeded"));
                Assert.Contains(first.Errors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.DataLossRisk", StringComparison.Ordinal));
                runId = Prop<string>(refused, "RunId");
                Assert.Equal("198.51.100.10", (await _site.RecordAsync(zone, "app." + _site.ZoneName, null)).Values.Single());
                Assert.Equal(2, (await _site.PlanInstancesAsync()).Count);
            }

            var r = runId != null ? RunCmdlet("Start-DrPilotLight", plan, $"-Resume -RunId {runId} -AllowDataLoss") : first;
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Result(r);
            Assert.True(Prop<bool>(result, "Succeeded"), r.Describe());
            Assert.Equal("PILOT_LIGHT", Prop<string>(result, "Strategy"));

            var instances = await _site.PlanInstancesAsync();
            Assert.Equal(2, instances.Count); // the resume launched nothing more
            Assert.All(instances, i => Assert.Equal(("running", ami), (i.State, i.ImageId)));
            var first0 = instances.Select(i => i.InstanceId).OrderBy(i => i, StringComparer.Ordinal).First();
            var address = (await _site.Ec2.DescribeAddressesAsync(new[] { eip.AllocationId! }, null, default)).Single();
            Assert.Equal(first0, address.InstanceId);
            var db = (await _site.DrRds.FindDBInstanceAsync(_site.ReplicaDb))!;
            Assert.Equal(("available", "db.t3.small"), (db.Status, db.InstanceClass));
            if (!Live.IsMoto) Assert.False(db.IsReadReplica); // moto does not detach a promoted replica
            Assert.Equal(address.PublicIp, (await _site.RecordAsync(zone, "app." + _site.ZoneName, null)).Values.Single());
        }

        [LiveFact]
        public async Task Warm_standby_scales_the_group_to_production_promotes_and_switches_failover_dns()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            await _site.GroupAsync(1, 2, 1);
            var zone = await _site.ZoneAsync();
            var name = "app." + _site.ZoneName;
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "WARM_STANDBY", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT30M", rpo = "PT5M",
                resources = new
                {
                    database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb, allowDataLoss = Live.IsMoto },
                    autoScalingGroups = new[] { new { name = _site.GroupName, standby = new { min = 1, max = 2, desired = 1 }, production = new { min = 2, max = 4, desired = 3 } } },
                    dns = new
                    {
                        hostedZoneName = _site.ZoneName,
                        records = new[]
                        {
                            new
                            {
                                name, type = "A", routing = "FAILOVER", ttl = 60,
                                sites = new object[]
                                {
                                    new { setIdentifier = "primary", failover = "PRIMARY", target = new { values = new[] { "198.51.100.10" } } },
                                    new { setIdentifier = "dr", failover = "SECONDARY", target = new { values = new[] { "203.0.113.10" } } },
                                },
                            },
                        },
                    },
                },
            });
            var r = RunCmdlet("Start-DrWarmStandby", plan);
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.True(Prop<bool>(Result(r), "Succeeded"));
            var group = (await _site.Asg.FindAutoScalingGroupAsync(_site.GroupName))!;
            Assert.Equal((2, 4, 3), (group.MinSize, group.MaxSize, group.DesiredCapacity));
            Assert.True(group.InServiceHealthyCount >= 3);
            Assert.Equal("available", (await _site.DrRds.FindDBInstanceAsync(_site.ReplicaDb))!.Status);
            Assert.Equal("203.0.113.10", (await _site.RecordAsync(zone, name, "dr")).Values.Single());
            Assert.Equal(Core.Aws.Route53.FailoverRole.Secondary, (await _site.RecordAsync(zone, name, "dr")).Failover);
        }

        [LiveFact]
        public async Task Multi_site_cuts_the_database_over_and_shifts_all_weights_to_the_dr_site_in_one_batch()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            var zone = await _site.ZoneAsync();
            var hcPrimary = await _site.HealthCheckAsync("198.51.100.10");
            var hcDr = await _site.HealthCheckAsync("203.0.113.10");
            var name = "app." + _site.ZoneName;
            foreach (var (id, w, ip, hc) in new[] { ("us-east-1", 50L, "198.51.100.10", hcPrimary), ("us-west-2", 50L, "203.0.113.10", hcDr) })
                await _site.UpsertAsync(zone, new ResourceRecordSet { Name = name, Type = "A", SetIdentifier = id, Weight = w, Ttl = 60, Values = new[] { ip }, HealthCheckId = hc });
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "MULTI_SITE", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT5M", rpo = "PT1M",
                resources = new
                {
                    database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb },
                    dns = new
                    {
                        hostedZoneName = _site.ZoneName, // by name: moto's zone ids do not have the AWS "Z..." form the plan schema checks
                        records = new[]
                        {
                            new
                            {
                                name, type = "A", routing = "WEIGHTED", ttl = 60,
                                sites = new[]
                                {
                                    new { setIdentifier = "us-east-1", weight = 50, failoverWeight = 0, target = new { values = new[] { "198.51.100.10" } }, healthCheckId = hcPrimary },
                                    new { setIdentifier = "us-west-2", weight = 50, failoverWeight = 100, target = new { values = new[] { "203.0.113.10" } }, healthCheckId = hcDr },
                                },
                            },
                        },
                    },
                },
            });
            var r = RunCmdlet("Invoke-DrFailover", plan, Live.IsMoto ? "-AllowDataLoss" : "");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Result(r);
            Assert.True(Prop<bool>(result, "Succeeded"));
            Assert.Equal("MULTI_SITE", Prop<string>(result, "Strategy"));
            Assert.Equal(0L, (await _site.RecordAsync(zone, name, "us-east-1")).Weight);
            Assert.Equal(100L, (await _site.RecordAsync(zone, name, "us-west-2")).Weight);
            Assert.Equal("available", (await _site.DrRds.FindDBInstanceAsync(_site.ReplicaDb))!.Status);

            // Failback: the database failed over and nothing replicates it back to the primary region yet, so traffic does not
            // return to the stale old primary: DrTools.NotProtected, naming Invoke-DrReprotect, and the weights stay.
            // (The whole way back, re-protect and failback without data loss, is FailbackLiveTests.)
            var back = RunCmdlet("Invoke-DrFailback", plan);
            var refused = Assert.Single(back.AllErrors);
            Assert.StartsWith("DrTools.NotProtected", refused.FullyQualifiedErrorId);
            Assert.Contains("Invoke-DrReprotect -Plan", refused.ErrorDetails?.RecommendedAction ?? back.Describe());
            Assert.Equal(0L, (await _site.RecordAsync(zone, name, "us-east-1")).Weight);
            Assert.Equal(100L, (await _site.RecordAsync(zone, name, "us-west-2")).Weight);
        }

        [LiveFact]
        public async Task Backup_and_restore_restores_the_newest_snapshot_copy_and_launches_the_app_servers()
        {
            await _site.PrimaryDatabaseAsync();
            var copy = await _site.SnapshotCopyAsync();
            var ami = await _site.AmiAsync();
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "BACKUP_AND_RESTORE", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT8H", rpo = "P1D",
                resources = new
                {
                    appServers = new[] { new { name = "web", ami = new { id = ami }, instanceType = "t3.micro", count = 1 } },
                    database = new { primaryInstanceId = _site.PrimaryDb, restore = new { instanceId = _site.RestoredDb } },
                },
            });
            var r = RunCmdlet("Invoke-DrFailover", plan);
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.True(Prop<bool>(Result(r), "Succeeded"));
            var restored = (await _site.DrRds.FindDBInstanceAsync(_site.RestoredDb))!;
            Assert.Equal("available", restored.Status);
            Assert.Single(await _site.PlanInstancesAsync());
            Assert.Contains(Prop<System.Collections.IEnumerable>(Result(r), "Steps").Cast<object>(),
                s => PSObject.AsPSObject(s).Properties["Message"].Value?.ToString()?.Contains(copy) == true);
        }

        [LiveFact]
        public async Task An_interrupted_run_resumes_without_repeating_finished_steps()
        {
            await _site.PrimaryDatabaseAsync();
            await _site.ReplicaAsync();
            await _site.AmiAsync();
            var plan = _site.WritePlan(new
            {
                name = _site.PlanName, strategy = "PILOT_LIGHT", primaryRegion = Live.Region, drRegion = Live.DrRegion, rto = "PT1H", rpo = "PT15M",
                resources = new
                {
                    appServers = new[] { new { name = "web", ami = new { name = _site.AmiName }, instanceType = "t3.micro", count = 1 } },
                    database = new { primaryInstanceId = _site.PrimaryDb, replicaInstanceId = _site.ReplicaDb, allowDataLoss = true },
                },
                approvals = new[] { new { before = "PromoteDatabase", message = "Is the primary database fenced?" } },
            });
            // The operator says No at the approval (ShouldContinue: Yes = 0, No = 1): the launch finishes, the promotion never starts.
            var stopped = PsHarness.Run($"Start-DrPilotLight -Plan {PsHarness.Quote(plan)} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Confirm:$false", confirmAnswer: 1);
            var first = Result(stopped);
            Assert.False(Prop<bool>(first, "Succeeded"));
            Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.ApprovalDenied", StringComparison.Ordinal));
            var runId = Prop<string>(first, "RunId");
            var launched = (await _site.PlanInstancesAsync()).Select(i => i.InstanceId).ToList();
            Assert.Single(launched);
            var replica = (await _site.DrRds.FindDBInstanceAsync(_site.ReplicaDb))!;
            Assert.True(replica.IsReadReplica); // not promoted

            var again = PsHarness.Run($"Start-DrPilotLight -Plan {PsHarness.Quote(plan)} {Live.Params(Live.DrRegion)} -JournalPath {PsHarness.Quote(_journals)} -Confirm:$false -Resume -RunId {runId} -Verbose", confirmAnswer: 0);
            Assert.True(again.Terminating == null && again.Errors.Count == 0, again.Describe());
            var result = Result(again);
            Assert.True(Prop<bool>(result, "Succeeded"));
            Assert.Equal(runId, Prop<string>(result, "RunId"));
            Assert.Contains(again.Verbose, v => v.Contains("Step launch-web: completed in an earlier attempt"));
            Assert.Equal(launched, (await _site.PlanInstancesAsync()).Select(i => i.InstanceId).ToList());
        }
    }
}
