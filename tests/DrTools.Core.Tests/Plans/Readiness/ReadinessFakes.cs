using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Aws.ServiceQuotas;
using DrTools.Core.Recovery.Steps;
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
        /// <summary>Automated backups, each in its <see cref="DbAutomatedBackup.Region"/>.</summary>
        public readonly List<DbAutomatedBackup> AutomatedBackups = new();
        public readonly List<AutoScalingGroupInfo> Groups = new();
        public readonly List<HostedZone> Zones = new();
        public readonly Dictionary<string, List<ResourceRecordSet>> Records = new();
        public readonly List<HealthCheck> HealthChecks = new();
        /// <summary>What GetHealthCheckStatus reports per health check id; a check missing here has no checker reports.</summary>
        public readonly Dictionary<string, List<HealthCheckObservation>> Observations = new();
        /// <summary>Replica lag per DB instance id (null: unknown, with <see cref="LagSource"/> as the reason).</summary>
        public readonly Dictionary<string, TimeSpan?> Lag = new();
        public string LagSource = "CloudWatch AWS/RDS ReplicaLag maximum at 2025-06-01 11:59:00Z";
        public readonly List<Ec2Subnet> Subnets = new();
        public readonly List<Ec2SecurityGroup> SecurityGroups = new();
        public readonly List<Ec2KeyPair> KeyPairs = new();
        /// <summary>Launch template versions; "$Default" and "$Latest" resolve by DefaultVersion and the highest number.</summary>
        public readonly List<Ec2LaunchTemplateVersion> TemplateVersions = new();
        public readonly List<Ec2Instance> RunningInstances = new();
        public readonly Dictionary<string, int> VCpus = new() { ["t3.micro"] = 2, ["t3.large"] = 2, ["m5.large"] = 2, ["m5.xlarge"] = 4, ["c5.large"] = 2, ["c6i.large"] = 2, ["m6i.large"] = 2, ["p3.2xlarge"] = 8 };
        /// <summary>Service Quotas' L-1216C47A value; null: Service Quotas answers NoSuchResource (as moto does for ec2).</summary>
        public double? VCpuQuota = 640;
        public string? MaxInstances = "20";
        public readonly List<CloudWatchAlarmState> Alarms = new();
        /// <summary>Get-DrStatus: EBS snapshots and health-check states.</summary>
        public readonly List<Ec2Snapshot> Ec2Snapshots = new();
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

        /// <summary>The drill history for the LastDrill check; null: the check is left out (as without -JournalPath in the core).</summary>
        public DrTools.Core.Drills.DrillHistory? DrillHistory;

        /// <summary>The active side records for the Protection check; null: left out, the database checks use the plan's ids.</summary>
        public DrTools.Core.Reprotect.ActiveSideStore? ActiveSides;

        /// <summary>Aurora (clusters, global databases, cluster snapshots) in every region; its DB instances are <see cref="Instances"/>.</summary>
        internal readonly DrTools.Core.Tests.Recovery.Steps.FakeCloud Aurora = new();
        /// <summary>AuroraGlobalDBReplicationLag per secondary cluster id (missing: unknown).</summary>
        public readonly Dictionary<string, TimeSpan?> ClusterLag = new();

        public ReadinessServices Services() => new(
            region => new Ec2(this, region), region => new Rds(this, region), region => new Asg(this, region), () => new R53(this),
            region => new Quotas(this, region), new FakeLag(this), region => new CloudWatch(this, region), DrillHistory)
        {
            ActiveSides = ActiveSides,
            ClustersIn = region => Aurora.ClustersIn(region),
        };

        sealed class FakeLag : IReplicaLagSource
        {
            readonly FakeAws _aws;
            public FakeLag(FakeAws aws) => _aws = aws;
            public async Task<ReplicaLagReading> GetLagAsync(string region, string dbInstanceIdentifier, CancellationToken cancellationToken)
            {
                await _aws.Enter("GetMetricStatistics", region, "ReplicaLag " + dbInstanceIdentifier, cancellationToken);
                return new ReplicaLagReading(_aws.Lag.TryGetValue(dbInstanceIdentifier, out var lag) ? lag : null,
                    _aws.Lag.ContainsKey(dbInstanceIdentifier) ? _aws.LagSource : "CloudWatch AWS/RDS ReplicaLag has no data point in the last 10 min");
            }

            public async Task<ReplicaLagReading> GetClusterLagAsync(string region, string dbClusterIdentifier, CancellationToken cancellationToken)
            {
                await _aws.Enter("GetMetricStatistics", region, "AuroraGlobalDBReplicationLag " + dbClusterIdentifier, cancellationToken);
                return _aws.ClusterLag.TryGetValue(dbClusterIdentifier, out var lag)
                    ? new ReplicaLagReading(lag, "CloudWatch AWS/RDS AuroraGlobalDBReplicationLag maximum at 2025-06-01 11:59:00Z")
                    : new ReplicaLagReading(null, "CloudWatch AWS/RDS AuroraGlobalDBReplicationLag has no data point in the last 10 min");
            }
        }

        sealed class Quotas : IServiceQuotasService
        {
            readonly FakeAws _aws;
            public Quotas(FakeAws aws, string region) { _aws = aws; Region = region; }
            public string Region { get; }
            public void Dispose() { }
            public async Task<ServiceQuota> GetServiceQuotaAsync(string serviceCode, string quotaCode, CancellationToken cancellationToken)
            {
                await _aws.Enter("GetServiceQuota", Region, $"{serviceCode} {quotaCode}", cancellationToken);
                if (_aws.VCpuQuota is not { } v || serviceCode != "ec2" || quotaCode != "L-1216C47A") throw AwsError(ErrorIds.NotFound, "NoSuchResourceException", "ServiceQuotas");
                return new ServiceQuota(serviceCode, quotaCode, "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", v, "None");
            }
        }

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

            public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds, IEnumerable<Ec2Filter>? filters, CancellationToken cancellationToken)
            {
                await _aws.Enter("DescribeInstances", Region, string.Join(" ", (filters ?? Array.Empty<Ec2Filter>()).Select(x => $"{x.Name}={string.Join("|", x.Values)}")), cancellationToken);
                return _aws.RunningInstances.ToList();
            }

            async Task<IReadOnlyList<T>> ById<T>(string operation, IEnumerable<string> ids, List<T> items, Func<T, string> id, string notFound, CancellationToken ct)
            {
                var wanted = ids.ToList();
                await _aws.Enter(operation, Region, string.Join(",", wanted), ct);
                var found = items.Where(i => wanted.Contains(id(i))).ToList();
                if (found.Count < wanted.Count) throw AwsError(ErrorIds.NotFound, notFound);
                return found;
            }

            public Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IEnumerable<string> subnetIds, CancellationToken ct) =>
                ById("DescribeSubnets", subnetIds, _aws.Subnets, x => x.SubnetId, "InvalidSubnetID.NotFound", ct);
            public Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IEnumerable<string> groupIds, CancellationToken ct) =>
                ById("DescribeSecurityGroups", groupIds, _aws.SecurityGroups, x => x.GroupId, "InvalidGroup.NotFound", ct);
            public Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(IEnumerable<string> keyNames, CancellationToken ct) =>
                ById("DescribeKeyPairs", keyNames, _aws.KeyPairs, x => x.KeyName, "InvalidKeyPair.NotFound", ct);

            public async Task<IReadOnlyList<Ec2LaunchTemplateVersion>> DescribeLaunchTemplateVersionsAsync(string? launchTemplateId, string? launchTemplateName, IEnumerable<string> versions, CancellationToken ct)
            {
                var wanted = versions.ToList();
                await _aws.Enter("DescribeLaunchTemplateVersions", Region, $"{launchTemplateId ?? launchTemplateName} {string.Join(",", wanted)}", ct);
                var all = _aws.TemplateVersions.Where(v => v.LaunchTemplateId == launchTemplateId || (launchTemplateName != null && v.LaunchTemplateName == launchTemplateName)).ToList();
                if (all.Count == 0) throw AwsError(ErrorIds.NotFound, "InvalidLaunchTemplateId.NotFound");
                var result = new List<Ec2LaunchTemplateVersion>();
                foreach (var w in wanted)
                {
                    var v = w == "$Default" ? all.FirstOrDefault(x => x.DefaultVersion) : w == "$Latest" ? all.OrderByDescending(x => x.VersionNumber).FirstOrDefault()
                        : all.FirstOrDefault(x => x.VersionNumber.ToString() == w);
                    if (v == null) throw AwsError(ErrorIds.NotFound, "InvalidLaunchTemplateId.VersionNotFound");
                    result.Add(v);
                }
                return result;
            }

            public async Task<IReadOnlyList<Ec2InstanceTypeInfo>> DescribeInstanceTypesAsync(IEnumerable<string> instanceTypes, CancellationToken ct)
            {
                var types = instanceTypes.ToList();
                await _aws.Enter("DescribeInstanceTypes", Region, string.Join(",", types), ct);
                return types.Where(_aws.VCpus.ContainsKey).Select(t => new Ec2InstanceTypeInfo(t, _aws.VCpus[t])).ToList();
            }

            public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DescribeAccountAttributesAsync(IEnumerable<string> attributeNames, CancellationToken ct)
            {
                await _aws.Enter("DescribeAccountAttributes", Region, string.Join(",", attributeNames), ct);
                var d = new Dictionary<string, IReadOnlyList<string>>();
                if (_aws.MaxInstances != null) d["max-instances"] = new[] { _aws.MaxInstances };
                return d;
            }
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
                return _aws.Instances.FirstOrDefault(i => i.Identifier == dbInstanceIdentifier && (i.Region.Length == 0 || i.Region == Region));
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
            public Task<DbInstance> RebootDBInstanceAsync(string dbInstanceIdentifier, CancellationToken cancellationToken = default) => throw new NotSupportedException();
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
            public Task CreateAutoScalingGroupAsync(AutoScalingGroupCreate request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task DeleteAutoScalingGroupAsync(string name, bool forceDelete, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task SetDesiredCapacityAsync(string name, int desiredCapacity, bool honorCooldown = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task SuspendProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task ResumeProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public Task<AutoScalingGroupInfo> WaitForInServiceAsync(string name, int? count, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        }

        sealed class CloudWatch : ICloudWatchAlarms
        {
            readonly FakeAws _aws;
            public CloudWatch(FakeAws aws, string region) { _aws = aws; Region = region; }
            public string Region { get; }

            public async Task<IReadOnlyList<CloudWatchAlarmState>> DescribeAlarmsAsync(IReadOnlyList<string> names, CancellationToken ct)
            {
                await _aws.Enter("DescribeAlarms", Region, string.Join(",", names), ct);
                return _aws.Alarms.Where(a => names.Contains(a.Name)).ToList();
            }
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
                if (_aws.HealthStates.TryGetValue(healthCheckId, out var h))
                    return new HealthCheckStatus { HealthCheckId = healthCheckId, State = h, HealthyCheckers = h == HealthState.Healthy ? 8 : 0, TotalCheckers = 8 };
                if (!_aws.HealthChecks.Any(c => c.Id == healthCheckId)) throw AwsError(ErrorIds.NotFound, "NoSuchHealthCheck", "Route53");
                return Route53Service.Evaluate(healthCheckId, _aws.Observations.TryGetValue(healthCheckId, out var o) ? o : new List<HealthCheckObservation>());
            }
        }
    }
}
