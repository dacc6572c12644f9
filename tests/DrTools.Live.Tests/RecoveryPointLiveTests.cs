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
        static string Runbook(string name)
        {
            var readme = File.ReadAllText(Path.Combine(PsHarness.RepoRoot, "README.md"));
            var m = Regex.Match(readme, $@"<!-- runbook:{name} -->\s*```powershell\n(.*?)```\s*<!-- /runbook:{name} -->", RegexOptions.Singleline);
            Assert.True(m.Success, $"README.md has no runbook:{name} block");
            return m.Groups[1].Value;
        }

        /// <summary>Points every DrTools cmdlet at the live endpoint without touching the runbook's text.</summary>
        static string EndpointDefaults() => Live.Endpoint == null ? "" :
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
    }
}
