using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Tests.RecoveryPoints
{
    /// <summary>In-memory EC2 and RDS in several regions, with call counts and injectable faults, behind IRecoveryPointServices.</summary>
    internal sealed class FakeCloud : IRecoveryPointServices
    {
        int _seq;
        public string HomeRegion { get; set; } = "us-east-1";
        public readonly Dictionary<string, FakeEc2> Ec2s = new();
        public readonly Dictionary<string, FakeRds> Rdss = new();
        public readonly Dictionary<string, FakeClusters> ClusterServices = new();
        public readonly List<string> Calls = new();
        /// <summary>(operation, region) -> the exception the call throws, once per entry.</summary>
        public readonly Dictionary<(string, string), Queue<Exception>> Faults = new();

        public string NextId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _seq):x8}";
        public IEc2Service Ec2(string region) => Ec2For(region);
        public IRdsService Rds(string region) => RdsFor(region);
        public FakeEc2 Ec2For(string region) => Ec2s.TryGetValue(region, out var e) ? e : Ec2s[region] = new FakeEc2(this, region);
        public FakeRds RdsFor(string region) => Rdss.TryGetValue(region, out var r) ? r : Rdss[region] = new FakeRds(this, region);
        public IRdsClusterService Clusters(string region) => ClustersFor(region);
        public FakeClusters ClustersFor(string region) => ClusterServices.TryGetValue(region, out var c) ? c : ClusterServices[region] = new FakeClusters(this, region);
        public int Count(string op, string? region = null) => Calls.Count(c => c == op + "@" + (region ?? HomeRegion));

        public void Fail(string op, string region, Exception ex)
        {
            if (!Faults.TryGetValue((op, region), out var q)) Faults[(op, region)] = q = new Queue<Exception>();
            q.Enqueue(ex);
        }

        /// <summary>(operation, region, n-th call from 1) -> an exception, or null to let the call through.</summary>
        public Func<string, string, int, Exception?>? FaultAt;

        internal void Hit(string op, string region)
        {
            lock (Calls) Calls.Add(op + "@" + region);
            if (FaultAt?.Invoke(op, region, Count(op, region)) is { } fault) throw fault;
            if (Faults.TryGetValue((op, region), out var q) && q.Count > 0) throw q.Dequeue();
        }

        public static DrToolsException Aws(string code, string message = "failed") =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"{message} (AWS error {code})", null) { AwsErrorCode = code, RequestId = "req-1", Service = "EC2" };

        public void Dispose() { }

        /// <summary>Adds a running instance with volumes in the home region.</summary>
        public Ec2Instance AddInstance(params int[] volumeSizes)
        {
            var ec2 = Ec2For(HomeRegion);
            var vols = volumeSizes.Select(size =>
            {
                var v = new Ec2Volume(NextId("vol"), "in-use", size, "gp3", HomeRegion + "a", null, false, null, new List<string>(), new Dictionary<string, string>());
                ec2.Volumes[v.VolumeId] = v;
                return v.VolumeId;
            }).ToList();
            var i = new Ec2Instance(NextId("i"), "running", "m5.large", "ami-base", "subnet-1", "vpc-1", HomeRegion + "a", "10.0.0.5", null, null, DateTime.UtcNow,
                new List<string>(), vols, new Dictionary<string, string> { ["Name"] = "web01" });
            ec2.Instances[i.InstanceId] = i;
            return i;
        }

        /// <summary>Adds an available Aurora cluster with a writer instance of class db.r6g.large in the home region.</summary>
        public DbCluster AddCluster(string id, bool encrypted = false)
        {
            var writer = id + "-writer";
            RdsFor(HomeRegion).Instances[writer] = new DbInstance
            {
                Identifier = writer, Status = "available", Region = HomeRegion, InstanceClass = "db.r6g.large", DBClusterIdentifier = id, Engine = "aurora-postgresql",
            };
            return ClustersFor(HomeRegion).Clusters[id] = new DbCluster
            {
                Identifier = id, Arn = $"arn:aws:rds:{HomeRegion}:123456789012:cluster:{id}", Status = "available", Engine = "aurora-postgresql",
                EngineVersion = "15.4", StorageEncrypted = encrypted, Members = new[] { new DbClusterMember(writer, true) }, Region = HomeRegion,
            };
        }

        public DbInstance AddDb(string id) => RdsFor(HomeRegion).Instances[id] = new DbInstance
        {
            Identifier = id, Arn = $"arn:aws:rds:{HomeRegion}:123456789012:db:{id}", Status = "available", Region = HomeRegion, AllocatedStorage = 20,
        };
    }

    internal sealed class FakeEc2 : IEc2Service
    {
        readonly FakeCloud _cloud;
        public FakeEc2(FakeCloud cloud, string region) { _cloud = cloud; Region = region; }
        public string Region { get; }
        public readonly Dictionary<string, Ec2Instance> Instances = new();
        public readonly Dictionary<string, Ec2Volume> Volumes = new();
        public readonly Dictionary<string, Ec2Snapshot> Snapshots = new();
        public readonly Dictionary<string, Ec2Image> Images = new();
        public Ec2CreateImageRequest? LastCreateImage;
        public Ec2CopySnapshotRequest? LastCopySnapshot;
        public Ec2CopyImageRequest? LastCopyImage;
        public Ec2RunRequest? LastRun;
        public Ec2CreateVolumeRequest? LastCreateVolume;
        /// <summary>The instance waiter blocks until cancelled (a drill that hangs).</summary>
        public bool HangRunning;
        public string RunningState = "running";

        void Hit(string op) => _cloud.Hit(op, Region);
        public void Dispose() { }

        static bool Match(IReadOnlyDictionary<string, string> tags, IEnumerable<Ec2Filter>? filters) =>
            (filters ?? Enumerable.Empty<Ec2Filter>()).All(f =>
                f.Name.StartsWith("tag:") ? tags.TryGetValue(f.Name.Substring(4), out var v) && f.Values.Contains(v)
                : f.Name == "tag-key" ? f.Values.Any(tags.ContainsKey) : true);

        static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> a, IDictionary<string, string> b)
        {
            var d = new Dictionary<string, string>(a.ToDictionary(kv => kv.Key, kv => kv.Value));
            foreach (var kv in b) d[kv.Key] = kv.Value;
            return d;
        }

        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds, IEnumerable<Ec2Filter>? filters, CancellationToken ct)
        {
            Hit("DescribeInstances");
            var ids = instanceIds?.ToList();
            if (ids is { Count: > 0 } && ids.Any(id => !Instances.ContainsKey(id))) throw FakeCloud.Aws("InvalidInstanceID.NotFound", $"The instance ID '{ids[0]}' does not exist");
            return Task.FromResult<IReadOnlyList<Ec2Instance>>(Instances.Values.Where(i => (ids is not { Count: > 0 } || ids.Contains(i.InstanceId)) && Match(i.Tags, filters)).ToList());
        }

        public Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(Ec2RunRequest request, CancellationToken ct)
        {
            Hit("RunInstances");
            LastRun = request;
            var i = new Ec2Instance(_cloud.NextId("i"), "pending", request.InstanceType, request.ImageId, request.SubnetId, "vpc-1", Region + "a", "10.1.0.9", null, request.KeyName,
                DateTime.UtcNow, request.SecurityGroupIds.ToList(), new List<string>(), new Dictionary<string, string>(request.Tags));
            Instances[i.InstanceId] = i;
            return Task.FromResult<IReadOnlyList<Ec2Instance>>(new[] { i });
        }

        public Task<IReadOnlyList<Ec2StateChange>> StartInstancesAsync(IEnumerable<string> instanceIds, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2StateChange>> StopInstancesAsync(IEnumerable<string> instanceIds, bool force, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<Ec2StateChange>> TerminateInstancesAsync(IEnumerable<string> instanceIds, CancellationToken ct)
        {
            Hit("TerminateInstances");
            ct.ThrowIfCancellationRequested();
            foreach (var id in instanceIds) Instances[id] = Instances[id] with { State = "terminated" };
            return Task.FromResult<IReadOnlyList<Ec2StateChange>>(instanceIds.Select(id => new Ec2StateChange(id, "running", "shutting-down")).ToList());
        }

        public Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IEnumerable<string>? volumeIds, IEnumerable<Ec2Filter>? filters, CancellationToken ct)
        {
            Hit("DescribeVolumes");
            var ids = volumeIds?.ToList();
            return Task.FromResult<IReadOnlyList<Ec2Volume>>(Volumes.Values.Where(v => (ids is not { Count: > 0 } || ids.Contains(v.VolumeId)) && Match(v.Tags, filters)).ToList());
        }

        public Task<Ec2Volume> CreateVolumeFromSnapshotAsync(Ec2CreateVolumeRequest request, CancellationToken ct)
        {
            Hit("CreateVolume");
            LastCreateVolume = request;
            var v = new Ec2Volume(_cloud.NextId("vol"), "creating", Snapshots.TryGetValue(request.SnapshotId, out var s) ? s.VolumeSize : 8, request.VolumeType ?? "gp2",
                request.AvailabilityZone, request.SnapshotId, request.Encrypted ?? false, request.KmsKeyId, new List<string>(), new Dictionary<string, string>(request.Tags));
            Volumes[v.VolumeId] = v with { State = "available" };
            return Task.FromResult(v);
        }

        public Task DeleteVolumeAsync(string volumeId, CancellationToken ct)
        {
            Hit("DeleteVolume");
            ct.ThrowIfCancellationRequested();
            Volumes.Remove(volumeId);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(Ec2CreateSnapshotsRequest request, CancellationToken ct)
        {
            Hit("CreateSnapshots");
            var i = Instances[request.InstanceId];
            var list = i.VolumeIds.Select(v => new Ec2Snapshot(_cloud.NextId("snap"), "pending", "0%", v, Volumes[v].Size, request.Description, false, null, "123456789012",
                DateTime.UtcNow, null, new Dictionary<string, string>(request.Tags))).ToList();
            foreach (var s in list) Snapshots[s.SnapshotId] = s with { State = "completed", Progress = "100%" };
            return Task.FromResult<IReadOnlyList<Ec2Snapshot>>(list);
        }

        public Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(IEnumerable<string>? snapshotIds, IEnumerable<Ec2Filter>? filters, CancellationToken ct)
        {
            Hit("DescribeSnapshots");
            var ids = snapshotIds?.ToList();
            if (ids is { Count: > 0 } && ids.Any(id => !Snapshots.ContainsKey(id))) throw FakeCloud.Aws("InvalidSnapshot.NotFound", "The snapshot does not exist");
            return Task.FromResult<IReadOnlyList<Ec2Snapshot>>(Snapshots.Values.Where(s => (ids is not { Count: > 0 } || ids.Contains(s.SnapshotId)) && Match(s.Tags, filters)).ToList());
        }

        public Task<string> CopySnapshotToRegionAsync(Ec2CopySnapshotRequest request, CancellationToken ct)
        {
            _cloud.Hit("CopySnapshot", request.DestinationRegion);
            LastCopySnapshot = request;
            var src = Snapshots[request.SourceSnapshotId];
            var dest = _cloud.Ec2For(request.DestinationRegion);
            var copy = new Ec2Snapshot(_cloud.NextId("snap"), "pending", "0%", "vol-ffffffff", src.VolumeSize, request.Description, request.Encrypted ?? false, request.KmsKeyId,
                "123456789012", DateTime.UtcNow, null, new Dictionary<string, string>(request.Tags));
            dest.Snapshots[copy.SnapshotId] = copy with { State = "completed" };
            return Task.FromResult(copy.SnapshotId);
        }

        public Task DeleteSnapshotAsync(string snapshotId, CancellationToken ct)
        {
            Hit("DeleteSnapshot");
            if (!Snapshots.Remove(snapshotId)) throw FakeCloud.Aws("InvalidSnapshot.NotFound");
            return Task.CompletedTask;
        }

        public Task<string> CreateImageAsync(Ec2CreateImageRequest request, CancellationToken ct)
        {
            Hit("CreateImage");
            LastCreateImage = request;
            var snaps = Instances[request.InstanceId].VolumeIds.Select(v =>
            {
                var s = new Ec2Snapshot(_cloud.NextId("snap"), "completed", "100%", v, Volumes[v].Size, "image", false, null, "123456789012", DateTime.UtcNow, null,
                    new Dictionary<string, string>());
                Snapshots[s.SnapshotId] = s;
                return s.SnapshotId;
            }).ToList();
            var img = new Ec2Image(_cloud.NextId("ami"), "available", request.Name, request.Description, "123456789012", DateTime.UtcNow, null, snaps,
                new Dictionary<string, string>(request.Tags));
            Images[img.ImageId] = img;
            return Task.FromResult(img.ImageId);
        }

        public Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(IEnumerable<string>? imageIds, IEnumerable<Ec2Filter>? filters, IEnumerable<string>? owners, CancellationToken ct)
        {
            Hit("DescribeImages");
            var ids = imageIds?.ToList();
            if (ids is { Count: > 0 } && ids.Any(id => !Images.ContainsKey(id))) throw FakeCloud.Aws("InvalidAMIID.NotFound");
            return Task.FromResult<IReadOnlyList<Ec2Image>>(Images.Values.Where(i => (ids is not { Count: > 0 } || ids.Contains(i.ImageId)) && Match(i.Tags, filters)).ToList());
        }

        public Task<string> CopyImageToRegionAsync(Ec2CopyImageRequest request, CancellationToken ct)
        {
            _cloud.Hit("CopyImage", request.DestinationRegion);
            LastCopyImage = request;
            var src = Images[request.SourceImageId];
            var dest = _cloud.Ec2For(request.DestinationRegion);
            var snaps = src.SnapshotIds.Select(_ =>
            {
                var s = new Ec2Snapshot(_cloud.NextId("snap"), "completed", "100%", "vol-ffffffff", 8, "copy", false, null, "123456789012", DateTime.UtcNow, null, new Dictionary<string, string>());
                dest.Snapshots[s.SnapshotId] = s;
                return s.SnapshotId;
            }).ToList();
            var img = new Ec2Image(_cloud.NextId("ami"), "available", request.Name, request.Description, "123456789012", DateTime.UtcNow, null, snaps, new Dictionary<string, string>());
            dest.Images[img.ImageId] = img;
            return Task.FromResult(img.ImageId);
        }

        public Task<IReadOnlyList<string>> DeregisterImageAsync(string imageId, CancellationToken ct)
        {
            Hit("DeregisterImage");
            var img = Images[imageId];
            Images.Remove(imageId);
            return Task.FromResult(img.SnapshotIds);
        }

        public Task<Ec2Address> AllocateAddressAsync(IDictionary<string, string>? tags, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Region>> DescribeRegionsAsync(CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IEnumerable<string> subnetIds, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IEnumerable<string> groupIds, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(IEnumerable<string> keyNames, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2LaunchTemplateVersion>> DescribeLaunchTemplateVersionsAsync(string? launchTemplateId, string? launchTemplateName, IEnumerable<string> versions, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2InstanceTypeInfo>> DescribeInstanceTypesAsync(IEnumerable<string> instanceTypes, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DescribeAccountAttributesAsync(IEnumerable<string> attributeNames, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Ec2Address>> DescribeAddressesAsync(IEnumerable<string>? allocationIds, IEnumerable<Ec2Filter>? filters, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> AssociateAddressAsync(string allocationId, string instanceId, bool allowReassociation, CancellationToken ct) => throw new NotSupportedException();
        public Task DisassociateAddressAsync(string associationId, CancellationToken ct) => throw new NotSupportedException();
        public Task ReleaseAddressAsync(string allocationId, CancellationToken ct) => throw new NotSupportedException();

        public Task CreateTagsAsync(IEnumerable<string> resourceIds, IDictionary<string, string> tags, CancellationToken ct)
        {
            Hit("CreateTags");
            foreach (var id in resourceIds)
            {
                if (Snapshots.TryGetValue(id, out var s)) Snapshots[id] = s with { Tags = Merge(s.Tags, tags) };
                else if (Images.TryGetValue(id, out var i)) Images[id] = i with { Tags = Merge(i.Tags, tags) };
                else throw FakeCloud.Aws("InvalidID");
            }
            return Task.CompletedTask;
        }

        public Task DeleteTagsAsync(IEnumerable<string> resourceIds, IEnumerable<string> tagKeys, CancellationToken ct) => throw new NotSupportedException();

        public async Task<Ec2Instance> WaitForInstanceRunningAsync(string instanceId, Ec2WaitOptions? options, CancellationToken ct)
        {
            Hit("WaitRunning");
            if (HangRunning) await Task.Delay(Timeout.Infinite, ct);
            if (RunningState != "running")
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation, $"Gave up waiting for instance {instanceId}: {RunningState}", instanceId);
            return Instances[instanceId] = Instances[instanceId] with { State = "running" };
        }

        public Task<Ec2Instance> WaitForInstanceStoppedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken ct) => throw new NotSupportedException();

        public Task WaitForInstanceTerminatedAsync(string instanceId, Ec2WaitOptions? options, CancellationToken ct)
        {
            Hit("WaitTerminated");
            ct.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }

        public Task<Ec2Snapshot> WaitForSnapshotCompletedAsync(string snapshotId, Ec2WaitOptions? options, CancellationToken ct)
        {
            Hit("WaitSnapshot");
            return Task.FromResult(Snapshots[snapshotId]);
        }

        public Task<Ec2Image> WaitForImageAvailableAsync(string imageId, Ec2WaitOptions? options, CancellationToken ct)
        {
            Hit("WaitImage");
            return Task.FromResult(Images[imageId]);
        }
    }

    internal sealed class FakeRds : IRdsService
    {
        readonly FakeCloud _cloud;
        public FakeRds(FakeCloud cloud, string region) { _cloud = cloud; Region = region; }
        public string Region { get; }
        public readonly Dictionary<string, DbInstance> Instances = new();
        public readonly Dictionary<string, DbSnapshot> Snapshots = new();
        public CopyDbSnapshotRequest? LastCopy;
        public RestoreDbInstanceRequest? LastRestore;
        public readonly List<string> Deleted = new();
        void Hit(string op) => _cloud.Hit(op, Region);
        string Arn(string kind, string id) => $"arn:aws:rds:{Region}:123456789012:{kind}:{id}";

        public Task<IReadOnlyList<DbInstance>> DescribeDBInstancesAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<DbInstance?> FindDBInstanceAsync(string id, CancellationToken ct = default)
        {
            Hit("DescribeDBInstances");
            return Task.FromResult(Instances.TryGetValue(id, out var d) ? d : null);
        }

        public Task<IReadOnlyList<DbSnapshot>> DescribeDBSnapshotsAsync(DbSnapshotQuery? query = null, CancellationToken ct = default)
        {
            Hit("DescribeDBSnapshots");
            return Task.FromResult<IReadOnlyList<DbSnapshot>>(Snapshots.Values.Where(s => query?.SnapshotType == null || s.SnapshotType == query.SnapshotType).ToList());
        }

        public Task<DbSnapshot?> FindDBSnapshotAsync(string id, CancellationToken ct = default)
        {
            Hit("DescribeDBSnapshots");
            return Task.FromResult(Snapshots.TryGetValue(id, out var s) ? s : null);
        }

        public Task<DbSnapshot> CreateDBSnapshotAsync(string dbId, string snapId, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
        {
            Hit("CreateDBSnapshot");
            var s = new DbSnapshot
            {
                Identifier = snapId, Arn = Arn("snapshot", snapId), DBInstanceIdentifier = dbId, Status = "creating", SnapshotType = "manual",
                SnapshotCreateTime = DateTime.UtcNow, AllocatedStorage = 20, Tags = tags ?? new Dictionary<string, string>(), Region = Region,
            };
            Snapshots[snapId] = s with { Status = "available" };
            return Task.FromResult(s);
        }

        public Task<DbSnapshot> CopyDBSnapshotAsync(CopyDbSnapshotRequest request, CancellationToken ct = default)
        {
            Hit("CopyDBSnapshot");
            LastCopy = request;
            var s = new DbSnapshot
            {
                Identifier = request.TargetSnapshotIdentifier, Arn = Arn("snapshot", request.TargetSnapshotIdentifier), Status = "copying", SnapshotType = "manual",
                SnapshotCreateTime = DateTime.UtcNow, AllocatedStorage = 20, KmsKeyId = request.KmsKeyId, Encrypted = request.KmsKeyId != null,
                Tags = request.Tags ?? new Dictionary<string, string>(), Region = Region,
            };
            Snapshots[s.Identifier] = s with { Status = "available" };
            return Task.FromResult(s);
        }

        public Task<DbInstance> RestoreDBInstanceFromDBSnapshotAsync(RestoreDbInstanceRequest request, CancellationToken ct = default)
        {
            Hit("RestoreDBInstanceFromDBSnapshot");
            LastRestore = request;
            var d = new DbInstance { Identifier = request.DBInstanceIdentifier, Status = "creating", Region = Region, InstanceClass = request.DBInstanceClass, MultiAZ = request.MultiAZ ?? false };
            Instances[d.Identifier] = d;
            return Task.FromResult(d);
        }

        /// <summary>The automated backups in this region (own and replicated); tests set the windows.</summary>
        public readonly List<DbAutomatedBackup> AutomatedBackups = new();
        public RestoreDbInstanceToPointInTimeRequest? LastPointInTimeRestore;

        public Task<DbInstance> RestoreDBInstanceToPointInTimeAsync(RestoreDbInstanceToPointInTimeRequest request, CancellationToken ct = default)
        {
            Hit("RestoreDBInstanceToPointInTime");
            LastPointInTimeRestore = request;
            if (Instances.ContainsKey(request.TargetDBInstanceIdentifier)) throw FakeCloud.Aws("DBInstanceAlreadyExists", "DB instance already exists");
            var d = new DbInstance { Identifier = request.TargetDBInstanceIdentifier, Status = "creating", Region = Region, InstanceClass = request.DBInstanceClass, Tags = request.Tags ?? new Dictionary<string, string>() };
            Instances[d.Identifier] = d;
            return Task.FromResult(d);
        }

        public Task<IReadOnlyList<DbAutomatedBackup>> DescribeDBInstanceAutomatedBackupsAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default)
        {
            Hit("DescribeDBInstanceAutomatedBackups");
            return Task.FromResult<IReadOnlyList<DbAutomatedBackup>>(AutomatedBackups.Where(b => id == null || b.DBInstanceIdentifier == id).ToList());
        }

        public Task<DbAutomatedBackup> StartDBInstanceAutomatedBackupsReplicationAsync(string arn, int? days = null, string? kms = null, CancellationToken ct = default)
        {
            Hit("StartDBInstanceAutomatedBackupsReplication");
            var parts = arn.Split(':');
            var b = new DbAutomatedBackup
            {
                DBInstanceIdentifier = parts[6], DBInstanceArn = arn, SourceRegion = parts[3], Status = "pending", BackupRetentionPeriod = days, KmsKeyId = kms,
                Arn = $"arn:aws:rds:{Region}:123456789012:auto-backup:ab-{parts[6]}", Region = Region,
            };
            AutomatedBackups.Add(b);
            return Task.FromResult(b);
        }

        public Task<DbInstance> CreateDBInstanceReadReplicaAsync(CreateReadReplicaRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbInstance> PromoteReadReplicaAsync(string id, int? backupRetentionPeriod = null, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbInstance> ModifyDBInstanceAsync(ModifyDbInstanceRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbInstance> RebootDBInstanceAsync(string id, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<DbInstance> DeleteDBInstanceAsync(string id, DbFinalSnapshot finalSnapshot, bool? deleteAutomatedBackups = null, CancellationToken ct = default)
        {
            Hit("DeleteDBInstance");
            ct.ThrowIfCancellationRequested();
            Deleted.Add(id);
            Instances[id] = Instances[id] with { Status = "deleting" };
            return Task.FromResult(Instances[id]);
        }

        public Task<DbSnapshot> DeleteDBSnapshotAsync(string id, CancellationToken ct = default)
        {
            Hit("DeleteDBSnapshot");
            var s = Snapshots[id];
            Snapshots.Remove(id);
            return Task.FromResult(s);
        }

        public Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string arn, CancellationToken ct = default)
        {
            Hit("ListTagsForResource");
            var s = Snapshots.Values.FirstOrDefault(x => x.Arn == arn);
            var c = _cloud.ClustersFor(Region).Snapshots.Values.FirstOrDefault(x => x.Arn == arn);
            return Task.FromResult(s?.Tags ?? c?.Tags ?? new Dictionary<string, string>());
        }

        public Task AddTagsToResourceAsync(string arn, IReadOnlyDictionary<string, string> tags, CancellationToken ct = default)
        {
            Hit("AddTagsToResource");
            var clusters = _cloud.ClustersFor(Region);
            if (clusters.Snapshots.Values.FirstOrDefault(x => x.Arn == arn) is { } c)
            {
                var t = c.Tags.ToDictionary(kv => kv.Key, kv => kv.Value);
                foreach (var kv in tags) t[kv.Key] = kv.Value;
                clusters.Snapshots[c.Identifier] = c with { Tags = t };
                return Task.CompletedTask;
            }
            var s = Snapshots.Values.First(x => x.Arn == arn);
            var d = s.Tags.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var kv in tags) d[kv.Key] = kv.Value;
            Snapshots[s.Identifier] = s with { Tags = d };
            return Task.CompletedTask;
        }

        public Task RemoveTagsFromResourceAsync(string arn, IReadOnlyList<string> keys, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<DbInstance> WaitForDBInstanceAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default)
        {
            Hit("WaitDBInstance");
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(Instances[id] = Instances[id] with { Status = "available", EndpointAddress = id + ".rds.example" });
        }

        public Task<DbSnapshot> WaitForDBSnapshotAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default)
        {
            Hit("WaitDBSnapshot");
            return Task.FromResult(Snapshots[id]);
        }

        public Task WaitForDBInstanceDeletedAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default)
        {
            Hit("WaitDBInstanceDeleted");
            ct.ThrowIfCancellationRequested();
            Instances.Remove(id);
            return Task.CompletedTask;
        }
    }

    /// <summary>In-memory Aurora clusters and cluster snapshots of one region; instances made in a cluster live in the region's FakeRds.</summary>
    internal sealed class FakeClusters : IRdsClusterService
    {
        readonly FakeCloud _cloud;
        public FakeClusters(FakeCloud cloud, string region) { _cloud = cloud; Region = region; }
        public string Region { get; }
        public readonly Dictionary<string, DbCluster> Clusters = new();
        public readonly Dictionary<string, DbClusterSnapshot> Snapshots = new();
        public readonly List<string> DeletedClusters = new();
        public CopyDbClusterSnapshotRequest? LastCopy;
        public RestoreDbClusterFromSnapshotRequest? LastRestore;
        public CreateDbClusterInstanceRequest? LastCreateInstance;
        public DbFinalSnapshot? LastDeleteFinalSnapshot;
        /// <summary>The cluster waiter blocks until cancelled (a restore that hangs).</summary>
        public bool HangClusterAvailable;
        void Hit(string op) => _cloud.Hit(op, Region);
        string Arn(string kind, string id) => $"arn:aws:rds:{Region}:123456789012:{kind}:{id}";

        public Task<IReadOnlyList<DbCluster>> DescribeDBClustersAsync(string? id = null, IReadOnlyList<RdsFilter>? filters = null, CancellationToken ct = default)
        {
            Hit("DescribeDBClusters");
            return Task.FromResult<IReadOnlyList<DbCluster>>(Clusters.Values.Where(c => id == null || c.Identifier == id).ToList());
        }

        public Task<DbCluster?> FindDBClusterAsync(string id, CancellationToken ct = default)
        {
            Hit("DescribeDBClusters");
            return Task.FromResult(Clusters.TryGetValue(id, out var c) ? c with { Members = Members(id) ?? c.Members } : null);
        }

        /// <summary>The instances in the region's FakeRds that belong to the cluster (null: none made by the fake).</summary>
        IReadOnlyList<DbClusterMember>? Members(string id)
        {
            var list = _cloud.RdsFor(Region).Instances.Values.Where(i => i.DBClusterIdentifier == id && i.Status != "deleting")
                .Select(i => new DbClusterMember(i.Identifier, i.Identifier.EndsWith("-writer", StringComparison.Ordinal))).ToList();
            return list.Count > 0 ? list : null;
        }

        public Task<IReadOnlyList<GlobalCluster>> DescribeGlobalClustersAsync(string? id = null, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<GlobalCluster?> FindGlobalClusterAsync(string id, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<GlobalCluster> SwitchoverGlobalClusterAsync(string id, string target, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<GlobalCluster> FailoverGlobalClusterAsync(string id, string target, bool allowDataLoss, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<DbCluster> RestoreDBClusterToPointInTimeAsync(RestoreDbClusterToPointInTimeRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<GlobalCluster> WaitForGlobalClusterAsync(string id, Func<GlobalCluster, bool> done, string what, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken ct = default) => throw new NotSupportedException();

        public Task<DbCluster> RestoreDBClusterFromSnapshotAsync(RestoreDbClusterFromSnapshotRequest request, CancellationToken ct = default)
        {
            Hit("RestoreDBClusterFromSnapshot");
            LastRestore = request;
            if (Clusters.ContainsKey(request.DBClusterIdentifier)) throw FakeCloud.Aws("DBClusterAlreadyExistsFault", "DB cluster already exists");
            if (!Snapshots.ContainsKey(request.SnapshotIdentifier)) throw FakeCloud.Aws("DBClusterSnapshotNotFoundFault", "snapshot not found");
            var c = new DbCluster
            {
                Identifier = request.DBClusterIdentifier, Arn = Arn("cluster", request.DBClusterIdentifier), Status = "creating", Engine = request.Engine,
                EngineVersion = request.EngineVersion, DBSubnetGroupName = request.DBSubnetGroupName, VpcSecurityGroupIds = request.VpcSecurityGroupIds ?? Array.Empty<string>(),
                Tags = request.Tags ?? new Dictionary<string, string>(), Region = Region,
            };
            Clusters[c.Identifier] = c;
            return Task.FromResult(c);
        }

        public Task<DbInstance> CreateDBClusterInstanceAsync(CreateDbClusterInstanceRequest request, CancellationToken ct = default)
        {
            Hit("CreateDBClusterInstance");
            LastCreateInstance = request;
            if (!Clusters.ContainsKey(request.DBClusterIdentifier)) throw FakeCloud.Aws("DBClusterNotFoundFault", "cluster not found");
            var d = new DbInstance
            {
                Identifier = request.DBInstanceIdentifier, Status = "creating", Region = Region, InstanceClass = request.DBInstanceClass, Engine = request.Engine,
                DBClusterIdentifier = request.DBClusterIdentifier, Tags = request.Tags ?? new Dictionary<string, string>(),
            };
            _cloud.RdsFor(Region).Instances[d.Identifier] = d;
            return Task.FromResult(d);
        }

        public Task<IReadOnlyList<DbClusterSnapshot>> DescribeDBClusterSnapshotsAsync(DbClusterSnapshotQuery? query = null, CancellationToken ct = default)
        {
            Hit("DescribeDBClusterSnapshots");
            return Task.FromResult<IReadOnlyList<DbClusterSnapshot>>(Snapshots.Values.Where(s => query?.SnapshotType == null || s.SnapshotType == query.SnapshotType).ToList());
        }

        public Task<DbClusterSnapshot?> FindDBClusterSnapshotAsync(string id, CancellationToken ct = default)
        {
            Hit("DescribeDBClusterSnapshots");
            return Task.FromResult(Snapshots.TryGetValue(id, out var s) ? s : null);
        }

        public Task<DbClusterSnapshot> CreateDBClusterSnapshotAsync(string clusterId, string snapId, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
        {
            Hit("CreateDBClusterSnapshot");
            var c = Clusters[clusterId];
            var s = new DbClusterSnapshot
            {
                Identifier = snapId, Arn = Arn("cluster-snapshot", snapId), DBClusterIdentifier = clusterId, Status = "creating", SnapshotType = "manual",
                SnapshotCreateTime = DateTime.UtcNow, Engine = c.Engine, EngineVersion = c.EngineVersion, StorageEncrypted = c.StorageEncrypted,
                Tags = tags ?? new Dictionary<string, string>(), Region = Region,
            };
            Snapshots[snapId] = s with { Status = "available" };
            return Task.FromResult(s);
        }

        public Task<DbClusterSnapshot> CopyDBClusterSnapshotAsync(CopyDbClusterSnapshotRequest request, CancellationToken ct = default)
        {
            Hit("CopyDBClusterSnapshot");
            LastCopy = request;
            var parts = request.SourceDBClusterSnapshotIdentifier.Split(':');
            var source = _cloud.ClustersFor(parts[3]).Snapshots[parts[6]];
            var s = source with
            {
                Identifier = request.TargetDBClusterSnapshotIdentifier, Arn = Arn("cluster-snapshot", request.TargetDBClusterSnapshotIdentifier), Status = "copying",
                KmsKeyId = request.KmsKeyId ?? source.KmsKeyId, SourceDBClusterSnapshotArn = request.SourceDBClusterSnapshotIdentifier,
                Tags = request.Tags ?? new Dictionary<string, string>(), Region = Region,
            };
            Snapshots[s.Identifier] = s with { Status = "available" };
            return Task.FromResult(s);
        }

        public Task<DbClusterSnapshot> DeleteDBClusterSnapshotAsync(string id, CancellationToken ct = default)
        {
            Hit("DeleteDBClusterSnapshot");
            var s = Snapshots[id];
            Snapshots.Remove(id);
            return Task.FromResult(s);
        }

        public Task<DbCluster> DeleteDBClusterAsync(string id, DbFinalSnapshot finalSnapshot, CancellationToken ct = default)
        {
            Hit("DeleteDBCluster");
            ct.ThrowIfCancellationRequested();
            if (Members(id) != null) throw FakeCloud.Aws("InvalidDBClusterStateFault", "Cluster cannot be deleted, it still contains DB instances");
            LastDeleteFinalSnapshot = finalSnapshot;
            DeletedClusters.Add(id);
            var c = Clusters[id];
            Clusters.Remove(id);
            return Task.FromResult(c with { Status = "deleting" });
        }

        public async Task<DbCluster> WaitForDBClusterAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default)
        {
            Hit("WaitDBCluster");
            if (HangClusterAvailable) { HangClusterAvailable = false; await Task.Delay(Timeout.Infinite, ct); } // once: cleanup must get through
            ct.ThrowIfCancellationRequested();
            return Clusters[id] = Clusters[id] with { Status = "available", EndpointAddress = id + ".cluster.rds.example" };
        }

        public Task<DbClusterSnapshot> WaitForDBClusterSnapshotAvailableAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default)
        {
            Hit("WaitDBClusterSnapshot");
            return Task.FromResult(Snapshots[id]);
        }

        public Task WaitForDBClusterDeletedAsync(string id, TimeSpan timeout, IOperationReporter? reporter = null, CancellationToken ct = default) => throw new NotSupportedException();
    }
}
