using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans.Readiness;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>
    /// In-memory AWS for the readiness checker: the describe calls it makes, answered from lists the test fills
    /// (one region: <see cref="Calls"/> records which region each call went to).
    /// <see cref="Fail"/> makes a named operation throw; <see cref="Gate"/> runs before every call (parallelism tests).
    /// </summary>
    public sealed class FakeAws
    {
        public readonly List<Ec2Image> Images = new();
        public readonly List<Ec2Address> Addresses = new();
        public readonly List<DbInstance> Instances = new();
        public readonly List<DbSnapshot> Snapshots = new();
        public readonly List<AutoScalingGroupInfo> Groups = new();
        public readonly List<HostedZone> Zones = new();
        public readonly Dictionary<string, List<ResourceRecordSet>> Records = new();
        public readonly List<HealthCheck> HealthChecks = new();
        /// <summary>Get-DrStatus: EBS snapshots, automated backups and health-check states.</summary>
        public readonly List<Ec2Snapshot> Ec2Snapshots = new();
        public readonly List<DbAutomatedBackup> AutomatedBackups = new();
        public readonly Dictionary<string, HealthState> HealthStates = new();
        /// <summary>What DescribeRegions answers: the regions the tests use, enabled, and one opt-in region that is not.</summary>
        public readonly List<Ec2Region> Regions = new()
        {
            new("us-east-1", "ec2.us-east-1.amazonaws.com", "opt-in-not-required"),
            new("us-east-2", "ec2.us-east-2.amazonaws.com", "opt-in-not-required"),
            new("us-west-2", "ec2.us-west-2.amazonaws.com", "opt-in-not-required"),
            new("eu-west-1", "ec2.eu-west-1.amazonaws.com", "opt-in-not-required"),
            new("af-south-1", "ec2.af-south-1.amazonaws.com", "not-opted-in"),
        };

        /// <summary>Operation name -> the exception it throws.</summary>
        public readonly ConcurrentDictionary<string, Exception> Fail = new();
        /// <summary>Every call: "Operation region args".</summary>
        public readonly ConcurrentQueue<string> Calls = new();
        public Func<string, CancellationToken, Task>? Gate;

        public ReadinessServices Services() => new(
            region => new Ec2(this, region), region => new Rds(this, region), region => new Asg(this, region), () => new R53(this));

        async Task Enter(string operation, string region, string args, CancellationToken ct)
        {
            Calls.Enqueue($"{operation} {region} {args}".Trim());
            if (Gate != null) await Gate(operation, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (Fail.TryGetValue(operation, out var ex)) throw ex;
        }

        public static DrToolsException AwsError(string errorId, string code, string service = "EC2") =>
            new(errorId, DrErrorCategory.NotSpecified, $"{service} refused: {code} (request id fake-request-id).") { AwsErrorCode = code, Service = service, RequestId = "fake-request-id" };

        static bool Like(string value, string pattern) =>
            Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");

        sealed class Ec2 : IEc2Service
        {
            readonly FakeAws _aws;
            public Ec2(FakeAws aws, string region) { _aws = aws; Region = region; }
            public string Region { get; }
            public void Dispose() { }

            public async Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(IEnumerable<string>? imageIds, IEnumerable<Ec2Filter>? filters, IEnumerable<string>? owners, CancellationToken cancellationToken)
            {
                var ids = imageIds?.ToList() ?? new List<string>();
                var f = filters?.ToList() ?? new List<Ec2Filter>();
                await _aws.Enter("DescribeImages", Region, string.Join(",", ids) + string.Join(" ", f.Select(x => $"{x.Name}={string.Join("|", x.Values)}"))
                    + (owners != null ? " owners=" + string.Join(",", owners) : ""), cancellationToken);
                var images = _aws.Images.ToList();
                if (ids.Count > 0)
                {
                    var found = images.Where(i => ids.Contains(i.ImageId)).ToList();
                    // EC2 refuses unknown ids with InvalidAMIID.NotFound.
                    if (found.Count == 0) throw AwsError(ErrorIds.NotFound, "InvalidAMIID.NotFound");
                    return found;
                }
                foreach (var filter in f)
                {
                    if (filter.Name == "name") images = images.Where(i => i.Name != null && filter.Values.Any(v => Like(i.Name, v))).ToList();
                    else if (filter.Name.StartsWith("tag:")) images = images.Where(i => filter.Values.Contains(Tagged(i.Tags, filter.Name.Substring(4)))).ToList();
                }
                return images;
            }

            public async Task<IReadOnlyList<Ec2Region>> DescribeRegionsAsync(CancellationToken cancellationToken)
            {
                await _aws.Enter("DescribeRegions", Region, "", cancellationToken);
                return _aws.Regions.ToList();
            }

            public async Task<IReadOnlyList<Ec2Address>> DescribeAddressesAsync(IEnumerable<string>? allocationIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
            {
                var ids = allocationIds?.ToList() ?? new List<string>();
                await _aws.Enter("DescribeAddresses", Region, string.Join(",", ids), cancellationToken);
                var found = _aws.Addresses.Where(a => ids.Contains(a.AllocationId!)).ToList();
                if (found.Count < ids.Count) throw AwsError(ErrorIds.NotFound, "InvalidAllocationID.NotFound");
                return found;
            }

            static string? Tagged(IReadOnlyDictionary<string, string> tags, string key) => tags.TryGetValue(key, out var v) ? v : null;

            public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(Ec2RunRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<Ec2StateChange>> StartInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<Ec2StateChange>> StopInstancesAsync(IEnumerable<string> instanceIds, bool force, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<Ec2StateChange>> TerminateInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IEnumerable<string>? volumeIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<Ec2Volume> CreateVolumeFromSnapshotAsync(Ec2CreateVolumeRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(Ec2CreateSnapshotsRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
            public async Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(IEnumerable<string>? snapshotIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
            {
                var f = filters?.ToList() ?? new List<Ec2Filter>();
                await _aws.Enter("DescribeSnapshots", Region, string.Join(" ", f.Select(x => $"{x.Name}={string.Join("|", x.Values)}")), cancellationToken);
                IEnumerable<Ec2Snapshot> found = _aws.Ec2Snapshots;
                foreach (var filter in f.Where(x => x.Name.StartsWith("tag:")))
                    found = found.Where(s => filter.Values.Contains(Tagged(s.Tags, filter.Name.Substring(4))));
                return found.ToList();
            }
            public Task<string> CopySnapshotToRegionAsync(Ec2CopySnapshotRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<string> CreateImageAsync(Ec2CreateImageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<string> CopyImageToRegionAsync(Ec2CopyImageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<IReadOnlyList<string>> DeregisterImageAsync(string imageId, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<Ec2Address> AllocateAddressAsync(IDictionary<string, string>? tags, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<string> AssociateAddressAsync(string allocationId, string instanceId, bool allowReassociation, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task DisassociateAddressAsync(string associationId, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task ReleaseAddressAsync(string allocationId, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task CreateTagsAsync(IEnumerable<string> resourceIds, IDictionary<string, string> tags, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task DeleteTagsAsync(IEnumerable<string> resourceIds, IEnumerable<string> tagKeys, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<Ec2Instance> WaitForInstanceRunningAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<Ec2Instance> WaitForInstanceStoppedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task WaitForInstanceTerminatedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<Ec2Snapshot> WaitForSnapshotCompletedAsync(string snapshotId, Ec2WaitOptions? options, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<Ec2Image> WaitForImageAvailableAsync(string imageId, Ec2WaitOptions? options, CancellationToken cancellationToken) => throw new NotSupportedException();
        }

        sealed class Rds : IRdsService
        {
            readonly FakeAws _aws;
            public Rds(FakeAws aws, string region) { _aws = aws; Region = region; }
            public string Region { get; }

            public async Task<DbInstance?> FindDBInstanceAsync(string dbInstanceIdentifier, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("DescribeDBInstances", Region, dbInstanceIdentifier, cancellationToken);
                return _aws.Instances.FirstOrDefault(i => i.Identifier == dbInstanceIdentifier);
            }

            public async Task<IReadOnlyList<DbSnapshot>> DescribeDBSnapshotsAsync(DbSnapshotQuery? query = null, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("DescribeDBSnapshots", Region, "instance=" + query?.DBInstanceIdentifier, cancellationToken);
                return _aws.Snapshots.Where(s => (query?.DBInstanceIdentifier == null || s.DBInstanceIdentifier == query.DBInstanceIdentifier)
                                                 && (s.Region.Length == 0 || s.Region == Region)).ToList();
            }

            public async Task<DbSnapshot?> FindDBSnapshotAsync(string dbSnapshotIdentifier, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("DescribeDBSnapshots", Region, dbSnapshotIdentifier, cancellationToken);
                return _aws.Snapshots.FirstOrDefault(s => s.Identifier == dbSnapshotIdentifier);
            }

            public Task<IReadOnlyList<DbInstance>> DescribeDBInstancesAsync(string? dbInstanceIdentifier = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbSnapshot> CreateDBSnapshotAsync(string dbInstanceIdentifier, string dbSnapshotIdentifier, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbSnapshot> CopyDBSnapshotAsync(CopyDbSnapshotRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbInstance> RestoreDBInstanceFromDBSnapshotAsync(RestoreDbInstanceRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbInstance> RestoreDBInstanceToPointInTimeAsync(RestoreDbInstanceToPointInTimeRequest request, CancellationToken ct = default) => throw new NotSupportedException();
            public async Task<IReadOnlyList<DbAutomatedBackup>> DescribeDBInstanceAutomatedBackupsAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default)
            {
                await _aws.Enter("DescribeDBInstanceAutomatedBackups", Region, id ?? "", ct);
                return _aws.AutomatedBackups.Where(b => b.Region == Region && (id == null || b.DBInstanceIdentifier == id)).ToList();
            }
            public Task<DbAutomatedBackup> StartDBInstanceAutomatedBackupsReplicationAsync(string arn, int? days = null, string? kms = null, CancellationToken ct = default) => throw new NotSupportedException();
            public Task<DbInstance> CreateDBInstanceReadReplicaAsync(CreateReadReplicaRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbInstance> PromoteReadReplicaAsync(string dbInstanceIdentifier, int? backupRetentionPeriod = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbInstance> ModifyDBInstanceAsync(ModifyDbInstanceRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbInstance> DeleteDBInstanceAsync(string dbInstanceIdentifier, DbFinalSnapshot finalSnapshot, bool? deleteAutomatedBackups = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbSnapshot> DeleteDBSnapshotAsync(string dbSnapshotIdentifier, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken = default) =>
                Task.FromResult<IReadOnlyDictionary<string, string>>(_aws.Snapshots.FirstOrDefault(s => s.Arn == resourceArn)?.Tags ?? new Dictionary<string, string>());
            public Task AddTagsToResourceAsync(string resourceArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task RemoveTagsFromResourceAsync(string resourceArn, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbInstance> WaitForDBInstanceAvailableAsync(string dbInstanceIdentifier, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<DbSnapshot> WaitForDBSnapshotAvailableAsync(string dbSnapshotIdentifier, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task WaitForDBInstanceDeletedAsync(string dbInstanceIdentifier, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        }

        sealed class Asg : IAutoScalingService
        {
            readonly FakeAws _aws;
            public Asg(FakeAws aws, string region) { _aws = aws; Region = region; }
            public string Region { get; }

            public async Task<AutoScalingGroupInfo?> FindAutoScalingGroupAsync(string name, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("DescribeAutoScalingGroups", Region, name, cancellationToken);
                return _aws.Groups.FirstOrDefault(g => g.Name == name);
            }

            public Task<IReadOnlyList<AutoScalingGroupInfo>> DescribeAutoScalingGroupsAsync(IReadOnlyList<string>? names = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task UpdateAutoScalingGroupAsync(AutoScalingGroupUpdate update, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task SetDesiredCapacityAsync(string name, int desiredCapacity, bool honorCooldown = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task SuspendProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task ResumeProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<AutoScalingGroupInfo> WaitForInServiceAsync(string name, int? count, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        }

        sealed class R53 : IRoute53Service
        {
            readonly FakeAws _aws;
            public R53(FakeAws aws) => _aws = aws;

            public async Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken = default)
            {
                await _aws.Enter("ListHostedZones", "global", "", cancellationToken);
                return _aws.Zones.ToList();
            }

            public async Task<IReadOnlyList<HostedZone>> FindHostedZonesAsync(string name, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("ListHostedZonesByName", "global", name, cancellationToken);
                return _aws.Zones.Where(z => Route53Names.SameName(z.Name, name)).ToList();
            }

            public async Task<IReadOnlyList<ResourceRecordSet>> ListRecordSetsAsync(string hostedZoneId, string? name = null, string? type = null, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("ListResourceRecordSets", "global", $"{hostedZoneId} {name} {type}", cancellationToken);
                return _aws.Records.TryGetValue(hostedZoneId, out var sets)
                    ? sets.Where(s => (name == null || Route53Names.SameName(s.Name, name)) && (type == null || s.Type == type)).ToList()
                    : throw AwsError(ErrorIds.NotFound, "NoSuchHostedZone", "Route53");
            }

            public async Task<HealthCheck> GetHealthCheckAsync(string healthCheckId, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("GetHealthCheck", "global", healthCheckId, cancellationToken);
                return _aws.HealthChecks.FirstOrDefault(h => h.Id == healthCheckId) ?? throw AwsError(ErrorIds.NotFound, "NoSuchHealthCheck", "Route53");
            }

            public async Task<HostedZone> FindHostedZoneAsync(string name, bool? privateZone = null, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("ListHostedZonesByName", "global", name, cancellationToken);
                return _aws.Zones.Single(z => Route53Names.SameName(z.Name, name));
            }
            public Task<ChangeInfo> ChangeRecordSetsAsync(string hostedZoneId, IReadOnlyList<RecordChange> changes, string? comment = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<ChangeInfo> WaitForInSyncAsync(string changeId, TimeSpan timeout, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<HealthCheck> CreateHealthCheckAsync(string callerReference, HealthCheckConfig config, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task DeleteHealthCheckAsync(string healthCheckId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public async Task<HealthCheckStatus> GetHealthCheckStatusAsync(string healthCheckId, CancellationToken cancellationToken = default)
            {
                await _aws.Enter("GetHealthCheckStatus", "global", healthCheckId, cancellationToken);
                var state = _aws.HealthStates.TryGetValue(healthCheckId, out var h) ? h : HealthState.Healthy;
                return new HealthCheckStatus { HealthCheckId = healthCheckId, State = state, HealthyCheckers = state == HealthState.Healthy ? 8 : 0, TotalCheckers = 8 };
            }
        }
    }
}
