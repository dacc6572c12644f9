using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.Ec2
{
    public class Ec2ServiceTests
    {
        static readonly CancellationToken None = CancellationToken.None;
        static readonly Ec2WaitOptions Fast = new(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5));

        static FakeResponse Ec2(string action, string inner) =>
            new(200, $"<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>fake-request-id</requestId>{inner}</{action}Response>");

        static FakeResponse Ec2Error(int status, string code, string message) =>
            new(status, $"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>REQ-{code}</RequestID></Response>");

        static string InstanceXml(string id, string state, string? name = null) =>
            $"<item><instanceId>{id}</instanceId><imageId>ami-1</imageId><instanceState><code>16</code><name>{state}</name></instanceState>" +
            "<instanceType>t3.micro</instanceType><placement><availabilityZone>us-east-1a</availabilityZone></placement>" +
            "<blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-1</volumeId><status>attached</status></ebs></item></blockDeviceMapping>" +
            (name == null ? "" : $"<tagSet><item><key>Name</key><value>{name}</value></item></tagSet>") + "</item>";

        static string Reservations(params string[] instances) =>
            "<reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet>" + string.Concat(instances) + "</instancesSet></item></reservationSet>";

        [Fact]
        public async Task RunInstances_sends_count_client_token_network_and_tags_for_instances_and_volumes()
        {
            using var server = new FakeAwsServer(r => Ec2("RunInstances",
                "<reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet>" + InstanceXml("i-1", "pending", "web") + InstanceXml("i-2", "pending", "web") + "</instancesSet>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));

            var launched = await ec2.RunInstancesAsync(new Ec2RunRequest("ami-0abc", "t3.large")
            {
                Count = 2, ClientToken = "dr-run-42", SubnetId = "subnet-1", SecurityGroupIds = { "sg-1", "sg-2" }, KeyName = "dr-key",
                Tags = { ["Name"] = "web", ["DrGroup"] = "orders" }, UserData = "echo hi",
            }, None);

            var f = Assert.Single(server.Requests).Form;
            Assert.Equal("RunInstances", f["Action"]);
            Assert.Equal("ami-0abc", f["ImageId"]);
            Assert.Equal("t3.large", f["InstanceType"]);
            Assert.Equal("2", f["MinCount"]);
            Assert.Equal("2", f["MaxCount"]);
            Assert.Equal("dr-run-42", f["ClientToken"]);
            Assert.Equal("subnet-1", f["SubnetId"]);
            Assert.Equal("sg-1", f["SecurityGroupId.1"]);
            Assert.Equal("sg-2", f["SecurityGroupId.2"]);
            Assert.Equal("dr-key", f["KeyName"]);
            Assert.Equal("ZWNobyBoaQ==", f["UserData"]);
            Assert.Equal("instance", f["TagSpecification.1.ResourceType"]);
            Assert.Equal("volume", f["TagSpecification.2.ResourceType"]);
            Assert.Equal("Name", f["TagSpecification.1.Tag.1.Key"]);
            Assert.Equal("web", f["TagSpecification.1.Tag.1.Value"]);
            Assert.Equal("DrGroup", f["TagSpecification.2.Tag.2.Key"]);
            Assert.Equal(new[] { "i-1", "i-2" }, launched.Select(i => i.InstanceId));
            Assert.Equal("web", launched[0].Name);
            Assert.Equal("us-east-1a", launched[0].AvailabilityZone);
        }

        [Fact]
        public async Task CreateSnapshots_names_the_instance_copies_volume_tags_and_tags_the_snapshots()
        {
            using var server = new FakeAwsServer(r => Ec2("CreateSnapshots",
                "<snapshotSet><item><snapshotId>snap-1</snapshotId><volumeId>vol-1</volumeId><state>pending</state><volumeSize>8</volumeSize><startTime>2024-01-01T00:00:00.000Z</startTime>" +
                "<progress></progress><ownerId>123456789012</ownerId><encrypted>true</encrypted><tagSet><item><key>DrRun</key><value>7</value></item></tagSet></item>" +
                "<item><snapshotId>snap-2</snapshotId><volumeId>vol-2</volumeId><state>pending</state><volumeSize>100</volumeSize></item></snapshotSet>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));

            var snapshots = await ec2.CreateSnapshotsAsync(new Ec2CreateSnapshotsRequest("i-1")
            {
                Description = "nightly", ExcludeDataVolumeIds = { "vol-9" }, Tags = { ["DrRun"] = "7" },
            }, None);

            var f = Assert.Single(server.Requests).Form;
            Assert.Equal("CreateSnapshots", f["Action"]);
            Assert.Equal("i-1", f["InstanceSpecification.InstanceId"]);
            Assert.Equal("vol-9", f["InstanceSpecification.ExcludeDataVolumeId.1"]);
            Assert.False(f.ContainsKey("InstanceSpecification.ExcludeBootVolume"));
            Assert.Equal("volume", f["CopyTagsFromSource"]);
            Assert.Equal("nightly", f["Description"]);
            Assert.Equal("snapshot", f["TagSpecification.1.ResourceType"]);
            Assert.Equal("DrRun", f["TagSpecification.1.Tag.1.Key"]);
            Assert.Equal("7", f["TagSpecification.1.Tag.1.Value"]);
            Assert.Equal(new[] { "snap-1", "snap-2" }, snapshots.Select(s => s.SnapshotId));
            Assert.Equal(new[] { "vol-1", "vol-2" }, snapshots.Select(s => s.VolumeId));
            Assert.Equal(100, snapshots[1].VolumeSize);
            Assert.Equal("7", snapshots[0].Tags["DrRun"]);
        }

        [Fact]
        public async Task CopySnapshot_goes_to_the_destination_region_with_source_region_encryption_tags_and_a_presigned_url()
        {
            using var server = new FakeAwsServer(r => Ec2("CopySnapshot", "<snapshotId>snap-copy</snapshotId>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server, "us-east-1"));

            var id = await ec2.CopySnapshotToRegionAsync(new Ec2CopySnapshotRequest("snap-1", "us-west-2")
            {
                Encrypted = true, KmsKeyId = "alias/dr-ebs", Tags = { ["DrSource"] = "snap-1" },
            }, None);

            Assert.Equal("snap-copy", id);
            var r = Assert.Single(server.Requests);
            Assert.Equal("us-west-2", r.Region); // signed for, and sent to, the destination
            var f = r.Form;
            Assert.Equal("CopySnapshot", f["Action"]);
            Assert.Equal("us-east-1", f["SourceRegion"]);
            Assert.Equal("snap-1", f["SourceSnapshotId"]);
            Assert.Equal("true", f["Encrypted"]);
            Assert.Equal("alias/dr-ebs", f["KmsKeyId"]);
            Assert.Equal("snapshot", f["TagSpecification.1.ResourceType"]);
            Assert.Equal("DrSource", f["TagSpecification.1.Tag.1.Key"]);
            Assert.Equal("us-west-2", f["DestinationRegion"]);
            // The SDK pre-signs a CopySnapshot request for the source region (EC2 needs it for encrypted snapshots).
            var presigned = f["PresignedUrl"];
            Assert.Contains("Action=CopySnapshot", presigned);
            Assert.Contains("SourceSnapshotId=snap-1", presigned);
            Assert.Contains("X-Amz-Signature=", presigned);
            Assert.Contains("%2Fus-east-1%2Fec2%2Faws4_request", presigned);
        }

        [Fact]
        public async Task CopyImage_goes_to_the_destination_region_with_client_token_encryption_and_tags()
        {
            using var server = new FakeAwsServer(r => Ec2("CopyImage", "<imageId>ami-copy</imageId>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server, "us-east-1"));

            var id = await ec2.CopyImageToRegionAsync(new Ec2CopyImageRequest("ami-1", "us-west-2", "web-dr")
            {
                Encrypted = true, KmsKeyId = "arn:aws:kms:us-west-2:123456789012:key/abc", ClientToken = "copy-1", Tags = { ["DrGroup"] = "web" },
            }, None);

            Assert.Equal("ami-copy", id);
            var r = Assert.Single(server.Requests);
            Assert.Equal("us-west-2", r.Region);
            var f = r.Form;
            Assert.Equal("CopyImage", f["Action"]);
            Assert.Equal("ami-1", f["SourceImageId"]);
            Assert.Equal("us-east-1", f["SourceRegion"]);
            Assert.Equal("web-dr", f["Name"]);
            Assert.Equal("true", f["Encrypted"]);
            Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/abc", f["KmsKeyId"]);
            Assert.Equal("copy-1", f["ClientToken"]);
            Assert.Equal("image", f["TagSpecification.1.ResourceType"]);
            Assert.Equal("snapshot", f["TagSpecification.2.ResourceType"]);
        }

        [Fact]
        public async Task CreateImage_does_not_reboot_by_default()
        {
            using var server = new FakeAwsServer(r => Ec2("CreateImage", "<imageId>ami-new</imageId>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            Assert.Equal("ami-new", await ec2.CreateImageAsync(new Ec2CreateImageRequest("i-1", "web-2024") { Tags = { ["a"] = "b" } }, None));
            var f = Assert.Single(server.Requests).Form;
            Assert.Equal("true", f["NoReboot"]);
            Assert.Equal("i-1", f["InstanceId"]);
            Assert.Equal("web-2024", f["Name"]);
            Assert.Equal("image", f["TagSpecification.1.ResourceType"]);
        }

        [Fact]
        public async Task DescribeInstances_follows_next_tokens_and_only_pages_when_no_ids_are_given()
        {
            using var server = new FakeAwsServer(r => r.Form.TryGetValue("NextToken", out var t) && t == "page-2"
                ? Ec2("DescribeInstances", Reservations(InstanceXml("i-3", "stopped")))
                : Ec2("DescribeInstances", Reservations(InstanceXml("i-1", "running"), InstanceXml("i-2", "running")) + "<nextToken>page-2</nextToken>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));

            var all = await ec2.DescribeInstancesAsync(null, new[] { new Ec2Filter("tag:DrGroup", "orders", "billing") }, None);

            Assert.Equal(new[] { "i-1", "i-2", "i-3" }, all.Select(i => i.InstanceId));
            Assert.Equal(new[] { "vol-1" }, all[0].VolumeIds);
            var requests = server.Requests.ToList();
            Assert.Equal(2, requests.Count);
            Assert.Equal("500", requests[0].Form["MaxResults"]);
            Assert.Equal("tag:DrGroup", requests[0].Form["Filter.1.Name"]);
            Assert.Equal("billing", requests[0].Form["Filter.1.Value.2"]);
            Assert.Equal("page-2", requests[1].Form["NextToken"]);

            using var server2 = new FakeAwsServer(r => Ec2("DescribeInstances", Reservations(InstanceXml("i-1", "running"))));
            using var ec2b = new Ec2Service(FakeConnections.For(server2));
            await ec2b.DescribeInstancesAsync(new[] { "i-1" }, null, None);
            var byId = Assert.Single(server2.Requests).Form;
            Assert.Equal("i-1", byId["InstanceId.1"]);
            Assert.False(byId.ContainsKey("MaxResults")); // EC2 rejects MaxResults with explicit ids
        }

        [Fact]
        public async Task DescribeSnapshots_without_ids_asks_for_our_own_only()
        {
            using var server = new FakeAwsServer(r => Ec2("DescribeSnapshots", "<snapshotSet/>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            Assert.Empty(await ec2.DescribeSnapshotsAsync(null, null, None));
            Assert.Equal("self", Assert.Single(server.Requests).Form["Owner.1"]);
        }

        [Fact]
        public async Task DeregisterImage_returns_the_snapshots_behind_the_image()
        {
            using var server = new FakeAwsServer(r => r.Action == "DescribeImages"
                ? Ec2("DescribeImages", "<imagesSet><item><imageId>ami-1</imageId><imageState>available</imageState><name>web</name><blockDeviceMapping>" +
                                        "<item><deviceName>/dev/xvda</deviceName><ebs><snapshotId>snap-a</snapshotId></ebs></item>" +
                                        "<item><deviceName>/dev/sdb</deviceName><ebs><snapshotId>snap-b</snapshotId></ebs></item>" +
                                        "<item><deviceName>/dev/sdc</deviceName><virtualName>ephemeral0</virtualName></item></blockDeviceMapping></item></imagesSet>")
                : Ec2("DeregisterImage", "<return>true</return>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            Assert.Equal(new[] { "snap-a", "snap-b" }, await ec2.DeregisterImageAsync("ami-1", None));
            Assert.Equal("ami-1", server.Requests.Single(r => r.Action == "DeregisterImage").Form["ImageId"]);
        }

        [Fact]
        public async Task AssociateAddress_passes_the_reassociation_choice()
        {
            using var server = new FakeAwsServer(r => Ec2("AssociateAddress", "<return>true</return><associationId>eipassoc-1</associationId>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            Assert.Equal("eipassoc-1", await ec2.AssociateAddressAsync("eipalloc-1", "i-1", allowReassociation: false, None));
            var f = Assert.Single(server.Requests).Form;
            Assert.Equal("eipalloc-1", f["AllocationId"]);
            Assert.Equal("i-1", f["InstanceId"]);
            Assert.Equal("false", f["AllowReassociation"]);
        }

        [Theory]
        [InlineData(400, "InvalidInstanceID.NotFound", "DrTools.NotFound")]
        [InlineData(400, "InvalidAMIID.NotFound", "DrTools.NotFound")]
        [InlineData(400, "InvalidSnapshot.NotFound", "DrTools.NotFound")]
        [InlineData(400, "IncorrectInstanceState", "DrTools.InvalidState")]
        [InlineData(403, "UnauthorizedOperation", "DrTools.AccessDenied")]
        [InlineData(503, "RequestLimitExceeded", "DrTools.Throttled")]
        [InlineData(401, "AuthFailure", "DrTools.InvalidCredentials")]
        [InlineData(400, "InvalidParameterValue", "DrTools.InvalidParameter")]
        public async Task EC2_error_codes_become_DrTools_errors_with_the_code_and_request_id(int status, string code, string errorId)
        {
            using var server = new FakeAwsServer(r => Ec2Error(status, code, "Details of " + code));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => ec2.StopInstancesAsync(new[] { "i-0abc" }, false, None));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(code, ex.AwsErrorCode);
            Assert.Equal("REQ-" + code, ex.RequestId);
            Assert.Equal("EC2", ex.Service);
            Assert.Contains("i-0abc", ex.Message);
        }

        [Fact]
        public async Task The_running_waiter_rides_out_a_not_yet_visible_instance_then_returns_it()
        {
            var answers = new ConcurrentQueue<FakeResponse>(new[]
            {
                Ec2Error(400, "InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist"),
                Ec2("DescribeInstances", Reservations(InstanceXml("i-1", "pending"))),
                Ec2("DescribeInstances", Reservations(InstanceXml("i-1", "running"))),
            });
            using var server = new FakeAwsServer(r => answers.TryDequeue(out var a) ? a : Ec2Error(500, "Unexpected", "no more"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            var instance = await ec2.WaitForInstanceRunningAsync("i-1", Fast, None);
            Assert.Equal("running", instance.State);
            Assert.Equal(3, server.Requests.Count);
        }

        [Fact]
        public async Task The_running_waiter_fails_at_once_when_the_instance_is_terminating()
        {
            using var server = new FakeAwsServer(r => Ec2("DescribeInstances", Reservations(InstanceXml("i-1", "shutting-down"))));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => ec2.WaitForInstanceRunningAsync("i-1", Fast, None));
            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            Assert.Contains("shutting-down", ex.Message);
            Assert.Single(server.Requests);
        }

        [Fact]
        public async Task DescribeRegions_asks_for_all_regions_and_reads_the_opt_in_status()
        {
            using var server = new FakeAwsServer(r => Ec2("DescribeRegions", "<regionInfo>" +
                "<item><regionName>us-west-2</regionName><regionEndpoint>ec2.us-west-2.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>" +
                "<item><regionName>af-south-1</regionName><regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint><optInStatus>not-opted-in</optInStatus></item>" +
                "</regionInfo>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            var regions = await ec2.DescribeRegionsAsync(None);
            var f = Assert.Single(server.Requests).Form;
            Assert.Equal(("DescribeRegions", "true"), (f["Action"], f["AllRegions"]));
            Assert.Equal(new[] { ("us-west-2", "opt-in-not-required", true), ("af-south-1", "not-opted-in", false) },
                regions.Select(x => (x.RegionName, x.OptInStatus!, x.Enabled)));
        }

        [Fact]
        public async Task The_terminated_waiter_accepts_an_instance_that_is_gone()
        {
            using var server = new FakeAwsServer(r => Ec2Error(400, "InvalidInstanceID.NotFound", "gone"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            await ec2.WaitForInstanceTerminatedAsync("i-1", Fast, None);
        }

        [Fact]
        public async Task The_snapshot_waiter_reports_progress_until_completed_and_fails_on_error()
        {
            var answers = new ConcurrentQueue<string>(new[] { "pending", "completed" });
            using var server = new FakeAwsServer(r => Ec2("DescribeSnapshots",
                $"<snapshotSet><item><snapshotId>snap-1</snapshotId><status>{(answers.TryDequeue(out var s) ? s : "completed")}</status><progress>40%</progress><volumeSize>8</volumeSize></item></snapshotSet>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            Assert.Equal("completed", (await ec2.WaitForSnapshotCompletedAsync("snap-1", Fast, None)).State);
            Assert.Equal("snap-1", server.Requests.First().Form["SnapshotId.1"]);

            using var failing = new FakeAwsServer(r => Ec2("DescribeSnapshots",
                "<snapshotSet><item><snapshotId>snap-2</snapshotId><status>error</status><statusMessage>KMS key disabled</statusMessage></item></snapshotSet>"));
            using var ec2b = new Ec2Service(FakeConnections.For(failing));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => ec2b.WaitForSnapshotCompletedAsync("snap-2", Fast, None));
            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            Assert.Contains("KMS key disabled", ex.Message);
        }

        [Theory]
        [InlineData("failed")]
        [InlineData("deregistered")]
        public async Task The_image_waiter_fails_on_a_failed_or_deregistered_image(string state)
        {
            using var server = new FakeAwsServer(r => Ec2("DescribeImages",
                $"<imagesSet><item><imageId>ami-1</imageId><imageState>{state}</imageState><stateReason><code>x</code><message>Snapshot creation failed</message></stateReason></item></imagesSet>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => ec2.WaitForImageAvailableAsync("ami-1", Fast, None));
            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            Assert.Contains(state, ex.Message);
        }

        [Fact]
        public async Task A_waiter_times_out_with_DrTools_Timeout()
        {
            using var server = new FakeAwsServer(r => Ec2("DescribeImages", "<imagesSet><item><imageId>ami-1</imageId><imageState>pending</imageState></item></imagesSet>"));
            using var ec2 = new Ec2Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                ec2.WaitForImageAvailableAsync("ami-1", new Ec2WaitOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10)), None));
            Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
            Assert.Contains("ami-1", ex.Message);
        }
    }
}
