using System;
using System.Collections.Generic;

namespace DrTools.Core.Aws.Ec2
{
    /// <summary>A DescribeX filter, e.g. new Ec2Filter("tag:DrGroup", "orders").</summary>
    public sealed record Ec2Filter(string Name, params string[] Values);

    public sealed record Ec2Instance(string InstanceId, string State, string? InstanceType, string? ImageId, string? SubnetId, string? VpcId,
        string? AvailabilityZone, string? PrivateIpAddress, string? PublicIpAddress, string? KeyName, DateTime? LaunchTime,
        IReadOnlyList<string> SecurityGroupIds, IReadOnlyList<string> VolumeIds, IReadOnlyDictionary<string, string> Tags)
    {
        public string? Name => Tags.TryGetValue("Name", out var n) ? n : null;
    }

    public sealed record Ec2StateChange(string InstanceId, string PreviousState, string CurrentState);

    public sealed class Ec2RunRequest
    {
        public Ec2RunRequest(string imageId, string instanceType) { ImageId = imageId; InstanceType = instanceType; }
        public string ImageId { get; }
        public string InstanceType { get; }
        public string? SubnetId { get; set; }
        public IList<string> SecurityGroupIds { get; set; } = new List<string>();
        public string? KeyName { get; set; }
        public string? IamInstanceProfileName { get; set; }
        public string? UserData { get; set; }
        /// <summary>Tags for the instances and their volumes.</summary>
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        /// <summary>Makes a retried launch return the first launch's instances instead of starting more (idempotency).</summary>
        public string? ClientToken { get; set; }
        /// <summary>Launch exactly this many or fail (MinCount = MaxCount).</summary>
        public int Count { get; set; } = 1;
    }

    public sealed record Ec2Volume(string VolumeId, string State, int Size, string? VolumeType, string? AvailabilityZone, string? SnapshotId,
        bool Encrypted, string? KmsKeyId, IReadOnlyList<string> AttachedTo, IReadOnlyDictionary<string, string> Tags);

    public sealed class Ec2CreateVolumeRequest
    {
        public Ec2CreateVolumeRequest(string snapshotId, string availabilityZone) { SnapshotId = snapshotId; AvailabilityZone = availabilityZone; }
        public string SnapshotId { get; }
        public string AvailabilityZone { get; }
        /// <summary>gp3, gp2, io2, st1...; the EC2 default when null.</summary>
        public string? VolumeType { get; set; }
        public int? Iops { get; set; }
        /// <summary>GiB; the snapshot's size when null.</summary>
        public int? Size { get; set; }
        public bool? Encrypted { get; set; }
        public string? KmsKeyId { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    }

    public sealed record Ec2Snapshot(string SnapshotId, string State, string? Progress, string? VolumeId, int VolumeSize, string? Description,
        bool Encrypted, string? KmsKeyId, string? OwnerId, DateTime? StartTime, string? StateMessage, IReadOnlyDictionary<string, string> Tags);

    public sealed class Ec2CreateSnapshotsRequest
    {
        public Ec2CreateSnapshotsRequest(string instanceId) => InstanceId = instanceId;
        public string InstanceId { get; }
        public string? Description { get; set; }
        public bool ExcludeBootVolume { get; set; }
        public IList<string> ExcludeDataVolumeIds { get; set; } = new List<string>();
        /// <summary>Copy each volume's tags onto its snapshot (before <see cref="Tags"/>, which win).</summary>
        public bool CopyTagsFromSource { get; set; } = true;
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    }

    public sealed class Ec2CopySnapshotRequest
    {
        public Ec2CopySnapshotRequest(string sourceSnapshotId, string destinationRegion)
        {
            SourceSnapshotId = sourceSnapshotId; DestinationRegion = destinationRegion;
        }
        /// <summary>A snapshot in the service's region.</summary>
        public string SourceSnapshotId { get; }
        public string DestinationRegion { get; }
        public string? Description { get; set; }
        public bool? Encrypted { get; set; }
        /// <summary>A KMS key in the destination region (id, alias or ARN).</summary>
        public string? KmsKeyId { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    }

    public sealed record Ec2Image(string ImageId, string State, string? Name, string? Description, string? OwnerId, DateTime? CreationDate,
        string? StateReason, IReadOnlyList<string> SnapshotIds, IReadOnlyDictionary<string, string> Tags);

    public sealed class Ec2CreateImageRequest
    {
        public Ec2CreateImageRequest(string instanceId, string name) { InstanceId = instanceId; Name = name; }
        public string InstanceId { get; }
        public string Name { get; }
        public string? Description { get; set; }
        /// <summary>True (default): do not reboot the instance, so DR never takes production down (file systems are crash-consistent).</summary>
        public bool NoReboot { get; set; } = true;
        /// <summary>Tags for the image and (with <see cref="TagSnapshots"/>) its snapshots.</summary>
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public bool TagSnapshots { get; set; } = true;
    }

    public sealed class Ec2CopyImageRequest
    {
        public Ec2CopyImageRequest(string sourceImageId, string destinationRegion, string name)
        {
            SourceImageId = sourceImageId; DestinationRegion = destinationRegion; Name = name;
        }
        public string SourceImageId { get; }
        public string DestinationRegion { get; }
        public string Name { get; }
        public string? Description { get; set; }
        public bool? Encrypted { get; set; }
        public string? KmsKeyId { get; set; }
        /// <summary>Makes a retried copy return the first copy's image id instead of copying again.</summary>
        public string? ClientToken { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    }

    /// <summary>A region as DescribeRegions reports it; <see cref="Enabled"/> unless its opt-in status is "not-opted-in".</summary>
    public sealed record Ec2Region(string RegionName, string? Endpoint, string? OptInStatus)
    {
        public bool Enabled => OptInStatus is null or "opt-in-not-required" or "opted-in";
    }

    public sealed record Ec2Address(string? AllocationId, string PublicIp, string? AssociationId, string? InstanceId, string? PrivateIpAddress,
        string? NetworkInterfaceId, IReadOnlyDictionary<string, string> Tags);

    /// <summary>How long a waiter waits and how often it looks.</summary>
    public sealed record Ec2WaitOptions(TimeSpan Timeout, TimeSpan Interval)
    {
        public static readonly Ec2WaitOptions Instance = new(TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(15));
        /// <summary>Snapshots and images of big volumes, especially copies to another region, can take hours.</summary>
        public static readonly Ec2WaitOptions Snapshot = new(TimeSpan.FromHours(4), TimeSpan.FromSeconds(30));
    }
}

namespace DrTools.Core.Aws.Ec2
{
    public sealed record Ec2Subnet(string SubnetId, string? VpcId, string? AvailabilityZone, string? State, int? AvailableIpAddressCount);

    public sealed record Ec2SecurityGroup(string GroupId, string? GroupName, string? VpcId);

    public sealed record Ec2KeyPair(string KeyName, string? KeyPairId, string? KeyType);

    /// <summary>One version of a launch template, with what launching from it uses.</summary>
    public sealed record Ec2LaunchTemplateVersion(string LaunchTemplateId, string? LaunchTemplateName, long VersionNumber, bool DefaultVersion,
        string? ImageId, string? InstanceType, string? KeyName, IReadOnlyList<string> SecurityGroupIds);

    /// <summary>An instance type's default vCPU count.</summary>
    public sealed record Ec2InstanceTypeInfo(string InstanceType, int DefaultVCpus);
}
