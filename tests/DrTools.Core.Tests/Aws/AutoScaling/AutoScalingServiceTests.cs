using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.AutoScaling
{
    public class AutoScalingServiceTests
    {
        const string Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

        static FakeResponse Ok(string action, string result) => QueryFakes.Ok(action, Ns, result);
        static FakeResponse Empty(string action) => QueryFakes.Empty(action, Ns);
        static FakeResponse Error(int status, string code, string message) => QueryFakes.Error(status, code, message, ns: Ns);

        static (FakeAwsServer Server, AutoScalingService Asg) Start(Func<FakeRequest, FakeResponse> handler)
        {
            var server = new FakeAwsServer(handler);
            var asg = AutoScalingService.Create(new AwsClientFactory(QueryFakes.Connection(server, "us-west-2")));
            asg.PollInterval = TimeSpan.FromMilliseconds(5);
            return (server, asg);
        }

        static string Instance(string id, string lifecycle, string health) =>
            $"<member><InstanceId>{id}</InstanceId><InstanceType>m6i.large</InstanceType><AvailabilityZone>us-west-2a</AvailabilityZone>" +
            $"<LifecycleState>{lifecycle}</LifecycleState><HealthStatus>{health}</HealthStatus>" +
            "<LaunchTemplate><LaunchTemplateId>lt-0abc</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>3</Version></LaunchTemplate>" +
            "<ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>";

        static string Group(string name, int desired, string instances = "", string extra = "") =>
            $"<member><AutoScalingGroupName>{name}</AutoScalingGroupName>" +
            $"<AutoScalingGroupARN>arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:uuid:autoScalingGroupName/{name}</AutoScalingGroupARN>" +
            "<LaunchTemplate><LaunchTemplateId>lt-0abc</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>3</Version></LaunchTemplate>" +
            $"<MinSize>0</MinSize><MaxSize>10</MaxSize><DesiredCapacity>{desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown>" +
            "<AvailabilityZones><member>us-west-2a</member><member>us-west-2b</member></AvailabilityZones>" +
            "<LoadBalancerNames/><TargetGroupARNs><member>arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/1</member></TargetGroupARNs>" +
            "<HealthCheckType>ELB</HealthCheckType><HealthCheckGracePeriod>300</HealthCheckGracePeriod>" +
            $"<Instances>{instances}</Instances><CreatedTime>2026-01-01T00:00:00.000Z</CreatedTime>" +
            "<SuspendedProcesses/><VPCZoneIdentifier>subnet-0a,subnet-0b</VPCZoneIdentifier><EnabledMetrics/>" +
            "<Tags><member><ResourceId>" + name + "</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>app</Key><Value>web</Value>" +
            "<PropagateAtLaunch>true</PropagateAtLaunch></member></Tags><TerminationPolicies><member>Default</member></TerminationPolicies>" +
            extra + "</member>";

        [Fact]
        public async Task Describe_sends_names_as_member_lists_and_follows_NextToken_across_pages()
        {
            var (server, asg) = Start(r => r.Form.ContainsKey("NextToken")
                ? Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{Group("api", 0)}</AutoScalingGroups>")
                : Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{Group("web", 2)}</AutoScalingGroups><NextToken>tok-2</NextToken>"));
            using (server)
            using (asg)
            {
                var groups = await asg.DescribeAutoScalingGroupsAsync(new[] { "web", "api" });

                Assert.Equal(new[] { "web", "api" }, groups.Select(g => g.Name));
                var r = server.Requests.ToArray();
                Assert.All(r, x => Assert.Equal(("POST", "autoscaling", "us-west-2"), (x.Method, x.Service, x.Region)));
                QueryFakes.AssertForm(r[0].Form, ("Action", "DescribeAutoScalingGroups"), ("Version", "2011-01-01"),
                    ("AutoScalingGroupNames.member.1", "web"), ("AutoScalingGroupNames.member.2", "api"), ("MaxRecords", "100"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "DescribeAutoScalingGroups"), ("Version", "2011-01-01"),
                    ("AutoScalingGroupNames.member.1", "web"), ("AutoScalingGroupNames.member.2", "api"), ("MaxRecords", "100"), ("NextToken", "tok-2"));
            }
        }

        [Fact]
        public async Task Describe_parses_capacity_template_instances_and_suspended_processes()
        {
            var instances = Instance("i-01", "InService", "Healthy") + Instance("i-02", "Pending", "Healthy") + Instance("i-03", "InService", "Unhealthy");
            var suspended = "<SuspendedProcesses><member><ProcessName>Launch</ProcessName><SuspensionReason>User suspended at 2026-01-01T00:00:00Z</SuspensionReason></member>" +
                            "<member><ProcessName>AZRebalance</ProcessName><SuspensionReason>User suspended</SuspensionReason></member></SuspendedProcesses>";
            var (server, asg) = Start(_ => Ok("DescribeAutoScalingGroups",
                $"<AutoScalingGroups>{Group("web", 3, instances).Replace("<SuspendedProcesses/>", suspended)}</AutoScalingGroups>"));
            using (server)
            using (asg)
            {
                var g = await asg.FindAutoScalingGroupAsync("web");
                Assert.NotNull(g);
                Assert.Equal(("web", 0, 10, 3), (g!.Name, g.MinSize, g.MaxSize, g.DesiredCapacity));
                Assert.Equal("arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web", g.Arn);
                Assert.Equal(new LaunchTemplateRef { LaunchTemplateId = "lt-0abc", LaunchTemplateName = "web", Version = "3" }, g.LaunchTemplate);
                Assert.False(g.UsesMixedInstancesPolicy);
                Assert.Equal(new[] { "us-west-2a", "us-west-2b" }, g.AvailabilityZones);
                Assert.Equal(new[] { "subnet-0a", "subnet-0b" }, g.Subnets);
                Assert.Equal(("ELB", 300), (g.HealthCheckType, g.HealthCheckGracePeriod!.Value));
                Assert.Single(g.TargetGroupArns);
                Assert.Empty(g.LoadBalancerNames);
                Assert.Equal("web", g.Tags["app"]);
                Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), g.CreatedTime);
                Assert.Equal(3, g.Instances.Count);
                Assert.Equal(("i-02", "Pending", "Healthy", "m6i.large", "us-west-2a"),
                    (g.Instances[1].InstanceId, g.Instances[1].LifecycleState, g.Instances[1].HealthStatus, g.Instances[1].InstanceType, g.Instances[1].AvailabilityZone));
                Assert.Equal("3", g.Instances[0].LaunchTemplate!.Version);
                Assert.Equal(1, g.InServiceHealthyCount);
                Assert.Equal(new[] { "Launch", "AZRebalance" }, g.SuspendedProcesses.Select(p => p.ProcessName));
                Assert.StartsWith("User suspended", g.SuspendedProcesses[0].SuspensionReason);
            }
        }

        [Fact]
        public async Task A_mixed_instances_group_reports_the_policy_template_and_an_unknown_group_is_absent()
        {
            var mixed = Group("batch", 1).Replace(
                "<LaunchTemplate><LaunchTemplateId>lt-0abc</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>3</Version></LaunchTemplate><MinSize>",
                "<MixedInstancesPolicy><LaunchTemplate><LaunchTemplateSpecification><LaunchTemplateId>lt-0mix</LaunchTemplateId><Version>$Latest</Version>" +
                "</LaunchTemplateSpecification><Overrides/></LaunchTemplate></MixedInstancesPolicy><MinSize>");
            var (server, asg) = Start(r => r.Form.ContainsKey("AutoScalingGroupNames.member.1") && r.Form["AutoScalingGroupNames.member.1"] == "gone"
                ? Ok("DescribeAutoScalingGroups", "<AutoScalingGroups/>")
                : Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{mixed}</AutoScalingGroups>"));
            using (server)
            using (asg)
            {
                var g = (await asg.DescribeAutoScalingGroupsAsync()).Single();
                Assert.True(g.UsesMixedInstancesPolicy);
                Assert.Equal(("lt-0mix", "$Latest"), (g.LaunchTemplate!.LaunchTemplateId, g.LaunchTemplate.Version));
                QueryFakes.AssertForm(server.Requests.First().Form, ("Action", "DescribeAutoScalingGroups"), ("Version", "2011-01-01"), ("MaxRecords", "100"));

                Assert.Null(await asg.FindAutoScalingGroupAsync("gone"));
                Assert.Empty(await asg.DescribeAutoScalingGroupsAsync(new[] { "gone" }));
            }
        }

        [Fact]
        public async Task Update_sends_only_what_is_set_and_a_version_only_change_keeps_the_groups_template()
        {
            var (server, asg) = Start(r => r.Action == "DescribeAutoScalingGroups"
                ? Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{Group("web", 2)}</AutoScalingGroups>")
                : Empty(r.Action!));
            using (server)
            using (asg)
            {
                await asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate { AutoScalingGroupName = "web", MinSize = 2, MaxSize = 8, DesiredCapacity = 4 });
                await asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate { AutoScalingGroupName = "web", LaunchTemplate = new LaunchTemplateRef { Version = "5" } });
                await asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate
                    { AutoScalingGroupName = "web", LaunchTemplate = new LaunchTemplateRef { LaunchTemplateName = "web-dr", Version = "$Latest" } });

                var updates = server.Requests.Where(r => r.Action == "UpdateAutoScalingGroup").ToArray();
                QueryFakes.AssertForm(updates[0].Form, ("Action", "UpdateAutoScalingGroup"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"),
                    ("MinSize", "2"), ("MaxSize", "8"), ("DesiredCapacity", "4"));
                QueryFakes.AssertForm(updates[1].Form, ("Action", "UpdateAutoScalingGroup"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"),
                    ("LaunchTemplate.LaunchTemplateId", "lt-0abc"), ("LaunchTemplate.Version", "5"));
                QueryFakes.AssertForm(updates[2].Form, ("Action", "UpdateAutoScalingGroup"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"),
                    ("LaunchTemplate.LaunchTemplateName", "web-dr"), ("LaunchTemplate.Version", "$Latest"));
                Assert.Equal(4, server.Requests.Count); // one describe, for the version-only change
            }
        }

        [Fact]
        public async Task A_version_only_change_on_a_launch_configuration_group_is_refused_before_any_change()
        {
            var lcGroup = Group("legacy", 1).Replace(
                "<LaunchTemplate><LaunchTemplateId>lt-0abc</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>3</Version></LaunchTemplate>",
                "<LaunchConfigurationName>legacy-lc</LaunchConfigurationName>");
            var (server, asg) = Start(_ => Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{lcGroup}</AutoScalingGroups>"));
            using (server)
            using (asg)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => asg.UpdateAutoScalingGroupAsync(
                    new AutoScalingGroupUpdate { AutoScalingGroupName = "legacy", LaunchTemplate = new LaunchTemplateRef { Version = "2" } }));
                Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
                Assert.Contains("legacy-lc", ex.Message);
                Assert.DoesNotContain(server.Requests, r => r.Action == "UpdateAutoScalingGroup");

                var sizes = await Assert.ThrowsAsync<DrToolsException>(() => asg.UpdateAutoScalingGroupAsync(
                    new AutoScalingGroupUpdate { AutoScalingGroupName = "legacy", MinSize = 5, MaxSize = 2 }));
                Assert.Equal(ErrorIds.InvalidParameter, sizes.ErrorId);
            }
        }

        [Fact]
        public async Task Create_sends_template_sizes_subnets_and_propagated_tags_and_delete_sends_ForceDelete()
        {
            var (server, asg) = Start(r => Empty(r.Action!));
            using (server)
            using (asg)
            {
                await asg.CreateAutoScalingGroupAsync(new AutoScalingGroupCreate
                {
                    AutoScalingGroupName = "web-drill-r1", LaunchTemplate = new LaunchTemplateRef { LaunchTemplateId = "lt-0abc", Version = "7" },
                    MinSize = 2, MaxSize = 2, DesiredCapacity = 2, Subnets = new[] { "subnet-0a", "subnet-0b" },
                    Tags = new System.Collections.Generic.Dictionary<string, string> { ["DrTools:Drill"] = "r1" },
                });
                await asg.CreateAutoScalingGroupAsync(new AutoScalingGroupCreate
                {
                    AutoScalingGroupName = "api-drill-r1", LaunchTemplate = new LaunchTemplateRef { LaunchTemplateName = "api", Version = "$Latest" },
                    InstanceType = "m6i.large", MinSize = 0, MaxSize = 1, AvailabilityZones = new[] { "us-west-2a" },
                });
                await asg.DeleteAutoScalingGroupAsync("web-drill-r1", forceDelete: true);

                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "CreateAutoScalingGroup"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web-drill-r1"),
                    ("LaunchTemplate.LaunchTemplateId", "lt-0abc"), ("LaunchTemplate.Version", "7"), ("MinSize", "2"), ("MaxSize", "2"), ("DesiredCapacity", "2"),
                    ("VPCZoneIdentifier", "subnet-0a,subnet-0b"), ("Tags.member.1.ResourceId", "web-drill-r1"), ("Tags.member.1.ResourceType", "auto-scaling-group"),
                    ("Tags.member.1.Key", "DrTools:Drill"), ("Tags.member.1.Value", "r1"), ("Tags.member.1.PropagateAtLaunch", "true"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "CreateAutoScalingGroup"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "api-drill-r1"),
                    ("MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName", "api"),
                    ("MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version", "$Latest"),
                    ("MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceType", "m6i.large"), ("MinSize", "0"), ("MaxSize", "1"),
                    ("AvailabilityZones.member.1", "us-west-2a"));
                QueryFakes.AssertForm(r[2].Form, ("Action", "DeleteAutoScalingGroup"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web-drill-r1"),
                    ("ForceDelete", "true"));
            }
        }

        [Fact]
        public async Task Create_without_template_or_placement_is_refused_before_any_call()
        {
            var (server, asg) = Start(r => Empty(r.Action!));
            using (server)
            using (asg)
            {
                var noTemplate = await Assert.ThrowsAsync<DrToolsException>(() => asg.CreateAutoScalingGroupAsync(new AutoScalingGroupCreate
                    { AutoScalingGroupName = "x", MinSize = 0, MaxSize = 1, Subnets = new[] { "subnet-1" } }));
                var nowhere = await Assert.ThrowsAsync<DrToolsException>(() => asg.CreateAutoScalingGroupAsync(new AutoScalingGroupCreate
                    { AutoScalingGroupName = "x", LaunchTemplate = new LaunchTemplateRef { LaunchTemplateId = "lt-1" }, MinSize = 0, MaxSize = 1 }));
                Assert.Equal(ErrorIds.InvalidParameter, noTemplate.ErrorId);
                Assert.Equal(ErrorIds.InvalidParameter, nowhere.ErrorId);
                Assert.Empty(server.Requests);
            }
        }

        [Fact]
        public async Task SetDesiredCapacity_and_suspend_resume_send_the_exact_parameters()
        {
            var (server, asg) = Start(r => Empty(r.Action!));
            using (server)
            using (asg)
            {
                await asg.SetDesiredCapacityAsync("web", 6, honorCooldown: true);
                await asg.SetDesiredCapacityAsync("web", 0);
                await asg.SuspendProcessesAsync("web", new[] { ScalingProcesses.Launch, ScalingProcesses.Terminate });
                await asg.ResumeProcessesAsync("web", null);

                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "SetDesiredCapacity"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"),
                    ("DesiredCapacity", "6"), ("HonorCooldown", "true"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "SetDesiredCapacity"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"),
                    ("DesiredCapacity", "0"), ("HonorCooldown", "false"));
                QueryFakes.AssertForm(r[2].Form, ("Action", "SuspendProcesses"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"),
                    ("ScalingProcesses.member.1", "Launch"), ("ScalingProcesses.member.2", "Terminate"));
                QueryFakes.AssertForm(r[3].Form, ("Action", "ResumeProcesses"), ("Version", "2011-01-01"), ("AutoScalingGroupName", "web"));
            }
        }

        [Fact]
        public async Task A_missing_group_ValidationError_is_DrTools_NotFound_with_request_id()
        {
            var (server, asg) = Start(_ => QueryFakes.Error(400, "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup 'web' not found",
                "aaaabbbb-0000-4000-8000-00000000dead", ns: Ns));
            using (server)
            using (asg)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => asg.SetDesiredCapacityAsync("web", 2));
                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Equal("ValidationError", ex.AwsErrorCode);
                Assert.Equal("aaaabbbb-0000-4000-8000-00000000dead", ex.RequestId);
                Assert.Equal("AutoScaling", ex.Service);
                Assert.Contains("Auto Scaling group 'web'", ex.Message);
            }
        }

        [Theory]
        [InlineData("ValidationError", 400, "Desired capacity:11 must be between the specified min size:0 and max size:10", "DrTools.InvalidParameter")]
        [InlineData("ScalingActivityInProgress", 400, "Scaling activity in progress", "DrTools.InvalidState")]
        [InlineData("ResourceInUse", 400, "in use", "DrTools.InvalidState")]
        [InlineData("AlreadyExists", 400, "Group already exists", "DrTools.AlreadyExists")]
        public async Task AWS_error_codes_map_to_DrTools_error_ids(string code, int status, string message, string errorId)
        {
            var (server, asg) = Start(_ => Error(status, code, message));
            using (server)
            using (asg)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => asg.SetDesiredCapacityAsync("web", 11));
                Assert.Equal(errorId, ex.ErrorId);
                Assert.Equal(code, ex.AwsErrorCode);
                Assert.Contains(message, ex.Message);
            }
        }

        [Fact]
        public async Task Throttling_is_retried_by_the_SDK_and_then_succeeds()
        {
            int calls = 0;
            var (server, asg) = Start(_ => Interlocked.Increment(ref calls) == 1
                ? Error(400, "Throttling", "Rate exceeded")
                : Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{Group("web", 1)}</AutoScalingGroups>"));
            using (server)
            using (asg)
            {
                Assert.Equal("web", (await asg.DescribeAutoScalingGroupsAsync()).Single().Name);
                Assert.Equal(2, server.Requests.Count);
            }
        }

        [Fact]
        public async Task InService_waiter_counts_only_InService_and_Healthy_instances()
        {
            var pages = new ConcurrentQueue<string>(new[]
            {
                Instance("i-01", "Pending", "Healthy") + Instance("i-02", "Pending", "Healthy"),
                Instance("i-01", "InService", "Healthy") + Instance("i-02", "InService", "Unhealthy"),
                Instance("i-01", "InService", "Healthy") + Instance("i-02", "InService", "Healthy"),
            });
            var (server, asg) = Start(_ => Ok("DescribeAutoScalingGroups",
                $"<AutoScalingGroups>{Group("web", 2, pages.TryDequeue(out var p) ? p : "")}</AutoScalingGroups>"));
            using (server)
            using (asg)
            {
                var g = await asg.WaitForInServiceAsync("web", null, TimeSpan.FromSeconds(10));
                Assert.Equal(2, g.InServiceHealthyCount);
                Assert.Equal(3, server.Requests.Count);
                Assert.All(server.Requests, r => Assert.Equal("web", r.Form["AutoScalingGroupNames.member.1"]));
            }
        }

        [Fact]
        public async Task InService_waiter_times_out_naming_the_count_and_fails_for_a_missing_or_deleting_group()
        {
            var (server, asg) = Start(r => r.Form["AutoScalingGroupNames.member.1"] switch
            {
                "gone" => Ok("DescribeAutoScalingGroups", "<AutoScalingGroups/>"),
                "dying" => Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{Group("dying", 0, "", "<Status>Delete in progress</Status>")}</AutoScalingGroups>"),
                _ => Ok("DescribeAutoScalingGroups", $"<AutoScalingGroups>{Group("web", 3, Instance("i-01", "InService", "Healthy"))}</AutoScalingGroups>"),
            });
            using (server)
            using (asg)
            {
                var timeout = await Assert.ThrowsAsync<DrToolsException>(() => asg.WaitForInServiceAsync("web", 3, TimeSpan.FromMilliseconds(60)));
                Assert.Equal(ErrorIds.Timeout, timeout.ErrorId);
                Assert.Contains("1/3 InService and Healthy", timeout.Message);

                var missing = await Assert.ThrowsAsync<DrToolsException>(() => asg.WaitForInServiceAsync("gone", 1, TimeSpan.FromSeconds(10)));
                Assert.Equal(ErrorIds.NotFound, missing.ErrorId);

                var deleting = await Assert.ThrowsAsync<DrToolsException>(() => asg.WaitForInServiceAsync("dying", 1, TimeSpan.FromSeconds(10)));
                Assert.Equal(ErrorIds.InvalidState, deleting.ErrorId);
                Assert.Contains("Delete in progress", deleting.Message);
            }
        }
    }
}
