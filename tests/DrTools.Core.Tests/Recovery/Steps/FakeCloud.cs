using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Tests.Recovery.Steps
{
    /// <summary>In-memory EC2/RDS/Auto Scaling/Route 53 with the behaviour the steps rely on; records every mutating call.</summary>
    internal sealed class FakeCloud
    {
        public readonly ConcurrentQueue<string> Calls = new();
        public readonly FakeEc2 Ec2;
        public readonly FakeRds Rds;
        public readonly FakeAsg Asg;
        public readonly FakeRoute53 Route53;
        public readonly FakeLag Lag = new();
        /// <summary>Aurora in the DR region; <see cref="ClustersIn"/> gives the other regions (global databases are shared).</summary>
        public readonly FakeClusters Clusters;
        readonly ConcurrentDictionary<string, FakeClusters> _clustersByRegion = new();
        internal readonly ConcurrentDictionary<string, GlobalCluster> GlobalClusters = new();

        public FakeCloud(string region = "us-west-2")
        {
            Ec2 = new FakeEc2(this, region);
            Rds = new FakeRds(this, region);
            Asg = new FakeAsg(this, region);
            Route53 = new FakeRoute53(this);
            Clusters = _clustersByRegion.GetOrAdd(region, r => new FakeClusters(this, r, Rds));
        }

        public FakeClusters ClustersIn(string region) => _clustersByRegion.GetOrAdd(region, r => new FakeClusters(this, r, null));

        public RecoveryServices Services(FakeRds? primary = null) => new()
        {
            Ec2 = Ec2, Rds = Rds, AutoScaling = Asg, Route53 = Route53, ReplicaLag = Lag, PrimaryRds = primary,
            Clusters = Clusters, ClustersIn = ClustersIn,
        };

        public IEnumerable<string> Mutations(string prefix) => Calls.Where(c => c.StartsWith(prefix, StringComparison.Ordinal));
    }

    internal sealed class FakeLag : IReplicaLagSource
    {
        public TimeSpan? Lag { get; set; } = TimeSpan.FromSeconds(3);
        /// <summary>Set: the reading for (region, instance), measured when it says (null: fall back to <see cref="Lag"/>, measured now).</summary>
        public Func<string, string, ReplicaLagReading?>? Script { get; set; }
        public readonly ConcurrentQueue<string> Reads = new();

        public Task<ReplicaLagReading> GetLagAsync(string region, string db, CancellationToken ct)
        {
            Reads.Enqueue($"{region} {db}");
            return Task.FromResult(Script?.Invoke(region, db) ?? new ReplicaLagReading(Lag, "fake") { At = DateTimeOffset.UtcNow });
        }

        /// <summary>AuroraGlobalDBReplicationLag of a secondary cluster.</summary>
        public TimeSpan? ClusterLag { get; set; } = TimeSpan.FromMilliseconds(800);
        public readonly ConcurrentQueue<string> ClusterReads = new();
        public Task<ReplicaLagReading> GetClusterLagAsync(string region, string cluster, CancellationToken ct)
        {
            ClusterReads.Enqueue($"{region} {cluster}");
            return Task.FromResult(new ReplicaLagReading(ClusterLag, "fake AuroraGlobalDBReplicationLag"));
        }
    }

    internal sealed class FakeEc2 : IEc2Service
    {
        readonly FakeCloud _cloud;
        readonly Dictionary<string, string> _tokens = new();
        int _n;
        public FakeEc2(FakeCloud cloud, string region) { _cloud = cloud; Region = region; }
        public string Region { get; }
        public readonly List<Ec2Instance> Instances = new();
        public readonly List<Ec2Image> Images = new();
        public readonly Dictionary<string, Ec2Address> Addresses = new();
        public readonly List<Ec2RunRequest> RunRequests = new();
        /// <summary>Called after TerminateInstances with the ids (outside the lock): tests add what AWS would launch meanwhile.</summary>
        public Action<IReadOnlyList<string>>? Terminated;

        /// <summary>When it returns an exception for a DescribeInstances by id, the call throws it (throttling, access denied).</summary>
        public Func<IReadOnlyList<string>, Exception?>? DescribeByIdFault { get; set; }

        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds, IEnumerable<Ec2Filter>? filters, CancellationToken ct)
        {
            if (instanceIds != null && DescribeByIdFault?.Invoke(instanceIds.ToList()) is { } fault) throw fault;
            lock (Instances)
            {
                IEnumerable<Ec2Instance> q = Instances;
                if (instanceIds != null) { var ids = instanceIds.ToList(); q = q.Where(i => ids.Contains(i.InstanceId)); }
                foreach (var f in filters ?? Array.Empty<Ec2Filter>())
                {
                    if (f.Name.StartsWith("tag:")) { var k = f.Name.Substring(4); q = q.Where(i => i.Tags.TryGetValue(k, out var v) && f.Values.Contains(v)); }
                    else if (f.Name == "instance-state-name") q = q.Where(i => f.Values.Contains(i.State));
                }
                return Task.FromResult<IReadOnlyList<Ec2Instance>>(q.ToList());
            }
        }

        public Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(Ec2RunRequest request, CancellationToken ct)
        {
            _cloud.Calls.Enqueue("ec2:RunInstances");
            lock (Instances)
            {
                RunRequests.Add(request);
                if (request.ClientToken != null && _tokens.ContainsKey(request.ClientToken))
                    return Task.FromResult<IReadOnlyList<Ec2Instance>>(Instances.Where(i => i.Tags.TryGetValue("token", out var t) && t == request.ClientToken).ToList());
                var launched = new List<Ec2Instance>();
                for (var k = 0; k < request.Count; k++)
                {
                    var tags = new Dictionary<string, string>(request.Tags) { ["token"] = request.ClientToken ?? "" };
                    var i = new Ec2Instance($"i-{++_n:x17}", "pending", request.InstanceType, request.ImageId, request.SubnetId, null, null, $"10.0.0.{_n}", null,
                        request.KeyName, DateTime.UtcNow, request.SecurityGroupIds.ToList(), Array.Empty<string>(), tags);
                    Instances.Add(i);
                    launched.Add(i);
                }
                if (request.ClientToken != null) _tokens[request.ClientToken] = "x";
                return Task.FromResult<IReadOnlyList<Ec2Instance>>(launched);
            }
        }

        public Task<Ec2Instance> WaitForInstanceRunningAsync(string instanceId, Ec2WaitOptions? options, CancellationToken ct)
        {
            lock (Instances)
            {
                var idx = Instances.FindIndex(i => i.InstanceId == instanceId);
                Instances[idx] = Instances[idx] with { State = "running" };
                return Task.FromResult(Instances[idx]);
            }
        }

        public Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(IEnumerable<string>? imageIds, IEnumerable<Ec2Filter>? filters, IEnumerable<string>? owners, CancellationToken ct)
        {
            IEnumerable<Ec2Image> q = Images;
            foreach (var f in filters ?? Array.Empty<Ec2Filter>())
            {
                if (f.Name == "name") q = q.Where(i => i.Name != null && System.Text.RegularExpressions.Regex.IsMatch(i.Name, "^" + System.Text.RegularExpressions.Regex.Escape(f.Values[0]).Replace("\\*", ".*") + "$"));
                else if (f.Name.StartsWith("tag:")) { var k = f.Name.Substring(4); q = q.Where(i => i.Tags.TryGetValue(k, out var v) && f.Values.Contains(v)); }
                else if (f.Name == "state") q = q.Where(i => f.Values.Contains(i.State));
            }
            return Task.FromResult<IReadOnlyList<Ec2Image>>(q.ToList());
        }

        public Task<IReadOnlyList<Ec2Address>> DescribeAddressesAsync(IEnumerable<string>? allocationIds, IEnumerable<Ec2Filter>? filters, CancellationToken ct)
        {
            lock (Addresses)
            {
                var ids = allocationIds?.ToList();
                if (ids != null && ids.Any(a => !Addresses.ContainsKey(a)))
                    throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, "InvalidAllocationID.NotFound");
                return Task.FromResult<IReadOnlyList<Ec2Address>>(Addresses.Values.Where(a => ids == null || ids.Contains(a.AllocationId!)).ToList());
            }
        }

        public Task<string> AssociateAddressAsync(string allocationId, string instanceId, bool allowReassociation, CancellationToken ct)
        {
            _cloud.Calls.Enqueue($"ec2:AssociateAddress {allocationId} {instanceId} {allowReassociation}");
            lock (Addresses) Addresses[allocationId] = Addresses[allocationId] with { InstanceId = instanceId, AssociationId = "eipassoc-1" };
            return Task.FromResult("eipassoc-1");
        }

        public void AddAddress(string allocationId, string ip, string? instanceId = null) =>
            Addresses[allocationId] = new Ec2Address(allocationId, ip, instanceId != null ? "eipassoc-0" : null, instanceId, null, null, new Dictionary<string, string>());

        public void Dispose() { }

        // Not used by recovery steps.
        public Task<IReadOnlyList<Ec2StateChange>> StartInstancesAsync(IEnumerable<string> ids, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2StateChange>> StopInstancesAsync(IEnumerable<string> ids, bool force, CancellationToken ct)
        {
            var list = ids.ToList();
            _cloud.Calls.Enqueue("ec2:StopInstances " + string.Join(",", list));
            lock (Instances)
                foreach (var id in list)
                {
                    var idx = Instances.FindIndex(i => i.InstanceId == id);
                    if (idx >= 0) Instances[idx] = Instances[idx] with { State = "stopping" };
                }
            return Task.FromResult<IReadOnlyList<Ec2StateChange>>(list.Select(i => new Ec2StateChange(i, "running", "stopping")).ToList());
        }
        public Task<IReadOnlyList<Ec2StateChange>> TerminateInstancesAsync(IEnumerable<string> ids, CancellationToken ct)
        {
            var list = ids.ToList();
            _cloud.Calls.Enqueue("ec2:TerminateInstances " + string.Join(",", list));
            lock (Instances)
                foreach (var id in list)
                {
                    var idx = Instances.FindIndex(i => i.InstanceId == id);
                    if (idx >= 0) Instances[idx] = Instances[idx] with { State = "terminated" };
                }
            Terminated?.Invoke(list);
            return Task.FromResult<IReadOnlyList<Ec2StateChange>>(list.Select(i => new Ec2StateChange(i, "running", "shutting-down")).ToList());
        }
        public Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IEnumerable<string>? ids, IEnumerable<Ec2Filter>? f, CancellationToken ct) => throw new NotSupportedException();
        public Task<Ec2Volume> CreateVolumeFromSnapshotAsync(Ec2CreateVolumeRequest r, CancellationToken ct) => throw new NotSupportedException();
        public Task DeleteVolumeAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(Ec2CreateSnapshotsRequest r, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(IEnumerable<string>? ids, IEnumerable<Ec2Filter>? f, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> CopySnapshotToRegionAsync(Ec2CopySnapshotRequest r, CancellationToken ct) => throw new NotSupportedException();
        public Task DeleteSnapshotAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> CreateImageAsync(Ec2CreateImageRequest r, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> CopyImageToRegionAsync(Ec2CopyImageRequest r, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> DeregisterImageAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task<Ec2Address> AllocateAddressAsync(IDictionary<string, string>? tags, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Region>> DescribeRegionsAsync(CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IEnumerable<string> subnetIds, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IEnumerable<string> groupIds, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(IEnumerable<string> keyNames, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2LaunchTemplateVersion>> DescribeLaunchTemplateVersionsAsync(string? launchTemplateId, string? launchTemplateName, IEnumerable<string> versions, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2InstanceTypeInfo>> DescribeInstanceTypesAsync(IEnumerable<string> instanceTypes, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DescribeAccountAttributesAsync(IEnumerable<string> attributeNames, CancellationToken ct) => throw new NotSupportedException();
        public Task DisassociateAddressAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task ReleaseAddressAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task CreateTagsAsync(IEnumerable<string> ids, IDictionary<string, string> tags, CancellationToken ct) => throw new NotSupportedException();
        public Task DeleteTagsAsync(IEnumerable<string> ids, IEnumerable<string> keys, CancellationToken ct) => throw new NotSupportedException();
        public Task<Ec2Instance> WaitForInstanceStoppedAsync(string id, Ec2WaitOptions? o, CancellationToken ct)
        {
            lock (Instances)
            {
                var idx = Instances.FindIndex(i => i.InstanceId == id);
                return Task.FromResult(Instances[idx] = Instances[idx] with { State = "stopped" });
            }
        }
        public Task WaitForInstanceTerminatedAsync(string id, Ec2WaitOptions? o, CancellationToken ct) => Task.CompletedTask;
        public Task<Ec2Snapshot> WaitForSnapshotCompletedAsync(string id, Ec2WaitOptions? o, CancellationToken ct) => throw new NotSupportedException();
        public Task<Ec2Image> WaitForImageAvailableAsync(string id, Ec2WaitOptions? o, CancellationToken ct) => throw new NotSupportedException();
    }

    internal sealed class FakeRds : IRdsService
    {
        readonly FakeCloud _cloud;
        public FakeRds(FakeCloud cloud, string region) { _cloud = cloud; Region = region; }
        public string Region { get; }
        public readonly ConcurrentDictionary<string, DbInstance> Instances = new();
        public readonly List<DbSnapshot> Snapshots = new();
        /// <summary>Set: the region does not answer (FindDBInstance throws it).</summary>
        public Exception? Unreachable { get; set; }

        /// <summary>A modification finishes by the next read after the one that saw it start.</summary>
        public Task<DbInstance?> FindDBInstanceAsync(string id, CancellationToken ct = default)
        {
            if (Unreachable != null) throw Unreachable;
            if (!Instances.TryGetValue(id, out var d)) return Task.FromResult<DbInstance?>(null);
            if (d.Status == "modifying") Instances[id] = d with { Status = "available" };
            return Task.FromResult<DbInstance?>(d);
        }

        public Task<IReadOnlyList<DbSnapshot>> DescribeDBSnapshotsAsync(DbSnapshotQuery? query = null, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<DbSnapshot>>(Snapshots.Where(s => query?.DBInstanceIdentifier == null || s.DBInstanceIdentifier == query.DBInstanceIdentifier).ToList());

        public Task<DbSnapshot?> FindDBSnapshotAsync(string id, CancellationToken ct = default)
        {
            lock (Snapshots) return Task.FromResult(Snapshots.FirstOrDefault(s => s.Identifier == id));
        }

        public Task<DbInstance> PromoteReadReplicaAsync(string id, int? backupRetentionPeriod = null, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue("rds:PromoteReadReplica " + id);
            return Task.FromResult(Instances[id] = Instances[id] with { ReadReplicaSource = null, Status = "modifying" });
        }

        public Task<DbInstance> RestoreDBInstanceFromDBSnapshotAsync(RestoreDbInstanceRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:RestoreDBInstanceFromDBSnapshot {r.DBInstanceIdentifier} {r.DBSnapshotIdentifier} {r.DBInstanceClass}");
            return Task.FromResult(Instances[r.DBInstanceIdentifier] = new DbInstance
            {
                Identifier = r.DBInstanceIdentifier, Status = "creating", InstanceClass = r.DBInstanceClass ?? "db.t3.micro", Region = Region,
                Tags = r.Tags ?? new Dictionary<string, string>(),
            });
        }

        public Task<DbInstance> ModifyDBInstanceAsync(ModifyDbInstanceRequest r, CancellationToken ct = default)
        {
            if (r.NewDBInstanceIdentifier != null || r.DBParameterGroupName != null)
            {
                _cloud.Calls.Enqueue($"rds:ModifyDBInstance {r.DBInstanceIdentifier}" + (r.NewDBInstanceIdentifier != null ? " rename " + r.NewDBInstanceIdentifier : "")
                                     + (r.DBParameterGroupName != null ? " parameter-group " + r.DBParameterGroupName : ""));
                var d = Instances[r.DBInstanceIdentifier] with { Status = "modifying" };
                if (r.DBParameterGroupName != null) d = d with { DBParameterGroupName = r.DBParameterGroupName, ParameterApplyStatus = "pending-reboot" };
                if (r.NewDBInstanceIdentifier == null) return Task.FromResult(Instances[r.DBInstanceIdentifier] = d);
                Instances.TryRemove(r.DBInstanceIdentifier, out _);
                return Task.FromResult(Instances[r.NewDBInstanceIdentifier] = d with { Identifier = r.NewDBInstanceIdentifier });
            }
            _cloud.Calls.Enqueue($"rds:ModifyDBInstance {r.DBInstanceIdentifier} {r.DBInstanceClass} {r.ApplyImmediately}");
            return Task.FromResult(Instances[r.DBInstanceIdentifier] = Instances[r.DBInstanceIdentifier] with { InstanceClass = r.DBInstanceClass, Status = "modifying" });
        }

        public Task<DbInstance> RebootDBInstanceAsync(string id, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue("rds:RebootDBInstance " + id);
            var d = Instances[id];
            return Task.FromResult(Instances[id] = d with { Status = "modifying", ParameterApplyStatus = d.DBParameterGroupName != null ? "in-sync" : d.ParameterApplyStatus });
        }

        public Task<DbInstance> WaitForDBInstanceAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default) =>
            Task.FromResult(Instances[id] = Instances[id] with { Status = "available", EndpointAddress = id + ".rds.example" });

        public Task<IReadOnlyList<DbInstance>> DescribeDBInstancesAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<DbInstance>>(Instances.Values.Where(d => id == null || d.Identifier == id).ToList());

        /// <summary>Set: the snapshot's creation time (tests of the RPO arithmetic).</summary>
        public DateTime SnapshotClock { get; set; } = DateTime.UtcNow;

        public Task<DbSnapshot> CreateDBSnapshotAsync(string i, string s, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:CreateDBSnapshot {i} {s}");
            var snap = new DbSnapshot { Identifier = s, DBInstanceIdentifier = i, Status = "creating", SnapshotType = "manual", SnapshotCreateTime = SnapshotClock, Region = Region,
                Tags = tags ?? new Dictionary<string, string>() };
            lock (Snapshots) Snapshots.Add(snap);
            return Task.FromResult(snap);
        }
        public readonly List<CopyDbSnapshotRequest> CopyRequests = new();

        /// <summary>A copy of the snapshot an ARN (or id) names, from <see cref="SnapshotSources"/> or this region, "creating" until waited for.</summary>
        public Task<DbSnapshot> CopyDBSnapshotAsync(CopyDbSnapshotRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:CopyDBSnapshot {r.SourceSnapshot} {r.TargetSnapshotIdentifier} {r.KmsKeyId}");
            lock (Snapshots)
            {
                CopyRequests.Add(r);
                var sourceId = r.SourceSnapshot.Substring(r.SourceSnapshot.LastIndexOf(':') + 1);
                var source = SnapshotSources.SelectMany(f => f.Snapshots).Concat(Snapshots).FirstOrDefault(s => s.Identifier == sourceId);
                var copy = (source ?? new DbSnapshot { Identifier = sourceId }) with
                {
                    Identifier = r.TargetSnapshotIdentifier, Status = "creating", Region = Region, Arn = null, KmsKeyId = r.KmsKeyId ?? source?.KmsKeyId,
                    SourceRegion = source?.Region, Tags = r.Tags ?? new Dictionary<string, string>(),
                };
                Snapshots.Add(copy);
                return Task.FromResult(copy);
            }
        }

        /// <summary>Other regions whose snapshots a cross-region copy can read.</summary>
        public readonly List<FakeRds> SnapshotSources = new();
        public readonly List<DbAutomatedBackup> AutomatedBackups = new();
        public RestoreDbInstanceToPointInTimeRequest? LastPointInTimeRestore;

        public Task<DbInstance> RestoreDBInstanceToPointInTimeAsync(RestoreDbInstanceToPointInTimeRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:RestoreDBInstanceToPointInTime {r.TargetDBInstanceIdentifier} {r.SourceDBInstanceIdentifier ?? r.SourceDBInstanceAutomatedBackupsArn} " +
                                 $"{(r.UseLatestRestorableTime ? "latest" : r.RestoreTime?.ToString("o"))} {r.DBInstanceClass}");
            LastPointInTimeRestore = r;
            return Task.FromResult(Instances[r.TargetDBInstanceIdentifier] = new DbInstance
            {
                Identifier = r.TargetDBInstanceIdentifier, Status = "creating", InstanceClass = r.DBInstanceClass ?? "db.t3.micro", Region = Region,
                DBSubnetGroupName = r.DBSubnetGroupName, VpcSecurityGroupIds = r.VpcSecurityGroupIds ?? Array.Empty<string>(), Tags = r.Tags ?? new Dictionary<string, string>(),
            });
        }

        public Task<IReadOnlyList<DbAutomatedBackup>> DescribeDBInstanceAutomatedBackupsAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<DbAutomatedBackup>>(AutomatedBackups.Where(b => id == null || b.DBInstanceIdentifier == id).ToList());
        public Task<DbAutomatedBackup> StartDBInstanceAutomatedBackupsReplicationAsync(string arn, int? days = null, string? kms = null, CancellationToken ct = default) => throw new NotSupportedException();
        public readonly List<CreateReadReplicaRequest> ReplicaRequests = new();

        public Task<DbInstance> CreateDBInstanceReadReplicaAsync(CreateReadReplicaRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:CreateDBInstanceReadReplica {r.DBInstanceIdentifier} {r.SourceDBInstance} {r.DBInstanceClass} {r.KmsKeyId}");
            lock (ReplicaRequests) ReplicaRequests.Add(r);
            if (Instances.ContainsKey(r.DBInstanceIdentifier))
                throw new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists, "DBInstanceAlreadyExists " + r.DBInstanceIdentifier, r.DBInstanceIdentifier);
            return Task.FromResult(Instances[r.DBInstanceIdentifier] = new DbInstance
            {
                Identifier = r.DBInstanceIdentifier, Status = "creating", InstanceClass = r.DBInstanceClass ?? "db.t3.micro", Region = Region,
                ReadReplicaSource = r.SourceDBInstance, KmsKeyId = r.KmsKeyId, StorageEncrypted = r.KmsKeyId != null,
                DBSubnetGroupName = r.DBSubnetGroupName, VpcSecurityGroupIds = r.VpcSecurityGroupIds ?? Array.Empty<string>(),
                Arn = $"arn:aws:rds:{Region}:123456789012:db:{r.DBInstanceIdentifier}", Tags = r.Tags ?? new Dictionary<string, string>(),
            });
        }
        public Task<DbInstance> DeleteDBInstanceAsync(string id, DbFinalSnapshot f, bool? d = null, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:DeleteDBInstance {id} skipFinal={f.Skip} deleteBackups={d}");
            Instances.TryRemove(id, out var gone);
            return Task.FromResult(gone! with { Status = "deleting" });
        }

        public Task<DbSnapshot> DeleteDBSnapshotAsync(string id, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue("rds:DeleteDBSnapshot " + id);
            lock (Snapshots)
            {
                var s = Snapshots.First(x => x.Identifier == id);
                Snapshots.Remove(s);
                return Task.FromResult(s with { Status = "deleted" });
            }
        }
        public Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string arn, CancellationToken ct = default) => throw new NotSupportedException();
        public Task AddTagsToResourceAsync(string arn, IReadOnlyDictionary<string, string> t, CancellationToken ct = default) => throw new NotSupportedException();
        public Task RemoveTagsFromResourceAsync(string arn, IReadOnlyList<string> k, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbSnapshot> WaitForDBSnapshotAvailableAsync(string id, TimeSpan t, IOperationReporter? r = null, CancellationToken ct = default)
        {
            lock (Snapshots)
            {
                var idx = Snapshots.FindIndex(s => s.Identifier == id);
                Snapshots[idx] = Snapshots[idx] with { Status = "available" };
                return Task.FromResult(Snapshots[idx]);
            }
        }

        public Task WaitForDBInstanceDeletedAsync(string id, TimeSpan t, IOperationReporter? r = null, CancellationToken ct = default) => Task.CompletedTask;
    }

    internal sealed class FakeAsg : IAutoScalingService
    {
        readonly FakeCloud _cloud;
        public FakeAsg(FakeCloud cloud, string region) { _cloud = cloud; Region = region; }
        public string Region { get; }
        public readonly ConcurrentDictionary<string, AutoScalingGroupInfo> Groups = new();

        public void Add(string name, int min, int max, int desired, string version = "1") => Groups[name] = WithInstances(new AutoScalingGroupInfo
        {
            Name = name, MinSize = min, MaxSize = max, DesiredCapacity = desired, Region = Region,
            LaunchTemplate = new LaunchTemplateRef { LaunchTemplateId = "lt-1", Version = version },
        });

        static AutoScalingGroupInfo WithInstances(AutoScalingGroupInfo g) => g with
        {
            Instances = Enumerable.Range(0, g.DesiredCapacity).Select(i => new AutoScalingInstance
                { InstanceId = $"i-{g.Name}-{i}", LifecycleState = "InService", HealthStatus = "Healthy", InstanceType = "t3.micro" }).ToList(),
        };

        public Task<IReadOnlyList<AutoScalingGroupInfo>> DescribeAutoScalingGroupsAsync(IReadOnlyList<string>? names = null, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<AutoScalingGroupInfo>>(Groups.Values.Where(g => names == null || names.Contains(g.Name)).ToList());

        public Task<AutoScalingGroupInfo?> FindAutoScalingGroupAsync(string name, CancellationToken ct = default) =>
            Task.FromResult(Groups.TryGetValue(name, out var g) ? g : null);

        public Task UpdateAutoScalingGroupAsync(AutoScalingGroupUpdate u, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"autoscaling:UpdateAutoScalingGroup {u.AutoScalingGroupName} {u.MinSize}/{u.MaxSize}/{u.DesiredCapacity} {u.LaunchTemplate?.Version}");
            var g = Groups[u.AutoScalingGroupName];
            var desired = u.DesiredCapacity ?? g.DesiredCapacity;
            Groups[g.Name] = g with
            {
                MinSize = u.MinSize ?? g.MinSize, MaxSize = u.MaxSize ?? g.MaxSize, DesiredCapacity = desired,
                LaunchTemplate = u.LaunchTemplate?.Version != null ? g.LaunchTemplate! with { Version = u.LaunchTemplate.Version } : g.LaunchTemplate,
                Instances = g.Instances.Take(desired).ToList(), // scale-in terminates the surplus at once
            };
            return Task.CompletedTask;
        }

        public Task<AutoScalingGroupInfo> WaitForInServiceAsync(string name, int? count, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default) =>
            Task.FromResult(Groups[name] = WithInstances(Groups[name]));

        public Task CreateAutoScalingGroupAsync(AutoScalingGroupCreate r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"autoscaling:CreateAutoScalingGroup {r.AutoScalingGroupName} {r.MinSize}/{r.MaxSize}/{r.DesiredCapacity} {r.LaunchTemplate.LaunchTemplateId}:{r.LaunchTemplate.Version} {r.InstanceType} {string.Join(",", r.Subnets)}");
            Groups[r.AutoScalingGroupName] = new AutoScalingGroupInfo
            {
                Name = r.AutoScalingGroupName, MinSize = r.MinSize, MaxSize = r.MaxSize, DesiredCapacity = r.DesiredCapacity ?? r.MinSize, Region = Region,
                LaunchTemplate = r.LaunchTemplate, Subnets = r.Subnets, Tags = r.Tags,
            };
            return Task.CompletedTask;
        }

        public Task DeleteAutoScalingGroupAsync(string name, bool forceDelete, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"autoscaling:DeleteAutoScalingGroup {name} force={forceDelete}");
            Groups.TryRemove(name, out _);
            return Task.CompletedTask;
        }

        public Task SetDesiredCapacityAsync(string name, int d, bool h = false, CancellationToken ct = default) => throw new NotSupportedException();
        public Task SuspendProcessesAsync(string name, IReadOnlyList<string>? p, CancellationToken ct = default) => throw new NotSupportedException();
        public Task ResumeProcessesAsync(string name, IReadOnlyList<string>? p, CancellationToken ct = default) => throw new NotSupportedException();
    }

    internal sealed class FakeRoute53 : IRoute53Service
    {
        readonly FakeCloud _cloud;
        public FakeRoute53(FakeCloud cloud) => _cloud = cloud;
        public readonly List<ResourceRecordSet> Records = new();
        public readonly List<IReadOnlyList<RecordChange>> Batches = new();
        public readonly Dictionary<string, HealthState> Health = new();
        int _changes;

        public Task<IReadOnlyList<ResourceRecordSet>> ListRecordSetsAsync(string zoneId, string? name = null, string? type = null, CancellationToken ct = default)
        {
            lock (Records)
                return Task.FromResult<IReadOnlyList<ResourceRecordSet>>(Records.Where(r => (name == null || Route53Names.SameName(r.Name, name)) && (type == null || r.Type == type)).ToList());
        }

        public Task<ChangeInfo> ChangeRecordSetsAsync(string zoneId, IReadOnlyList<RecordChange> changes, string? comment = null, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"route53:ChangeResourceRecordSets {zoneId} {changes.Count}");
            lock (Records)
            {
                Batches.Add(changes);
                foreach (var c in changes)
                {
                    Records.RemoveAll(r => Route53Names.SameName(r.Name, c.RecordSet.Name) && r.Type == c.RecordSet.Type && r.SetIdentifier == c.RecordSet.SetIdentifier);
                    if (c.Action != ChangeAction.Delete) Records.Add(c.RecordSet);
                }
            }
            return Task.FromResult(new ChangeInfo { Id = $"C{++_changes}", Status = "PENDING" });
        }

        public Task<ChangeInfo> WaitForInSyncAsync(string changeId, TimeSpan timeout, TimeSpan? pollInterval = null, CancellationToken ct = default) =>
            Task.FromResult(new ChangeInfo { Id = changeId, Status = "INSYNC" });

        public Task<HealthCheckStatus> GetHealthCheckStatusAsync(string id, CancellationToken ct = default) =>
            Task.FromResult(new HealthCheckStatus
            {
                HealthCheckId = id, State = Health.TryGetValue(id, out var s) ? s : HealthState.Healthy, HealthyCheckers = 3, TotalCheckers = 3,
            });

        public Task<HostedZone> FindHostedZoneAsync(string name, bool? privateZone = null, CancellationToken ct = default) =>
            Task.FromResult(new HostedZone { Id = "ZFAKE", Name = name });

        public Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<HostedZone>> FindHostedZonesAsync(string name, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<ChangeInfo> GetChangeAsync(string id, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<HealthCheck> CreateHealthCheckAsync(string r, HealthCheckConfig c, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<HealthCheck> GetHealthCheckAsync(string id, CancellationToken ct = default) => throw new NotSupportedException();
        public Task DeleteHealthCheckAsync(string id, CancellationToken ct = default) => throw new NotSupportedException();
    }

    /// <summary>
    /// In-memory Aurora in one region: clusters, cluster snapshots, and the global databases shared by every region of
    /// the cloud. A switchover or failover is pending until the next read of the global database, then done. Records
    /// every mutating call ("rds:SwitchoverGlobalCluster ...").
    /// </summary>
    internal sealed class FakeClusters : IRdsClusterService
    {
        readonly FakeCloud _cloud;
        readonly FakeRds? _rds;
        public FakeClusters(FakeCloud cloud, string region, FakeRds? rds) { _cloud = cloud; Region = region; _rds = rds; }
        public string Region { get; }
        public readonly ConcurrentDictionary<string, DbCluster> Clusters = new(StringComparer.OrdinalIgnoreCase);
        public readonly List<DbClusterSnapshot> Snapshots = new();
        /// <summary>The region does not answer: reads fail with DrTools.EndpointUnreachable.</summary>
        public bool Unreachable { get; set; }
        /// <summary>Reads hang until cancelled (a region that times out).</summary>
        public bool Hangs { get; set; }

        public static string Arn(string region, string id) => $"arn:aws:rds:{region}:123456789012:cluster:{id}";

        public DbCluster AddCluster(string id, string status = "available", string engine = "aurora-postgresql", DateTime? latestRestorable = null, DateTime? earliestRestorable = null)
        {
            var c = new DbCluster
            {
                Identifier = id, Arn = Arn(Region, id), Status = status, Engine = engine, EngineVersion = "15.4", Region = Region,
                EndpointAddress = id + ".cluster.example", LatestRestorableTime = latestRestorable, EarliestRestorableTime = earliestRestorable,
            };
            return Clusters[id] = c;
        }

        /// <summary>A global database with the writer cluster <paramref name="writerArn"/> and secondaries.</summary>
        public GlobalCluster AddGlobal(string id, string writerArn, params string[] secondaryArns)
        {
            var members = new[] { new GlobalClusterMember(writerArn, true, secondaryArns, null) }
                .Concat(secondaryArns.Select(a => new GlobalClusterMember(a, false, Array.Empty<string>(), "connected"))).ToList();
            return _cloud.GlobalClusters[id] = new GlobalCluster { Identifier = id, Arn = "arn:aws:rds::123456789012:global-cluster:" + id, Status = "available", Engine = "aurora-postgresql", Members = members };
        }

        async Task ReadAsync(CancellationToken ct)
        {
            if (Hangs) await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            if (Unreachable) throw new DrToolsException(ErrorIds.EndpointUnreachable, DrErrorCategory.ConnectionError, $"rds.{Region} does not answer", Region);
        }

        public async Task<IReadOnlyList<DbCluster>> DescribeDBClustersAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default)
        {
            await ReadAsync(ct).ConfigureAwait(false);
            return Clusters.Values.Where(c => id == null || c.Identifier == id).ToList();
        }

        public async Task<DbCluster?> FindDBClusterAsync(string id, CancellationToken ct = default)
        {
            await ReadAsync(ct).ConfigureAwait(false);
            return Clusters.TryGetValue(id, out var c) ? c : null;
        }

        /// <summary>A pending switchover/failover completes when read: the target writes, the old writer is a secondary.</summary>
        GlobalCluster? Settle(string id)
        {
            if (!_cloud.GlobalClusters.TryGetValue(id, out var g)) return null;
            if (g.FailoverState is { ToDbClusterArn: { } to })
            {
                var members = g.Members.Select(m => m with { IsWriter = m.DBClusterArn == to, SynchronizationStatus = m.DBClusterArn == to ? null : "connected" }).ToList();
                g = _cloud.GlobalClusters[id] = g with { FailoverState = null, Status = "available", Members = members };
            }
            return g;
        }

        public async Task<IReadOnlyList<GlobalCluster>> DescribeGlobalClustersAsync(string? id = null, CancellationToken ct = default)
        {
            await ReadAsync(ct).ConfigureAwait(false);
            return _cloud.GlobalClusters.Keys.Where(k => id == null || k == id).Select(k => Settle(k)!).ToList();
        }

        public async Task<GlobalCluster?> FindGlobalClusterAsync(string id, CancellationToken ct = default)
        {
            await ReadAsync(ct).ConfigureAwait(false);
            return Settle(id);
        }

        public Task<GlobalCluster> SwitchoverGlobalClusterAsync(string id, string target, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:SwitchoverGlobalCluster {id} {target}");
            var g = _cloud.GlobalClusters[id];
            var from = g.Members.First(m => m.IsWriter).DBClusterArn;
            return Task.FromResult(_cloud.GlobalClusters[id] = g with { Status = "switching-over", FailoverState = new GlobalClusterFailoverState("pending", from, target, false) });
        }

        public Task<GlobalCluster> FailoverGlobalClusterAsync(string id, string target, bool allowDataLoss, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:FailoverGlobalCluster {id} {target} allowDataLoss={allowDataLoss}");
            var g = _cloud.GlobalClusters[id];
            var from = g.Members.First(m => m.IsWriter).DBClusterArn;
            return Task.FromResult(_cloud.GlobalClusters[id] = g with { Status = "failing-over", FailoverState = new GlobalClusterFailoverState("pending", from, target, allowDataLoss) });
        }

        public RestoreDbClusterFromSnapshotRequest? LastSnapshotRestore;
        public RestoreDbClusterToPointInTimeRequest? LastPointInTimeRestore;

        public Task<DbCluster> RestoreDBClusterFromSnapshotAsync(RestoreDbClusterFromSnapshotRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:RestoreDBClusterFromSnapshot {r.DBClusterIdentifier} {r.SnapshotIdentifier} {r.Engine}");
            LastSnapshotRestore = r;
            return Task.FromResult(Clusters[r.DBClusterIdentifier] = new DbCluster
            {
                Identifier = r.DBClusterIdentifier, Arn = Arn(Region, r.DBClusterIdentifier), Status = "creating", Engine = r.Engine, Region = Region,
                Tags = r.Tags ?? new Dictionary<string, string>(),
            });
        }

        public Task<DbCluster> RestoreDBClusterToPointInTimeAsync(RestoreDbClusterToPointInTimeRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:RestoreDBClusterToPointInTime {r.DBClusterIdentifier} {r.SourceDBClusterIdentifier} {(r.UseLatestRestorableTime ? "latest" : r.RestoreToTime?.ToString("o"))}");
            LastPointInTimeRestore = r;
            var source = Clusters[r.SourceDBClusterIdentifier];
            return Task.FromResult(Clusters[r.DBClusterIdentifier] = new DbCluster
            {
                Identifier = r.DBClusterIdentifier, Arn = Arn(Region, r.DBClusterIdentifier), Status = "creating", Engine = source.Engine, Region = Region,
                Tags = r.Tags ?? new Dictionary<string, string>(),
            });
        }

        public Task<DbInstance> CreateDBClusterInstanceAsync(CreateDbClusterInstanceRequest r, CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"rds:CreateDBInstance {r.DBInstanceIdentifier} cluster={r.DBClusterIdentifier} {r.DBInstanceClass} {r.Engine}");
            var instance = new DbInstance
            {
                Identifier = r.DBInstanceIdentifier, Status = "creating", InstanceClass = r.DBInstanceClass, Engine = r.Engine, Region = Region,
                Tags = r.Tags ?? new Dictionary<string, string>(),
            };
            if (_rds != null) _rds.Instances[r.DBInstanceIdentifier] = instance;
            var c = Clusters[r.DBClusterIdentifier];
            Clusters[r.DBClusterIdentifier] = c with { Members = c.Members.Concat(new[] { new DbClusterMember(r.DBInstanceIdentifier, c.Members.Count == 0) }).ToList() };
            return Task.FromResult(instance);
        }

        public Task<IReadOnlyList<DbClusterSnapshot>> DescribeDBClusterSnapshotsAsync(DbClusterSnapshotQuery? q = null, CancellationToken ct = default)
        {
            lock (Snapshots)
                return Task.FromResult<IReadOnlyList<DbClusterSnapshot>>(Snapshots.Where(s => q?.DBClusterIdentifier == null || s.DBClusterIdentifier == q.DBClusterIdentifier).ToList());
        }

        public Task<DbClusterSnapshot?> FindDBClusterSnapshotAsync(string id, CancellationToken ct = default)
        {
            lock (Snapshots) return Task.FromResult(Snapshots.FirstOrDefault(s => s.Identifier == id || s.Arn == id));
        }

        public DbClusterSnapshot AddSnapshot(string id, string clusterId, DateTime taken, string status = "available")
        {
            var s = new DbClusterSnapshot
            {
                Identifier = id, Arn = $"arn:aws:rds:{Region}:123456789012:cluster-snapshot:{id}", DBClusterIdentifier = clusterId, Status = status,
                SnapshotType = "manual", SnapshotCreateTime = taken, Engine = "aurora-postgresql", EngineVersion = "15.4", Region = Region,
            };
            lock (Snapshots) Snapshots.Add(s);
            return s;
        }

        public Task<DbClusterSnapshot> CreateDBClusterSnapshotAsync(string cluster, string id, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbClusterSnapshot> CopyDBClusterSnapshotAsync(CopyDbClusterSnapshotRequest r, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbClusterSnapshot> DeleteDBClusterSnapshotAsync(string id, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbCluster> DeleteDBClusterAsync(string id, DbFinalSnapshot f, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<DbCluster> WaitForDBClusterAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default) =>
            Task.FromResult(Clusters[id] = Clusters[id] with { Status = "available", EndpointAddress = id + ".cluster.example" });

        public async Task<GlobalCluster> WaitForGlobalClusterAsync(string id, Func<GlobalCluster, bool> done, string what, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken ct = default)
        {
            _cloud.Calls.Enqueue($"wait:GlobalCluster {id}");
            var g = await FindGlobalClusterAsync(id, ct).ConfigureAwait(false);
            return g != null && done(g) ? g : throw new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout, $"Timed out waiting for {what}", id);
        }

        public Task<DbClusterSnapshot> WaitForDBClusterSnapshotAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default)
        {
            lock (Snapshots)
            {
                var i = Snapshots.FindIndex(s => s.Identifier == id || s.Arn == id);
                return Task.FromResult(Snapshots[i] = Snapshots[i] with { Status = "available" });
            }
        }

        public Task WaitForDBClusterDeletedAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default) => Task.CompletedTask;
    }
}
