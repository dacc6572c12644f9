using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Amazon.EC2.Model;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Backup;
using DrTools.Core.Connection;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>Recovery points end to end in two regions (Live.Region -> Live.DrRegion), through the cmdlets, running the README runbook.</summary>
    public class RecoveryPointLiveTests
    {
        static readonly CancellationToken None = CancellationToken.None;

        /// <summary>A fenced powershell block of README.md between &lt;!-- runbook:name --&gt; markers, exactly as written there.</summary>
        internal static string Runbook(string name)
        {
            var readme = File.ReadAllText(Path.Combine(PsHarness.RepoRoot, "README.md"));
            var m = Regex.Match(readme, $@"<!-- runbook:{name} -->\s*```powershell\n(.*?)```\s*<!-- /runbook:{name} -->", RegexOptions.Singleline);
            Assert.True(m.Success, $"README.md has no runbook:{name} block");
            return m.Groups[1].Value;
        }

        /// <summary>Points every DrTools cmdlet at the live endpoint without touching the runbook's text.</summary>
        internal static string EndpointDefaults() => Live.Endpoint == null ? "" :
            $"$PSDefaultParameterValues['*-Dr*:EndpointUrl'] = '{Live.Endpoint}'; $PSDefaultParameterValues['*-Dr*:AccessKey'] = '{Live.AccessKey}'; $PSDefaultParameterValues['*-Dr*:SecretKey'] = '{Live.SecretKey}'\n";

        [LiveFact]
        public async Task Readme_runbook_nightly_backup_to_the_DR_region_with_retention_and_weekly_test_restore()
        {
            var primaryFactory = new AwsClientFactory(Live.Connection(Live.Region));
            var drFactory = new AwsClientFactory(Live.Connection(Live.DrRegion));
            using var ec2 = new Ec2Service(primaryFactory, Live.Region);
            using var drEc2 = new Ec2Service(drFactory, Live.DrRegion);
            using var rds = RdsService.Create(primaryFactory);
            using var drRds = RdsService.Create(drFactory);
            rds.PollInterval = drRds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            var name = Live.Name("rp");
            var dbId = name;
            string? instanceId = null;
            try
            {
                var images = await ec2.DescribeImagesAsync(null, new[] { new Ec2Filter("architecture", "x86_64"), new Ec2Filter("root-device-type", "ebs"),
                    new Ec2Filter("name", Live.IsMoto ? "*" : "al2023-ami-2023*") }, new[] { "amazon" }, None);
                instanceId = (await ec2.RunInstancesAsync(new Ec2RunRequest(Environment.GetEnvironmentVariable("DRTOOLS_LIVE_AMI") ?? images.First().ImageId, "t3.micro")
                    { Tags = { ["Name"] = name } }, None)).Single().InstanceId;
                await ec2.WaitForInstanceRunningAsync(instanceId, new Ec2WaitOptions(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 10)), None);
                using (var client = primaryFactory.Rds())
                    await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
                    {
                        ["DBInstanceIdentifier"] = dbId, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                        ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20",
                    });
                await rds.WaitForDBInstanceAvailableAsync(dbId, TimeSpan.FromMinutes(30));
                var subnets = await drFactory.Ec2().DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = new List<Filter> { new("default-for-az", new List<string> { "true" }) } });
                var settings = new Dictionary<string, object?>
                {
                    ["primary"] = Live.Region, ["dr"] = Live.DrRegion, ["servers"] = new[] { instanceId }, ["database"] = dbId,
                    ["ebsKey"] = "alias/aws/ebs", ["rdsKey"] = "alias/aws/rds", ["testSubnet"] = subnets.Subnets.First().SubnetId,
                };

                var nightly = PsHarness.Run(EndpointDefaults() + Runbook("nightly"), settings);
                Assert.True(nightly.Terminating == null && nightly.Errors.Count == 0, nightly.Describe());
                var points = nightly.Output.Select(o => o.BaseObject).OfType<RecoveryPoint>().ToList();
                var created = points.Where(p => p.Region == Live.Region).ToList();
                var listed = points.Where(p => p.Region == Live.DrRegion).ToList();
                Assert.Contains(created, p => p.Kind == RecoveryPointKind.Snapshot && p.SourceId == instanceId && p.CopiedTo!.StartsWith(Live.DrRegion + ":"));
                var image = Assert.Single(created, p => p.Kind == RecoveryPointKind.Image);
                var dbSnap = Assert.Single(created, p => p.Kind == RecoveryPointKind.DBSnapshot);
                Assert.Equal((dbId, "nightly", true), (dbSnap.SourceId, dbSnap.Plan, dbSnap.ExpiresAfter > DateTime.UtcNow.AddDays(13)));
                Assert.All(created, p => Assert.True(p.IsUsable, p.ToString()));
                // The DR region holds a copy of each, and the RPO is met there for every source.
                Assert.Contains(listed, p => p.Kind == RecoveryPointKind.Image && p.CopyOf == $"{Live.Region}:{image.Id}" && p.RpoMet == true);
                Assert.Contains(listed, p => p.Kind == RecoveryPointKind.DBSnapshot && p.SourceId == dbId && p.RpoMet == true);
                Assert.Contains(listed, p => p.Kind == RecoveryPointKind.Snapshot && p.SourceId == instanceId && p.RpoMet == true);
                Assert.DoesNotContain(nightly.Warnings, w => w.Contains(instanceId) || w.Contains(dbId));
                // Nothing has expired yet: retention keeps everything.
                Assert.Empty(nightly.Output.Select(o => o.BaseObject).OfType<RecoveryPointRemoval>());

                // A re-run the same night (same token) takes nothing new.
                var rerun = PsHarness.Run(EndpointDefaults() + Runbook("nightly"), settings);
                Assert.True(rerun.Terminating == null && rerun.Errors.Count == 0, rerun.Describe());
                var again = rerun.Output.Select(o => o.BaseObject).OfType<RecoveryPoint>().Where(p => p.Region == Live.Region).Select(p => p.Id).OrderBy(x => x);
                Assert.Equal(created.Select(p => p.Id).OrderBy(x => x), again);

                var weekly = PsHarness.Run(EndpointDefaults() + Runbook("weekly"), settings);
                Assert.True(weekly.Terminating == null && weekly.Errors.Count == 0, weekly.Describe());
                var drills = weekly.Output.Select(o => o.BaseObject).OfType<RestoreTestResult>().ToList();
                Assert.Equal(2, drills.Count);
                Assert.All(drills, d => Assert.True(d.Passed && d.RtoMet == true && d.Mode == "Drill", string.Join("; ", d.Failures.Select(f => f.Message))));
                // The scratch resources are gone (or going).
                var scratchDb = await drRds.FindDBInstanceAsync(drills.Single(d => d.Kind == "DBSnapshot").RestoredId!);
                Assert.True(scratchDb == null || scratchDb.Status == "deleting", scratchDb?.Status);
                var scratchVm = (await drEc2.DescribeInstancesAsync(new[] { drills.Single(d => d.Kind == "Image").RestoredId! }, null, None)).SingleOrDefault();
                Assert.True(scratchVm == null || scratchVm.State is "terminated" or "shutting-down", scratchVm?.State);
            }
            finally
            {
                // Everything this test's runbook made, in both regions: remove by id (they carry the DrTools tags).
                foreach (var region in new[] { Live.Region, Live.DrRegion })
                    foreach (var kind in new[] { "Image", "Snapshot", "DBSnapshot" })
                        PsHarness.Run(EndpointDefaults() + $"Get-DrBackup -Region {region} -Kind {kind} -SourceId '{instanceId}', '{dbId}' | Remove-DrBackup -Region {region} -Confirm:$false");
                if (instanceId != null) try { await ec2.TerminateInstancesAsync(new[] { instanceId }, None); } catch (Exception) { }
                try { await rds.DeleteDBInstanceAsync(dbId, DbFinalSnapshot.None, true); } catch (Exception) { }
            }
        }

        [LiveFact]
        public async Task Restore_each_kind_in_the_DR_region_faults_and_keep_policy_through_the_cmdlets()
        {
            var factory = new AwsClientFactory(Live.Connection(Live.Region));
            using var ec2 = new Ec2Service(factory, Live.Region);
            using var drEc2 = new Ec2Service(new AwsClientFactory(Live.Connection(Live.DrRegion)), Live.DrRegion);
            using var rds = RdsService.Create(factory);
            rds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            var name = Live.Name("rpr");
            string? instanceId = null, manualSnap = null;
            var restored = new List<RestoredResource>();
            string p = Live.Params(), pd = Live.Params(Live.DrRegion);
            try
            {
                var images = await ec2.DescribeImagesAsync(null, new[] { new Ec2Filter("architecture", "x86_64"), new Ec2Filter("root-device-type", "ebs"),
                    new Ec2Filter("name", Live.IsMoto ? "*" : "al2023-ami-2023*") }, new[] { "amazon" }, None);
                instanceId = (await ec2.RunInstancesAsync(new Ec2RunRequest(Environment.GetEnvironmentVariable("DRTOOLS_LIVE_AMI") ?? images.First().ImageId, "t3.micro")
                    { Tags = { ["Name"] = name } }, None)).Single().InstanceId;
                await ec2.WaitForInstanceRunningAsync(instanceId, new Ec2WaitOptions(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 10)), None);
                using (var client = factory.Rds())
                    await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
                    {
                        ["DBInstanceIdentifier"] = name, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                        ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20",
                    });
                await rds.WaitForDBInstanceAvailableAsync(name, TimeSpan.FromMinutes(30));

                // Two snapshot sets, an image and a DB snapshot, all copied to the DR region.
                var r = PsHarness.Run($@"
Invoke-DrBackup -InstanceId {instanceId} -CopyToRegion {Live.DrRegion} -ClientToken {name}-1 {p}
Invoke-DrBackup -InstanceId {instanceId} -CopyToRegion {Live.DrRegion} -ClientToken {name}-2 {p}
Invoke-DrBackup -InstanceId {instanceId} -Image -CopyToRegion {Live.DrRegion} {p}
Invoke-DrBackup -DBInstanceIdentifier {name} -CopyToRegion {Live.DrRegion} {p}");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

                // Restore each kind from its copy in the DR region.
                var az = (await new AwsClientFactory(Live.Connection(Live.DrRegion)).Ec2().DescribeAvailabilityZonesAsync()).AvailabilityZones.First().ZoneName;
                var restore = PsHarness.Run($@"
@(Get-DrBackup -Kind Snapshot -SourceId {instanceId} {pd})[0] | Restore-DrBackup -AvailabilityZone {az} -VolumeType gp3 -Confirm:$false {pd}
@(Get-DrBackup -Kind Image -SourceId {instanceId} {pd})[0] | Restore-DrBackup -InstanceType t3.micro -ResourceTag @{{ Name = '{name}-dr' }} -Confirm:$false {pd}
@(Get-DrBackup -Kind DBSnapshot -SourceId {name} {pd})[0] | Restore-DrBackup -DBInstanceIdentifier {name}-dr -DBInstanceClass db.t3.small -Confirm:$false {pd}");
                restored.AddRange(restore.Output.Select(o => o.BaseObject).OfType<RestoredResource>());
                Assert.True(restore.Terminating == null && restore.Errors.Count == 0, restore.Describe());
                Assert.Equal(new[] { "Volume", "Instance", "DBInstance" }, restored.Select(x => x.ResourceType));
                Assert.All(restored, x => Assert.Equal(Live.DrRegion, x.Region));
                Assert.Equal(("available", "running", "available"), (restored[0].State, restored[1].State, restored[2].State));
                Assert.Equal(name + "-dr", restored[2].Id);

                // Faults: a server that is not in the region, a snapshot DrTools did not make.
                var missing = PsHarness.Run($"Invoke-DrBackup -InstanceId {instanceId} {pd}");
                Assert.StartsWith("DrTools.SourceNotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
                manualSnap = (await ec2.CreateSnapshotsAsync(new Ec2CreateSnapshotsRequest(instanceId) { CopyTagsFromSource = false }, None)).First().SnapshotId;
                var refused = PsHarness.Run($"Remove-DrBackup -Kind Snapshot -Id {manualSnap} -Confirm:$false {p}");
                Assert.StartsWith(RecoveryPointErrorIds.NotCreatedByDrTools, Assert.Single(refused.AllErrors).FullyQualifiedErrorId);
                Assert.Single(await ec2.DescribeSnapshotsAsync(new[] { manualSnap }, null, None));

                // Keep policy in the DR region: -WhatIf lists the older set, then it goes.
                var whatIf = PsHarness.Run($"Remove-DrBackup -Kind Snapshot -SourceId {instanceId} -KeepLast 1 -WhatIf {pd}");
                Assert.True(whatIf.Terminating == null && whatIf.Errors.Count == 0, whatIf.Describe());
                Assert.Contains($"of {instanceId} in {Live.DrRegion}", whatIf.HostText);
                var before = PsHarness.Run($"Get-DrBackup -Kind Snapshot -SourceId {instanceId} {pd}").Output.Count;
                var removed = PsHarness.Run($"Remove-DrBackup -Kind Snapshot -SourceId {instanceId} -KeepLast 1 -Confirm:$false {pd}");
                Assert.True(removed.Terminating == null && removed.Errors.Count == 0, removed.Describe());
                Assert.Equal(before - 1, PsHarness.Run($"Get-DrBackup -Kind Snapshot -SourceId {instanceId} {pd}").Output.Count);
            }
            finally
            {
                foreach (var x in restored)
                    try
                    {
                        if (x.ResourceType == "Volume") await drEc2.DeleteVolumeAsync(x.Id, None);
                        else if (x.ResourceType == "Instance") await drEc2.TerminateInstancesAsync(new[] { x.Id }, None);
                        else { using var drRds = RdsService.Create(new AwsClientFactory(Live.Connection(Live.DrRegion))); await drRds.DeleteDBInstanceAsync(x.Id, DbFinalSnapshot.None, true); }
                    }
                    catch (Exception) { }
                foreach (var region in new[] { Live.Region, Live.DrRegion })
                    foreach (var kind in new[] { "Image", "Snapshot", "DBSnapshot" })
                        PsHarness.Run($"Get-DrBackup -Kind {kind} -SourceId '{instanceId}', '{name}' {Live.Params(region)} | Remove-DrBackup -Confirm:$false {Live.Params(region)}");
                if (manualSnap != null) try { await ec2.DeleteSnapshotAsync(manualSnap, None); } catch (Exception) { }
                if (instanceId != null) try { await ec2.TerminateInstancesAsync(new[] { instanceId }, None); } catch (Exception) { }
                try { await rds.DeleteDBInstanceAsync(name, DbFinalSnapshot.None, true); } catch (Exception) { }
            }
        }
    }
}
