using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Ec2
{
    /// <summary><see cref="IEc2Service"/> over the SDK's EC2 client.</summary>
    public sealed class Ec2Service : IEc2Service
    {
        const int PageSize = 500;
        readonly IAwsClientFactory _clients;
        readonly IOperationReporter _reporter;
        readonly Dictionary<string, IAmazonEC2> _byRegion = new(StringComparer.Ordinal);

        public Ec2Service(IAwsClientFactory clients, string? region = null, IOperationReporter? reporter = null)
        {
            _clients = clients;
            Region = region ?? clients.Connection.Region;
            _reporter = reporter ?? NullReporter.Instance;
        }

        public string Region { get; }

        IAmazonEC2 Client(string? region = null)
        {
            region ??= Region;
            lock (_byRegion)
            {
                if (!_byRegion.TryGetValue(region, out var c)) _byRegion[region] = c = _clients.Ec2(region);
                return c;
            }
        }

        public void Dispose()
        {
            lock (_byRegion)
            {
                foreach (var c in _byRegion.Values) c.Dispose();
                _byRegion.Clear();
            }
        }

        // ---------------------------------------------------------------- instances

        public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
        {
            var ids = instanceIds?.ToList() ?? new List<string>();
            var result = new List<Ec2Instance>();
            string? token = null;
            do
            {
                var request = new DescribeInstancesRequest { Filters = ToFilters(filters), NextToken = token };
                // EC2 refuses MaxResults together with explicit ids.
                if (ids.Count > 0) request.InstanceIds = ids; else request.MaxResults = PageSize;
                var r = await Call("DescribeInstances", Describe("instance", ids), c => c.DescribeInstancesAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
                foreach (var reservation in r.Reservations ?? new List<Reservation>())
                    result.AddRange((reservation.Instances ?? new List<Instance>()).Select(ToInstance));
                token = Next(r.NextToken);
            } while (token != null);
            return result;
        }

        public async Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(Ec2RunRequest request, CancellationToken cancellationToken)
        {
            if (request.Count < 1) throw Invalid("Count must be at least 1.", request.ImageId);
            var run = new RunInstancesRequest
            {
                ImageId = request.ImageId,
                InstanceType = InstanceType.FindValue(request.InstanceType),
                MinCount = request.Count,
                MaxCount = request.Count,
                SubnetId = request.SubnetId,
                KeyName = request.KeyName,
                ClientToken = request.ClientToken,
            };
            if (request.SecurityGroupIds.Count > 0) run.SecurityGroupIds = request.SecurityGroupIds.ToList();
            if (request.IamInstanceProfileName != null) run.IamInstanceProfile = new IamInstanceProfileSpecification { Name = request.IamInstanceProfileName };
            // The API wants base64; callers pass the script as text.
            if (request.UserData != null) run.UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(request.UserData));
            if (request.Tags.Count > 0) run.TagSpecifications = TagSpecs(request.Tags, ResourceType.Instance, ResourceType.Volume);
            var r = await Call("RunInstances", $"instances from image {request.ImageId}", c => c.RunInstancesAsync(run, cancellationToken), cancellationToken, request.ImageId)
                .ConfigureAwait(false);
            var instances = (r.Reservation?.Instances ?? new List<Instance>()).Select(ToInstance).ToList();
            _reporter.Verbose($"Launched {string.Join(", ", instances.Select(i => i.InstanceId))} from {request.ImageId} in {Region}.");
            return instances;
        }

        public async Task<IReadOnlyList<Ec2StateChange>> StartInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken)
        {
            var ids = instanceIds.ToList();
            var r = await Call("StartInstances", Describe("instance", ids), c => c.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ids }, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            return ToChanges(r.StartingInstances);
        }

        public async Task<IReadOnlyList<Ec2StateChange>> StopInstancesAsync(IEnumerable<string> instanceIds, bool force, CancellationToken cancellationToken)
        {
            var ids = instanceIds.ToList();
            var request = new StopInstancesRequest { InstanceIds = ids };
            if (force) request.Force = true;
            var r = await Call("StopInstances", Describe("instance", ids), c => c.StopInstancesAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            return ToChanges(r.StoppingInstances);
        }

        public async Task<IReadOnlyList<Ec2StateChange>> TerminateInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken)
        {
            var ids = instanceIds.ToList();
            var r = await Call("TerminateInstances", Describe("instance", ids), c => c.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ids }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            _reporter.Verbose($"Terminating {string.Join(", ", ids)} in {Region}.");
            return ToChanges(r.TerminatingInstances);
        }

        // ---------------------------------------------------------------- volumes

        public async Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IEnumerable<string>? volumeIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
        {
            var ids = volumeIds?.ToList() ?? new List<string>();
            var result = new List<Ec2Volume>();
            string? token = null;
            do
            {
                var request = new DescribeVolumesRequest { Filters = ToFilters(filters), NextToken = token };
                if (ids.Count > 0) request.VolumeIds = ids; else request.MaxResults = PageSize;
                var r = await Call("DescribeVolumes", Describe("volume", ids), c => c.DescribeVolumesAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
                result.AddRange((r.Volumes ?? new List<Volume>()).Select(ToVolume));
                token = Next(r.NextToken);
            } while (token != null);
            return result;
        }

        public async Task<Ec2Volume> CreateVolumeFromSnapshotAsync(Ec2CreateVolumeRequest request, CancellationToken cancellationToken)
        {
            var create = new CreateVolumeRequest
            {
                SnapshotId = request.SnapshotId,
                AvailabilityZone = request.AvailabilityZone,
                Encrypted = request.Encrypted,
                KmsKeyId = request.KmsKeyId,
                Iops = request.Iops,
                Size = request.Size,
            };
            if (request.VolumeType != null) create.VolumeType = VolumeType.FindValue(request.VolumeType);
            if (request.Tags.Count > 0) create.TagSpecifications = TagSpecs(request.Tags, ResourceType.Volume);
            var r = await Call("CreateVolume", $"volume from snapshot {request.SnapshotId}", c => c.CreateVolumeAsync(create, cancellationToken), cancellationToken, request.SnapshotId)
                .ConfigureAwait(false);
            var v = r.Volume;
            _reporter.Verbose($"Creating volume {v.VolumeId} from {request.SnapshotId} in {request.AvailabilityZone}.");
            return ToVolume(v);
        }

        public Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
            Call("DeleteVolume", $"volume {volumeId}", c => c.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volumeId }, cancellationToken), cancellationToken, volumeId);

        // ---------------------------------------------------------------- snapshots

        public async Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(Ec2CreateSnapshotsRequest request, CancellationToken cancellationToken)
        {
            var spec = new InstanceSpecification { InstanceId = request.InstanceId };
            if (request.ExcludeBootVolume) spec.ExcludeBootVolume = true;
            if (request.ExcludeDataVolumeIds.Count > 0) spec.ExcludeDataVolumeIds = request.ExcludeDataVolumeIds.ToList();
            var create = new CreateSnapshotsRequest
            {
                InstanceSpecification = spec,
                Description = request.Description,
                CopyTagsFromSource = request.CopyTagsFromSource ? CopyTagsFromSource.Volume : null,
            };
            if (request.Tags.Count > 0) create.TagSpecifications = TagSpecs(request.Tags, ResourceType.Snapshot);
            var r = await Call("CreateSnapshots", $"snapshots of instance {request.InstanceId}", c => c.CreateSnapshotsAsync(create, cancellationToken), cancellationToken,
                request.InstanceId).ConfigureAwait(false);
            var snapshots = (r.Snapshots ?? new List<SnapshotInfo>()).Select(s => new Ec2Snapshot(s.SnapshotId, s.State?.Value ?? "pending", s.Progress, s.VolumeId,
                s.VolumeSize ?? 0, s.Description, s.Encrypted ?? false, null, s.OwnerId, s.StartTime, null, ToDict(s.Tags))).ToList();
            _reporter.Verbose($"Started snapshots {string.Join(", ", snapshots.Select(s => $"{s.SnapshotId} ({s.VolumeId})"))} of {request.InstanceId}.");
            return snapshots;
        }

        public async Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(IEnumerable<string>? snapshotIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
        {
            var ids = snapshotIds?.ToList() ?? new List<string>();
            var result = new List<Ec2Snapshot>();
            string? token = null;
            do
            {
                var request = new DescribeSnapshotsRequest { Filters = ToFilters(filters), NextToken = token };
                // Without ids, only our own: the public snapshot catalogue is huge. Named ids may be shared with us.
                if (ids.Count > 0) request.SnapshotIds = ids;
                else
                {
                    request.OwnerIds = new List<string> { "self" };
                    request.MaxResults = PageSize;
                }
                var r = await Call("DescribeSnapshots", Describe("snapshot", ids), c => c.DescribeSnapshotsAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
                result.AddRange((r.Snapshots ?? new List<Snapshot>()).Select(ToSnapshot));
                token = Next(r.NextToken);
            } while (token != null);
            return result;
        }

        public async Task<string> CopySnapshotToRegionAsync(Ec2CopySnapshotRequest request, CancellationToken cancellationToken)
        {
            var copy = new CopySnapshotRequest
            {
                SourceRegion = Region,
                SourceSnapshotId = request.SourceSnapshotId,
                Description = request.Description ?? $"Copy of {request.SourceSnapshotId} from {Region}",
                Encrypted = request.Encrypted,
                KmsKeyId = request.KmsKeyId,
            };
            if (request.Tags.Count > 0) copy.TagSpecifications = TagSpecs(request.Tags, ResourceType.Snapshot);
            // Sent to the destination region; the SDK adds the pre-signed URL EC2 needs to read an encrypted source.
            var r = await Call("CopySnapshot", $"snapshot {request.SourceSnapshotId}", c => c.CopySnapshotAsync(copy, cancellationToken), cancellationToken,
                request.SourceSnapshotId, request.DestinationRegion).ConfigureAwait(false);
            _reporter.Verbose($"Copying snapshot {request.SourceSnapshotId} ({Region}) to {r.SnapshotId} ({request.DestinationRegion}).");
            return r.SnapshotId;
        }

        public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) =>
            Call("DeleteSnapshot", $"snapshot {snapshotId}", c => c.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, cancellationToken),
                cancellationToken, snapshotId);

        // ---------------------------------------------------------------- images

        public async Task<string> CreateImageAsync(Ec2CreateImageRequest request, CancellationToken cancellationToken)
        {
            var create = new CreateImageRequest
            {
                InstanceId = request.InstanceId, Name = request.Name, Description = request.Description, NoReboot = request.NoReboot,
            };
            if (request.Tags.Count > 0)
                create.TagSpecifications = request.TagSnapshots ? TagSpecs(request.Tags, ResourceType.Image, ResourceType.Snapshot) : TagSpecs(request.Tags, ResourceType.Image);
            var r = await Call("CreateImage", $"image of instance {request.InstanceId}", c => c.CreateImageAsync(create, cancellationToken), cancellationToken, request.InstanceId)
                .ConfigureAwait(false);
            _reporter.Verbose($"Creating image {r.ImageId} '{request.Name}' from {request.InstanceId}{(request.NoReboot ? " without rebooting it" : " (the instance reboots)")}.");
            return r.ImageId;
        }

        public async Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(IEnumerable<string>? imageIds, IEnumerable<Ec2Filter>? filters, IEnumerable<string>? owners,
            CancellationToken cancellationToken)
        {
            var ids = imageIds?.ToList() ?? new List<string>();
            var ownerList = owners?.ToList() ?? new List<string>();
            var result = new List<Ec2Image>();
            string? token = null;
            do
            {
                var request = new DescribeImagesRequest { Filters = ToFilters(filters), NextToken = token };
                if (ownerList.Count > 0) request.Owners = ownerList;
                if (ids.Count > 0) request.ImageIds = ids;
                else
                {
                    if (ownerList.Count == 0) request.Owners = new List<string> { "self" };
                    request.MaxResults = PageSize;
                }
                var r = await Call("DescribeImages", Describe("image", ids), c => c.DescribeImagesAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
                result.AddRange((r.Images ?? new List<Image>()).Select(ToImage));
                token = Next(r.NextToken);
            } while (token != null);
            return result;
        }

        public async Task<string> CopyImageToRegionAsync(Ec2CopyImageRequest request, CancellationToken cancellationToken)
        {
            var copy = new CopyImageRequest
            {
                SourceRegion = Region,
                SourceImageId = request.SourceImageId,
                Name = request.Name,
                Description = request.Description,
                Encrypted = request.Encrypted,
                KmsKeyId = request.KmsKeyId,
                ClientToken = request.ClientToken,
            };
            if (request.Tags.Count > 0) copy.TagSpecifications = TagSpecs(request.Tags, ResourceType.Image, ResourceType.Snapshot);
            var r = await Call("CopyImage", $"image {request.SourceImageId}", c => c.CopyImageAsync(copy, cancellationToken), cancellationToken,
                request.SourceImageId, request.DestinationRegion).ConfigureAwait(false);
            _reporter.Verbose($"Copying image {request.SourceImageId} ({Region}) to {r.ImageId} ({request.DestinationRegion}).");
            return r.ImageId;
        }

        public async Task<IReadOnlyList<string>> DeregisterImageAsync(string imageId, CancellationToken cancellationToken)
        {
            var images = await DescribeImagesAsync(new[] { imageId }, null, null, cancellationToken).ConfigureAwait(false);
            var image = images.FirstOrDefault() ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"Image {imageId} does not exist in {Region}.", imageId, "Check the image id and the region.") { Service = "EC2" };
            await Call("DeregisterImage", $"image {imageId}", c => c.DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId }, cancellationToken), cancellationToken, imageId)
                .ConfigureAwait(false);
            if (image.SnapshotIds.Count > 0)
                _reporter.Verbose($"Deregistered {imageId}; its snapshots {string.Join(", ", image.SnapshotIds)} remain until deleted.");
            return image.SnapshotIds;
        }

        // ---------------------------------------------------------------- Elastic IPs

        public async Task<Ec2Address> AllocateAddressAsync(IDictionary<string, string>? tags, CancellationToken cancellationToken)
        {
            var request = new AllocateAddressRequest { Domain = DomainType.Vpc };
            if (tags is { Count: > 0 }) request.TagSpecifications = TagSpecs(tags, ResourceType.ElasticIp);
            var r = await Call("AllocateAddress", "an Elastic IP", c => c.AllocateAddressAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            _reporter.Verbose($"Allocated Elastic IP {r.PublicIp} ({r.AllocationId}).");
            return new Ec2Address(r.AllocationId, r.PublicIp, null, null, null, null, tags == null ? new Dictionary<string, string>() : new Dictionary<string, string>(tags));
        }

        public async Task<IReadOnlyList<Ec2Region>> DescribeRegionsAsync(CancellationToken cancellationToken)
        {
            var r = await Call("DescribeRegions", "regions of the account", c => c.DescribeRegionsAsync(new DescribeRegionsRequest { AllRegions = true }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return (r.Regions ?? new List<Amazon.EC2.Model.Region>()).Select(x => new Ec2Region(x.RegionName, Next(x.Endpoint), Next(x.OptInStatus))).ToList();
        }

        public async Task<IReadOnlyList<Ec2Address>> DescribeAddressesAsync(IEnumerable<string>? allocationIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
        {
            var ids = allocationIds?.ToList() ?? new List<string>();
            var request = new DescribeAddressesRequest { Filters = ToFilters(filters) };
            if (ids.Count > 0) request.AllocationIds = ids;
            // DescribeAddresses has no paging: it returns every address in one answer.
            var r = await Call("DescribeAddresses", Describe("Elastic IP", ids), c => c.DescribeAddressesAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            return (r.Addresses ?? new List<Address>()).Select(a => new Ec2Address(Next(a.AllocationId), a.PublicIp, Next(a.AssociationId), Next(a.InstanceId),
                Next(a.PrivateIpAddress), Next(a.NetworkInterfaceId), ToDict(a.Tags))).ToList();
        }

        public async Task<string> AssociateAddressAsync(string allocationId, string instanceId, bool allowReassociation, CancellationToken cancellationToken)
        {
            var r = await Call("AssociateAddress", $"Elastic IP {allocationId}", c => c.AssociateAddressAsync(new AssociateAddressRequest
            {
                AllocationId = allocationId, InstanceId = instanceId, AllowReassociation = allowReassociation,
            }, cancellationToken), cancellationToken, allocationId).ConfigureAwait(false);
            _reporter.Verbose($"Associated Elastic IP {allocationId} with {instanceId} ({r.AssociationId}).");
            return r.AssociationId;
        }

        public Task DisassociateAddressAsync(string associationId, CancellationToken cancellationToken) =>
            Call("DisassociateAddress", $"Elastic IP association {associationId}",
                c => c.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = associationId }, cancellationToken), cancellationToken, associationId);

        public Task ReleaseAddressAsync(string allocationId, CancellationToken cancellationToken) =>
            Call("ReleaseAddress", $"Elastic IP {allocationId}",
                c => c.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId }, cancellationToken), cancellationToken, allocationId);

        // ---------------------------------------------------------------- tags

        public Task CreateTagsAsync(IEnumerable<string> resourceIds, IDictionary<string, string> tags, CancellationToken cancellationToken)
        {
            var ids = resourceIds.ToList();
            return Call("CreateTags", string.Join(", ", ids), c => c.CreateTagsAsync(new CreateTagsRequest
            {
                Resources = ids, Tags = tags.Select(kv => new Tag(kv.Key, kv.Value)).ToList(),
            }, cancellationToken), cancellationToken);
        }

        public Task DeleteTagsAsync(IEnumerable<string> resourceIds, IEnumerable<string> tagKeys, CancellationToken cancellationToken)
        {
            var ids = resourceIds.ToList();
            return Call("DeleteTags", string.Join(", ", ids), c => c.DeleteTagsAsync(new DeleteTagsRequest
            {
                Resources = ids, Tags = tagKeys.Select(k => new Tag { Key = k }).ToList(),
            }, cancellationToken), cancellationToken);
        }

        // ---------------------------------------------------------------- what a launch uses

        public async Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IEnumerable<string> subnetIds, CancellationToken cancellationToken)
        {
            var ids = subnetIds.ToList();
            var r = await Call("DescribeSubnets", Describe("subnet", ids), c => c.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = ids }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return (r.Subnets ?? new List<Subnet>()).Select(x => new Ec2Subnet(x.SubnetId, Next(x.VpcId), Next(x.AvailabilityZone), x.State?.Value, x.AvailableIpAddressCount))
                .ToList();
        }

        public async Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken)
        {
            var ids = groupIds.ToList();
            var r = await Call("DescribeSecurityGroups", Describe("security group", ids),
                c => c.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = ids }, cancellationToken), cancellationToken).ConfigureAwait(false);
            return (r.SecurityGroups ?? new List<SecurityGroup>()).Select(g => new Ec2SecurityGroup(g.GroupId, Next(g.GroupName), Next(g.VpcId))).ToList();
        }

        public async Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(IEnumerable<string> keyNames, CancellationToken cancellationToken)
        {
            var names = keyNames.ToList();
            var r = await Call("DescribeKeyPairs", Describe("key pair", names), c => c.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = names }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return (r.KeyPairs ?? new List<KeyPairInfo>()).Select(k => new Ec2KeyPair(k.KeyName, Next(k.KeyPairId), k.KeyType?.Value)).ToList();
        }

        public async Task<IReadOnlyList<Ec2LaunchTemplateVersion>> DescribeLaunchTemplateVersionsAsync(string? launchTemplateId, string? launchTemplateName,
            IEnumerable<string> versions, CancellationToken cancellationToken)
        {
            var request = new DescribeLaunchTemplateVersionsRequest { Versions = versions.ToList() };
            if (launchTemplateId != null) request.LaunchTemplateId = launchTemplateId; else request.LaunchTemplateName = launchTemplateName;
            var what = $"launch template {launchTemplateId ?? launchTemplateName}";
            var r = await Call("DescribeLaunchTemplateVersions", what, c => c.DescribeLaunchTemplateVersionsAsync(request, cancellationToken), cancellationToken,
                launchTemplateId ?? launchTemplateName).ConfigureAwait(false);
            return (r.LaunchTemplateVersions ?? new List<LaunchTemplateVersion>()).Select(v => new Ec2LaunchTemplateVersion(v.LaunchTemplateId, Next(v.LaunchTemplateName),
                v.VersionNumber ?? 0, v.DefaultVersion ?? false, Next(v.LaunchTemplateData?.ImageId), v.LaunchTemplateData?.InstanceType?.Value,
                Next(v.LaunchTemplateData?.KeyName), (v.LaunchTemplateData?.SecurityGroupIds ?? new List<string>()).ToList())).ToList();
        }

        public async Task<IReadOnlyList<Ec2InstanceTypeInfo>> DescribeInstanceTypesAsync(IEnumerable<string> instanceTypes, CancellationToken cancellationToken)
        {
            var types = instanceTypes.ToList();
            var request = new DescribeInstanceTypesRequest { InstanceTypes = types.Select(t => (string)InstanceType.FindValue(t)).ToList() };
            var r = await Call("DescribeInstanceTypes", Describe("instance type", types), c => c.DescribeInstanceTypesAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            return (r.InstanceTypes ?? new List<InstanceTypeInfo>()).Select(t => new Ec2InstanceTypeInfo(t.InstanceType?.Value ?? "", t.VCpuInfo?.DefaultVCpus ?? 0)).ToList();
        }

        public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DescribeAccountAttributesAsync(IEnumerable<string> attributeNames, CancellationToken cancellationToken)
        {
            var names = attributeNames.ToList();
            var r = await Call("DescribeAccountAttributes", "account attributes " + string.Join(", ", names),
                c => c.DescribeAccountAttributesAsync(new DescribeAccountAttributesRequest { AttributeNames = names }, cancellationToken), cancellationToken).ConfigureAwait(false);
            var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var a in r.AccountAttributes ?? new List<AccountAttribute>())
                result[a.AttributeName] = (a.AttributeValues ?? new List<AccountAttributeValue>()).Select(v => v.AttributeValue).ToList();
            return result;
        }

        // ---------------------------------------------------------------- waiters

        static readonly string[] InstanceGone = { "shutting-down", "terminated" };

        public async Task<Ec2Instance> WaitForInstanceRunningAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken) =>
            (await WaitInstanceAsync(instanceId, "running", InstanceGone, notFoundIsDone: false, options, cancellationToken).ConfigureAwait(false))!;

        public async Task<Ec2Instance> WaitForInstanceStoppedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken) =>
            (await WaitInstanceAsync(instanceId, "stopped", InstanceGone, notFoundIsDone: false, options, cancellationToken).ConfigureAwait(false))!;

        public Task WaitForInstanceTerminatedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken) =>
            WaitInstanceAsync(instanceId, "terminated", Array.Empty<string>(), notFoundIsDone: true, options, cancellationToken);

        async Task<Ec2Instance?> WaitInstanceAsync(string instanceId, string wanted, string[] failed, bool notFoundIsDone, Ec2WaitOptions? options, CancellationToken ct)
        {
            options ??= Ec2WaitOptions.Instance;
            return await Waiter.UntilAsync($"instance {instanceId} to be {wanted}", async token =>
                {
                    try { return (await DescribeInstancesAsync(new[] { instanceId }, null, token).ConfigureAwait(false)).FirstOrDefault(); }
                    // Just after RunInstances an instance may not be visible yet (eventual consistency); terminated ones vanish after a while.
                    catch (DrToolsException ex) when (ex.AwsErrorCode == "InvalidInstanceID.NotFound") { return null; }
                },
                i => i == null ? (notFoundIsDone ? WaitCheck.Ready("gone") : WaitCheck.Pending("not visible yet"))
                    : i.State == wanted ? WaitCheck.Ready(i.State)
                    : failed.Contains(i.State) ? WaitCheck.Failure(i.State)
                    : WaitCheck.Pending(i.State),
                options.Timeout, options.Interval, _reporter, ct).ConfigureAwait(false);
        }

        public async Task<Ec2Snapshot> WaitForSnapshotCompletedAsync(string snapshotId, Ec2WaitOptions? options, CancellationToken cancellationToken)
        {
            options ??= Ec2WaitOptions.Snapshot;
            var s = await Waiter.UntilAsync($"snapshot {snapshotId} to complete",
                async token => (await DescribeSnapshotsAsync(new[] { snapshotId }, null, token).ConfigureAwait(false)).FirstOrDefault(),
                s => s == null ? WaitCheck.Failure("deleted")
                    : s.State == "completed" ? WaitCheck.Ready(s.State)
                    : s.State == "error" ? WaitCheck.Failure(s.State + (s.StateMessage != null ? ": " + s.StateMessage : ""))
                    : WaitCheck.Pending(s.Progress is { Length: > 0 } p ? $"{s.State} {p}" : s.State),
                options.Timeout, options.Interval, _reporter, cancellationToken).ConfigureAwait(false);
            return s!;
        }

        static readonly string[] ImageFailed = { "failed", "deregistered", "error", "invalid" };

        public async Task<Ec2Image> WaitForImageAvailableAsync(string imageId, Ec2WaitOptions? options, CancellationToken cancellationToken)
        {
            options ??= Ec2WaitOptions.Snapshot;
            var image = await Waiter.UntilAsync($"image {imageId} to be available",
                async token => (await DescribeImagesAsync(new[] { imageId }, null, null, token).ConfigureAwait(false)).FirstOrDefault(),
                i => i == null ? WaitCheck.Failure("deregistered")
                    : i.State == "available" ? WaitCheck.Ready(i.State)
                    : ImageFailed.Contains(i.State) ? WaitCheck.Failure(i.State + (i.StateReason != null ? ": " + i.StateReason : ""))
                    : WaitCheck.Pending(i.State),
                options.Timeout, options.Interval, _reporter, cancellationToken).ConfigureAwait(false);
            return image!;
        }

        // ---------------------------------------------------------------- helpers

        /// <summary>EC2 (and emulators) send empty elements for "none"; callers test for null.</summary>
        static string? Next(string? value) => string.IsNullOrEmpty(value) ? null : value;

        static string Describe(string kind, List<string> ids) => ids.Count switch
        {
            0 => kind + "s in the region",
            1 => $"{kind} {ids[0]}",
            _ => $"{kind}s {string.Join(", ", ids)}",
        };

        static List<Filter>? ToFilters(IEnumerable<Ec2Filter>? filters)
        {
            var list = filters?.Select(f => new Filter { Name = f.Name, Values = f.Values.ToList() }).ToList();
            return list is { Count: > 0 } ? list : null;
        }

        static List<TagSpecification> TagSpecs(IDictionary<string, string> tags, params ResourceType[] types) =>
            types.Select(t => new TagSpecification { ResourceType = t, Tags = tags.Select(kv => new Tag(kv.Key, kv.Value)).ToList() }).ToList();

        static IReadOnlyDictionary<string, string> ToDict(List<Tag>? tags)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var t in tags ?? new List<Tag>()) d[t.Key] = t.Value ?? "";
            return d;
        }

        static IReadOnlyList<Ec2StateChange> ToChanges(List<InstanceStateChange>? changes) =>
            (changes ?? new List<InstanceStateChange>()).Select(c => new Ec2StateChange(c.InstanceId, c.PreviousState?.Name?.Value ?? "", c.CurrentState?.Name?.Value ?? "")).ToList();

        static Ec2Instance ToInstance(Instance i) => new(i.InstanceId, i.State?.Name?.Value ?? "unknown", i.InstanceType?.Value, i.ImageId, i.SubnetId, i.VpcId,
            i.Placement?.AvailabilityZone, i.PrivateIpAddress, i.PublicIpAddress, i.KeyName, i.LaunchTime,
            (i.SecurityGroups ?? new List<GroupIdentifier>()).Select(g => g.GroupId).ToList(),
            (i.BlockDeviceMappings ?? new List<InstanceBlockDeviceMapping>()).Where(b => b.Ebs?.VolumeId != null).Select(b => b.Ebs.VolumeId).ToList(),
            ToDict(i.Tags));

        static Ec2Volume ToVolume(Volume v) => new(v.VolumeId, v.State?.Value ?? "unknown", v.Size ?? 0, v.VolumeType?.Value, v.AvailabilityZone,
            string.IsNullOrEmpty(v.SnapshotId) ? null : v.SnapshotId, v.Encrypted ?? false, v.KmsKeyId,
            (v.Attachments ?? new List<VolumeAttachment>()).Select(a => a.InstanceId).ToList(), ToDict(v.Tags));

        static Ec2Snapshot ToSnapshot(Snapshot s) => new(s.SnapshotId, s.State?.Value ?? "unknown", s.Progress, s.VolumeId, s.VolumeSize ?? 0, s.Description,
            s.Encrypted ?? false, s.KmsKeyId, s.OwnerId, s.StartTime, string.IsNullOrEmpty(s.StateMessage) ? null : s.StateMessage, ToDict(s.Tags));

        static Ec2Image ToImage(Image i) => new(i.ImageId, i.State?.Value ?? "unknown", i.Name, i.Description, i.OwnerId,
            DateTime.TryParse(i.CreationDate, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : null,
            i.StateReason?.Message,
            (i.BlockDeviceMappings ?? new List<BlockDeviceMapping>()).Where(b => !string.IsNullOrEmpty(b.Ebs?.SnapshotId)).Select(b => b.Ebs.SnapshotId).ToList(),
            ToDict(i.Tags));

        static DrToolsException Invalid(string message, string target) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, target, "Fix the value and re-run.") { Service = "EC2" };

        Task Call(string operation, string resource, Func<IAmazonEC2, Task> call, CancellationToken ct, string? target = null, string? region = null) =>
            Call<bool>(operation, resource, async c => { await call(c).ConfigureAwait(false); return true; }, ct, target, region);

        async Task<T> Call<T>(string operation, string resource, Func<IAmazonEC2, Task<T>> call, CancellationToken ct, string? target = null, string? region = null)
        {
            region ??= Region;
            try { return await call(Client(region)).ConfigureAwait(false); }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                var c = _clients.Connection;
                throw AwsErrorMapper.Map(ex, "EC2", operation, resource, target ?? resource, region == c.Region ? c : c.ForRegion(region));
            }
        }
    }
}
