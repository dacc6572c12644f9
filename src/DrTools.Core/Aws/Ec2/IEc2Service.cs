using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Aws.Ec2
{
    /// <summary>
    /// The EC2 calls DR needs, bound to one region; cross-region copies name their destination region and are sent
    /// there. Describe calls follow every page. Every AWS failure surfaces as a DrToolsException.
    /// </summary>
    public interface IEc2Service : IDisposable
    {
        string Region { get; }

        // Instances
        Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(Ec2RunRequest request, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2StateChange>> StartInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2StateChange>> StopInstancesAsync(IEnumerable<string> instanceIds, bool force, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2StateChange>> TerminateInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken);

        // Volumes
        Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IEnumerable<string>? volumeIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken);
        Task<Ec2Volume> CreateVolumeFromSnapshotAsync(Ec2CreateVolumeRequest request, CancellationToken cancellationToken);
        Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken);

        // Snapshots
        /// <summary>Crash-consistent snapshots of all (or the chosen) volumes of one instance, taken at the same moment.</summary>
        Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(Ec2CreateSnapshotsRequest request, CancellationToken cancellationToken);
        /// <summary>Snapshots owned by this account.</summary>
        Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(IEnumerable<string>? snapshotIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken);
        /// <summary>Copies a snapshot of this region to the destination region; returns the new snapshot id there.</summary>
        Task<string> CopySnapshotToRegionAsync(Ec2CopySnapshotRequest request, CancellationToken cancellationToken);
        Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken);

        // Images
        Task<string> CreateImageAsync(Ec2CreateImageRequest request, CancellationToken cancellationToken);
        /// <summary>Images owned by this account unless <paramref name="owners"/> says otherwise (e.g. "amazon").</summary>
        Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(IEnumerable<string>? imageIds, IEnumerable<Ec2Filter>? filters, IEnumerable<string>? owners,
            CancellationToken cancellationToken);
        /// <summary>Copies an image of this region to the destination region; returns the new image id there.</summary>
        Task<string> CopyImageToRegionAsync(Ec2CopyImageRequest request, CancellationToken cancellationToken);
        /// <summary>Deregisters the image and returns the ids of the snapshots behind it, which EC2 keeps (and bills) until deleted.</summary>
        Task<IReadOnlyList<string>> DeregisterImageAsync(string imageId, CancellationToken cancellationToken);

        // Regions
        /// <summary>
        /// Every region of the account's partition, enabled or not, with its opt-in status ("opt-in-not-required",
        /// "opted-in", "not-opted-in"): DescribeRegions with AllRegions.
        /// </summary>
        Task<IReadOnlyList<Ec2Region>> DescribeRegionsAsync(CancellationToken cancellationToken);

        // Elastic IPs
        Task<Ec2Address> AllocateAddressAsync(IDictionary<string, string>? tags, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2Address>> DescribeAddressesAsync(IEnumerable<string>? allocationIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken);
        /// <summary>Returns the association id. Without <paramref name="allowReassociation"/>, an address in use elsewhere is not moved.</summary>
        Task<string> AssociateAddressAsync(string allocationId, string instanceId, bool allowReassociation, CancellationToken cancellationToken);
        Task DisassociateAddressAsync(string associationId, CancellationToken cancellationToken);
        Task ReleaseAddressAsync(string allocationId, CancellationToken cancellationToken);

        // Tags
        Task CreateTagsAsync(IEnumerable<string> resourceIds, IDictionary<string, string> tags, CancellationToken cancellationToken);
        Task DeleteTagsAsync(IEnumerable<string> resourceIds, IEnumerable<string> tagKeys, CancellationToken cancellationToken);

        // What a launch uses (readiness checks). Unknown ids fail with DrTools.NotFound, as EC2 does.
        Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IEnumerable<string> subnetIds, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(IEnumerable<string> keyNames, CancellationToken cancellationToken);
        /// <summary>Versions of one launch template (by id, else name): "$Latest", "$Default" or numbers.</summary>
        Task<IReadOnlyList<Ec2LaunchTemplateVersion>> DescribeLaunchTemplateVersionsAsync(string? launchTemplateId, string? launchTemplateName,
            IEnumerable<string> versions, CancellationToken cancellationToken);
        Task<IReadOnlyList<Ec2InstanceTypeInfo>> DescribeInstanceTypesAsync(IEnumerable<string> instanceTypes, CancellationToken cancellationToken);
        /// <summary>Account attributes by name (e.g. "max-instances"): name to values.</summary>
        Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DescribeAccountAttributesAsync(IEnumerable<string> attributeNames, CancellationToken cancellationToken);

        // Waiters (DrTools.Timeout after the timeout; DrTools.InvalidState when a state that cannot lead there is reached)
        Task<Ec2Instance> WaitForInstanceRunningAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken);
        Task<Ec2Instance> WaitForInstanceStoppedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken);
        Task WaitForInstanceTerminatedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken);
        Task<Ec2Snapshot> WaitForSnapshotCompletedAsync(string snapshotId, Ec2WaitOptions? options, CancellationToken cancellationToken);
        Task<Ec2Image> WaitForImageAvailableAsync(string imageId, Ec2WaitOptions? options, CancellationToken cancellationToken);
    }
}
