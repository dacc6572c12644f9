using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// The Auto Scaling service layer end to end: a launch template (EC2 SDK) and a group (wire client) are created
    /// for the test, scaled, re-pointed at a new template version, paused/resumed, and force-deleted in finally.
    /// Against real AWS this launches t3.micro instances in the default VPC.
    /// </summary>
    public class AutoScalingLiveTests
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 1 : 15);

        [LiveFact]
        public async Task Group_scales_changes_template_version_suspends_and_resumes()
        {
            var clients = new AwsClientFactory(Live.Connection(Live.Region));
            using var ec2 = clients.Ec2();
            using var wire = clients.AutoScaling();
            using var asg = AutoScalingService.Create(clients);
            asg.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 15);
            var name = Live.Name("asg");
            string? templateId = null;
            bool groupCreated = false;
            try
            {
                var zone = (await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest())).AvailabilityZones
                    .First(z => z.State == AvailabilityZoneState.Available).ZoneName;
                var template = await ec2.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
                {
                    LaunchTemplateName = name,
                    LaunchTemplateData = new RequestLaunchTemplateData { ImageId = await ImageIdAsync(ec2), InstanceType = InstanceType.T3Micro },
                });
                templateId = template.LaunchTemplate.LaunchTemplateId;
                await ec2.CreateLaunchTemplateVersionAsync(new CreateLaunchTemplateVersionRequest
                {
                    LaunchTemplateId = templateId,
                    SourceVersion = "1",
                    LaunchTemplateData = new RequestLaunchTemplateData { InstanceType = InstanceType.T3Small },
                });

                // CreateAutoScalingGroup is not part of the DR service; the test uses the wire client.
                await wire.SendAsync("CreateAutoScalingGroup", new Dictionary<string, string>
                {
                    ["AutoScalingGroupName"] = name,
                    ["LaunchTemplate.LaunchTemplateId"] = templateId,
                    ["LaunchTemplate.Version"] = "1",
                    ["MinSize"] = "0",
                    ["MaxSize"] = "3",
                    ["DesiredCapacity"] = "1",
                    ["AvailabilityZones.member.1"] = zone,
                    ["Tags.member.1.Key"] = "drtools-live",
                    ["Tags.member.1.Value"] = "true",
                    ["Tags.member.1.PropagateAtLaunch"] = "true",
                });
                groupCreated = true;

                var group = await asg.FindAutoScalingGroupAsync(name);
                Assert.NotNull(group);
                Assert.Equal((0, 3, 1), (group!.MinSize, group.MaxSize, group.DesiredCapacity));
                Assert.Equal((templateId, "1"), (group.LaunchTemplate!.LaunchTemplateId, group.LaunchTemplate.Version));
                Assert.Equal(new[] { zone }, group.AvailabilityZones);
                Assert.Contains(await asg.DescribeAutoScalingGroupsAsync(), g => g.Name == name);
                Assert.Equal(Live.Region, group.Region);

                // State is per region: the DR region does not see the group.
                using (var drAsg = AutoScalingService.Create(clients, Live.DrRegion))
                    Assert.Null(await drAsg.FindAutoScalingGroupAsync(name));

                await asg.SetDesiredCapacityAsync(name, 2);
                group = await asg.WaitForInServiceAsync(name, 2, Long);
                Assert.True(group.InServiceHealthyCount >= 2);
                Assert.All(group.Instances, i => Assert.StartsWith("i-", i.InstanceId));

                await asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate { AutoScalingGroupName = name, MinSize = 1, MaxSize = 4, DesiredCapacity = 3 });
                group = await asg.WaitForInServiceAsync(name, null, Long);
                Assert.Equal((1, 4, 3), (group.MinSize, group.MaxSize, group.DesiredCapacity));
                Assert.True(group.InServiceHealthyCount >= 3);

                // Pin the new template version without naming the template.
                await asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate { AutoScalingGroupName = name, LaunchTemplate = new LaunchTemplateRef { Version = "2" } });
                group = (await asg.FindAutoScalingGroupAsync(name))!;
                Assert.Equal((templateId, "2"), (group.LaunchTemplate!.LaunchTemplateId, group.LaunchTemplate.Version));

                await asg.SuspendProcessesAsync(name, new[] { ScalingProcesses.Launch, ScalingProcesses.AZRebalance });
                group = (await asg.FindAutoScalingGroupAsync(name))!;
                Assert.Equal(new[] { "AZRebalance", "Launch" }, group.SuspendedProcesses.Select(p => p.ProcessName).OrderBy(p => p, StringComparer.Ordinal));
                await asg.ResumeProcessesAsync(name, null);
                Assert.Empty((await asg.FindAutoScalingGroupAsync(name))!.SuspendedProcesses);

                // (UpdateAutoScalingGroup rather than SetDesiredCapacity: moto answers the latter for a missing group with an HTML 500.)
                var missing = await Assert.ThrowsAsync<DrToolsException>(() => asg.UpdateAutoScalingGroupAsync(
                    new AutoScalingGroupUpdate { AutoScalingGroupName = name + "-missing", MinSize = 1 }));
                Assert.Equal(ErrorIds.NotFound, missing.ErrorId);
                Assert.False(string.IsNullOrEmpty(missing.RequestId));
            }
            finally
            {
                var problems = new List<string>();
                if (groupCreated)
                {
                    try
                    {
                        await wire.SendAsync("DeleteAutoScalingGroup", new Dictionary<string, string> { ["AutoScalingGroupName"] = name, ["ForceDelete"] = "true" });
                        var deadline = DateTime.UtcNow + Long;
                        while (await asg.FindAutoScalingGroupAsync(name) != null && DateTime.UtcNow < deadline)
                            await Task.Delay(asg.PollInterval);
                        if (await asg.FindAutoScalingGroupAsync(name) != null) problems.Add($"group {name} still exists");
                    }
                    catch (Exception ex) { problems.Add($"group {name}: {ex.Message}"); }
                }
                if (templateId != null)
                {
                    try { await ec2.DeleteLaunchTemplateAsync(new DeleteLaunchTemplateRequest { LaunchTemplateId = templateId }); }
                    catch (Exception ex) { problems.Add($"launch template {templateId}: {ex.Message}"); }
                }
                Assert.True(problems.Count == 0, "Cleanup left resources behind: " + string.Join("; ", problems));
            }
        }

        /// <summary>A current Amazon Linux 2023 AMI; moto's bundled catalogue has none by that name, so use one of its AMIs.</summary>
        static async Task<string> ImageIdAsync(IAmazonEC2 ec2)
        {
            if (Live.IsMoto) return "ami-12c6146b";
            var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest
            {
                Owners = new List<string> { "amazon" },
                Filters = new List<Amazon.EC2.Model.Filter>
                {
                    new() { Name = "name", Values = new List<string> { "al2023-ami-2023.*-x86_64" } },
                    new() { Name = "state", Values = new List<string> { "available" } },
                },
            });
            return images.Images.OrderByDescending(i => i.CreationDate, StringComparer.Ordinal).First().ImageId;
        }
    }
}
