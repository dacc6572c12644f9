using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    public class Ec2LiveTests
    {
        static readonly CancellationToken None = CancellationToken.None;
        static readonly Ec2WaitOptions Quick = new(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 15));
        static readonly Ec2WaitOptions Slow = new(TimeSpan.FromMinutes(60), TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30));

        static Ec2Service Service(string region) => new(new AwsClientFactory(Live.Connection(region)), region);

        /// <summary>DRTOOLS_LIVE_AMI, or any available x86_64 EBS image from Amazon in the region.</summary>
        static async Task<string> AmiAsync(Ec2Service ec2)
        {
            var configured = Environment.GetEnvironmentVariable("DRTOOLS_LIVE_AMI");
            if (!string.IsNullOrWhiteSpace(configured)) return configured;
            var images = await ec2.DescribeImagesAsync(null, new[]
            {
                new Ec2Filter("architecture", "x86_64"), new Ec2Filter("root-device-type", "ebs"), new Ec2Filter("state", "available"),
                new Ec2Filter("name", Live.IsMoto ? "*" : "al2023-ami-2023*"),
            }, new[] { "amazon" }, None);
            return images.First().ImageId;
        }

        static async Task<Ec2Instance> LaunchAsync(Ec2Service ec2, string name, string? clientToken = null)
        {
            var launched = await ec2.RunInstancesAsync(new Ec2RunRequest(await AmiAsync(ec2), "t3.micro")
            {
                Tags = { ["Name"] = name, ["DrTest"] = name }, ClientToken = clientToken,
            }, None);
            return Assert.Single(launched);
        }

        static async Task Quietly(Func<Task> cleanup)
        {
            try { await cleanup(); } catch (Exception) { /* best effort */ }
        }

        [LiveFact]
        public async Task Instance_lifecycle_with_waiters_tags_idempotent_launch_and_an_Elastic_IP()
        {
            using var ec2 = Service(Live.Region);
            var name = Live.Name("ec2i");
            var token = Guid.NewGuid().ToString("N");
            string? instanceId = null;
            Ec2Address? eip = null;
            try
            {
                var launched = await LaunchAsync(ec2, name, token);
                instanceId = launched.InstanceId;
                Assert.Equal(name, launched.Name);

                var running = await ec2.WaitForInstanceRunningAsync(instanceId, Quick, None);
                Assert.Equal("running", running.State);
                var byTag = await ec2.DescribeInstancesAsync(null, new[] { new Ec2Filter("tag:DrTest", name) }, None);
                Assert.Equal(instanceId, Assert.Single(byTag).InstanceId);
                Assert.NotEmpty(running.VolumeIds);

                if (!Live.IsMoto)
                {
                    // A retried launch with the same client token returns the first instance (moto ignores client tokens).
                    var retried = await LaunchAsync(ec2, name, token);
                    Assert.Equal(instanceId, retried.InstanceId);
                }

                // Elastic IP: allocate, associate, move-protection, disassociate, release.
                eip = await ec2.AllocateAddressAsync(new Dictionary<string, string> { ["DrTest"] = name }, None);
                Assert.NotNull(eip.AllocationId);
                var association = await ec2.AssociateAddressAsync(eip.AllocationId!, instanceId, allowReassociation: true, None);
                var described = Assert.Single(await ec2.DescribeAddressesAsync(new[] { eip.AllocationId! }, null, None));
                Assert.Equal(instanceId, described.InstanceId);
                Assert.Equal(association, described.AssociationId);
                Assert.Equal(name, described.Tags["DrTest"]);
                await ec2.DisassociateAddressAsync(association, None);
                Assert.Null(Assert.Single(await ec2.DescribeAddressesAsync(new[] { eip.AllocationId! }, null, None)).InstanceId);
                await ec2.ReleaseAddressAsync(eip.AllocationId!, None);
                eip = null;

                await ec2.CreateTagsAsync(new[] { instanceId }, new Dictionary<string, string> { ["Stage"] = "test" }, None);
                Assert.Equal("test", Assert.Single(await ec2.DescribeInstancesAsync(new[] { instanceId }, null, None)).Tags["Stage"]);
                await ec2.DeleteTagsAsync(new[] { instanceId }, new[] { "Stage" }, None);
                Assert.False(Assert.Single(await ec2.DescribeInstancesAsync(new[] { instanceId }, null, None)).Tags.ContainsKey("Stage"));

                var stopping = Assert.Single(await ec2.StopInstancesAsync(new[] { instanceId }, force: false, None));
                Assert.Equal(instanceId, stopping.InstanceId);
                Assert.Equal("stopped", (await ec2.WaitForInstanceStoppedAsync(instanceId, Quick, None)).State);
                await ec2.StartInstancesAsync(new[] { instanceId }, None);
                await ec2.WaitForInstanceRunningAsync(instanceId, Quick, None);

                await ec2.TerminateInstancesAsync(new[] { instanceId }, None);
                await ec2.WaitForInstanceTerminatedAsync(instanceId, Quick, None);
                // A terminated instance never runs again: the waiter says so at once instead of timing out.
                var gone = await Assert.ThrowsAsync<DrToolsException>(() => ec2.WaitForInstanceRunningAsync(instanceId, Quick, None));
                Assert.Equal(ErrorIds.InvalidState, gone.ErrorId);
                instanceId = null;
            }
            finally
            {
                if (eip?.AllocationId != null) await Quietly(() => ec2.ReleaseAddressAsync(eip.AllocationId, None));
                if (instanceId != null) await Quietly(() => ec2.TerminateInstancesAsync(new[] { instanceId }, None));
            }
        }

        [LiveFact]
        public async Task Crash_consistent_snapshots_restore_to_a_volume_and_copy_to_the_DR_region()
        {
            using var ec2 = Service(Live.Region);
            using var dr = Service(Live.DrRegion);
            var name = Live.Name("ec2s");
            string? instanceId = null;
            var snapshots = new List<string>();
            var drSnapshots = new List<string>();
            string? volumeId = null;
            try
            {
                var instance = await LaunchAsync(ec2, name);
                instanceId = instance.InstanceId;
                instance = await ec2.WaitForInstanceRunningAsync(instanceId, Quick, None);

                var taken = await ec2.CreateSnapshotsAsync(new Ec2CreateSnapshotsRequest(instanceId)
                {
                    Description = "DrTools live test", Tags = { ["DrTest"] = name },
                }, None);
                snapshots.AddRange(taken.Select(s => s.SnapshotId));
                Assert.Equal(instance.VolumeIds.OrderBy(v => v), taken.Select(s => s.VolumeId).OrderBy(v => v));
                var snapshot = await ec2.WaitForSnapshotCompletedAsync(taken[0].SnapshotId, Slow, None);
                Assert.Equal("completed", snapshot.State);
                var mine = await ec2.DescribeSnapshotsAsync(null, new[] { new Ec2Filter("tag:DrTest", name) }, None);
                Assert.Equal(snapshots.OrderBy(s => s), mine.Select(s => s.SnapshotId).OrderBy(s => s));

                var volume = await ec2.CreateVolumeFromSnapshotAsync(new Ec2CreateVolumeRequest(snapshot.SnapshotId, instance.AvailabilityZone!)
                {
                    VolumeType = "gp3", Encrypted = true, Tags = { ["DrTest"] = name },
                }, None);
                volumeId = volume.VolumeId;
                var restored = Assert.Single(await ec2.DescribeVolumesAsync(new[] { volumeId }, null, None));
                Assert.Equal(snapshot.SnapshotId, restored.SnapshotId);
                Assert.Equal("gp3", restored.VolumeType);
                Assert.True(restored.Encrypted);
                Assert.Equal(name, restored.Tags["DrTest"]);

                var copyId = await ec2.CopySnapshotToRegionAsync(new Ec2CopySnapshotRequest(snapshot.SnapshotId, Live.DrRegion)
                {
                    Encrypted = true, Tags = { ["DrTest"] = name, ["SourceSnapshot"] = snapshot.SnapshotId },
                }, None);
                drSnapshots.Add(copyId);
                var copy = await dr.WaitForSnapshotCompletedAsync(copyId, Slow, None);
                Assert.Equal(snapshot.SnapshotId, copy.Tags["SourceSnapshot"]);
                // The copy lives only in the DR region.
                var notHere = await Assert.ThrowsAsync<DrToolsException>(() => ec2.DescribeSnapshotsAsync(new[] { copyId }, null, None));
                Assert.Equal(ErrorIds.NotFound, notHere.ErrorId);
                Assert.Equal("InvalidSnapshot.NotFound", notHere.AwsErrorCode);
            }
            finally
            {
                if (volumeId != null) await Quietly(() => ec2.DeleteVolumeAsync(volumeId, None));
                foreach (var s in drSnapshots) await Quietly(() => dr.DeleteSnapshotAsync(s, None));
                foreach (var s in snapshots) await Quietly(() => ec2.DeleteSnapshotAsync(s, None));
                if (instanceId != null) await Quietly(() => ec2.TerminateInstancesAsync(new[] { instanceId }, None));
            }
        }

        [LiveFact]
        public async Task Images_are_created_without_reboot_copied_to_the_DR_region_and_deregistered_with_their_snapshots()
        {
            using var ec2 = Service(Live.Region);
            using var dr = Service(Live.DrRegion);
            var name = Live.Name("ec2a");
            string? instanceId = null, imageId = null, drImageId = null;
            try
            {
                var instance = await LaunchAsync(ec2, name);
                instanceId = instance.InstanceId;
                await ec2.WaitForInstanceRunningAsync(instanceId, Quick, None);

                imageId = await ec2.CreateImageAsync(new Ec2CreateImageRequest(instanceId, name)
                {
                    Tags = { ["DrTest"] = name }, TagSnapshots = !Live.IsMoto, // moto: snapshot tags in CreateImage are NotImplemented
                }, None);
                var image = await ec2.WaitForImageAvailableAsync(imageId, Slow, None);
                Assert.Equal(name, image.Name);
                Assert.Contains(await ec2.DescribeImagesAsync(null, new[] { new Ec2Filter("tag:DrTest", name) }, null, None), i => i.ImageId == imageId);
                // NoReboot is the default: the instance kept running.
                Assert.Equal("running", Assert.Single(await ec2.DescribeInstancesAsync(new[] { instanceId }, null, None)).State);

                var token = Guid.NewGuid().ToString("N");
                drImageId = await ec2.CopyImageToRegionAsync(new Ec2CopyImageRequest(imageId, Live.DrRegion, name)
                {
                    Encrypted = true, ClientToken = token, Tags = { ["DrTest"] = name },
                }, None);
                var copied = await dr.WaitForImageAvailableAsync(drImageId, Slow, None);
                Assert.Equal(name, copied.Name);
                if (!Live.IsMoto) Assert.Equal(name, copied.Tags["DrTest"]); // moto's CopyImage drops TagSpecifications

                var drSnapshots = await dr.DeregisterImageAsync(drImageId, None);
                drImageId = null;
                foreach (var s in drSnapshots) await dr.DeleteSnapshotAsync(s, None);

                var snapshots = await ec2.DeregisterImageAsync(imageId, None);
                Assert.NotEmpty(snapshots);
                imageId = null;
                foreach (var s in snapshots) await ec2.DeleteSnapshotAsync(s, None);

                var missing = await Assert.ThrowsAsync<DrToolsException>(() => ec2.DescribeImagesAsync(new[] { "ami-0123456789abcdef0" }, null, null, None));
                Assert.Equal(ErrorIds.NotFound, missing.ErrorId);
            }
            finally
            {
                if (drImageId != null) await Quietly(() => dr.DeregisterImageAsync(drImageId, None));
                if (imageId != null) await Quietly(() => ec2.DeregisterImageAsync(imageId, None));
                if (instanceId != null) await Quietly(() => ec2.TerminateInstancesAsync(new[] { instanceId }, None));
            }
        }

        [LiveFact]
        public async Task An_unknown_instance_is_DrTools_NotFound_with_the_AWS_code()
        {
            using var ec2 = Service(Live.Region);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => ec2.DescribeInstancesAsync(new[] { "i-0123456789abcdef0" }, null, None));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Equal("InvalidInstanceID.NotFound", ex.AwsErrorCode);
            Assert.Contains("i-0123456789abcdef0", ex.Message);
        }
    }
}
