using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.EC2;
using Amazon.EC2.Model;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.TestSupport;

namespace DrTools.LiveTests
{
    /// <summary>
    /// The resources a recovery live test needs, created on demand with unique names, and all deleted by
    /// <see cref="CleanUpAsync"/> (also what the recovery itself created: instances tagged DrTools:Plan, the restored DB).
    /// </summary>
    internal sealed class Site
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 2 : 40);
        readonly AwsClientFactory _primaryClients = new(Live.Connection(Live.Region));
        readonly AwsClientFactory _drClients = new(Live.Connection(Live.DrRegion));
        readonly string _id = Guid.NewGuid().ToString("N").Substring(0, 10);
        readonly List<string> _files = new();
        string? _templateId;
        readonly List<string> _checks = new();
        string? _zone, _image, _allocation, _snapshotCopy, _snapshot;
        bool _group, _primaryDb, _replica;

        public Site()
        {
            PrimaryRds = RdsService.Create(_primaryClients);
            DrRds = RdsService.Create(_drClients);
            PrimaryRds.PollInterval = DrRds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            Ec2 = new Ec2Service(_drClients);
            Asg = AutoScalingService.Create(_drClients);
            Route53 = new Route53Service(_drClients);
        }

        public string PlanName => "live-" + _id;
        public string PrimaryDb => "drtools-live-db-" + _id;
        public string ReplicaDb => "drtools-live-dbdr-" + _id;
        public string RestoredDb => "drtools-live-dbrs-" + _id;
        public string AmiName => "drtools-live-web-" + _id;
        public string GroupName => "drtools-live-asg-" + _id;
        public string ZoneName => $"drtools-live-{_id}.example.com.";
        public RdsService PrimaryRds { get; }
        public RdsService DrRds { get; }
        public Ec2Service Ec2 { get; }
        public AutoScalingService Asg { get; }
        public Route53Service Route53 { get; }

        public string WritePlan(object plan)
        {
            var path = Path.Combine(Path.GetTempPath(), $"drtools-live-plan-{_id}-{_files.Count}.json");
            File.WriteAllText(path, JsonSerializer.Serialize(plan, new JsonSerializerOptions { WriteIndented = true }));
            _files.Add(path);
            return path;
        }

        public async Task PrimaryDatabaseAsync()
        {
            using var client = _primaryClients.Rds();
            _primaryDb = true;
            await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
            {
                ["DBInstanceIdentifier"] = PrimaryDb, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20", ["BackupRetentionPeriod"] = "1",
            });
            await PrimaryRds.WaitForDBInstanceAvailableAsync(PrimaryDb, Long);
        }

        public async Task ReplicaAsync()
        {
            var primary = (await PrimaryRds.FindDBInstanceAsync(PrimaryDb))!;
            _replica = true;
            await DrRds.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest { DBInstanceIdentifier = ReplicaDb, SourceDBInstance = primary.Arn!, DBInstanceClass = "db.t3.micro" });
            await DrRds.WaitForDBInstanceAvailableAsync(ReplicaDb, Long);
        }

        public async Task<string> SnapshotCopyAsync()
        {
            _snapshot = "drtools-live-snap-" + _id;
            var snap = await PrimaryRds.CreateDBSnapshotAsync(PrimaryDb, _snapshot);
            snap = await PrimaryRds.WaitForDBSnapshotAvailableAsync(_snapshot, Long);
            _snapshotCopy = "drtools-live-snapdr-" + _id;
            await DrRds.CopyDBSnapshotAsync(new CopyDbSnapshotRequest { SourceSnapshot = snap.Arn!, TargetSnapshotIdentifier = _snapshotCopy });
            await DrRds.WaitForDBSnapshotAvailableAsync(_snapshotCopy, Long);
            return _snapshotCopy;
        }

        /// <summary>An AMI in the DR region named <see cref="AmiName"/> with tag drtools:role=web (from a short-lived instance).</summary>
        public async Task<string> AmiAsync()
        {
            using var sdk = _drClients.Ec2();
            var baseImage = Live.IsMoto ? "ami-12c6146b" : (await sdk.DescribeImagesAsync(new DescribeImagesRequest
            {
                Owners = new List<string> { "amazon" },
                Filters = new List<Filter> { new() { Name = "name", Values = new List<string> { "al2023-ami-2023.*-x86_64" } } },
            })).Images.OrderByDescending(i => i.CreationDate).First().ImageId;
            var builder = (await Ec2.RunInstancesAsync(new Ec2RunRequest(baseImage, "t3.micro") { Tags = { ["drtools-live"] = _id } }, default)).Single();
            try
            {
                await Ec2.WaitForInstanceRunningAsync(builder.InstanceId, null, default);
                _image = await Ec2.CreateImageAsync(new Ec2CreateImageRequest(builder.InstanceId, AmiName) { Tags = { ["drtools:role"] = "web" }, TagSnapshots = false }, default);
                await Ec2.WaitForImageAvailableAsync(_image, new Ec2WaitOptions(Long, TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 15)), default);
                return _image;
            }
            finally
            {
                await Ec2.TerminateInstancesAsync(new[] { builder.InstanceId }, default);
            }
        }

        public async Task<Ec2Address> ElasticIpAsync()
        {
            var a = await Ec2.AllocateAddressAsync(new Dictionary<string, string> { ["drtools-live"] = _id }, default);
            _allocation = a.AllocationId;
            return a;
        }

        public async Task GroupAsync(int min, int max, int desired)
        {
            using var sdk = _drClients.Ec2();
            var template = await sdk.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
            {
                LaunchTemplateName = GroupName,
                LaunchTemplateData = new RequestLaunchTemplateData { ImageId = Live.IsMoto ? "ami-12c6146b" : await AmiAsync(), InstanceType = InstanceType.T3Micro },
            });
            _templateId = template.LaunchTemplate.LaunchTemplateId;
            var zone = (await sdk.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest())).AvailabilityZones.First(z => z.State == AvailabilityZoneState.Available).ZoneName;
            using var wire = _drClients.AutoScaling();
            _group = true;
            await wire.SendAsync("CreateAutoScalingGroup", new Dictionary<string, string>
            {
                ["AutoScalingGroupName"] = GroupName, ["LaunchTemplate.LaunchTemplateId"] = _templateId, ["LaunchTemplate.Version"] = "1",
                ["MinSize"] = min.ToString(), ["MaxSize"] = max.ToString(), ["DesiredCapacity"] = desired.ToString(), ["AvailabilityZones.member.1"] = zone,
            });
            await Asg.WaitForInServiceAsync(GroupName, desired, Long);
        }

        public async Task<string> ZoneAsync()
        {
            using var raw = _drClients.Route53();
            var ns = raw.Namespace;
            var x = await raw.SendAsync("CreateHostedZone", "POST", "/2013-04-01/hostedzone", body:
                new XElement(ns + "CreateHostedZoneRequest", new XElement(ns + "Name", ZoneName), new XElement(ns + "CallerReference", Guid.NewGuid().ToString("N"))));
            _zone = Route53Names.StripId(x.Element("HostedZone")!.Element("Id")!.Value);
            return _zone;
        }

        public async Task<string> HealthCheckAsync(string ip)
        {
            var hc = await Route53.CreateHealthCheckAsync(Guid.NewGuid().ToString("N"), new HealthCheckConfig { Type = "HTTP", IpAddress = ip, Port = 80, ResourcePath = "/" });
            _checks.Add(hc.Id);
            return hc.Id;
        }

        public async Task UpsertAsync(string zone, ResourceRecordSet record)
        {
            var change = await Route53.ChangeRecordSetsAsync(zone, new[] { new RecordChange(ChangeAction.Upsert, record) });
            await Route53.WaitForInSyncAsync(change.Id, Long);
        }

        public async Task<ResourceRecordSet> RecordAsync(string zone, string name, string? setIdentifier) =>
            (await Route53.ListRecordSetsAsync(zone, name, "A")).Single(r => Route53Names.SameName(r.Name, name) && r.SetIdentifier == setIdentifier);

        /// <summary>Instances the recovery launched for this plan (pending or running).</summary>
        public async Task<IReadOnlyList<Ec2Instance>> PlanInstancesAsync() =>
            await Ec2.DescribeInstancesAsync(null, new[] { new Ec2Filter("tag:DrTools:Plan", PlanName), new Ec2Filter("instance-state-name", "pending", "running") }, default);

        public async Task<List<string>> CleanUpAsync()
        {
            var problems = new List<string>();
            async Task Try(string what, Func<Task> action)
            {
                try { await action(); }
                catch (Exception ex) { problems.Add($"{what}: {ex.Message}"); }
            }
            await Try("instances", async () =>
            {
                var ids = (await PlanInstancesAsync()).Select(i => i.InstanceId).ToList();
                if (ids.Count > 0) await Ec2.TerminateInstancesAsync(ids, default);
            });
            if (_group)
                await Try("group", async () =>
                {
                    using var wire = _drClients.AutoScaling();
                    await wire.SendAsync("DeleteAutoScalingGroup", new Dictionary<string, string> { ["AutoScalingGroupName"] = GroupName, ["ForceDelete"] = "true" });
                });
            if (_templateId != null)
                await Try("launch template", async () => { using var sdk = _drClients.Ec2(); await sdk.DeleteLaunchTemplateAsync(new DeleteLaunchTemplateRequest { LaunchTemplateId = _templateId }); });
            if (_allocation != null)
                await Try("elastic ip", async () =>
                {
                    var a = (await Ec2.DescribeAddressesAsync(new[] { _allocation }, null, default)).Single();
                    if (a.AssociationId != null) await Ec2.DisassociateAddressAsync(a.AssociationId, default);
                    await Ec2.ReleaseAddressAsync(_allocation, default);
                });
            if (_image != null)
                await Try("image", async () =>
                {
                    foreach (var snap in await Ec2.DeregisterImageAsync(_image, default)) await Ec2.DeleteSnapshotAsync(snap, default);
                });
            foreach (var (rds, id, exists) in new[] { (DrRds, ReplicaDb, _replica), (DrRds, RestoredDb, true), (PrimaryRds, PrimaryDb, _primaryDb) })
                if (exists)
                    await Try("db " + id, async () =>
                    {
                        if (await rds.FindDBInstanceAsync(id) == null) return;
                        try { await rds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, deleteAutomatedBackups: true); }
                        catch (Exception)
                        {
                            // moto answers 500 after deleting a cross-region replica (its primary's replica list is keyed differently); gone is gone.
                            if (await rds.FindDBInstanceAsync(id) is not (null or { Status: "deleting" })) throw;
                        }
                    });
            if (_snapshotCopy != null) await Try("snapshot copy", () => DrRds.DeleteDBSnapshotAsync(_snapshotCopy));
            if (_snapshot != null) await Try("snapshot", () => PrimaryRds.DeleteDBSnapshotAsync(_snapshot));
            if (_zone != null)
                await Try("zone", async () =>
                {
                    var records = await Route53.ListRecordSetsAsync(_zone);
                    foreach (var r in records.Where(r => r.Type is not ("SOA" or "NS")))
                        await Route53.ChangeRecordSetsAsync(_zone, new[] { new RecordChange(ChangeAction.Delete, r) });
                    using var raw = _drClients.Route53();
                    await raw.SendAsync("DeleteHostedZone", "DELETE", "/2013-04-01/hostedzone/{Id}", pathParameters: new[] { new KeyValuePair<string, string>("Id", _zone) });
                });
            foreach (var hc in _checks) await Try("health check " + hc, () => Route53.DeleteHealthCheckAsync(hc));
            foreach (var f in _files) try { File.Delete(f); } catch (IOException) { }
            return problems;
        }
    }
}
